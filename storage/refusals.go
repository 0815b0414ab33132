package storage

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// The refusals both stores give, in the same words.

// PartnerNotFound is the refusal for a partner code no partner has.
func PartnerNotFound(code string) error {
	return &domain.Refusal{Kind: domain.ErrPartnerNotFound, Msg: fmt.Sprintf(
		"There is no partner with the code %q; check the code or add the partner first.", code)}
}

// RequestNotFound is the refusal for a request id no request has.
func RequestNotFound(id string) error {
	return &domain.Refusal{Kind: domain.ErrNotFound, Msg: fmt.Sprintf("There is no request with the id %s.", id)}
}

// NoticeNotFound is the refusal for a notice id no notice has.
func NoticeNotFound(id string) error {
	return &domain.Refusal{Kind: domain.ErrNotFound, Msg: fmt.Sprintf(
		"There is no notice with the id %s; it may have been withdrawn.", id)}
}

// DuplicateExternalID is the refusal for a request whose external id its
// partner already gave to the request holder.
func DuplicateExternalID(r domain.Request, holder string) error {
	return &domain.Refusal{Kind: domain.ErrDuplicateExternalID, Msg: fmt.Sprintf(
		"Partner %s already has request %s (id %s).", r.Partner, r.ExternalID, holder)}
}

// BarcodeInUse is the refusal for a barcode active on another request (ref).
func BarcodeInUse(code, ref string) error {
	return &domain.Refusal{Kind: domain.ErrBarcodeInUse, Msg: fmt.Sprintf(
		"Barcode %s is already in use on request %s — finish or check in that request first, or use another barcode.", code, ref)}
}

// NumberInUse refuses a request whose number another request (ref) has.
func NumberInUse(number, ref string) error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
		"Number %s is already request %s's; a request keeps the number it was given.", number, ref)}
}

// CheckRequest refuses a request that cannot be stored as it is.
func CheckRequest(r domain.Request) error {
	switch {
	case r.ID == "":
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A request needs an id before it can be saved."}
	case strings.Contains(r.ExternalID, KeySep) || strings.Contains(r.Partner, KeySep):
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"The external identifier %q or partner code %q contains a NUL character; remove it and try again.", r.ExternalID, r.Partner)}
	}
	return nil
}

// Refusals of a write that lacks its key.
var (
	// ErrPartnerCode refuses a partner without a code.
	ErrPartnerCode = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A partner needs a code."}
	// ErrSettingName refuses a setting without a name.
	ErrSettingName = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A setting needs a name."}
	// ErrNoticeID refuses a notice without an id.
	ErrNoticeID = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A notice needs an id before it can be saved."}
	// ErrRecordKind refuses a record without a kind.
	ErrRecordKind = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A record needs a kind."}
	// ErrRecordID refuses a record without an id.
	ErrRecordID = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A record needs an id."}
)

// LinkTokenInUse refuses a delivery whose download link token (by hash)
// another delivery already has.
func LinkTokenInUse(id string) error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
		"Delivery %s cannot take a download link token another delivery has.", id)}
}

// KeySep separates the external identifier from the partner code in the
// external id index, so neither may contain it.
const KeySep = "\x00"

// DamagedValue is the refusal for a stored value (what: "request",
// "partner", "notice", "request summary") that cannot be decoded.
func DamagedValue(what, key string, err error) error {
	return &domain.Refusal{Kind: domain.ErrValueDamaged, Msg: fmt.Sprintf(
		"The stored %s %s is damaged (%v).", what, key, err)}
}

// DecodeNotice decodes the stored JSON of the notice id.
func DecodeNotice(id string, v []byte) (domain.Notice, error) {
	var n domain.Notice
	if err := json.Unmarshal(v, &n); err != nil {
		return domain.Notice{}, DamagedValue("notice", id, err)
	}
	return n, nil
}

// DecodeRequest decodes the stored JSON of the request id.
func DecodeRequest(id string, v []byte) (domain.Request, error) {
	var r domain.Request
	if err := json.Unmarshal(v, &r); err != nil {
		return domain.Request{}, DamagedValue("request", id, err)
	}
	return r, nil
}

// DecodePartner decodes the stored JSON of the partner code.
func DecodePartner(code string, v []byte) (domain.Partner, error) {
	var p domain.Partner
	if err := json.Unmarshal(v, &p); err != nil {
		return domain.Partner{}, DamagedValue("partner", code, err)
	}
	return p, nil
}
