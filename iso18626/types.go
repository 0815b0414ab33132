package iso18626

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Namespace is the XML namespace of ISO 18626 messages, the same for the
// 2014, 2017 and 2021 editions.
const Namespace = "http://illtransactions.org/2013/iso18626"

// Version values of Message.Version after Parse normalised them.
const (
	Version2014 = "1.0"  // ISO 18626:2014 (schema versions 1.0 and 1.1)
	Version2017 = "1.2"  // ISO 18626:2017, the version Marshal writes
	Version2021 = "2021" // ISO 18626:2021 (schema versions 2021-1, 2021-2)
)

// Message is one ISO 18626 message: exactly one of its six bodies is set.
// Times are zero when absent; strings are "" when absent.
type Message struct {
	// Version is the version attribute of the envelope, normalised to
	// "1.0", "1.2" or "2021"; "" when there was none (a bare body or an
	// empty attribute). Marshal ignores it and always writes "1.2".
	Version string

	// Request asks a supplying agency for an item.
	Request *Request
	// RequestConfirmation answers a Request.
	RequestConfirmation *RequestConfirmation
	// SupplyingAgencyMessage tells the requesting agency how its request is going.
	SupplyingAgencyMessage *SupplyingAgencyMessage
	// SupplyingAgencyMessageConfirmation answers a SupplyingAgencyMessage.
	SupplyingAgencyMessageConfirmation *SupplyingAgencyMessageConfirmation
	// RequestingAgencyMessage is an action of the requesting agency (received, returned, cancel...).
	RequestingAgencyMessage *RequestingAgencyMessage
	// RequestingAgencyMessageConfirmation answers a RequestingAgencyMessage.
	RequestingAgencyMessageConfirmation *RequestingAgencyMessageConfirmation
}

// Message kinds, as returned by Message.Kind: the XML element name of the body.
const (
	KindRequest                             = "request"
	KindRequestConfirmation                 = "requestConfirmation"
	KindSupplyingAgencyMessage              = "supplyingAgencyMessage"
	KindSupplyingAgencyMessageConfirmation  = "supplyingAgencyMessageConfirmation"
	KindRequestingAgencyMessage             = "requestingAgencyMessage"
	KindRequestingAgencyMessageConfirmation = "requestingAgencyMessageConfirmation"
)

// Kind is the element name of the body that is set (KindRequest...), "" when
// none is, and "" too when more than one is (such a Message is invalid).
func (m Message) Kind() string {
	kind, n := "", 0
	set := func(ok bool, k string) {
		if ok {
			kind = k
			n++
		}
	}
	set(m.Request != nil, KindRequest)
	set(m.RequestConfirmation != nil, KindRequestConfirmation)
	set(m.SupplyingAgencyMessage != nil, KindSupplyingAgencyMessage)
	set(m.SupplyingAgencyMessageConfirmation != nil, KindSupplyingAgencyMessageConfirmation)
	set(m.RequestingAgencyMessage != nil, KindRequestingAgencyMessage)
	set(m.RequestingAgencyMessageConfirmation != nil, KindRequestingAgencyMessageConfirmation)
	if n != 1 {
		return ""
	}
	return kind
}

// Header is the header of a request, supplyingAgencyMessage or
// requestingAgencyMessage; ok is false for a confirmation or an empty Message.
func (m Message) Header() (h Header, ok bool) {
	switch {
	case m.Request != nil:
		return m.Request.Header, true
	case m.SupplyingAgencyMessage != nil:
		return m.SupplyingAgencyMessage.Header, true
	case m.RequestingAgencyMessage != nil:
		return m.RequestingAgencyMessage.Header, true
	}
	return Header{}, false
}

// Confirmation is the confirmation header of a confirmation message; ok is
// false for any other kind.
func (m Message) Confirmation() (h ConfirmationHeader, ok bool) {
	switch {
	case m.RequestConfirmation != nil:
		return m.RequestConfirmation.ConfirmationHeader, true
	case m.SupplyingAgencyMessageConfirmation != nil:
		return m.SupplyingAgencyMessageConfirmation.ConfirmationHeader, true
	case m.RequestingAgencyMessageConfirmation != nil:
		return m.RequestingAgencyMessageConfirmation.ConfirmationHeader, true
	}
	return ConfirmationHeader{}, false
}

// AgencyID identifies a library or other agency: a type from an open list
// (ISIL, OCLC, RESHARE, DNUC...) and a value in that scheme.
type AgencyID struct {
	// Type is the agencyIdType, e.g. "ISIL".
	Type string
	// Value is the agencyIdValue, e.g. "DE-1".
	Value string
	// Scheme is the optional scheme attribute of agencyIdType (a URI naming the code list).
	Scheme string
}

// IsZero reports whether the id is absent.
func (a AgencyID) IsZero() bool { return a == AgencyID{} }

// String writes the id TYPE:VALUE, e.g. "ISIL:DE-1"; "" for the zero id.
func (a AgencyID) String() string {
	if a.Type == "" && a.Value == "" {
		return ""
	}
	return a.Type + ":" + a.Value
}

// ParseAgencyID reads an id written TYPE:VALUE (e.g. "ISIL:DE-1"); the value
// may itself contain colons.
func ParseAgencyID(s string) (AgencyID, error) {
	typ, val, ok := strings.Cut(strings.TrimSpace(s), ":")
	typ, val = strings.TrimSpace(typ), strings.TrimSpace(val)
	if !ok || typ == "" || val == "" {
		return AgencyID{}, fmt.Errorf("iso18626: %q is not an agency id written TYPE:VALUE", s)
	}
	return AgencyID{Type: typ, Value: val}, nil
}

// SchemeValue is a value from an open code list (type_schemeValuePair): the
// value and, optionally, the URI of the list it comes from.
type SchemeValue struct {
	// Value is the code, e.g. "ISBN", "NotHeld", "Email".
	Value string
	// Scheme is the optional scheme attribute.
	Scheme string
}

// Code is a SchemeValue without a scheme.
func Code(value string) SchemeValue { return SchemeValue{Value: value} }

// String is the value.
func (s SchemeValue) String() string { return s.Value }

// Costs is an amount of money (type_costs).
type Costs struct {
	// CurrencyCode is an ISO 4217 code such as "EUR".
	CurrencyCode SchemeValue
	// MonetaryValue is an xs:decimal kept as written, e.g. "12.50".
	MonetaryValue string
}

// IsZero reports whether the costs are absent.
func (c Costs) IsZero() bool { return c == Costs{} }

// Header is the header of a request, supplyingAgencyMessage and
// requestingAgencyMessage.
type Header struct {
	// SupplyingAgencyId is the lender.
	SupplyingAgencyId AgencyID
	// RequestingAgencyId is the borrower.
	RequestingAgencyId AgencyID
	// MultipleItemRequestId groups requests for several items (1.2).
	MultipleItemRequestId string
	// Timestamp is when the message was created.
	Timestamp time.Time
	// RequestingAgencyRequestId is the borrower's id for the request; it
	// identifies the transaction together with RequestingAgencyId.
	RequestingAgencyRequestId string
	// SupplyingAgencyRequestId is the lender's id for the request.
	SupplyingAgencyRequestId string
	// RequestingAgencyAuthentication is the sender's credential, if any:
	// read to be checked, never stored by the desk.
	RequestingAgencyAuthentication *Authentication
}

// Authentication is a header's requestingAgencyAuthentication.
type Authentication struct {
	AccountId    string
	SecurityCode string
}

// Request asks a supplying agency for an item.
type Request struct {
	// Header identifies the parties and the transaction.
	Header Header
	// BibliographicInfo is the citation.
	BibliographicInfo BibliographicInfo
	// PublicationInfo is optional.
	PublicationInfo *PublicationInfo
	// ServiceInfo says copy or loan, how fast, and by when.
	ServiceInfo *ServiceInfo
	// SupplierInfo lists possible suppliers and their holdings.
	SupplierInfo []SupplierInfo
	// RequestedDeliveryInfo lists where to deliver, in order of preference.
	RequestedDeliveryInfo []RequestedDeliveryInfo
	// RequestingAgencyInfo names the borrowing library.
	RequestingAgencyInfo *RequestingAgencyInfo
	// PatronInfo is the patron the item is for.
	PatronInfo *PatronInfo
	// BillingInfo says how to bill.
	BillingInfo *BillingInfo
}

// BibliographicInfo is the citation of the item requested.
type BibliographicInfo struct {
	// SupplierUniqueRecordId is the supplier's own record id.
	SupplierUniqueRecordId string
	// Title is the title of the book or journal.
	Title string
	// Author is the author of the book.
	Author string
	// Subtitle of the book.
	Subtitle string
	// SeriesTitle is the title of the series.
	SeriesTitle string
	// Edition statement.
	Edition string
	// TitleOfComponent is the article or chapter title.
	TitleOfComponent string
	// AuthorOfComponent is the article or chapter author.
	AuthorOfComponent string
	// Volume of the journal or set.
	Volume string
	// Issue (number) of the journal.
	Issue string
	// PagesRequested, e.g. "12-19".
	PagesRequested string
	// EstimatedNoPages is the estimated number of pages.
	EstimatedNoPages string
	// BibliographicItemId lists standard numbers (ISBN, ISSN, DOI...).
	BibliographicItemId []BibliographicItemID
	// Sponsor of the publication.
	Sponsor string
	// InformationSource says where the citation was found.
	InformationSource string
	// BibliographicRecordId lists record numbers (OCLC, LCCN...).
	BibliographicRecordId []BibliographicRecordID
}

// BibliographicItemID is a standard number of the item.
type BibliographicItemID struct {
	// Identifier is the number, e.g. "9780439784542".
	Identifier string
	// Code is its kind: ISBN, ISSN, DOI... (an open list).
	Code SchemeValue
}

// BibliographicRecordID is the number of a bibliographic record.
type BibliographicRecordID struct {
	// Code is the kind of record number: OCLC, LCCN, ... (an open list).
	Code SchemeValue
	// Identifier is the record number.
	Identifier string
}

// PublicationInfo describes the publication.
type PublicationInfo struct {
	// Publisher name.
	Publisher string
	// PublicationType: Book, Journal, Article... (an open list).
	PublicationType SchemeValue
	// PublicationDate as written (often just a year).
	PublicationDate string
	// PlaceOfPublication is the city.
	PlaceOfPublication string
}

// ServiceInfo says what service is requested.
type ServiceInfo struct {
	// RequestType is New, Retry or Reminder.
	RequestType string
	// RequestSubType lists up to three of BookingRequest, MultipleItemRequest,
	// PatronRequest, TransferRequest, SupplyingLibrarysChoice.
	RequestSubType []string
	// RequestingAgencyPreviousRequestId is the id of the request this one retries.
	RequestingAgencyPreviousRequestId string
	// ServiceType is Copy, Loan or CopyOrLoan; required by the schema.
	ServiceType string
	// ServiceLevel: Express, Normal, Rush, SecondaryMail... (an open list).
	ServiceLevel SchemeValue
	// PreferredFormat: PDF, LargePrint, ... (an open list).
	PreferredFormat SchemeValue
	// NeedBeforeDate is when the item stops being useful.
	NeedBeforeDate time.Time
	// CopyrightCompliance: US-CCG, UK-FD, ... (an open list).
	CopyrightCompliance SchemeValue
	// AnyEdition is "Y" or "N".
	AnyEdition string
	// StartDate of a booking (1.2).
	StartDate time.Time
	// EndDate of a booking (1.2).
	EndDate time.Time
	// Note is free text for the supplier.
	Note string
}

// SupplierInfo names a possible supplier and what it holds.
type SupplierInfo struct {
	// SortOrder ranks the suppliers; nil when absent.
	SortOrder *int
	// SupplierCode identifies the supplier.
	SupplierCode AgencyID
	// SupplierDescription is free text.
	SupplierDescription string
	// BibliographicRecordId is the supplier's record for the item.
	BibliographicRecordId *BibliographicRecordID
	// CallNumber at the supplier.
	CallNumber string
	// SummaryHoldings at the supplier.
	SummaryHoldings string
	// AvailabilityNote is free text.
	AvailabilityNote string
}

// RequestedDeliveryInfo is one place to deliver to.
type RequestedDeliveryInfo struct {
	// SortOrder ranks the places; nil when absent.
	SortOrder *int
	// Address to deliver to.
	Address *Address
}

// RequestingAgencyInfo describes the borrowing library.
type RequestingAgencyInfo struct {
	// Name of the library.
	Name string
	// ContactName is a person to contact.
	ContactName string
	// Address lists postal and electronic addresses.
	Address []Address
}

// PatronInfo describes the patron the item is for.
type PatronInfo struct {
	// PatronId at the requesting library.
	PatronId string
	// Surname of the patron.
	Surname string
	// GivenName of the patron.
	GivenName string
	// PatronType: Adult, Child, Faculty... (an open list).
	PatronType SchemeValue
	// SendToPatron is "Y" when the supplier may send the item to the patron directly.
	SendToPatron string
	// Address lists the patron's addresses.
	Address []Address
}

// BillingInfo says how the requesting agency wants to be billed.
type BillingInfo struct {
	// PaymentMethod (an open list).
	PaymentMethod SchemeValue
	// MaximumCosts the requester accepts.
	MaximumCosts Costs
	// BillingMethod (an open list).
	BillingMethod SchemeValue
	// BillingName is who to bill.
	BillingName string
	// Address to send the bill to.
	Address *Address
}

// Address is either an electronic or a physical address.
type Address struct {
	// ElectronicAddress is set for an e-mail address, URL, ...
	ElectronicAddress *ElectronicAddress
	// PhysicalAddress is set for a postal address.
	PhysicalAddress *PhysicalAddress
}

// ElectronicAddress is an e-mail address, a URL, an FTP address...
type ElectronicAddress struct {
	// Type: Email, FTP, URL... (an open list).
	Type SchemeValue
	// Data is the address itself.
	Data string
}

// PhysicalAddress is a postal address.
type PhysicalAddress struct {
	// Line1 of the street address.
	Line1 string
	// Line2 of the street address.
	Line2 string
	// Locality is the town.
	Locality string
	// PostalCode of the town.
	PostalCode string
	// Region is an ISO 3166-2 code.
	Region SchemeValue
	// Country is an ISO 3166-1 code.
	Country SchemeValue
}

// SupplyingAgencyMessage tells the requesting agency how its request is
// going: answered, shipped, refused, overdue...
type SupplyingAgencyMessage struct {
	// Header identifies the parties and the transaction.
	Header Header
	// MessageInfo says why the message is sent.
	MessageInfo MessageInfo
	// StatusInfo is the status of the request at the supplier.
	StatusInfo StatusInfo
	// DeliveryInfo says how and when the item was sent.
	DeliveryInfo *DeliveryInfo
	// ReturnInfo says where to return a loan.
	ReturnInfo *ReturnInfo
}

// DeliveryURL is the URL an electronic copy can be fetched from: the
// deliveryInfo itemId when it is a URL, else the first http(s) URL in the
// messageInfo note; "" when there is none.
func (s SupplyingAgencyMessage) DeliveryURL() string {
	if s.DeliveryInfo != nil {
		if u := s.DeliveryInfo.URL(); u != "" {
			return u
		}
	}
	for _, f := range strings.Fields(s.MessageInfo.Note) {
		f = strings.TrimRight(f, ".,;:)]}>\"'")
		f = strings.TrimLeft(f, "(<[{\"'")
		if isURL(f) {
			return f
		}
	}
	return ""
}

// MessageInfo says why a supplyingAgencyMessage is sent.
type MessageInfo struct {
	// ReasonForMessage is RequestResponse, StatusRequestResponse,
	// RenewResponse, CancelResponse, StatusChange or Notification.
	ReasonForMessage string
	// AnswerYesNo is "Y" or "N": the answer to a cancel or renew.
	AnswerYesNo string
	// Note is free text for the requesting library.
	Note string
	// ReasonUnfilled says why the request is Unfilled (an open list:
	// NotHeld, NotOnShelf, NotAvailableForILL, NonCirculating...).
	ReasonUnfilled SchemeValue
	// ReasonRetry says why the request may be retried (an open list:
	// NotFoundAsCited, AtBindery, OnLoan...).
	ReasonRetry SchemeValue
	// OfferedCosts the supplier will charge.
	OfferedCosts Costs
	// RetryAfter is the earliest time to retry.
	RetryAfter time.Time
	// RetryBefore is the latest time to retry.
	RetryBefore time.Time
}

// StatusInfo is the status of the request at the supplier.
type StatusInfo struct {
	// Status is RequestReceived, ExpectToSupply, WillSupply, Loaned, Overdue,
	// Recalled, RetryPossible, Unfilled, CopyCompleted, LoanCompleted,
	// CompletedWithoutReturn or Cancelled.
	Status string
	// ExpectedDeliveryDate of the item.
	ExpectedDeliveryDate time.Time
	// DueDate of a loan.
	DueDate time.Time
	// LastChange is when the status last changed; required by the schema.
	LastChange time.Time
}

// DeliveryInfo says how and when the item was sent.
type DeliveryInfo struct {
	// DateSent is when the item was sent; required by the schema.
	DateSent time.Time
	// ItemId is the item's barcode, or for electronic delivery the URL of
	// the copy (see URL and SetURL).
	ItemId string
	// SentVia: Mail, Email, FTP, URL, ArticleExchange... (an open list).
	// Parse also reads it from deliveryMethod, its 2021 name.
	SentVia SchemeValue
	// SentToPatron is true when the item went straight to the patron; nil when absent.
	SentToPatron *bool
	// LoanCondition: NoReproduction, LibraryUseOnly... (an open list).
	LoanCondition SchemeValue
	// DeliveredFormat: PDF, Printed... (an open list).
	DeliveredFormat SchemeValue
	// DeliveryCosts the supplier charges.
	DeliveryCosts Costs
}

// URL is the ItemId when it is an absolute http, https, ftp, ftps or sftp
// URL, else "".
func (d DeliveryInfo) URL() string {
	if isURL(d.ItemId) {
		return d.ItemId
	}
	return ""
}

// SetURL puts the URL an electronic copy can be fetched from in ItemId,
// where ISO 18626 carries it. It refuses anything but an absolute http,
// https, ftp, ftps or sftp URL.
func (d *DeliveryInfo) SetURL(u string) error {
	u = strings.TrimSpace(u)
	if !isURL(u) {
		return fmt.Errorf("iso18626: %q is not an absolute http, https, ftp, ftps or sftp URL", u)
	}
	d.ItemId = u
	return nil
}

func isURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ftps", "sftp":
		return true
	}
	return false
}

// ReturnInfo says where a loan is to be returned.
type ReturnInfo struct {
	// ReturnAgencyId is the agency to return to.
	ReturnAgencyId AgencyID
	// Name of the return address.
	Name string
	// PhysicalAddress to return to.
	PhysicalAddress *PhysicalAddress
}

// RequestingAgencyMessage is an action of the requesting agency.
type RequestingAgencyMessage struct {
	// Header identifies the parties and the transaction.
	Header Header
	// Action is StatusRequest, Received, Cancel, Renew, ShippedReturn,
	// ShippedForward or Notification.
	Action string
	// Note is free text for the supplier.
	Note string
}

// ConfirmationHeader is the header of the three confirmation messages.
type ConfirmationHeader struct {
	// SupplyingAgencyId is the lender; optional.
	SupplyingAgencyId AgencyID
	// RequestingAgencyId is the borrower; optional.
	RequestingAgencyId AgencyID
	// Timestamp is when the confirmation was created.
	Timestamp time.Time
	// RequestingAgencyRequestId of the transaction; optional.
	RequestingAgencyRequestId string
	// MultipleItemRequestId of the transaction; optional.
	MultipleItemRequestId string
	// TimestampReceived is the timestamp of the message being confirmed,
	// which lets its sender match the confirmation to it.
	TimestampReceived time.Time
	// MessageStatus is OK or ERROR.
	MessageStatus string
}

// ErrorData says why a message was refused. It is also an error: pass one
// to Confirm to choose the errorType of the confirmation.
type ErrorData struct {
	// ErrorType is UnsupportedActionType, UnsupportedReasonForMessageType,
	// UnrecognisedDataElement, UnrecognisedDataValue or BadlyFormedMessage.
	ErrorType string
	// ErrorValue is free text: what was wrong.
	ErrorValue string
}

// Error writes the error type and value.
func (e *ErrorData) Error() string {
	if e.ErrorValue == "" {
		return e.ErrorType
	}
	return e.ErrorType + ": " + e.ErrorValue
}

// RequestConfirmation answers a Request.
type RequestConfirmation struct {
	// ConfirmationHeader identifies the message confirmed and says OK or ERROR.
	ConfirmationHeader ConfirmationHeader
	// ErrorData says what was wrong; nil when nothing was.
	ErrorData *ErrorData
}

// SupplyingAgencyMessageConfirmation answers a SupplyingAgencyMessage.
type SupplyingAgencyMessageConfirmation struct {
	// ConfirmationHeader identifies the message confirmed and says OK or ERROR.
	ConfirmationHeader ConfirmationHeader
	// ReasonForMessage echoes the reasonForMessage confirmed; optional.
	ReasonForMessage string
	// ErrorData says what was wrong; nil when nothing was.
	ErrorData *ErrorData
}

// RequestingAgencyMessageConfirmation answers a RequestingAgencyMessage.
type RequestingAgencyMessageConfirmation struct {
	// ConfirmationHeader identifies the message confirmed and says OK or ERROR.
	ConfirmationHeader ConfirmationHeader
	// Action echoes the action confirmed; optional.
	Action string
	// ErrorData says what was wrong; nil when nothing was.
	ErrorData *ErrorData
}
