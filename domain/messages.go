package domain

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// MessageService takes in partners' ISO 18626 messages: it proves who sent
// them, answers a message seen before with its first answer, and routes
// each to what it changes: a new lending request, a requester's action on
// one, a lender's answer on a borrowing request, or the quarantine.
type MessageService struct {
	*core
	// quarantine holds the messages of agencies that are not our partners.
	quarantine *QuarantineService
	// lenders applies the lenders' messages to our borrowing requests.
	lenders *BorrowingMessageService
}

// Caller is who sent a message over the network, as far as its transport
// can tell. Files that staff import or drop on the window have none: they
// are the staff's own act.
type Caller struct {
	// Addr is the address the message came from (an IP address).
	Addr string
	// Token is the bearer token the caller presented ("" when none).
	Token string
	// Chains are the caller's TLS client certificate chains, leaf first,
	// as the transport verified them (nil without mutual TLS).
	Chains [][]*x509.Certificate
}

// Intake receives one partner message that staff import from a file: it is
// decoded, applied in one transaction and answered with the matching
// confirmation. A message that cannot be read or used changes nothing and
// is answered with an ERROR confirmation; the same message a second time
// changes nothing and gets the first answer again.
func (d *MessageService) Intake(raw []byte) (ImportResult, []byte, error) {
	return d.intake(raw, nil)
}

// IntakeFrom is Intake for a message that arrived over the network from c.
func (d *MessageService) IntakeFrom(raw []byte, c Caller) (ImportResult, []byte, error) {
	return d.intake(raw, &c)
}

// intake decodes, applies and answers one message; from is nil for the
// staff's own files.
func (d *MessageService) intake(raw []byte, from *Caller) (ImportResult, []byte, error) {
	if d.codec == nil {
		return ImportResult{}, nil, errors.New("no partner message codec is configured")
	}
	now := d.clock.Now()
	in, decodeErr := d.codec.Decode(raw)
	// A caller from the network proves who it is before anything else, so
	// that the messages seen before answer no stranger's replay.
	proven := from == nil
	if from != nil && decodeErr == nil {
		var check CallerCheck
		if err := d.store.View(func(tx Tx) error { var e error; check, e = d.checkCaller(tx, in, *from); return e }); err != nil {
			return ImportResult{Kind: in.Kind}, nil, err
		}
		proven = check.Proven
	}
	if decodeErr != nil {
		return ImportResult{}, d.codec.ConfirmUndecodable(raw, decodeErr, now),
			&Refusal{Kind: ErrBadMessage, Msg: "The partner message cannot be read: " + decodeErr.Error() + ". Nothing was stored."}
	}
	var seen SeenMessage
	var found bool
	if err := d.store.View(func(tx Tx) error {
		var err error
		seen, found, err = d.seenBefore(tx, in, raw)
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
	var res ImportResult
	var conf []byte
	var err error
	err = d.store.Update(func(tx Tx) error {
		if from != nil { // again, with the partners as this transaction sees them
			check, err := d.checkCaller(tx, in, *from)
			if err != nil {
				return err
			}
			proven = check.Proven
		}
		var problem *MessageProblem
		res, problem, err = d.receive(tx, in, raw, from)
		if err != nil {
			return err
		}
		if problem != nil {
			return &messageRefusal{problem: *problem, msg: res.Outcome}
		}
		if conf, err = d.codec.Confirm(in, now, nil); err != nil {
			return err
		}
		return d.remember(tx, in, SeenMessage{Result: res, Confirmation: conf, At: now})
	})
	var mr *messageRefusal
	switch {
	case isCallerRefusal(err):
		return ImportResult{Kind: in.Kind}, nil, err
	case errors.As(err, &mr):
		conf, cerr := d.codec.Confirm(in, now, shownProblem(mr.problem, proven))
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return res, conf, &Refusal{Kind: ErrBadMessage, Msg: mr.msg}
	case err != nil:
		// a refusal from the desk itself (e.g. a duplicate external id)
		p := MessageProblem{ErrorType: "UnrecognisedDataValue", Value: refusalMessage(err)}
		conf, cerr := d.codec.Confirm(in, now, shownProblem(p, proven))
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return ImportResult{Kind: in.Kind}, conf, err
	}
	return res, conf, nil
}

// apply changes the store for one decoded message; from is nil for the
// staff's own files.
func (d *MessageService) apply(tx Tx, in Incoming, from *Caller) (ImportResult, *MessageProblem, error) {
	self, err := tx.Setting(SettingAgencyID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch in.Kind {
	case KindRequest:
		if self != "" && in.To != "" && !strings.EqualFold(in.To, self) {
			return problemf("UnrecognisedDataValue", "The request is addressed to %q, not to us (%s).", shorten(in.To, MaxAgencyIDLength), self)
		}
		return d.applyRequest(tx, in)
	case KindRequesting:
		return d.applyRequesting(tx, in)
	case KindSupplying:
		return d.applySupplying(tx, in)
	case KindConfirmation:
		return ImportResult{Kind: in.Kind, Outcome: "A confirmation of one of our messages; nothing to do."}, nil, nil
	}
	return problemf("UnsupportedActionType", "ILL Desk does not handle %q messages.", shorten(in.Kind, 100))
}

// partnerByAgency finds the partner with an agency id; with create it makes
// one, marked for review and audited, for an agency not seen before, under
// a code no partner has. A message never changes or replaces a partner.
func (d *MessageService) partnerByAgency(tx Tx, agency string, create bool) (Partner, bool, error) {
	p, ok, err := knownAgency(tx, agency)
	if err != nil || ok {
		return p, false, err
	}
	if !create {
		return Partner{}, false, refuse(ErrPartnerNotFound, "No partner has the agency id %q.", shorten(agency, MaxAgencyIDLength))
	}
	// audited as the message's doing, as its request's history records it
	p, err = d.newPartnerFor(tx, agency, "", "", Event{At: d.clock.Now(), Actor: "ISO 18626", Desk: "interop"})
	return p, err == nil, err
}

func (d *MessageService) applyRequest(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
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
	if err := d.linkRetry(tx, &r, p, in); err != nil {
		return ImportResult{}, nil, err
	}
	if err := AssignNumber(tx, &r); err != nil {
		return ImportResult{}, nil, err
	}
	if err := tx.PutRequest(r); err != nil {
		return ImportResult{}, nil, err
	}
	markCreated(tx, r)
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref(),
		Outcome: fmt.Sprintf("New lending request %q from %s: %q.", r.Ref(), p.Code, r.Title)}
	if created {
		res.NewPartner = p.Code
		res.Outcome += fmt.Sprintf(" %s is a new partner; review its details.", p.Code)
	}
	return res, nil, nil
}

func (d *MessageService) applyRequesting(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	p, _, err := d.partnerByAgency(tx, in.From, false)
	if err != nil {
		return problemf("UnrecognisedDataValue", "The requesting agency %q is not one of our partners.", shorten(in.From, MaxAgencyIDLength))
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
			if err := withdrawUnsent(tx, r, ev.At); err != nil {
				return ImportResult{}, nil, err
			}
			r.InternalNote = joinNote(r.InternalNote, in.Note)
			answer = "Y"
			res.Outcome = fmt.Sprintf("%q cancelled by %s.", r.Ref(), p.Code)
		} else {
			recordEvent(&r, ActMessage, ev)
			res.Outcome = fmt.Sprintf("%s asked to cancel %q, but it is already %s.", p.Code, r.Ref(), r.StatusLabel())
		}
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "CancelResponse",
			Status: isoStatus(r), AnswerYesNo: answer}); err != nil {
			return ImportResult{}, nil, err
		}
	case "StatusRequest":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s asked for the status of %q (%s); answered.", p.Code, r.Ref(), r.StatusLabel())
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "StatusRequestResponse", Status: isoStatus(r)}); err != nil {
			return ImportResult{}, nil, err
		}
	case "ShippedReturn", "Renew":
		out, err := d.partnerRequesting(tx, &r, p, in.Action, ev)
		if err != nil {
			return ImportResult{}, nil, err
		}
		res.Outcome = out
	case "Received", "Notification", "ShippedForward":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s reports %q for %q.", p.Code, in.Action, r.Ref())
	default:
		return problemf("UnsupportedActionType", "The action %q is not supported.", in.Action)
	}
	return res, nil, tx.PutRequest(r)
}

// applySupplying applies a lender's message to the borrowing request it
// answers (see applyLenderMessage).
func (d *MessageService) applySupplying(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	return d.lenders.applyLenderMessage(tx, in)
}
