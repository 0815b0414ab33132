package iso18626

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalid means Marshal was given a message it cannot write: one the
// schema or Parse would refuse.
var ErrInvalid = errors.New("iso18626: message cannot be sent")

// Marshal writes m as an ISO 18626 version 1.2 message: the ISO18626Message
// envelope with ill:version="1.2", every element under the ill: prefix, in
// schema order, timestamps in RFC 3339 (Z or +hh:mm), enumerated values in
// their standard spelling, surrounding white space removed. m.Version is
// ignored. Marshal refuses, with an error wrapping ErrInvalid that names the
// element, a message the schema or Parse would refuse: no body or more
// than one, a required element missing (agency ids, request id, timestamp,
// title, reasonForMessage, status, lastChange, dateSent, action,
// messageStatus...), an unknown enumerated value.
func Marshal(m Message) ([]byte, error) {
	w := &writer{}
	w.buf.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	w.buf.WriteString(`<ill:ISO18626Message xmlns:ill="` + Namespace + `" ill:version="` + Version2017 + `">` + "\n")
	w.depth = 1
	switch m.Kind() {
	case KindRequest:
		w.request(m.Request)
	case KindRequestConfirmation:
		c := m.RequestConfirmation
		w.confirmation(KindRequestConfirmation, c.ConfirmationHeader, "", "", enum{}, c.ErrorData)
	case KindSupplyingAgencyMessage:
		w.supplyingAgencyMessage(m.SupplyingAgencyMessage)
	case KindSupplyingAgencyMessageConfirmation:
		c := m.SupplyingAgencyMessageConfirmation
		w.confirmation(KindSupplyingAgencyMessageConfirmation, c.ConfirmationHeader, "reasonForMessage", c.ReasonForMessage, enumReason, c.ErrorData)
	case KindRequestingAgencyMessage:
		w.requestingAgencyMessage(m.RequestingAgencyMessage)
	case KindRequestingAgencyMessageConfirmation:
		c := m.RequestingAgencyMessageConfirmation
		w.confirmation(KindRequestingAgencyMessageConfirmation, c.ConfirmationHeader, "action", c.Action, enumAction, c.ErrorData)
	default:
		return nil, fmt.Errorf("%w: exactly one message body must be set", ErrInvalid)
	}
	w.buf.WriteString("</ill:ISO18626Message>\n")
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

// writer writes indented XML, keeping the first error.
type writer struct {
	buf   bytes.Buffer
	depth int
	path  []string
	err   error
}

func (w *writer) fail(child, format string, args ...any) {
	if w.err != nil {
		return
	}
	p := strings.Join(append(append([]string{}, w.path...), child), "/")
	w.err = fmt.Errorf("%w: <%s>: %s", ErrInvalid, strings.TrimSuffix(p, "/"), fmt.Sprintf(format, args...))
}

func (w *writer) indent() {
	for i := 0; i < w.depth; i++ {
		w.buf.WriteString("  ")
	}
}

func (w *writer) open(name string) {
	w.indent()
	w.buf.WriteString("<ill:" + name + ">\n")
	w.depth++
	w.path = append(w.path, name)
}

func (w *writer) close(name string) {
	w.depth--
	w.path = w.path[:len(w.path)-1]
	w.indent()
	w.buf.WriteString("</ill:" + name + ">\n")
}

// leaf writes a simple element with its (already trimmed) text.
func (w *writer) leaf(name, scheme, v string) {
	w.indent()
	w.buf.WriteString("<ill:" + name)
	if scheme != "" {
		w.buf.WriteString(` ill:scheme="`)
		escape(&w.buf, scheme, true)
		w.buf.WriteString(`"`)
	}
	w.buf.WriteString(">")
	escape(&w.buf, v, false)
	w.buf.WriteString("</ill:" + name + ">\n")
}

// str writes an optional string element, omitted when empty.
func (w *writer) str(name, v string) {
	if v = strings.TrimSpace(v); v != "" {
		w.leaf(name, "", v)
	}
}

// strReq writes a string element the schema requires, even when empty.
func (w *writer) strReq(name, v string) { w.leaf(name, "", strings.TrimSpace(v)) }

// code writes an optional type_schemeValuePair, omitted when empty.
func (w *writer) code(name string, sv SchemeValue) {
	if v := strings.TrimSpace(sv.Value); v != "" {
		w.leaf(name, strings.TrimSpace(sv.Scheme), v)
	}
}

// codeReq writes a type_schemeValuePair the schema requires, even when empty.
func (w *writer) codeReq(name string, sv SchemeValue) {
	v := strings.TrimSpace(sv.Value)
	scheme := ""
	if v != "" {
		scheme = strings.TrimSpace(sv.Scheme)
	}
	w.leaf(name, scheme, v)
}

// enum writes an enumerated value in its standard spelling; required
// values may not be empty.
func (w *writer) enum(name string, e enum, v string, required bool) {
	s, ok := e.normalise(v)
	switch {
	case !ok:
		w.fail(name, "unknown value %q (allowed: %s)", strings.TrimSpace(v), e.allowed())
	case s == "" && required:
		w.fail(name, "required (allowed: %s)", e.allowed())
	case s != "":
		w.leaf(name, "", s)
	}
}

func (w *writer) time(name string, t time.Time, required bool) {
	if t.IsZero() {
		if required {
			w.fail(name, "a date and time is required")
		}
		return
	}
	s, err := FormatDateTime(t)
	if err != nil {
		w.fail(name, "%v", err)
		return
	}
	w.leaf(name, "", s)
}

func (w *writer) costs(name string, c Costs) {
	if c.IsZero() {
		return
	}
	v := strings.TrimSpace(c.MonetaryValue)
	if !decimalRE.MatchString(v) {
		w.fail(name, "monetaryValue %q is not a decimal number", v)
		return
	}
	w.open(name)
	w.codeReq("currencyCode", c.CurrencyCode)
	w.strReq("monetaryValue", v)
	w.close(name)
}

func (w *writer) agency(name string, a AgencyID, required bool) {
	if required {
		switch {
		case strings.TrimSpace(a.Type) == "":
			w.fail(name, "agencyIdType is required")
			return
		case strings.TrimSpace(a.Value) == "":
			w.fail(name, "agencyIdValue is required")
			return
		}
	} else if a.IsZero() {
		return
	}
	w.open(name)
	w.codeReq("agencyIdType", SchemeValue{Value: a.Type, Scheme: a.Scheme})
	w.strReq("agencyIdValue", a.Value)
	w.close(name)
}

func (w *writer) int(name string, i *int) {
	if i != nil {
		w.leaf(name, "", strconv.Itoa(*i))
	}
}

func (w *writer) header(h Header) {
	w.open("header")
	w.agency("supplyingAgencyId", h.SupplyingAgencyId, true)
	w.agency("requestingAgencyId", h.RequestingAgencyId, true)
	w.strReq("multipleItemRequestId", h.MultipleItemRequestId)
	w.time("timestamp", h.Timestamp, true)
	if strings.TrimSpace(h.RequestingAgencyRequestId) == "" {
		w.fail("requestingAgencyRequestId", "required")
	}
	w.strReq("requestingAgencyRequestId", h.RequestingAgencyRequestId)
	w.str("supplyingAgencyRequestId", h.SupplyingAgencyRequestId)
	if a := h.RequestingAgencyAuthentication; a != nil {
		w.open("requestingAgencyAuthentication")
		w.str("accountId", a.AccountId)
		w.str("securityCode", a.SecurityCode)
		w.close("requestingAgencyAuthentication")
	}
	w.close("header")
}

func (w *writer) request(r *Request) {
	w.open(KindRequest)
	w.header(r.Header)
	w.bibliographicInfo(r.BibliographicInfo)
	if p := r.PublicationInfo; p != nil {
		w.open("publicationInfo")
		w.str("publisher", p.Publisher)
		w.code("publicationType", p.PublicationType)
		w.str("publicationDate", p.PublicationDate)
		w.str("placeOfPublication", p.PlaceOfPublication)
		w.close("publicationInfo")
	}
	if s := r.ServiceInfo; s != nil {
		w.serviceInfo(s)
	}
	for _, s := range r.SupplierInfo {
		w.open("supplierInfo")
		w.int("sortOrder", s.SortOrder)
		w.agency("supplierCode", s.SupplierCode, false)
		w.str("supplierDescription", s.SupplierDescription)
		if s.BibliographicRecordId != nil {
			w.bibliographicRecordID(*s.BibliographicRecordId)
		}
		w.str("callNumber", s.CallNumber)
		w.str("summaryHoldings", s.SummaryHoldings)
		w.str("availabilityNote", s.AvailabilityNote)
		w.close("supplierInfo")
	}
	for _, d := range r.RequestedDeliveryInfo {
		w.open("requestedDeliveryInfo")
		w.int("sortOrder", d.SortOrder)
		if d.Address != nil {
			w.address(*d.Address)
		}
		w.close("requestedDeliveryInfo")
	}
	if a := r.RequestingAgencyInfo; a != nil {
		w.open("requestingAgencyInfo")
		w.str("name", a.Name)
		w.str("contactName", a.ContactName)
		for _, ad := range a.Address {
			w.address(ad)
		}
		w.close("requestingAgencyInfo")
	}
	if p := r.PatronInfo; p != nil {
		w.open("patronInfo")
		w.str("patronId", p.PatronId)
		w.str("surname", p.Surname)
		w.str("givenName", p.GivenName)
		w.code("patronType", p.PatronType)
		w.enum("sendToPatron", enumYesNo, p.SendToPatron, false)
		for _, ad := range p.Address {
			w.address(ad)
		}
		w.close("patronInfo")
	}
	if b := r.BillingInfo; b != nil {
		w.open("billingInfo")
		w.code("paymentMethod", b.PaymentMethod)
		w.costs("maximumCosts", b.MaximumCosts)
		w.code("billingMethod", b.BillingMethod)
		w.str("billingName", b.BillingName)
		if b.Address != nil {
			w.address(*b.Address)
		}
		w.close("billingInfo")
	}
	w.close(KindRequest)
}

func (w *writer) bibliographicInfo(b BibliographicInfo) {
	w.open("bibliographicInfo")
	if strings.TrimSpace(b.Title) == "" && strings.TrimSpace(b.TitleOfComponent) == "" {
		w.fail("title", "a title or titleOfComponent is required")
	}
	w.str("supplierUniqueRecordId", b.SupplierUniqueRecordId)
	w.str("title", b.Title)
	w.str("author", b.Author)
	w.str("subtitle", b.Subtitle)
	w.str("seriesTitle", b.SeriesTitle)
	w.str("edition", b.Edition)
	w.str("titleOfComponent", b.TitleOfComponent)
	w.str("authorOfComponent", b.AuthorOfComponent)
	w.str("volume", b.Volume)
	w.str("issue", b.Issue)
	w.str("pagesRequested", b.PagesRequested)
	w.str("estimatedNoPages", b.EstimatedNoPages)
	for _, id := range b.BibliographicItemId {
		w.open("bibliographicItemId")
		w.strReq("bibliographicItemIdentifier", id.Identifier)
		w.codeReq("bibliographicItemIdentifierCode", id.Code)
		w.close("bibliographicItemId")
	}
	w.str("sponsor", b.Sponsor)
	w.str("informationSource", b.InformationSource)
	for _, id := range b.BibliographicRecordId {
		w.bibliographicRecordID(id)
	}
	w.close("bibliographicInfo")
}

func (w *writer) bibliographicRecordID(id BibliographicRecordID) {
	w.open("bibliographicRecordId")
	w.codeReq("bibliographicRecordIdentifierCode", id.Code)
	w.strReq("bibliographicRecordIdentifier", id.Identifier)
	w.close("bibliographicRecordId")
}

func (w *writer) serviceInfo(s *ServiceInfo) {
	w.open("serviceInfo")
	w.enum("requestType", enumRequestType, s.RequestType, false)
	if len(s.RequestSubType) > 3 {
		w.fail("requestSubType", "at most 3 are allowed, not %d", len(s.RequestSubType))
	}
	for _, st := range s.RequestSubType {
		w.enum("requestSubType", enumRequestSubType, st, true)
	}
	w.str("requestingAgencyPreviousRequestId", s.RequestingAgencyPreviousRequestId)
	w.enum("serviceType", enumServiceType, s.ServiceType, true)
	w.code("serviceLevel", s.ServiceLevel)
	w.code("preferredFormat", s.PreferredFormat)
	w.time("needBeforeDate", s.NeedBeforeDate, false)
	w.code("copyrightCompliance", s.CopyrightCompliance)
	w.enum("anyEdition", enumYesNo, s.AnyEdition, false)
	w.time("startDate", s.StartDate, false)
	w.time("endDate", s.EndDate, false)
	w.str("note", s.Note)
	w.close("serviceInfo")
}

func (w *writer) address(a Address) {
	w.open("address")
	switch {
	case a.ElectronicAddress != nil && a.PhysicalAddress != nil:
		w.fail("", "either an electronic or a physical address, not both")
	case a.ElectronicAddress != nil:
		w.open("electronicAddress")
		w.codeReq("electronicAddressType", a.ElectronicAddress.Type)
		w.strReq("electronicAddressData", a.ElectronicAddress.Data)
		w.close("electronicAddress")
	case a.PhysicalAddress != nil:
		w.physicalAddress(a.PhysicalAddress)
	default:
		w.fail("", "an electronic or a physical address is required")
	}
	w.close("address")
}

func (w *writer) physicalAddress(p *PhysicalAddress) {
	w.open("physicalAddress")
	w.str("line1", p.Line1)
	w.str("line2", p.Line2)
	w.str("locality", p.Locality)
	w.str("postalCode", p.PostalCode)
	w.code("region", p.Region)
	w.code("country", p.Country)
	w.close("physicalAddress")
}

func (w *writer) supplyingAgencyMessage(s *SupplyingAgencyMessage) {
	w.open(KindSupplyingAgencyMessage)
	w.header(s.Header)

	mi := s.MessageInfo
	w.open("messageInfo")
	w.enum("reasonForMessage", enumReason, mi.ReasonForMessage, true)
	w.enum("answerYesNo", enumYesNo, mi.AnswerYesNo, false)
	w.str("note", mi.Note)
	ru, rr := mi.ReasonUnfilled, mi.ReasonRetry
	ru.Value, _ = enumReasonUnfilled.normalise(ru.Value)
	rr.Value, _ = enumReasonRetry.normalise(rr.Value)
	w.code("reasonUnfilled", ru)
	w.code("reasonRetry", rr)
	w.costs("offeredCosts", mi.OfferedCosts)
	w.time("retryAfter", mi.RetryAfter, false)
	w.time("retryBefore", mi.RetryBefore, false)
	w.close("messageInfo")

	si := s.StatusInfo
	w.open("statusInfo")
	w.enum("status", enumStatus, si.Status, true)
	w.time("expectedDeliveryDate", si.ExpectedDeliveryDate, false)
	w.time("dueDate", si.DueDate, false)
	w.time("lastChange", si.LastChange, true)
	w.close("statusInfo")

	if d := s.DeliveryInfo; d != nil {
		w.open("deliveryInfo")
		w.time("dateSent", d.DateSent, true)
		w.str("itemId", d.ItemId)
		w.code("sentVia", d.SentVia)
		if d.SentToPatron != nil {
			w.leaf("sentToPatron", "", strconv.FormatBool(*d.SentToPatron))
		}
		w.code("loanCondition", d.LoanCondition)
		w.code("deliveredFormat", d.DeliveredFormat)
		w.costs("deliveryCosts", d.DeliveryCosts)
		w.close("deliveryInfo")
	}
	if r := s.ReturnInfo; r != nil {
		w.open("returnInfo")
		w.agency("returnAgencyId", r.ReturnAgencyId, false)
		w.str("name", r.Name)
		if r.PhysicalAddress != nil {
			w.physicalAddress(r.PhysicalAddress)
		}
		w.close("returnInfo")
	}
	w.close(KindSupplyingAgencyMessage)
}

func (w *writer) requestingAgencyMessage(r *RequestingAgencyMessage) {
	w.open(KindRequestingAgencyMessage)
	w.header(r.Header)
	w.enum("action", enumAction, r.Action, true)
	w.str("note", r.Note)
	w.close(KindRequestingAgencyMessage)
}

func (w *writer) confirmation(kind string, h ConfirmationHeader, extra, extraValue string, e enum, ed *ErrorData) {
	w.open(kind)
	w.open("confirmationHeader")
	w.agency("supplyingAgencyId", h.SupplyingAgencyId, false)
	w.agency("requestingAgencyId", h.RequestingAgencyId, false)
	w.time("timestamp", h.Timestamp, true)
	w.str("requestingAgencyRequestId", h.RequestingAgencyRequestId)
	w.str("multipleItemRequestId", h.MultipleItemRequestId)
	w.time("timestampReceived", h.TimestampReceived, true)
	w.enum("messageStatus", enumMessageStatus, h.MessageStatus, true)
	w.close("confirmationHeader")
	if extra != "" {
		w.enum(extra, e, extraValue, false)
	}
	if ed != nil {
		w.open("errorData")
		w.enum("errorType", enumErrorType, ed.ErrorType, true)
		w.str("errorValue", ed.ErrorValue)
		w.close("errorData")
	}
	w.close(kind)
}

// escape writes s as XML character data (or an attribute value): markup
// characters and carriage returns escaped, characters XML 1.0 forbids
// replaced by U+FFFD.
func escape(b *bytes.Buffer, s string, attr bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;")
		case (r == '\n' || r == '\t') && attr:
			fmt.Fprintf(b, "&#x%X;", r)
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
