package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SettingUnknownAgencies says what the desk does with a message that
// arrives over the network from an agency that is none of its partners:
// one of UnknownQuarantine (unset), UnknownAccept or UnknownRefuse.
const SettingUnknownAgencies = "unknown_agencies"

// What the desk does with a network message from an unknown agency.
const (
	// UnknownQuarantine holds the message until staff accept the agency as
	// a partner or refuse it; the sender is told OK.
	UnknownQuarantine = "quarantine"
	// UnknownAccept creates the partner, marked for review, and applies
	// the message at once.
	UnknownAccept = "accept"
	// UnknownRefuse answers ERROR and stores nothing.
	UnknownRefuse = "refuse"
)

// Bounds that keep strangers from filling the desk: a message over them is
// answered ERROR and nothing is stored.
const (
	// MaxAgencyIDLength is the longest agency id (TYPE:VALUE) a partner
	// can be made from or a message held for.
	MaxAgencyIDLength = 100
	// MaxHeldPerAgency is how many messages of one unknown agency wait at once.
	MaxHeldPerAgency = 20
	// MaxHeld is how many messages of unknown agencies wait at once.
	MaxHeld = 1000
	// MaxHeldBytes is the largest message held; a request is a few KB.
	MaxHeldBytes = 256 << 10
	// MaxHeldTotalBytes bounds the bytes of all the messages that wait.
	MaxHeldTotalBytes = 32 << 20
)

// HeldStatus is where a held message stands.
type HeldStatus string

// The states of a held message: it waits, or staff accepted its agency as
// a partner (and it was applied), or refused it.
const (
	HeldWaiting  HeldStatus = "held"
	HeldAccepted HeldStatus = "accepted"
	HeldRefused  HeldStatus = "refused"
)

// HeldMessage is a message from an agency that is none of our partners,
// kept in the quarantine ("Requests from unknown libraries") until staff
// accept the agency as a partner or refuse it.
type HeldMessage struct {
	// ID is a UUIDv7, so held messages list in the order they came.
	ID string `json:"id"`
	// Agency is the sender's agency id as the message gives it.
	Agency string `json:"agency"`
	// Kind is the message type (KindRequest, ...); Action a requesting
	// agency message's action.
	Kind   string `json:"kind"`
	Action string `json:"action,omitempty"`
	// RequestID is the borrower's request id the message carries.
	RequestID string `json:"request_id,omitempty"`
	// Title is the requested title, shortened for showing.
	Title string `json:"title,omitempty"`
	// Addr is the network address the message came from.
	Addr string `json:"addr,omitempty"`
	// ReplyAddress is the address the message proposes for our replies:
	// shown for review, stored as the partner's endpoint only on accept.
	ReplyAddress string     `json:"reply_address,omitempty"`
	Received     time.Time  `json:"received"`
	Status       HeldStatus `json:"status"`
	// Note says what accepting did with the message, or why staff refused it.
	Note string `json:"note,omitempty"`
	// Partner is the partner's code once accepted.
	Partner string    `json:"partner,omitempty"`
	Decided time.Time `json:"decided,omitzero"`
	By      string    `json:"by,omitempty"`
	// Raw is the message as received, applied on accept.
	Raw []byte `json:"raw"`
}

// Ref is the short way to name a held message: the last 8 characters of its id.
func (h HeldMessage) Ref() string { return ref("", h.ID) }

// QuarantineStore keeps the messages held from unknown agencies, keyed by
// their ID.
type QuarantineStore interface {
	// PutHeldMessage creates or replaces the message stored under h.ID.
	PutHeldMessage(h HeldMessage) error
	// HeldMessage returns the message with the id, ok false when there is none.
	HeldMessage(id string) (h HeldMessage, ok bool, err error)
	// ForEachHeldMessage calls fn for every held message in id order until
	// fn returns an error.
	ForEachHeldMessage(fn func(HeldMessage) error) error
}

// QuarantineResult says what accepting or refusing held messages did.
type QuarantineResult struct {
	Agency string `json:"agency"`
	// Partner is the partner the messages now belong to (accept only).
	Partner string `json:"partner,omitempty"`
	// NewPartner is true when accepting created the partner.
	NewPartner bool `json:"new_partner,omitempty"`
	// Messages are the held messages as they now stand.
	Messages []HeldMessage `json:"messages"`
	// Outcome is a sentence for staff.
	Outcome string `json:"outcome"`
}

// unknownAgencies is the setting's value; unset or unreadable values hold
// the messages, the safe choice.
func unknownAgencies(tx Tx) (string, error) {
	v, err := tx.Setting(SettingUnknownAgencies)
	if err != nil {
		return "", err
	}
	switch v {
	case UnknownAccept, UnknownRefuse:
		return v, nil
	}
	return UnknownQuarantine, nil
}

// UnknownAgencies is what the desk does with network messages from
// agencies that are none of its partners (UnknownQuarantine, UnknownAccept
// or UnknownRefuse).
func (d *QuarantineService) UnknownAgencies() (string, error) {
	var v string
	err := d.store.View(func(tx Tx) (err error) {
		v, err = unknownAgencies(tx)
		return err
	})
	return v, err
}

// SetUnknownAgencies sets what the desk does with network messages from
// unknown agencies (a Fulfillment Services Operator's task); the change is
// audited.
func (d *QuarantineService) SetUnknownAgencies(v string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing what happens to messages from unknown agencies"); err != nil {
		return err
	}
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case UnknownQuarantine, UnknownAccept, UnknownRefuse:
	default:
		return refuse(ErrInvalidInput, "%q is not a choice for messages from unknown agencies: use quarantine, accept or refuse.", v)
	}
	return d.store.Update(func(tx Tx) error {
		before, err := unknownAgencies(tx)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "unknown agencies", map[string]string{"unknown_agencies": before},
			map[string]string{"unknown_agencies": v}); err != nil {
			return err
		}
		return tx.PutSetting(SettingUnknownAgencies, v)
	})
}

// knownAgency finds the partner with the agency id, ignoring case.
func knownAgency(tx Tx, agency string) (Partner, bool, error) {
	agency = strings.TrimSpace(agency)
	if agency == "" {
		return Partner{}, false, nil
	}
	ps, err := tx.Partners()
	if err != nil {
		return Partner{}, false, err
	}
	for _, p := range ps {
		if p.AgencyID != "" && strings.EqualFold(p.AgencyID, agency) {
			return p, true, nil
		}
	}
	return Partner{}, false, nil
}

// checkStranger refuses an agency id no partner may be made from: not
// TYPE:VALUE, too long, or with characters that are not printable.
func checkStranger(agency string) error {
	switch {
	case len(agency) > MaxAgencyIDLength:
		return refuse(ErrBadMessage, "The agency id is %d characters long; ILL Desk takes at most %d. Nothing was stored.", len(agency), MaxAgencyIDLength)
	case !utf8.ValidString(agency) || strings.ContainsFunc(agency, func(r rune) bool { return !unicode.IsPrint(r) }):
		return refuse(ErrBadMessage, "The agency id %q has characters an agency id cannot have. Nothing was stored.", agency)
	}
	typ, val, ok := strings.Cut(agency, ":")
	if !ok || strings.TrimSpace(typ) == "" || strings.TrimSpace(val) == "" {
		return refuse(ErrBadMessage, "The agency id %q is not TYPE:VALUE. Nothing was stored.", agency)
	}
	return nil
}

// codeBase is a partner code made from an agency id's value: letters,
// digits, '-', '_' and '.', at most 24 characters, so that a suffix for a
// free code still fits the 32 a code may have.
func codeBase(agency string) string {
	_, value, _ := strings.Cut(agency, ":")
	var b strings.Builder
	for _, r := range strings.TrimSpace(value) {
		if b.Len() >= 24 {
			break
		}
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if base := strings.Trim(b.String(), "-"); base != "" {
		return base
	}
	return "PARTNER"
}

// freePartnerCode is a code no partner has, ignoring case, made from the
// agency id: its value, then with -ISO, -ISO-2, -ISO-3 and so on, read
// inside tx so that it is still free when tx puts the partner.
func freePartnerCode(tx Tx, agency string) (string, error) {
	ps, err := tx.Partners()
	if err != nil {
		return "", err
	}
	taken := make(map[string]bool, len(ps))
	for _, p := range ps {
		taken[strings.ToLower(p.Code)] = true
	}
	base := codeBase(agency)
	// len(ps) partners cannot take all of len(ps)+1 codes: this ends
	for i := 0; ; i++ {
		code := base
		switch {
		case i == 1:
			code += "-ISO"
		case i > 1:
			code += "-ISO-" + strconv.Itoa(i)
		}
		if taken[strings.ToLower(code)] {
			continue
		}
		if _, err := tx.Partner(code); err == nil {
			continue
		} else if !errors.Is(err, ErrPartnerNotFound) {
			return "", err
		}
		return code, nil
	}
}

// newPartnerFor creates, in tx, the partner of an agency that is none of
// our partners, marked for review: under code, or under a free code made
// from the agency id when code is "". It never replaces a partner, and it
// is audited with ev (who made it, where, when).
func (d *core) newPartnerFor(tx Tx, agency, code, endpoint string, ev Event) (Partner, error) {
	agency = strings.TrimSpace(agency)
	if err := checkStranger(agency); err != nil {
		return Partner{}, err
	}
	if code = strings.TrimSpace(code); code == "" {
		var err error
		if code, err = freePartnerCode(tx, agency); err != nil {
			return Partner{}, err
		}
	} else {
		ps, err := tx.Partners()
		if err != nil {
			return Partner{}, err
		}
		for _, p := range ps {
			if strings.EqualFold(p.Code, code) {
				return Partner{}, refuse(ErrPartnerExists, "A partner with code %s already exists; choose another code.", p.Code)
			}
		}
	}
	_, name, _ := strings.Cut(agency, ":")
	p := Partner{Code: code, Name: strings.TrimSpace(name), AgencyID: agency, TurnaroundHours: DefaultTurnaroundHours,
		LoanPeriodDays: DefaultLoanPeriodDays, Delivery: DeliveryISO, NeedsReview: true, ISOEndpoint: endpoint}
	p, err := checkPartner(p)
	if err != nil {
		return Partner{}, err
	}
	if err := d.auditChange(tx, ev, "partner "+p.Code, nil, p); err != nil {
		return Partner{}, err
	}
	return p, tx.PutPartner(p)
}

// QuarantineService keeps the messages of agencies that are not our
// partners, as the unknown-agencies setting says, until staff accept the
// agency as a partner (its messages are then applied) or refuse it.
type QuarantineService struct {
	*core
	// messages applies the held messages of an agency staff accept.
	messages *MessageService
}

// receive applies a message, or, for a message from the network whose
// agency is none of our partners, does what the unknown-agencies setting
// says: hold it, refuse it, or accept it (apply makes the partner).
func (d *MessageService) receive(tx Tx, in Incoming, raw []byte, from *Caller) (ImportResult, *MessageProblem, error) {
	if from == nil || in.Kind == KindConfirmation {
		return d.apply(tx, in, from)
	}
	if _, known, err := knownAgency(tx, in.From); err != nil || known {
		if err != nil {
			return ImportResult{}, nil, err
		}
		return d.apply(tx, in, from)
	}
	policy, err := unknownAgencies(tx)
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch policy {
	case UnknownRefuse:
		return problemf("UnrecognisedDataValue", "The agency %q is not one of our partners; messages from unknown agencies are refused. Nothing was stored.", shorten(in.From, MaxAgencyIDLength))
	case UnknownQuarantine:
		return d.quarantine.hold(tx, in, raw, *from)
	}
	return d.apply(tx, in, from)
}

// hold keeps a message of an unknown agency in the quarantine, within its
// bounds; over them, or when the message could never be applied, it is
// answered ERROR and nothing is stored.
func (d *QuarantineService) hold(tx Tx, in Incoming, raw []byte, from Caller) (ImportResult, *MessageProblem, error) {
	agency := strings.TrimSpace(in.From)
	if err := checkStranger(agency); err != nil {
		return problemf("UnrecognisedDataValue", "%s", refusalMessage(err))
	}
	if in.Kind == KindRequest {
		self, err := tx.Setting(SettingAgencyID)
		if err != nil {
			return ImportResult{}, nil, err
		}
		switch {
		case self != "" && in.To != "" && !strings.EqualFold(in.To, self):
			return problemf("UnrecognisedDataValue", "The request is addressed to %q, not to us (%s).", shorten(in.To, MaxAgencyIDLength), self)
		case in.RequestingRequestID == "":
			return problemf("UnrecognisedDataElement", "The request has no requestingAgencyRequestId.")
		case strings.TrimSpace(in.Citation.Title) == "" && strings.TrimSpace(in.Citation.ArticleTitle) == "":
			return problemf("UnrecognisedDataElement", "The request has no title.")
		}
	}
	if len(raw) > MaxHeldBytes {
		return problemf("UnrecognisedDataValue", "The message from %q, not one of our partners, is larger than %d KB; it was not stored.", agency, MaxHeldBytes>>10)
	}
	mine, all, size := 0, 0, len(raw)
	err := tx.ForEachHeldMessage(func(h HeldMessage) error {
		if h.Status == HeldWaiting {
			all++
			size += len(h.Raw)
			if strings.EqualFold(h.Agency, agency) {
				mine++
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch {
	case mine >= MaxHeldPerAgency:
		return problemf("UnrecognisedDataValue", "%d messages from %q, not one of our partners, already wait for staff to accept or refuse it; this one was not stored.", mine, agency)
	case all >= MaxHeld || size > MaxHeldTotalBytes:
		return problemf("UnrecognisedDataValue", "Too many messages from agencies that are not our partners wait for staff; this one from %q was not stored. Try again later.", agency)
	}
	title := in.Citation.Title
	if title == "" {
		title = in.Citation.ArticleTitle
	}
	h := HeldMessage{ID: d.newID(), Agency: agency, Kind: in.Kind, Action: shorten(in.Action, 40),
		RequestID: shorten(in.RequestingRequestID, 100), Title: shorten(title, 300), Addr: shorten(from.Addr, 100),
		ReplyAddress: shorten(in.ReplyAddress, 500), Received: d.clock.Now(), Status: HeldWaiting, Raw: raw}
	if err := tx.PutHeldMessage(h); err != nil {
		return ImportResult{}, nil, err
	}
	return ImportResult{Kind: in.Kind, Held: h.ID,
		Outcome: fmt.Sprintf("Held %s from %q, not one of our partners, as %s until staff accept or refuse it.", in.Kind, agency, h.Ref())}, nil, nil
}

// shorten cuts an outside value to at most n bytes, on a character
// boundary, marking the cut.
func shorten(s string, n int) string {
	if s = strings.TrimSpace(s); len(s) <= n {
		return s
	}
	return clip(s, n) + "…"
}

// Quarantine lists the messages held from unknown agencies, oldest first:
// those that wait, and with all also those accepted or refused.
func (d *QuarantineService) Quarantine(all bool) ([]HeldMessage, error) {
	var out []HeldMessage
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachHeldMessage(func(h HeldMessage) error {
			if all || h.Status == HeldWaiting {
				out = append(out, h)
			}
			return nil
		})
	})
	return out, err
}

// HeldCount is how many messages from unknown agencies wait.
func (d *QuarantineService) HeldCount() (int, error) {
	n := 0
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachHeldMessage(func(h HeldMessage) error {
			if h.Status == HeldWaiting {
				n++
			}
			return nil
		})
	})
	return n, err
}

// SuggestPartnerCode is the code accepting the agency would give its new
// partner now: its own partner's code when it has become a partner.
func (d *QuarantineService) SuggestPartnerCode(agency string) (string, error) {
	var code string
	err := d.store.View(func(tx Tx) error {
		p, ok, err := knownAgency(tx, agency)
		if err != nil || ok {
			code = p.Code
			return err
		}
		code, err = freePartnerCode(tx, agency)
		return err
	})
	return code, err
}

// findHeld resolves a held message's id, or the end of it as Ref shows it.
func findHeld(tx Tx, id string) (HeldMessage, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return HeldMessage{}, refuse(ErrInvalidInput, "Name the held message by its id, as the quarantine list shows it.")
	}
	if h, ok, err := tx.HeldMessage(id); err != nil || ok {
		return h, err
	}
	var found []HeldMessage
	err := tx.ForEachHeldMessage(func(h HeldMessage) error {
		if len(id) >= 4 && strings.HasSuffix(strings.ToLower(h.ID), id) {
			found = append(found, h)
		}
		return nil
	})
	switch {
	case err != nil:
		return HeldMessage{}, err
	case len(found) == 0:
		return HeldMessage{}, refuse(ErrNotFound, "No held message has the id %q.", id)
	case len(found) > 1:
		return HeldMessage{}, refuse(ErrAmbiguousRef, "%d held messages end in %q; give more of the id.", len(found), id)
	}
	return found[0], nil
}

// waitingFrom lists the messages of the agency that wait, oldest first.
func waitingFrom(tx Tx, agency string) ([]HeldMessage, error) {
	var out []HeldMessage
	err := tx.ForEachHeldMessage(func(h HeldMessage) error {
		if h.Status == HeldWaiting && strings.EqualFold(h.Agency, agency) {
			out = append(out, h)
		}
		return nil
	})
	return out, err
}

// decide records staff's decision on a held message and audits it.
func (d *QuarantineService) decide(tx Tx, h HeldMessage, status HeldStatus, partner, note string, by Actor) (HeldMessage, error) {
	before := map[string]string{"status": string(h.Status)}
	h.Status, h.Partner, h.Note, h.Decided, h.By = status, partner, note, d.clock.Now(), d.event(by, "").Actor
	after := map[string]string{"status": string(h.Status), "agency": h.Agency, "partner": partner, "note": note}
	if err := d.auditConfig(tx, by, "quarantine "+h.Ref(), before, after); err != nil {
		return HeldMessage{}, err
	}
	return h, tx.PutHeldMessage(h)
}

// AcceptHeld accepts the agency of a held message as a partner: it creates
// the partner, marked for review, under code (or the suggested free code
// when code is ""), with the reply address the message proposed as its
// endpoint, and applies every message of that agency that waits, oldest
// first, as if it had just arrived. A message that cannot be applied is
// accepted with the reason in its note. All of it is one transaction and
// audited. It needs the Fulfillment Services role; by may be left out only
// while no operators are set up.
func (d *QuarantineService) AcceptHeld(id, code string, by ...Actor) (QuarantineResult, error) {
	if d.codec == nil {
		return QuarantineResult{}, errors.New("no partner message codec is configured")
	}
	actor := actorOf(by)
	var res QuarantineResult
	err := d.store.Update(func(tx Tx) error {
		h, err := waitingHeld(tx, actor, "Accepting a partner", id)
		if err != nil {
			return err
		}
		res = QuarantineResult{Agency: h.Agency}
		p, known, err := knownAgency(tx, h.Agency)
		switch {
		case err != nil:
			return err
		case known && code != "" && !strings.EqualFold(strings.TrimSpace(code), p.Code):
			return refuse(ErrPartnerExists, "The agency %q is partner %s already; accept without a code.", h.Agency, p.Code)
		case !known:
			ev := d.event(actor, "")
			if p, err = d.newPartnerFor(tx, h.Agency, code, h.ReplyAddress, ev); errors.Is(err, ErrInvalidInput) && h.ReplyAddress != "" {
				// a proposed address that is no endpoint is left for staff to fix
				p, err = d.newPartnerFor(tx, h.Agency, code, "", ev)
			}
			if err != nil {
				return err
			}
			res.NewPartner = true
		}
		res.Partner = p.Code
		held, err := waitingFrom(tx, h.Agency)
		if err != nil {
			return err
		}
		applied := 0
		for _, m := range held {
			note, ok, err := d.applyHeld(tx, m)
			if err != nil {
				return err
			}
			if ok {
				applied++
			}
			if m, err = d.decide(tx, m, HeldAccepted, p.Code, note, actor); err != nil {
				return err
			}
			res.Messages = append(res.Messages, m)
		}
		res.Outcome = fmt.Sprintf("Accepted %q as partner %s; %d of %d held message(s) applied.", h.Agency, p.Code, applied, len(held))
		if res.NewPartner {
			res.Outcome += fmt.Sprintf(" %s is a new partner; review its details.", p.Code)
			if p.ISOEndpoint != "" {
				res.Outcome += fmt.Sprintf(" Its endpoint is the address the message proposed: %q.", p.ISOEndpoint)
			} else if h.ReplyAddress != "" {
				res.Outcome += fmt.Sprintf(" The address the message proposed, %q, is no endpoint and was not stored.", h.ReplyAddress)
			}
		}
		return nil
	})
	if err != nil {
		return QuarantineResult{}, err
	}
	return res, nil
}

// applyHeld applies one held message in tx and says what it did; a message
// that cannot be applied changes nothing (ok false) and says why.
func (d *QuarantineService) applyHeld(tx Tx, h HeldMessage) (note string, ok bool, err error) {
	in, err := d.codec.Decode(h.Raw)
	if err != nil {
		return "Not applied: the message cannot be read: " + err.Error(), false, nil
	}
	res, problem, err := d.messages.apply(tx, in, &Caller{Addr: h.Addr})
	var r *Refusal
	switch {
	case errors.As(err, &r):
		return "Not applied: " + r.Msg, false, nil
	case err != nil:
		return "", false, err
	case problem != nil:
		return "Not applied: " + problem.Value, false, nil
	}
	return res.Outcome, true, nil
}

// waitingHeld is the held message with id, still waiting for a decision,
// which the actor may take (the Fulfillment Services role; what names the
// action for the refusal).
func waitingHeld(tx Tx, actor Actor, what, id string) (HeldMessage, error) {
	if err := allowTx(tx, actor, RoleFulfillment, what); err != nil {
		return HeldMessage{}, err
	}
	h, err := findHeld(tx, id)
	if err != nil {
		return HeldMessage{}, err
	}
	if h.Status != HeldWaiting {
		return HeldMessage{}, refuse(ErrInvalidInput, "Held message %s was %s already.", h.Ref(), h.Status)
	}
	return h, nil
}

// RefuseHeld refuses the agency of a held message: every message of that
// agency that waits is marked refused, with the note, and audited. Nothing
// is sent to the agency. It needs the Fulfillment Services role; by may be
// left out only while no operators are set up.
func (d *QuarantineService) RefuseHeld(id, note string, by ...Actor) (QuarantineResult, error) {
	actor := actorOf(by)
	note = strings.TrimSpace(note)
	var res QuarantineResult
	err := d.store.Update(func(tx Tx) error {
		h, err := waitingHeld(tx, actor, "Refusing an unknown agency", id)
		if err != nil {
			return err
		}
		held, err := waitingFrom(tx, h.Agency)
		if err != nil {
			return err
		}
		res = QuarantineResult{Agency: h.Agency}
		for _, m := range held {
			if m, err = d.decide(tx, m, HeldRefused, "", note, actor); err != nil {
				return err
			}
			res.Messages = append(res.Messages, m)
		}
		res.Outcome = fmt.Sprintf("Refused %d held message(s) from %q; nothing was sent.", len(held), h.Agency)
		return nil
	})
	if err != nil {
		return QuarantineResult{}, err
	}
	return res, nil
}
