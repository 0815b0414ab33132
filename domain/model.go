package domain

import (
	"strings"
	"time"
)

// Side tells whether we supply (lending) or obtain (borrowing) the item.
type Side string

// The two sides of resource sharing.
const (
	Lending   Side = "lending"
	Borrowing Side = "borrowing"
)

// ParseSide reads a side name as typed by staff.
func ParseSide(s string) (Side, error) {
	switch Side(strings.ToLower(strings.TrimSpace(s))) {
	case Lending:
		return Lending, nil
	case Borrowing:
		return Borrowing, nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a side: use lending or borrowing.", s)
}

// Format is how we hold the requested item.
type Format string

// Formats: Electronic (we own it online), Physical (print) or blank (unknown).
const (
	FormatUnknown    Format = ""
	FormatElectronic Format = "electronic"
	FormatPhysical   Format = "physical"
)

// ParseFormat reads a format name; the empty string is the blank format.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case FormatUnknown:
		return FormatUnknown, nil
	case FormatElectronic:
		return FormatElectronic, nil
	case FormatPhysical:
		return FormatPhysical, nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a format: use electronic or physical, or leave it blank.", s)
}

// Label is the format's name as shown to staff.
func (f Format) Label() string {
	switch f {
	case FormatElectronic:
		return "Electronic"
	case FormatPhysical:
		return "Physical"
	}
	return ""
}

// Citation is the bibliographic description of the requested item.
type Citation struct {
	Title        string `json:"title"`
	ArticleTitle string `json:"article_title,omitempty"`
	Author       string `json:"author,omitempty"`
	Journal      string `json:"journal,omitempty"`
	Volume       string `json:"volume,omitempty"`
	Number       string `json:"number,omitempty"`
	Year         string `json:"year,omitempty"`
	Pages        string `json:"pages,omitempty"`
	ISSN         string `json:"issn,omitempty"`
	ISBN         string `json:"isbn,omitempty"`
	DOI          string `json:"doi,omitempty"`
	OCLC         string `json:"oclc,omitempty"`
}

// EResource is an electronic collection that holds the title, with a link.
type EResource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Holdings says where our copy is. For borrowing requests ItemBarcode is the
// temporary item's barcode stuck on the partner's book at receipt.
type Holdings struct {
	Location    string      `json:"location,omitempty"`
	CallNumber  string      `json:"call_number,omitempty"`
	ItemBarcode string      `json:"item_barcode"`
	EResources  []EResource `json:"eresources,omitempty"`
}

// Event is one entry of a request's history: a transition and who made it where.
type Event struct {
	At     time.Time `json:"at"`
	From   State     `json:"from"`
	To     State     `json:"to"`
	Action Action    `json:"action"`
	Actor  string    `json:"actor"`
	Desk   string    `json:"desk"`
	Note   string    `json:"note"`
}

// ShippedFile records the PDF stored in the vault when a request shipped.
type ShippedFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	Pages  int    `json:"pages"`
	SHA256 string `json:"sha256"`
}

// Request is one interlibrary-loan request, lending or borrowing.
type Request struct {
	ID string `json:"id"`
	// RequestNumber is the request's readable number (numbers.go), given
	// when it is made; unique in the store. (Number is the citation's
	// issue number.)
	RequestNumber string `json:"request_number,omitempty"`
	Side          Side   `json:"side"`
	ExternalID    string `json:"external_id"`
	Partner       string `json:"partner"`
	State         State  `json:"status"`
	Format        Format `json:"format"`
	// ServiceType is the ISO 18626 service asked for: Copy, Loan or CopyOrLoan.
	ServiceType string `json:"service_type,omitempty"`
	Citation
	Holdings
	Requester      string       `json:"requester"`
	RequesterEmail string       `json:"requester_email,omitempty"`
	Pickup         string       `json:"pickup"`
	InternalNote   string       `json:"internal_note,omitempty"`
	PartnerNote    string       `json:"partner_note,omitempty"`
	Created        time.Time    `json:"created"`
	Deadline       time.Time    `json:"deadline,omitzero"`
	NeededBy       time.Time    `json:"needed_by,omitzero"`
	PickTarget     string       `json:"pick_target,omitempty"`
	RejectReason   Reason       `json:"reject_reason,omitempty"`
	DueDate        time.Time    `json:"due_date,omitzero"`
	HoldUntil      time.Time    `json:"hold_until,omitzero"`
	ShippedFile    *ShippedFile `json:"shipped_file,omitempty"`
	History        []Event      `json:"history"`
	// Rota is the partner codes a borrowing request is sent to, in order;
	// Lenders the attempts made so far, the current one last.
	Rota    []string        `json:"rota,omitempty"`
	Lenders []LenderAttempt `json:"lenders,omitempty"`
	// LenderDueDate and LenderItemID are the lender's, from its Loaned;
	// DueDate stays the patron's.
	LenderDueDate time.Time `json:"lender_due_date,omitzero"`
	LenderItemID  string    `json:"lender_item_id,omitempty"`
	// LenderDeadline is when the current lender's turnaround ends.
	LenderDeadline time.Time `json:"lender_deadline,omitzero"`
	// Flags are what the lender reports about the loan: overdue, recalled.
	Flags    []string `json:"flags,omitempty"`
	PatronID string   `json:"patron_id,omitempty"`
	// Copy is where a lender's copy is fetched from (its CopyCompleted link).
	Copy *CopyFetch `json:"copy,omitempty"`
	// A book lent to a partner (lendbooks.go): renewals granted, a renewal
	// waiting for staff, when it was recalled and when Overdue was sent.
	Renewals      int       `json:"renewals,omitempty"`
	RenewAsked    time.Time `json:"renew_asked,omitzero"`
	RecalledAt    time.Time `json:"recalled_at,omitzero"`
	OverdueSentAt time.Time `json:"overdue_sent_at,omitzero"`
	// RetryOf and RetriedBy link a lending request and the partner's Retry
	// of it, by the other request's reference.
	RetryOf   string `json:"retry_of,omitempty"`
	RetriedBy string `json:"retried_by,omitempty"`
	// CatalogueHoldings are the holdings the library's catalogue listed at
	// the last lookup (Lookup); the embedded Holdings are what the request
	// uses, which staff may have typed or picked.
	CatalogueHoldings []Holding       `json:"holdings,omitempty"`
	Lookup            *HoldingsLookup `json:"holdings_lookup,omitempty"`
}

// Active reports whether the request still needs work (its state is not final).
func (r Request) Active() bool { return !r.State.Final(r.Side) }

// StatusLabel is the state's label as staff know it.
func (r Request) StatusLabel() string { return lenderLabel(r.Side, r.State, r.Partner) }

// Ref is the short way to name the request to staff: its external identifier
// when it has one, otherwise the last 8 characters of its id (the random
// part of a UUIDv7; the start is a timestamp shared by requests made together).
func (r Request) Ref() string { return ref(r.ExternalID, r.ID) }

func ref(externalID, id string) string {
	if externalID != "" {
		return externalID
	}
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// ActiveBarcode is the barcode that scans route to this request, or "" when
// no scan applies in its current state. Storage indexes it and keeps it unique.
func (r Request) ActiveBarcode() string { return activeBarcode(r.Side, r.State, r.ItemBarcode) }

// ActiveBarcode is the barcode that scans route to this request (see Request.ActiveBarcode).
func (s Summary) ActiveBarcode() string { return activeBarcode(s.Side, s.State, s.ItemBarcode) }

func activeBarcode(side Side, state State, itemBarcode string) string {
	switch side {
	case Borrowing:
		switch state {
		case Received, OnHoldShelf, Loaned, ReturnedByPatron, ShippedToUs:
			return itemBarcode
		}
	case Lending:
		switch state {
		case PickRequested, ItemAtDesk, LoanedToPartner, ReturnInTransit:
			return itemBarcode
		}
	}
	return ""
}

// Partner is another library or network we exchange requests with.
type Partner struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	TurnaroundHours int    `json:"turnaround_hours"`
	Email           string `json:"email,omitempty"`
	AgencyID        string `json:"agency_id,omitempty"`
	LoanPeriodDays  int    `json:"loan_period_days"`
	MaxFileBytes    int64  `json:"max_file_bytes,omitempty"`
	NeedsReview     bool   `json:"needs_review,omitempty"`
	// ISOEndpoint is the URL the partner's ISO 18626 messages are POSTed to.
	ISOEndpoint string `json:"iso_endpoint,omitempty"`
	// Delivery is how shipped files reach the partner: email:ADDRESS,
	// folder:PATH or iso (a link in the CopyCompleted message).
	Delivery string `json:"delivery,omitempty"`
	// ServerCA is the PEM certificate of the CA that signed the partner's
	// server certificate, when it is self-signed; it is then the only one
	// trusted for that partner.
	ServerCA string `json:"server_ca,omitempty"`
	// InboundToken is the SHA-256 of the token the partner must present
	// (sha256:HEX); the token itself is never kept.
	InboundToken string `json:"inbound_token,omitempty"`
	// ClientCA is the PEM of the certificate authority whose client
	// certificates prove the partner over mutual TLS. It is kept in the
	// record so that every workstation of a shared database checks alike.
	ClientCA string `json:"client_ca,omitempty"`
	// AllowFrom lists the networks (CIDR) the partner's messages may come from.
	AllowFrom []string `json:"allow_from,omitempty"`
	// NoAuth says staff chose that the partner proves nothing.
	NoAuth bool `json:"no_auth,omitempty"`
	// Renewals is how many renewals of a book we lend the partner grants
	// (nil: DefaultRenewals); Renew is how its Renew is answered:
	// RenewAuto ("" too) or RenewAsk.
	Renewals *int   `json:"renewals,omitempty"`
	Renew    string `json:"renew,omitempty"`
	// ILSPatronID is the partner's ILL patron record in our ILS: the books
	// we lend the partner are checked out to it (ncip-steps lend-checkout).
	ILSPatronID string `json:"ils_patron_id,omitempty"`
}

// Defaults applied to partners that leave a value unset.
const (
	DefaultTurnaroundHours = 24
	DefaultLoanPeriodDays  = 28
	DefaultHoldShelfDays   = 7
)
