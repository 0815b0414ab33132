package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ActMessage records a message exchanged with a partner; it changes no state.
const ActMessage Action = "message"

// ErrBadMessage means an incoming partner message could not be read or used.
var ErrBadMessage = errors.New("bad partner message")

// Message kinds, as the ISO 18626 message types.
const (
	KindRequest    = "request"
	KindSupplying  = "supplyingAgencyMessage"
	KindRequesting = "requestingAgencyMessage"
	// KindConfirmation covers the three confirmation messages.
	KindConfirmation = "confirmation"
)

// Incoming is a partner message as the desk understands it, decoded from
// ISO 18626 by a MessageCodec.
type Incoming struct {
	Kind    string
	Version string
	// From and To are agency ids written TYPE:VALUE.
	From, To string
	// RequestingRequestID is the borrower's request id; SupplyingRequestID the lender's.
	RequestingRequestID string
	SupplyingRequestID  string
	Timestamp           time.Time
	// Request
	Citation    Citation
	ServiceType string
	NeededBy    time.Time
	Note        string
	// SupplyingAgencyMessage
	Reason, Status, ReasonUnfilled string
	DueDate                        time.Time
	DeliveryURL                    string
	// RequestingAgencyMessage
	Action string
}

// Outgoing is a message the desk sends a partner, encoded to ISO 18626.
type Outgoing struct {
	Kind                string // KindSupplying or KindRequesting
	From, To            string
	RequestingRequestID string
	SupplyingRequestID  string
	Timestamp           time.Time
	Reason, Status      string
	ReasonUnfilled      string
	ReasonRetry         string
	AnswerYesNo         string
	Note                string
	SentVia             string
	DeliveryURL         string
	DateSent            time.Time
	Action              string
	// For KindRequest: what we ask for.
	Citation    Citation
	ServiceType string
}

// MessageProblem says why an incoming message was refused, for the ERROR confirmation.
type MessageProblem struct {
	// ErrorType is the ISO 18626 errorType (UnsupportedActionType,
	// UnsupportedReasonForMessageType, UnrecognisedDataElement,
	// UnrecognisedDataValue, BadlyFormedMessage).
	ErrorType string
	Value     string
}

// MessageCodec reads and writes partner messages (ISO 18626).
type MessageCodec interface {
	Decode(raw []byte) (Incoming, error)
	Encode(o Outgoing) ([]byte, error)
	// Confirm answers a decoded message: OK when problem is nil, else ERROR.
	Confirm(in Incoming, received time.Time, problem *MessageProblem) ([]byte, error)
	// ConfirmUndecodable answers a message that could not be decoded.
	ConfirmUndecodable(raw []byte, err error, received time.Time) []byte
	// ConfirmationOK reads a partner's confirmation of a message we sent.
	ConfirmationOK(reply []byte) (ok bool, why string)
}

// SettingAgencyID is our own ISO 18626 agency id (TYPE:VALUE).
const SettingAgencyID = "agency_id"

// ImportResult says what an incoming message did.
type ImportResult struct {
	Kind    string `json:"kind"`
	Request string `json:"request,omitempty"` // the request's id
	Ref     string `json:"ref,omitempty"`
	// Outcome is a sentence for staff: what changed, or that nothing did.
	Outcome string `json:"outcome"`
	// Duplicate is true when the same message was received before.
	Duplicate bool `json:"duplicate,omitempty"`
	// NewPartner is the code of a partner created for an unknown agency.
	NewPartner string `json:"new_partner,omitempty"`
}

// SeenMessage is what is kept of a received message, so that receiving it
// again changes nothing and gets the same answer.
type SeenMessage struct {
	Result       ImportResult `json:"result"`
	Confirmation []byte       `json:"confirmation"`
	At           time.Time    `json:"at"`
}

func checkAgencyID(id string) error {
	typ, val, ok := strings.Cut(id, ":")
	if !ok || strings.TrimSpace(typ) == "" || strings.TrimSpace(val) == "" {
		return refuse(ErrInvalidInput, "%q is not an agency id: write TYPE:VALUE, e.g. ISIL:DE-1 or OCLC:ZCU.", id)
	}
	return nil
}

// Intake receives one partner message: it is decoded, applied in one
// transaction and answered with the matching confirmation. A message that
// cannot be read or used changes nothing and is answered with an ERROR
// confirmation; the same message a second time changes nothing and gets the
// first answer again.
func (d *Desk) Intake(raw []byte) (ImportResult, []byte, error) {
	if d.codec == nil {
		return ImportResult{}, nil, errors.New("no partner message codec is configured")
	}
	now := d.clock.Now()
	sum := sha256.Sum256(raw)
	key := hex.EncodeToString(sum[:])
	var seen SeenMessage
	var found bool
	if err := d.store.View(func(tx Tx) error {
		var err error
		seen, found, err = tx.SeenMessage(key)
		return err
	}); err != nil {
		return ImportResult{}, nil, err
	}
	if found {
		res := seen.Result
		res.Duplicate = true
		res.Outcome = "This message was received before (" + seen.At.Local().Format("2006-01-02 15:04") + "); nothing changed."
		return res, seen.Confirmation, nil
	}
	in, err := d.codec.Decode(raw)
	if err != nil {
		return ImportResult{}, d.codec.ConfirmUndecodable(raw, err, now),
			&Refusal{Kind: ErrBadMessage, Msg: "The partner message cannot be read: " + err.Error() + ". Nothing was stored."}
	}
	var res ImportResult
	var conf []byte
	err = d.store.Update(func(tx Tx) error {
		var problem *MessageProblem
		res, problem, err = d.apply(tx, in)
		if err != nil {
			return err
		}
		if problem != nil {
			return &messageRefusal{problem: *problem, msg: res.Outcome}
		}
		if conf, err = d.codec.Confirm(in, now, nil); err != nil {
			return err
		}
		return tx.PutSeenMessage(key, SeenMessage{Result: res, Confirmation: conf, At: now})
	})
	var mr *messageRefusal
	switch {
	case errors.As(err, &mr):
		conf, cerr := d.codec.Confirm(in, now, &mr.problem)
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return res, conf, &Refusal{Kind: ErrBadMessage, Msg: mr.msg}
	case err != nil:
		// a refusal from the desk itself (e.g. a duplicate external id)
		p := &MessageProblem{ErrorType: "UnrecognisedDataValue", Value: refusalMessage(err)}
		conf, cerr := d.codec.Confirm(in, now, p)
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return ImportResult{Kind: in.Kind}, conf, err
	}
	return res, conf, nil
}

// messageRefusal carries a problem out of the transaction so it rolls back.
type messageRefusal struct {
	problem MessageProblem
	msg     string
}

func (m *messageRefusal) Error() string { return m.msg }

func refusalMessage(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Msg
	}
	return err.Error()
}

func problemf(errorType, format string, args ...any) (ImportResult, *MessageProblem, error) {
	msg := fmt.Sprintf(format, args...)
	return ImportResult{Outcome: msg}, &MessageProblem{ErrorType: errorType, Value: msg}, nil
}

// apply changes the store for one decoded message.
func (d *Desk) apply(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	self, err := tx.Setting(SettingAgencyID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch in.Kind {
	case KindRequest:
		if self != "" && in.To != "" && !strings.EqualFold(in.To, self) {
			return problemf("UnrecognisedDataValue", "The request is addressed to %s, not to us (%s).", in.To, self)
		}
		return d.applyRequest(tx, in)
	case KindRequesting:
		return d.applyRequesting(tx, in)
	case KindSupplying:
		return d.applySupplying(tx, in)
	case KindConfirmation:
		return ImportResult{Kind: in.Kind, Outcome: "A confirmation of one of our messages; nothing to do."}, nil, nil
	}
	return problemf("UnsupportedActionType", "ILL Desk does not handle %s messages.", in.Kind)
}

// partnerByAgency finds the partner with an agency id; with create it makes
// one, marked for review, for an agency not seen before.
func (d *Desk) partnerByAgency(tx Tx, agency string, create bool) (Partner, bool, error) {
	ps, err := tx.Partners()
	if err != nil {
		return Partner{}, false, err
	}
	for _, p := range ps {
		if p.AgencyID != "" && strings.EqualFold(p.AgencyID, agency) {
			return p, false, nil
		}
	}
	if !create {
		return Partner{}, false, refuse(ErrPartnerNotFound, "No partner has the agency id %s.", agency)
	}
	_, value, _ := strings.Cut(agency, ":")
	code := strings.Map(func(r rune) rune {
		if r <= ' ' {
			return '-'
		}
		return r
	}, strings.TrimSpace(value))
	if len(code) > 32 {
		code = code[:32]
	}
	if code == "" {
		return Partner{}, false, refuse(ErrBadMessage, "The requesting agency has no id value.")
	}
	if _, err := tx.Partner(code); err == nil {
		code = code + "-ISO"
	}
	p := Partner{Code: code, Name: value, AgencyID: agency, TurnaroundHours: DefaultTurnaroundHours,
		LoanPeriodDays: DefaultLoanPeriodDays, Delivery: DeliveryISO, NeedsReview: true}
	return p, true, tx.PutPartner(p)
}

func (d *Desk) applyRequest(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	if in.RequestingRequestID == "" {
		return problemf("UnrecognisedDataElement", "The request has no requestingAgencyRequestId.")
	}
	if strings.TrimSpace(in.Citation.Title) == "" && strings.TrimSpace(in.Citation.ArticleTitle) == "" {
		return problemf("UnrecognisedDataElement", "The request has no title.")
	}
	p, created, err := d.partnerByAgency(tx, in.From, true)
	if err != nil {
		return ImportResult{}, nil, err
	}
	now := d.clock.Now()
	c := in.Citation
	if c.Title == "" {
		c.Title = c.ArticleTitle
	}
	r := Request{ID: d.newID(), Side: Lending, ExternalID: in.RequestingRequestID, Partner: p.Code,
		Citation: c, Created: now, Deadline: d.Calendar().AddBusinessHours(now, p.TurnaroundHours),
		ServiceType: in.ServiceType, NeededBy: in.NeededBy}
	if in.Note != "" {
		r.InternalNote = "Requester note: " + in.Note
	}
	if err := r.Transition(ActCreate, Event{At: now, Actor: "ISO 18626", Desk: "interop",
		Note: "Received from " + in.From}); err != nil {
		return ImportResult{}, nil, err
	}
	if err := tx.PutRequest(r); err != nil {
		return ImportResult{}, nil, err
	}
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref(),
		Outcome: fmt.Sprintf("New lending request %s from %s: “%s”.", r.Ref(), p.Code, r.Title)}
	if created {
		res.NewPartner = p.Code
		res.Outcome += fmt.Sprintf(" %s is a new partner; review its details.", p.Code)
	}
	return res, nil, nil
}

// requestFor finds our request a partner message is about: a lending
// request by the borrower's id, or a borrowing request by our id.
func requestFor(tx Tx, p Partner, side Side, id string) (Request, bool, error) {
	if side == Borrowing {
		r, err := tx.Request(id)
		if err == nil && r.Side == Borrowing && r.Partner == p.Code {
			return r, true, nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Request{}, false, err
		}
	}
	rs, err := tx.RequestsByExternalID(id)
	if err != nil {
		return Request{}, false, err
	}
	for _, r := range rs {
		if r.Partner == p.Code && r.Side == side {
			return r, true, nil
		}
	}
	return Request{}, false, nil
}

func (d *Desk) applyRequesting(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	p, _, err := d.partnerByAgency(tx, in.From, false)
	if err != nil {
		return problemf("UnrecognisedDataValue", "The requesting agency %s is not one of our partners.", in.From)
	}
	r, ok, err := requestFor(tx, p, Lending, in.RequestingRequestID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	if !ok {
		return problemf("UnrecognisedDataValue", "No lending request %s from %s.", in.RequestingRequestID, p.Code)
	}
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref()}
	ev := Event{At: d.clock.Now(), Actor: p.Code, Desk: "interop", Note: strings.TrimSpace(in.Action + ": " + in.Note)}
	switch in.Action {
	case "Cancel":
		answer := "N"
		if r.Can(ActCancel) {
			if err := r.Transition(ActCancel, ev); err != nil {
				return ImportResult{}, nil, err
			}
			r.InternalNote = joinNote(r.InternalNote, in.Note)
			answer = "Y"
			res.Outcome = fmt.Sprintf("%s cancelled by %s.", r.Ref(), p.Code)
		} else {
			recordEvent(&r, ActMessage, ev)
			res.Outcome = fmt.Sprintf("%s asked to cancel %s, but it is already %s.", p.Code, r.Ref(), r.StatusLabel())
		}
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "CancelResponse",
			Status: isoStatus(r), AnswerYesNo: answer}); err != nil {
			return ImportResult{}, nil, err
		}
	case "StatusRequest":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s asked for the status of %s (%s); answered.", p.Code, r.Ref(), r.StatusLabel())
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "StatusRequestResponse", Status: isoStatus(r)}); err != nil {
			return ImportResult{}, nil, err
		}
	case "Received", "ShippedReturn", "Renew", "Notification", "ShippedForward":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s reports %s for %s.", p.Code, in.Action, r.Ref())
	default:
		return problemf("UnsupportedActionType", "The action %q is not supported.", in.Action)
	}
	return res, nil, tx.PutRequest(r)
}

func (d *Desk) applySupplying(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	p, _, err := d.partnerByAgency(tx, in.From, false)
	if err != nil {
		return problemf("UnrecognisedDataValue", "The supplying agency %s is not one of our partners.", in.From)
	}
	r, ok, err := requestFor(tx, p, Borrowing, in.RequestingRequestID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	if !ok {
		return problemf("UnrecognisedDataValue", "We have no borrowing request %s with %s.", in.RequestingRequestID, p.Code)
	}
	note := in.Reason + " / " + in.Status
	if in.ReasonUnfilled != "" {
		note += " (" + in.ReasonUnfilled + ")"
	}
	if in.Note != "" {
		note += ": " + in.Note
	}
	if in.DeliveryURL != "" {
		note += " — " + in.DeliveryURL
	}
	if in.SupplyingRequestID != "" && r.ExternalID == "" {
		r.ExternalID = in.SupplyingRequestID
	}
	recordEvent(&r, ActMessage, Event{At: d.clock.Now(), Actor: p.Code, Desk: "interop", Note: note})
	if err := tx.PutRequest(r); err != nil {
		return ImportResult{}, nil, err
	}
	return ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref(),
		Outcome: fmt.Sprintf("%s: %s reports %s.", r.Ref(), p.Code, in.Status)}, nil, nil
}

// isoStatus is the ISO 18626 status of a lending request.
func isoStatus(r Request) string {
	switch r.State {
	case ShippedDigitally:
		return "CopyCompleted"
	case Rejected:
		return "Unfilled"
	case BadCitation:
		return "RetryPossible"
	case Cancelled:
		return "Cancelled"
	case PickRequested, ItemAtDesk:
		return "WillSupply"
	}
	return "RequestReceived"
}
