package iso18626

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SupplyOptions are the optional parts of a supplyingAgencyMessage built
// by NewSupplyingAgencyMessage. The zero value adds nothing.
type SupplyOptions struct {
	// AnswerYesNo is Yes or No; required with CancelResponse and RenewResponse.
	AnswerYesNo string
	// Note is free text for the requesting library.
	Note string
	// ReasonUnfilled says why, with status Unfilled: NotHeld, NotOnShelf,
	// NotAvailableForILL, NonCirculating, PoorCondition, PolicyProblem,
	// Other... (an open list).
	ReasonUnfilled string
	// ReasonRetry says why, with status RetryPossible: NotFoundAsCited... (an open list).
	ReasonRetry string
	// RetryAfter and RetryBefore bound when a retry is welcome.
	RetryAfter, RetryBefore time.Time
	// ExpectedDeliveryDate of the item.
	ExpectedDeliveryDate time.Time
	// DueDate of a loan.
	DueDate time.Time
	// LastChange is when the status changed; the header's timestamp when zero.
	LastChange time.Time
	// Delivery is the deliveryInfo, e.g. for CopyCompleted: DateSent (the
	// LastChange when zero), SentVia ("Email", "FTP", "URL"...) and ItemId
	// or, for electronic delivery, a URL set with DeliveryInfo.SetURL.
	Delivery *DeliveryInfo
}

// NewSupplyingAgencyMessage builds a supplyingAgencyMessage. reason is a
// reasonForMessage (RequestResponse, StatusRequestResponse, RenewResponse,
// CancelResponse, StatusChange, Notification) and status a status
// (RequestReceived, ExpectToSupply, WillSupply, Loaned, Overdue, Recalled,
// RetryPossible, Unfilled, CopyCompleted, LoanCompleted,
// CompletedWithoutReturn, Cancelled), both in any letter case. It refuses
// (with an error wrapping ErrInvalid) unknown values, a CancelResponse or
// RenewResponse without AnswerYesNo, a ReasonUnfilled without status
// Unfilled, a ReasonRetry without status RetryPossible, and anything
// Marshal would refuse.
func NewSupplyingAgencyMessage(h Header, reason, status string, opts SupplyOptions) (Message, error) {
	r, ok := enumReason.normalise(reason)
	if !ok || r == "" {
		return Message{}, fmt.Errorf("%w: unknown reasonForMessage %q (allowed: %s)", ErrInvalid, reason, enumReason.allowed())
	}
	s, ok := enumStatus.normalise(status)
	if !ok || s == "" {
		return Message{}, fmt.Errorf("%w: unknown status %q (allowed: %s)", ErrInvalid, status, enumStatus.allowed())
	}
	answer, ok := enumYesNo.normalise(opts.AnswerYesNo)
	if !ok {
		return Message{}, fmt.Errorf("%w: answerYesNo %q is not Y or N", ErrInvalid, opts.AnswerYesNo)
	}
	if answer == "" && (r == ReasonCancelResponse || r == ReasonRenewResponse) {
		return Message{}, fmt.Errorf("%w: a %s needs answerYesNo (Y or N)", ErrInvalid, r)
	}
	if strings.TrimSpace(opts.ReasonUnfilled) != "" && s != StatusUnfilled {
		return Message{}, fmt.Errorf("%w: reasonUnfilled goes with status Unfilled, not %s", ErrInvalid, s)
	}
	if strings.TrimSpace(opts.ReasonRetry) != "" && s != StatusRetryPossible {
		return Message{}, fmt.Errorf("%w: reasonRetry goes with status RetryPossible, not %s", ErrInvalid, s)
	}
	last := opts.LastChange
	if last.IsZero() {
		last = h.Timestamp
	}
	sam := &SupplyingAgencyMessage{
		Header: h,
		MessageInfo: MessageInfo{
			ReasonForMessage: r,
			AnswerYesNo:      answer,
			Note:             opts.Note,
			ReasonUnfilled:   Code(strings.TrimSpace(opts.ReasonUnfilled)),
			ReasonRetry:      Code(strings.TrimSpace(opts.ReasonRetry)),
			RetryAfter:       opts.RetryAfter,
			RetryBefore:      opts.RetryBefore,
		},
		StatusInfo: StatusInfo{
			Status:               s,
			ExpectedDeliveryDate: opts.ExpectedDeliveryDate,
			DueDate:              opts.DueDate,
			LastChange:           last,
		},
	}
	sam.MessageInfo.ReasonUnfilled.Value, _ = enumReasonUnfilled.normalise(sam.MessageInfo.ReasonUnfilled.Value)
	sam.MessageInfo.ReasonRetry.Value, _ = enumReasonRetry.normalise(sam.MessageInfo.ReasonRetry.Value)
	if opts.Delivery != nil {
		d := *opts.Delivery
		if d.DateSent.IsZero() {
			d.DateSent = last
		}
		sam.DeliveryInfo = &d
	}
	m := Message{Version: Version2017, SupplyingAgencyMessage: sam}
	if _, err := Marshal(m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// NewRequestingAgencyMessage builds a requestingAgencyMessage: action is
// StatusRequest, Received, Cancel, Renew, ShippedReturn, ShippedForward or
// Notification, in any letter case; note may be "". It refuses (with an
// error wrapping ErrInvalid) an unknown action and anything Marshal would
// refuse.
func NewRequestingAgencyMessage(h Header, action, note string) (Message, error) {
	a, ok := enumAction.normalise(action)
	if !ok || a == "" {
		return Message{}, fmt.Errorf("%w: unknown action %q (allowed: %s)", ErrInvalid, action, enumAction.allowed())
	}
	m := Message{Version: Version2017, RequestingAgencyMessage: &RequestingAgencyMessage{Header: h, Action: a, Note: note}}
	if _, err := Marshal(m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// ErrorTypeOf is the ISO 18626 errorType that reports err to a partner:
// the ErrorType of an *ErrorData in err's chain; for a *ParseError its
// ErrorType; BadlyFormedMessage for an error wrapping ErrInvalid;
// UnrecognisedDataValue for any other error (such as a request id the
// workstation does not know); "" for nil.
func ErrorTypeOf(err error) string {
	if err == nil {
		return ""
	}
	var ed *ErrorData
	if errors.As(err, &ed) {
		if t, ok := enumErrorType.normalise(ed.ErrorType); ok && t != "" {
			return t
		}
		return ErrorUnrecognisedDataValue
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.ErrorType()
	}
	if errors.Is(err, ErrInvalid) {
		return ErrorBadlyFormedMessage
	}
	return ErrorUnrecognisedDataValue
}

// maxErrorValue bounds the errorValue text sent back to a partner.
const maxErrorValue = 500

func errorDataFor(err error) *ErrorData {
	value := err.Error()
	var ed *ErrorData
	if errors.As(err, &ed) {
		value = ed.ErrorValue
	}
	return &ErrorData{ErrorType: ErrorTypeOf(err), ErrorValue: truncate(value, maxErrorValue)}
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Confirm builds the confirmation that answers m: a requestConfirmation for
// a request, a supplyingAgencyMessageConfirmation (echoing the
// reasonForMessage) for a supplyingAgencyMessage, a
// requestingAgencyMessageConfirmation (echoing the action) for a
// requestingAgencyMessage. Its messageStatus is OK when err is nil, else
// ERROR with errorData: the errorType given by ErrorTypeOf (pass an
// *ErrorData to choose it) and err's text as errorValue.
//
// The confirmation header repeats m's agency ids, requestingAgencyRequestId
// and multipleItemRequestId. Its timestamp is received, the time m was
// received and answered; its timestampReceived is m's own timestamp, as
// ReShare and Index Data's crosslink fill it (it lets the sender match the
// confirmation to its message), or received when m had none.
//
// Confirm returns the zero Message when m is a confirmation itself (a
// confirmation is not confirmed) or has no body; for a message that could
// not be parsed use ConfirmParseError.
func Confirm(m Message, received time.Time, err error) Message {
	h, ok := m.Header()
	if !ok {
		return Message{}
	}
	ch := ConfirmationHeader{
		SupplyingAgencyId:         h.SupplyingAgencyId,
		RequestingAgencyId:        h.RequestingAgencyId,
		Timestamp:                 received,
		RequestingAgencyRequestId: h.RequestingAgencyRequestId,
		MultipleItemRequestId:     h.MultipleItemRequestId,
		TimestampReceived:         h.Timestamp,
		MessageStatus:             MessageStatusOK,
	}
	if ch.TimestampReceived.IsZero() {
		ch.TimestampReceived = received
	}
	var ed *ErrorData
	if err != nil {
		ch.MessageStatus = MessageStatusError
		ed = errorDataFor(err)
	}
	c := Message{Version: Version2017}
	switch {
	case m.Request != nil:
		c.RequestConfirmation = &RequestConfirmation{ConfirmationHeader: ch, ErrorData: ed}
	case m.SupplyingAgencyMessage != nil:
		c.SupplyingAgencyMessageConfirmation = &SupplyingAgencyMessageConfirmation{
			ConfirmationHeader: ch, ReasonForMessage: m.SupplyingAgencyMessage.MessageInfo.ReasonForMessage, ErrorData: ed}
	case m.RequestingAgencyMessage != nil:
		c.RequestingAgencyMessageConfirmation = &RequestingAgencyMessageConfirmation{
			ConfirmationHeader: ch, Action: m.RequestingAgencyMessage.Action, ErrorData: ed}
	}
	return c
}

// ConfirmParseError builds, as XML, the ERROR confirmation that answers raw,
// a message Parse refused with err. It reads what it can of raw, leniently
// (never expanding entities): the kind of message, to answer a request with
// a requestConfirmation, a supplyingAgencyMessage with a
// supplyingAgencyMessageConfirmation and a requestingAgencyMessage with a
// requestingAgencyMessageConfirmation (anything else gets a
// requestConfirmation); and the header's agency ids, request id,
// multipleItemRequestId and timestamp, to repeat them. The errorType is
// ErrorTypeOf(err) (BadlyFormedMessage when err is nil) and the errorValue
// err's text. received is the confirmation's timestamp, and its
// timestampReceived when raw's timestamp cannot be read; the current time
// when zero. The result always validates against the 1.2 schema.
func ConfirmParseError(raw []byte, err error, received time.Time) []byte {
	if received.IsZero() {
		received = time.Now().UTC().Truncate(time.Second)
	}
	if err == nil {
		err = &ErrorData{ErrorType: ErrorBadlyFormedMessage, ErrorValue: "the message could not be read"}
	}
	s := sniff(raw)
	ch := ConfirmationHeader{
		Timestamp:                 received,
		RequestingAgencyRequestId: truncate(s.values["header/requestingAgencyRequestId"], 256),
		MultipleItemRequestId:     truncate(s.values["header/multipleItemRequestId"], 256),
		TimestampReceived:         received,
		MessageStatus:             MessageStatusError,
	}
	agency := func(prefix string) AgencyID {
		a := AgencyID{
			Type:  truncate(s.values["header/"+prefix+"/agencyIdType"], 256),
			Value: truncate(s.values["header/"+prefix+"/agencyIdValue"], 256),
		}
		if a.Type == "" || a.Value == "" {
			return AgencyID{}
		}
		return a
	}
	ch.SupplyingAgencyId = agency("supplyingAgencyId")
	ch.RequestingAgencyId = agency("requestingAgencyId")
	if t, err := ParseDateTime(strings.TrimSpace(s.values["header/timestamp"])); err == nil {
		if _, err := FormatDateTime(t); err == nil {
			ch.TimestampReceived = t
		}
	}
	ed := errorDataFor(err)
	m := Message{}
	switch s.kind {
	case KindSupplyingAgencyMessage:
		reason, ok := enumReason.normalise(s.values["messageInfo/reasonForMessage"])
		if !ok {
			reason = ""
		}
		m.SupplyingAgencyMessageConfirmation = &SupplyingAgencyMessageConfirmation{ConfirmationHeader: ch, ReasonForMessage: reason, ErrorData: ed}
	case KindRequestingAgencyMessage:
		action, ok := enumAction.normalise(s.values["action"])
		if !ok {
			action = ""
		}
		m.RequestingAgencyMessageConfirmation = &RequestingAgencyMessageConfirmation{ConfirmationHeader: ch, Action: action, ErrorData: ed}
	default:
		m.RequestConfirmation = &RequestConfirmation{ConfirmationHeader: ch, ErrorData: ed}
	}
	out, merr := Marshal(m)
	if merr != nil { // cannot happen; answer with the bare minimum
		m = Message{RequestConfirmation: &RequestConfirmation{
			ConfirmationHeader: ConfirmationHeader{Timestamp: received.UTC(), TimestampReceived: received.UTC(), MessageStatus: MessageStatusError},
			ErrorData:          &ErrorData{ErrorType: ErrorBadlyFormedMessage},
		}}
		out, _ = Marshal(m)
	}
	return out
}

// sniffed is what sniff could read of a message.
type sniffed struct {
	kind   string
	values map[string]string // by path below the body element, e.g. "header/timestamp"
}

// sniff reads what it can of a message that may be malformed: the body's
// kind and the text of the simple elements below it. It stops at the first
// syntax error and never expands entities.
func sniff(raw []byte) sniffed {
	s := sniffed{values: map[string]string{}}
	if len(raw) > MaxSize {
		raw = raw[:MaxSize]
	}
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	d.Strict = false
	d.CharsetReader = charsetReader
	var (
		stack []string // element names from the body down
		text  strings.Builder
		depth int
		count int
	)
	for {
		tok, err := d.Token()
		if err != nil { // io.EOF or the first syntax error
			return s
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			count++
			if depth > MaxDepth || count > MaxElements {
				return s
			}
			text.Reset()
			switch {
			case stack == nil && s.kind == "" && depth <= 2 && isKind(t.Name.Local):
				s.kind = t.Name.Local
				stack = []string{}
			case stack != nil:
				stack = append(stack, t.Name.Local)
			}
		case xml.EndElement:
			depth--
			if stack == nil {
				continue
			}
			if len(stack) == 0 { // the body ends
				return s
			}
			p := strings.Join(stack, "/")
			if _, ok := s.values[p]; !ok && text.Len() <= 4096 {
				s.values[p] = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if text.Len() <= 4096 {
				text.Write(t)
			}
		}
	}
}
