package storage

import (
	"fmt"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// The refusals both stores give, in the same words.

func partnerNotFound(code string) error {
	return &domain.Refusal{Kind: domain.ErrPartnerNotFound, Msg: fmt.Sprintf(
		"There is no partner with the code %q; check the code or add the partner first.", code)}
}

func requestNotFound(id string) error {
	return &domain.Refusal{Kind: domain.ErrNotFound, Msg: fmt.Sprintf("There is no request with the id %s.", id)}
}

func noticeNotFound(id string) error {
	return &domain.Refusal{Kind: domain.ErrNotFound, Msg: fmt.Sprintf(
		"There is no notice with the id %s; it may have been withdrawn.", id)}
}

func duplicateExternalID(r domain.Request, holder string) error {
	return &domain.Refusal{Kind: domain.ErrDuplicateExternalID, Msg: fmt.Sprintf(
		"Partner %s already has request %s (id %s).", r.Partner, r.ExternalID, holder)}
}

func barcodeInUse(code, ref string) error {
	return &domain.Refusal{Kind: domain.ErrBarcodeInUse, Msg: fmt.Sprintf(
		"Barcode %s is already in use on request %s — finish or check in that request first, or use another barcode.", code, ref)}
}

// checkRequest refuses a request that cannot be stored as it is.
func checkRequest(r domain.Request) error {
	switch {
	case r.ID == "":
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A request needs an id before it can be saved."}
	case strings.Contains(r.ExternalID, keySep) || strings.Contains(r.Partner, keySep):
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"The external identifier %q or partner code %q contains a NUL character; remove it and try again.", r.ExternalID, r.Partner)}
	}
	return nil
}

var (
	errPartnerCode = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A partner needs a code."}
	errSettingName = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A setting needs a name."}
	errNoticeID    = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A notice needs an id before it can be saved."}
	errRecordKind  = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A record needs a kind."}
	errRecordID    = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A record needs an id."}
)
