package domain

import (
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
	// AccountID and SecurityCode are the header's
	// AnswerYesNo, ReasonRetry and ItemID are a supplying agency
	// message's answer, retry reason and the lent item's id.
	AnswerYesNo, ReasonRetry, ItemID string
	// requestingAgencyAuthentication: the security code is checked like
	// a bearer token and never stored.
	AccountID, SecurityCode string
	// ReplyAddress is the address a request proposes for our replies (its
	// requesting agency's electronic address), used only once staff accept
	// an unknown agency as a partner.
	ReplyAddress string
	// RequestType is the request's New, Retry or Reminder; a Retry names
	// the request it retries in PreviousRequestID.
	RequestType, PreviousRequestID string
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
	// RequestType is New or Retry; a Retry names PreviousRequestID.
	RequestType, PreviousRequestID string
	NeedBefore                     time.Time
	// RequesterName and RequesterAddress are our name and ISO 18626 address.
	RequesterName, RequesterAddress string
	// DeliveryEmail is where a copy goes; DeliveryName and DeliveryAddress
	// the library a book is shipped to.
	DeliveryEmail, DeliveryName, DeliveryAddress string
	// PatronID is sent only when the desk is set to.
	PatronID string
	// DueDate of a book we lend; ItemID its barcode (Loaned).
	DueDate time.Time
	ItemID  string
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
	// ConfirmationOK reads a partner's confirmation of a message we sent:
	// ok, or the reason of its ERROR; err when reply is no confirmation.
	ConfirmationOK(reply []byte) (ok bool, why string, err error)
	// Restamp sets the header's timestamp of a message we wrote to now,
	// the time it is sent, leaving the rest of body as it is.
	Restamp(body []byte, now time.Time) ([]byte, error)
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
	// Held is the id of the quarantine entry holding a message from an
	// agency that is none of our partners.
	Held string `json:"held,omitempty"`
}

// SeenMessage is what is kept of a received message, so that receiving it
// again changes nothing and gets the same answer.
type SeenMessage struct {
	Result       ImportResult `json:"result"`
	Confirmation []byte       `json:"confirmation"`
	At           time.Time    `json:"at"`
	// State is the state the message left its request in: the same words
	// again are a repeat only while the request is still in it.
	State State `json:"state,omitempty"`
	// Changes is how many history lines the request then had: a Renew
	// after staff answered the last one is new, though the state is the same.
	Changes int `json:"changes,omitempty"`
}

func checkAgencyID(id string) error {
	typ, val, ok := strings.Cut(id, ":")
	if !ok || strings.TrimSpace(typ) == "" || strings.TrimSpace(val) == "" {
		return refuse(ErrInvalidInput, "%q is not an agency id: write TYPE:VALUE, e.g. ISIL:DE-1 or OCLC:ZCU.", id)
	}
	return nil
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
	case LoanedToPartner, ReturnInTransit:
		return "Loaned"
	case Returned:
		return "LoanCompleted"
	}
	return "RequestReceived"
}
