// Package isocodec connects the desk to ISO 18626: it implements
// domain.MessageCodec with package iso18626, turning partner messages into
// the desk's Incoming and its Outgoing into schema-valid XML.
package isocodec

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
)

// Codec is the ISO 18626 (v1.0, 1.2, 2021 in; 1.2 out) message codec.
type Codec struct{}

var _ domain.MessageCodec = Codec{}

var yearPattern = regexp.MustCompile(`\d{4}`)

// Decode reads a partner message.
func (Codec) Decode(raw []byte) (domain.Incoming, error) {
	m, err := iso18626.Parse(bytes.NewReader(raw))
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
		}
	case m.SupplyingAgencyMessage != nil:
		s := m.SupplyingAgencyMessage
		in.Kind = domain.KindSupplying
		header(&in, s.Header, true)
		in.Reason, in.Status = s.MessageInfo.ReasonForMessage, s.StatusInfo.Status
		in.ReasonUnfilled, in.Note, in.DueDate = s.MessageInfo.ReasonUnfilled.Value, s.MessageInfo.Note, s.StatusInfo.DueDate
		in.DeliveryURL = s.DeliveryURL()
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

// header copies the ids; fromSupplier says the sender is the supplying agency.
func header(in *domain.Incoming, h iso18626.Header, fromSupplier bool) {
	in.From, in.To = h.RequestingAgencyId.String(), h.SupplyingAgencyId.String()
	if fromSupplier {
		in.From, in.To = in.To, in.From
	}
	in.RequestingRequestID, in.SupplyingRequestID, in.Timestamp = h.RequestingAgencyRequestId, h.SupplyingAgencyRequestId, h.Timestamp
}

// Encode writes one of the desk's messages as ISO 18626 1.2.
func (Codec) Encode(o domain.Outgoing) ([]byte, error) {
	from, err := iso18626.ParseAgencyID(o.From)
	if err != nil {
		return nil, err
	}
	to, err := iso18626.ParseAgencyID(o.To)
	if err != nil {
		return nil, err
	}
	h := iso18626.Header{RequestingAgencyId: from, SupplyingAgencyId: to, Timestamp: o.Timestamp.UTC().Truncate(time.Second),
		RequestingAgencyRequestId: o.RequestingRequestID, SupplyingAgencyRequestId: o.SupplyingRequestID}
	var m iso18626.Message
	switch o.Kind {
	case domain.KindSupplying:
		h.RequestingAgencyId, h.SupplyingAgencyId = to, from
		opts := iso18626.SupplyOptions{AnswerYesNo: o.AnswerYesNo, Note: o.Note, ReasonUnfilled: o.ReasonUnfilled, ReasonRetry: o.ReasonRetry}
		if o.SentVia != "" || o.DeliveryURL != "" {
			d := &iso18626.DeliveryInfo{DateSent: o.DateSent.UTC().Truncate(time.Second), SentVia: iso18626.Code(o.SentVia)}
			if o.DeliveryURL != "" {
				if err := d.SetURL(o.DeliveryURL); err != nil {
					return nil, err
				}
			}
			opts.Delivery = d
		}
		m, err = iso18626.NewSupplyingAgencyMessage(h, o.Reason, o.Status, opts)
	case domain.KindRequesting:
		m, err = iso18626.NewRequestingAgencyMessage(h, o.Action, o.Note)
	case domain.KindRequest:
		c := o.Citation
		b := iso18626.BibliographicInfo{Title: c.Title, Author: c.Author, TitleOfComponent: c.ArticleTitle,
			Volume: c.Volume, Issue: c.Number, PagesRequested: c.Pages}
		for code, id := range map[string]string{"ISSN": c.ISSN, "ISBN": c.ISBN, "DOI": c.DOI} {
			if id != "" {
				b.BibliographicItemId = append(b.BibliographicItemId, iso18626.BibliographicItemID{Identifier: id, Code: iso18626.Code(code)})
			}
		}
		req := &iso18626.Request{Header: h, BibliographicInfo: b,
			ServiceInfo: &iso18626.ServiceInfo{ServiceType: o.ServiceType, Note: o.Note}}
		if c.Year != "" {
			req.PublicationInfo = &iso18626.PublicationInfo{PublicationDate: c.Year}
		}
		m = iso18626.Message{Version: iso18626.Version2017, Request: req}
	default:
		return nil, errors.New("isocodec: cannot write a " + o.Kind + " message")
	}
	if err != nil {
		return nil, err
	}
	return iso18626.Marshal(m)
}

// Confirm answers a decoded message, OK or ERROR with the problem's errorType.
func (Codec) Confirm(in domain.Incoming, received time.Time, problem *domain.MessageProblem) ([]byte, error) {
	from, _ := iso18626.ParseAgencyID(in.From)
	to, _ := iso18626.ParseAgencyID(in.To)
	h := iso18626.Header{RequestingAgencyId: from, SupplyingAgencyId: to, Timestamp: in.Timestamp,
		RequestingAgencyRequestId: in.RequestingRequestID, SupplyingAgencyRequestId: in.SupplyingRequestID}
	var m iso18626.Message
	switch in.Kind {
	case domain.KindRequest:
		m.Request = &iso18626.Request{Header: h}
	case domain.KindSupplying:
		h.RequestingAgencyId, h.SupplyingAgencyId = to, from
		m.SupplyingAgencyMessage = &iso18626.SupplyingAgencyMessage{Header: h, MessageInfo: iso18626.MessageInfo{ReasonForMessage: in.Reason}}
	case domain.KindRequesting:
		m.RequestingAgencyMessage = &iso18626.RequestingAgencyMessage{Header: h, Action: in.Action}
	default:
		return nil, nil // a confirmation is not confirmed
	}
	var err error
	if problem != nil {
		err = &iso18626.ErrorData{ErrorType: problem.ErrorType, ErrorValue: problem.Value}
	}
	return iso18626.Marshal(iso18626.Confirm(m, received.UTC().Truncate(time.Second), err))
}

// ConfirmUndecodable answers a message that could not be read.
func (Codec) ConfirmUndecodable(raw []byte, err error, received time.Time) []byte {
	return iso18626.ConfirmParseError(raw, err, received.UTC().Truncate(time.Second))
}

// ConfirmationOK reads the confirmation a partner answered our message with.
func (Codec) ConfirmationOK(reply []byte) (bool, string) {
	m, err := iso18626.Parse(bytes.NewReader(reply))
	if err != nil {
		return false, "the answer is not an ISO 18626 confirmation: " + err.Error()
	}
	c, ok := m.Confirmation()
	if !ok {
		return false, "the answer is not a confirmation"
	}
	if c.MessageStatus == iso18626.MessageStatusOK {
		return true, ""
	}
	var ed *iso18626.ErrorData
	switch {
	case m.RequestConfirmation != nil:
		ed = m.RequestConfirmation.ErrorData
	case m.SupplyingAgencyMessageConfirmation != nil:
		ed = m.SupplyingAgencyMessageConfirmation.ErrorData
	case m.RequestingAgencyMessageConfirmation != nil:
		ed = m.RequestingAgencyMessageConfirmation.ErrorData
	}
	if ed != nil {
		return false, ed.Error()
	}
	return false, c.MessageStatus
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
