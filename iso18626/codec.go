package iso18626

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// Codec is the ISO 18626 (v1.0, 1.2, 2021 in; 1.2 out) message codec.
type Codec struct{}

var _ domain.MessageCodec = Codec{}

var yearPattern = regexp.MustCompile(`\d{4}`)

// Decode reads a partner message.
func (Codec) Decode(raw []byte) (domain.Incoming, error) {
	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		return domain.Incoming{}, err
	}
	in := domain.Incoming{Version: m.Version}
	switch {
	case m.Request != nil:
		r := m.Request
		in.Kind = domain.KindRequest
		header(&in, r.Header, false)
		b := r.BibliographicInfo
		in.Citation = domain.Citation{Title: b.Title, ArticleTitle: b.TitleOfComponent, Author: firstOf(b.AuthorOfComponent, b.Author),
			Volume: b.Volume, Number: b.Issue, Pages: b.PagesRequested}
		for _, id := range b.BibliographicItemId {
			switch strings.ToUpper(id.Code.Value) {
			case "ISSN", "EISSN":
				in.Citation.ISSN = firstOf(in.Citation.ISSN, id.Identifier)
			case "ISBN":
				in.Citation.ISBN = firstOf(in.Citation.ISBN, id.Identifier)
			case "DOI":
				in.Citation.DOI = firstOf(in.Citation.DOI, id.Identifier)
			}
		}
		for _, id := range b.BibliographicRecordId {
			if strings.Contains(strings.ToUpper(id.Code.Value), "OCLC") {
				in.Citation.OCLC = id.Identifier
			}
		}
		if p := r.PublicationInfo; p != nil {
			in.Citation.Year = yearPattern.FindString(p.PublicationDate)
		}
		if s := r.ServiceInfo; s != nil {
			in.ServiceType, in.NeededBy, in.Note = s.ServiceType, s.NeedBeforeDate, s.Note
			in.RequestType, in.PreviousRequestID = s.RequestType, s.RequestingAgencyPreviousRequestId
		}
		in.ReplyAddress = replyAddress(r.RequestingAgencyInfo)
	case m.SupplyingAgencyMessage != nil:
		s := m.SupplyingAgencyMessage
		in.Kind = domain.KindSupplying
		header(&in, s.Header, true)
		in.Reason, in.Status = s.MessageInfo.ReasonForMessage, s.StatusInfo.Status
		in.ReasonUnfilled, in.Note, in.DueDate = s.MessageInfo.ReasonUnfilled.Value, s.MessageInfo.Note, s.StatusInfo.DueDate
		in.DeliveryURL = s.DeliveryURL()
		in.AnswerYesNo, in.ReasonRetry = s.MessageInfo.AnswerYesNo, s.MessageInfo.ReasonRetry.Value
		if d := s.DeliveryInfo; d != nil {
			in.ItemID = d.ItemId
		}
	case m.RequestingAgencyMessage != nil:
		r := m.RequestingAgencyMessage
		in.Kind = domain.KindRequesting
		header(&in, r.Header, false)
		in.Action, in.Note = r.Action, r.Note
	default:
		in.Kind = domain.KindConfirmation
		if c, ok := m.Confirmation(); ok {
			in.From, in.To = c.SupplyingAgencyId.String(), c.RequestingAgencyId.String()
			in.RequestingRequestID = c.RequestingAgencyRequestId
		}
	}
	return in, nil
}

// replyAddress is the first web address among the requesting agency's
// electronic addresses: where it proposes we send our messages.
func replyAddress(info *RequestingAgencyInfo) string {
	if info == nil {
		return ""
	}
	for _, a := range info.Address {
		if e := a.ElectronicAddress; e != nil {
			data := strings.TrimSpace(e.Data)
			if l := strings.ToLower(data); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
				return data
			}
		}
	}
	return ""
}

// header copies the ids; fromSupplier says the sender is the supplying agency.
func header(in *domain.Incoming, h Header, fromSupplier bool) {
	in.From, in.To = h.RequestingAgencyId.String(), h.SupplyingAgencyId.String()
	if fromSupplier {
		in.From, in.To = in.To, in.From
	}
	in.RequestingRequestID, in.SupplyingRequestID, in.Timestamp = h.RequestingAgencyRequestId, h.SupplyingAgencyRequestId, h.Timestamp
	if a := h.RequestingAgencyAuthentication; a != nil {
		in.AccountID, in.SecurityCode = a.AccountId, a.SecurityCode
	}
}

// Encode writes one of the desk's messages as ISO 18626 1.2.
func (Codec) Encode(o domain.Outgoing) ([]byte, error) {
	from, err := ParseAgencyID(o.From)
	if err != nil {
		return nil, err
	}
	to, err := ParseAgencyID(o.To)
	if err != nil {
		return nil, err
	}
	h := Header{RequestingAgencyId: from, SupplyingAgencyId: to, Timestamp: o.Timestamp.UTC().Truncate(time.Second),
		RequestingAgencyRequestId: o.RequestingRequestID, SupplyingAgencyRequestId: o.SupplyingRequestID}
	var m Message
	switch o.Kind {
	case domain.KindSupplying:
		h.RequestingAgencyId, h.SupplyingAgencyId = to, from
		opts := SupplyOptions{AnswerYesNo: o.AnswerYesNo, Note: o.Note, ReasonUnfilled: o.ReasonUnfilled, ReasonRetry: o.ReasonRetry}
		if !o.DueDate.IsZero() {
			opts.DueDate = o.DueDate.UTC().Truncate(time.Second)
		}
		if o.SentVia != "" || o.DeliveryURL != "" || o.ItemID != "" {
			d := &DeliveryInfo{DateSent: o.DateSent.UTC().Truncate(time.Second), SentVia: Code(o.SentVia), ItemId: o.ItemID}
			if o.DeliveryURL != "" {
				if err := d.SetURL(o.DeliveryURL); err != nil {
					return nil, err
				}
			}
			opts.Delivery = d
		}
		m, err = NewSupplyingAgencyMessage(h, o.Reason, o.Status, opts)
	case domain.KindRequesting:
		m, err = NewRequestingAgencyMessage(h, o.Action, o.Note)
	case domain.KindRequest:
		c := o.Citation
		b := BibliographicInfo{Title: c.Title, Author: c.Author, TitleOfComponent: c.ArticleTitle,
			Volume: c.Volume, Issue: c.Number, PagesRequested: c.Pages}
		for _, id := range []struct{ code, value string }{{"ISSN", c.ISSN}, {"ISBN", c.ISBN}, {"DOI", c.DOI}} {
			if id.value != "" {
				b.BibliographicItemId = append(b.BibliographicItemId, BibliographicItemID{Identifier: id.value, Code: Code(id.code)})
			}
		}
		if c.OCLC != "" {
			b.BibliographicRecordId = append(b.BibliographicRecordId, BibliographicRecordID{Identifier: c.OCLC, Code: Code("OCLC")})
		}
		req := &Request{Header: h, BibliographicInfo: b,
			ServiceInfo: &ServiceInfo{ServiceType: o.ServiceType, Note: o.Note, RequestType: o.RequestType,
				RequestingAgencyPreviousRequestId: o.PreviousRequestID, NeedBeforeDate: o.NeedBefore.UTC()}}
		if o.NeedBefore.IsZero() {
			req.ServiceInfo.NeedBeforeDate = time.Time{}
		}
		if c.Year != "" {
			req.PublicationInfo = &PublicationInfo{PublicationDate: c.Year}
		}
		requestParties(req, o)
		m = Message{Version: Version2017, Request: req}
	default:
		return nil, errors.New("iso18626: cannot write a " + o.Kind + " message")
	}
	if err != nil {
		return nil, err
	}
	return Marshal(m)
}

// Confirm answers a decoded message, OK or ERROR with the problem's errorType.
func (Codec) Confirm(in domain.Incoming, received time.Time, problem *domain.MessageProblem) ([]byte, error) {
	from, _ := ParseAgencyID(in.From)
	to, _ := ParseAgencyID(in.To)
	h := Header{RequestingAgencyId: from, SupplyingAgencyId: to, Timestamp: in.Timestamp,
		RequestingAgencyRequestId: in.RequestingRequestID, SupplyingAgencyRequestId: in.SupplyingRequestID}
	var m Message
	switch in.Kind {
	case domain.KindRequest:
		m.Request = &Request{Header: h}
	case domain.KindSupplying:
		h.RequestingAgencyId, h.SupplyingAgencyId = to, from
		m.SupplyingAgencyMessage = &SupplyingAgencyMessage{Header: h, MessageInfo: MessageInfo{ReasonForMessage: in.Reason}}
	case domain.KindRequesting:
		m.RequestingAgencyMessage = &RequestingAgencyMessage{Header: h, Action: in.Action}
	default:
		return nil, nil // a confirmation is not confirmed
	}
	var err error
	if problem != nil {
		err = &ErrorData{ErrorType: problem.ErrorType, ErrorValue: problem.Value}
	}
	return Marshal(Confirm(m, received.UTC().Truncate(time.Second), err))
}

// ConfirmUndecodable answers a message that could not be read.
func (Codec) ConfirmUndecodable(raw []byte, err error, received time.Time) []byte {
	return ConfirmParseError(raw, err, received.UTC().Truncate(time.Second))
}

// ConfirmationOK reads the confirmation a partner answered our message
// with: ok for OK, else the ERROR's reason; err when the answer is no
// confirmation at all.
func (Codec) ConfirmationOK(reply []byte) (bool, string, error) {
	m, err := Parse(bytes.NewReader(reply))
	if err != nil {
		return false, "", errors.New("the answer is not an ISO 18626 confirmation: " + err.Error())
	}
	c, ok := m.Confirmation()
	if !ok {
		return false, "", errors.New("the answer is not a confirmation")
	}
	if c.MessageStatus == MessageStatusOK {
		return true, "", nil
	}
	var ed *ErrorData
	switch {
	case m.RequestConfirmation != nil:
		ed = m.RequestConfirmation.ErrorData
	case m.SupplyingAgencyMessageConfirmation != nil:
		ed = m.SupplyingAgencyMessageConfirmation.ErrorData
	case m.RequestingAgencyMessageConfirmation != nil:
		ed = m.RequestingAgencyMessageConfirmation.ErrorData
	}
	if ed != nil {
		return false, ed.Error(), nil
	}
	return false, c.MessageStatus, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// requestParties fills in who asks (our name and ISO 18626 address), where
// the item goes (the pickup library's postal address for a loan, our email
// for a copy) and, when the desk sends it, the patron's id.
func requestParties(req *Request, o domain.Outgoing) {
	if o.RequesterName != "" || o.RequesterAddress != "" {
		info := &RequestingAgencyInfo{Name: o.RequesterName}
		if o.RequesterAddress != "" {
			info.Address = []Address{{ElectronicAddress: &ElectronicAddress{Type: Code("URL"), Data: o.RequesterAddress}}}
		}
		req.RequestingAgencyInfo = info
	}
	switch {
	case o.DeliveryEmail != "":
		req.RequestedDeliveryInfo = []RequestedDeliveryInfo{{Address: &Address{
			ElectronicAddress: &ElectronicAddress{Type: Code("Email"), Data: o.DeliveryEmail}}}}
	case o.DeliveryAddress != "":
		req.RequestedDeliveryInfo = []RequestedDeliveryInfo{{Address: &Address{
			PhysicalAddress: &PhysicalAddress{Line1: o.DeliveryName, Line2: o.DeliveryAddress}}}}
	}
	if o.PatronID != "" {
		req.PatronInfo = &PatronInfo{PatronId: o.PatronID}
	}
}

// Restamp sets the header's timestamp of a message we wrote to now, the
// time it is sent, and leaves every other byte of body as it is: the
// status's lastChange keeps the time of the change that queued it.
func (Codec) Restamp(body []byte, now time.Time) ([]byte, error) {
	stamp, err := FormatDateTime(now.UTC().Truncate(time.Second))
	if err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var path []string // local names from the root element down
	start := int64(-1)
	for {
		before := dec.InputOffset()
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		inStamp := len(path) == 4 && path[2] == "header" && path[3] == "timestamp"
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if start < 0 && len(path) == 4 && path[2] == "header" && t.Name.Local == "timestamp" {
				start = dec.InputOffset()
				if bytes.HasSuffix(body[:start], []byte("/>")) {
					return nil, errors.New("iso18626: the header's timestamp is empty")
				}
			}
		case xml.EndElement:
			if inStamp && start >= 0 {
				out := make([]byte, 0, len(body)+len(stamp))
				out = append(append(append(out, body[:start]...), stamp...), body[before:]...)
				return out, nil
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
	return nil, errors.New("iso18626: the message has no header timestamp")
}
