package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Config holds what a Desk needs. Store, Clock and Calendar are required;
// Vault and Preflight are needed to ship.
type Config struct {
	Store     Store
	Vault     Vault
	Preflight Preflighter
	Clock     Clock
	Calendar  Calendar
	Barcodes  BarcodeRule
	// Documents combines scans and writes pick slips; WorkDir holds them.
	Documents Documents
	WorkDir   string
	// Folders reaches the file system: the work folder, the scan folder and
	// the files staff drop.
	Folders Folders
	// Codec reads and writes ISO 18626 partner messages.
	Codec MessageCodec
	// Secrets keeps the SMTP password and the tokens we present to partners
	// in the system keyring.
	Secrets SecretStore
	// Transport posts messages to partners' endpoints.
	Transport Transport
	// FileSenders builds the sender of shipped files for the current mail settings.
	FileSenders func(MailSettings) FileSender
	// Mailers builds the mailer for the current mail settings (SMTP, or an
	// outbox folder without them); the Dispatcher sends notices with it.
	Mailers func(MailSettings) Mailer
	// NewID makes request ids; nil means UUIDv7, which sorts by creation time.
	NewID func() string
	// NewToken makes the secret tokens of download links: 128 random bits
	// or more, URL-safe. Without it no download link can be made.
	NewToken func() string
	// SendTimeout bounds each message sent to a partner; 0 means
	// DefaultSendTimeout.
	SendTimeout time.Duration
	// Fetcher fetches the copies lenders send links to.
	Fetcher CopyFetcher
	// Catalogues builds the library's catalogue for the current settings;
	// without it no holdings are looked up.
	Catalogues func(CatalogueSettings) (Catalogue, error)
	// Resolver reaches the OpenURL link resolver, for its test.
	Resolver Resolver
	// ILS builds the library's ILS (NCIP) for the current settings;
	// without it the ILS is never called.
	ILS func(NCIPSettings) (ILS, error)
	// LookupTimeout bounds one holdings lookup; 0 means DefaultLookupTimeout.
	LookupTimeout time.Duration
	// Printer prints pick slips; without it the desk cannot print.
	Printer Printer
	// RetryBackoff is the wait after a partner message's (or a queued ILS
	// call's) first failed try (doubling after each further one, up to an
	// hour); 0 means DefaultRetryBackoff. End-to-end scripts shorten it.
	RetryBackoff time.Duration
}

// Desk is the use-case layer: every action staff can take, used alike by the
// window and the command line. It is the composition of the use-case
// services, built once by NewDesk over the same core, so that a front end
// can call each action on the desk or hand a pane only the service it
// needs. Each change and its history event are written in one store
// transaction.
type Desk struct {
	*core
	*LendingService
	*BorrowingService
	*ScanService
	*RequestService
	*PartnerService
	*SettingsService
	*StaffService
	*MessageService
	*QuarantineService
	*BorrowingMessageService
	*OutboxService
	*DeliveryService
	*NoticeService
	*StatsService
	*MaintenanceService
	*CatalogueService
	*ILSService
	*PrintService
	dispatch *Dispatcher
}

// Actor says who acts and at which station; it is recorded in the history.
type Actor struct {
	Operator string
	Station  Station
}

// NewDesk builds the use-case services over their ports and composes them.
func NewDesk(cfg Config) *Desk {
	c := &core{store: cfg.Store, clock: cfg.Clock, cal: cfg.Calendar, barcodes: cfg.Barcodes, codec: cfg.Codec, newID: cfg.NewID, newToken: cfg.NewToken}
	if c.newID == nil {
		c.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if c.clock == nil {
		c.clock = ClockFunc(time.Now)
	}
	work := paperwork{docs: cfg.Documents, workDir: cfg.WorkDir, folders: cfg.Folders}
	d := &Desk{core: c,
		LendingService:          &LendingService{core: c, paperwork: work, vault: cfg.Vault, preflight: cfg.Preflight},
		BorrowingService:        &BorrowingService{core: c},
		ScanService:             &ScanService{core: c, folders: cfg.Folders},
		PartnerService:          &PartnerService{core: c, secrets: cfg.Secrets},
		SettingsService:         &SettingsService{core: c, folders: cfg.Folders},
		StaffService:            &StaffService{core: c},
		MessageService:          &MessageService{core: c},
		OutboxService:           &OutboxService{core: c, secrets: cfg.Secrets, sendTimeout: cfg.SendTimeout, retryBackoff: cfg.RetryBackoff},
		DeliveryService:         &DeliveryService{core: c, vault: cfg.Vault},
		BorrowingMessageService: &BorrowingMessageService{core: c, vault: cfg.Vault, preflight: cfg.Preflight, fetcher: cfg.Fetcher},
		NoticeService:           &NoticeService{core: c, secrets: cfg.Secrets},
		StatsService:            &StatsService{core: c, paperwork: work},
		MaintenanceService:      &MaintenanceService{core: c, vault: cfg.Vault}}
	d.QuarantineService = &QuarantineService{core: c, messages: d.MessageService}
	d.MessageService.quarantine, d.MessageService.lenders = d.QuarantineService, d.BorrowingMessageService
	d.RequestService = &RequestService{core: c, outbox: d.OutboxService,
		deliveries: d.DeliveryService, quarantine: d.QuarantineService}
	d.dispatch = &Dispatcher{clock: c.clock, outbox: d.OutboxService, deliveries: d.DeliveryService,
		lenders: d.BorrowingMessageService, lending: d.LendingService, notices: d.NoticeService,
		transport: cfg.Transport, senders: cfg.FileSenders, mailers: cfg.Mailers, holder: newHolder()}
	d.CatalogueService = &CatalogueService{core: c, catalogues: cfg.Catalogues,
		resolver: cfg.Resolver, timeout: cfg.LookupTimeout}
	d.ILSService = &ILSService{core: c, ils: cfg.ILS, secrets: cfg.Secrets, callBackoff: cfg.RetryBackoff}
	d.ScanService.ils, d.BorrowingService.ils, d.RequestService.ils, d.dispatch.ils = d.ILSService, d.ILSService, d.ILSService, d.ILSService
	d.LendingService.ils = d.ILSService
	d.PrintService = &PrintService{core: c, slips: d.LendingService, printer: cfg.Printer}
	c.store = queueingStore{Store: c.store, committed: d.dispatch.Kick, created: d.CatalogueService.lookUpNew}
	return d
}

// ---- partners ----

// checkPartner trims a partner's fields, fills in the default turnaround and
// loan period, and refuses what cannot be right.
func checkPartner(p Partner) (Partner, error) {
	p.Code = strings.TrimSpace(p.Code)
	p.Name = strings.TrimSpace(p.Name)
	p.AgencyID = strings.TrimSpace(p.AgencyID)
	p.ISOEndpoint = strings.TrimSpace(p.ISOEndpoint)
	p.ILSPatronID = strings.TrimSpace(p.ILSPatronID)
	switch {
	case p.Code == "":
		return Partner{}, refuse(ErrInvalidInput, "A partner needs a code (e.g. RAPID).")
	case len(p.Code) > 32 || strings.ContainsFunc(p.Code, func(r rune) bool { return r <= ' ' }):
		return Partner{}, refuse(ErrInvalidInput, "The partner code %q must be 1–32 characters without spaces.", p.Code)
	case p.Name == "":
		return Partner{}, refuse(ErrInvalidInput, "Partner %s needs a name.", p.Code)
	case p.TurnaroundHours < 0 || p.LoanPeriodDays < 0 || p.MaxFileBytes < 0:
		return Partner{}, refuse(ErrInvalidInput, "Turnaround hours, loan period and size limit cannot be negative.")
	case p.ISOEndpoint != "" && !strings.HasPrefix(p.ISOEndpoint, "http://") && !strings.HasPrefix(p.ISOEndpoint, "https://"):
		return Partner{}, refuse(ErrInvalidInput, "The ISO 18626 endpoint %q must be an http:// or https:// address.", p.ISOEndpoint)
	case len(p.ILSPatronID) > 128 || strings.ContainsFunc(p.ILSPatronID, unicode.IsControl):
		return Partner{}, refuse(ErrInvalidInput, "The ILS patron id of %s must be at most 128 characters, on one line.", p.Code)
	}
	if p.AgencyID != "" {
		if err := checkAgencyID(p.AgencyID); err != nil {
			return Partner{}, err
		}
	}
	if _, _, err := ParseDelivery(p.Delivery); err != nil {
		return Partner{}, err
	}
	if err := checkRenewals(p); err != nil {
		return Partner{}, err
	}
	if p.TurnaroundHours == 0 {
		p.TurnaroundHours = DefaultTurnaroundHours
	}
	if p.LoanPeriodDays == 0 {
		p.LoanPeriodDays = DefaultLoanPeriodDays
	}
	return p, nil
}

func partnerFor(tx Tx, code string) (Partner, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return Partner{}, refuse(ErrInvalidInput, "Choose the partner library for this request.")
	}
	p, err := tx.Partner(code)
	if errors.Is(err, ErrPartnerNotFound) {
		return Partner{}, refuse(ErrPartnerNotFound, "No partner has the code %q: add the partner first.", code)
	}
	return p, err
}

// ---- creating requests ----

// LendingInput is what a new lending request is made from.
type LendingInput struct {
	Partner    string
	ExternalID string
	Format     Format
	Citation
	Holdings
	NeededBy    time.Time
	ServiceType string
	Note        string
}

// BorrowingInput is what a new borrowing request is made from.
type BorrowingInput struct {
	Partner    string
	ExternalID string
	Citation
	Requester      string
	RequesterEmail string
	Pickup         string
	Note           string
	// Partners is the rota of lenders, in order (Partner when empty).
	Partners []string
	// Service is "copy", "loan" or "" (see ServiceFor).
	Service     string
	PartnerNote string
	PatronID    string
	NeedBefore  time.Time
}

// ---- finding requests ----

func resolve(tx Tx, ref string) (Request, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Request{}, refuse(ErrInvalidInput, "Name the request by its id or external identifier.")
	}
	if r, err := tx.Request(ref); err == nil {
		return r, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Request{}, err
	}
	matches, err := tx.RequestsByExternalID(ref)
	if err != nil {
		return Request{}, err
	}
	if n, ok := normalNumber(ref); ok && len(matches) == 0 {
		if r, found, err := tx.RequestByNumber(n); err != nil || found {
			return r, err
		}
	}
	if len(matches) == 0 && len(ref) >= 4 {
		if matches, err = tx.RequestsByIDPrefix(ref); err != nil {
			return Request{}, err
		}
	}
	if len(matches) == 0 && len(ref) >= 4 {
		if matches, err = tx.RequestsByIDSuffix(ref); err != nil {
			return Request{}, err
		}
	}
	switch len(matches) {
	case 0:
		return Request{}, refuse(ErrNotFound, "No request matches %q: check the external identifier or request id.", ref)
	case 1:
		return matches[0], nil
	}
	var names []string
	for _, m := range matches {
		names = append(names, fmt.Sprintf("%s (%s, %s, %s)", m.ID, m.Partner, m.Side, m.StatusLabel()))
	}
	return Request{}, &Refusal{Kind: ErrAmbiguousRef, Candidates: matches,
		Msg: fmt.Sprintf("%q matches %d requests: %s. Use the request id.", ref, len(matches), strings.Join(names, "; "))}
}

// Filter selects requests for the list.
type Filter struct {
	Side    Side
	State   State
	Partner string
	Format  *Format
	// Text matches title, article title, external id, item barcode or requester, ignoring case.
	Text string
	// All includes closed requests; by default only active ones are listed.
	All bool
}

// ---- changing requests ----

// ScanResult says what a scan did.
type ScanResult struct {
	// Action is the transition applied; empty when the scan only selected a request.
	Action  Action
	Request Request
	// Message is the sentence shown to staff.
	Message string
}

// selectByExternalID finds the one request a scanned external identifier
// names, preferring active requests when closed ones share the identifier.
func selectByExternalID(tx Tx, code string) (Request, bool, error) {
	ms, err := tx.RequestsByExternalID(code)
	if err != nil || len(ms) == 0 {
		return Request{}, false, err
	}
	if active := slices.DeleteFunc(slices.Clone(ms), func(r Request) bool { return !r.Active() }); len(active) > 0 {
		ms = active
	}
	if len(ms) > 1 {
		return Request{}, false, &Refusal{Kind: ErrAmbiguousRef, Candidates: ms,
			Msg: fmt.Sprintf("%s is the external identifier of %d active requests; choose one in the list.", code, len(ms))}
	}
	return ms[0], true, nil
}

func scanMessage(r Request, a Action, code string) string {
	switch a {
	case ActHoldShelf:
		if r.RequesterEmail == "" {
			return fmt.Sprintf("%s on the hold shelf at %s — no email on file: call %s.", code, r.Pickup, r.Requester)
		}
		return fmt.Sprintf("%s on the hold shelf at %s — %s will be notified.", code, r.Pickup, r.Requester)
	case ActCheckout:
		return fmt.Sprintf("%s checked out to %s, due %s.", code, r.Requester, r.DueDate.Format(DateLayout))
	case ActCheckin:
		return fmt.Sprintf("%s checked in — send it to the RS desk.", code)
	case ActComplete:
		return fmt.Sprintf("%s: request %s completed; temporary item deleted — return the book to %s.", code, r.Ref(), r.Partner)
	case ActReceive:
		return fmt.Sprintf("%s received for %s — send it to %s.", code, r.Requester, r.Pickup)
	case ActPickArrived:
		if r.IsLoan() {
			return fmt.Sprintf("%s arrived for request %s — scan it again at the RS desk to lend it to %s.", code, r.Ref(), r.Partner)
		}
		return fmt.Sprintf("%s arrived for request %s — scan and ship it.", code, r.Ref())
	case ActLoanToPartner, ActLoanReturned:
		return lendBookScanMessage(r, a, code)
	}
	return code + ": " + a.Label()
}

func joinNote(old, add string) string {
	switch {
	case add == "":
		return old
	case old == "":
		return add
	}
	return old + "\n" + add
}

// HumanBytes writes a size the way staff read it: 870 B, 12.5 KB, 3.4 MB.
func HumanBytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1000
	units := "KMGTPE"
	i := 0
	for ; v >= 999.95 && i < len(units)-1; i++ {
		v /= 1000
	}
	return fmt.Sprintf("%.1f %cB", v, units[i])
}

// Setting keys the desk keeps in the store.
const (
	SettingHolidays       = "holidays"
	SettingBarcodePattern = "barcode_pattern"
)

// OpenDesk builds the desk and loads its settings (holidays, barcode
// pattern) from the store, overriding cfg.Calendar and cfg.Barcodes. The
// first time this version opens a store it records when (SettingLinksSince),
// from which the download links of earlier versions expire.
func OpenDesk(cfg Config) (*Desk, error) {
	var holidays, pattern string
	err := cfg.Store.View(func(tx Tx) error {
		var err error
		if holidays, err = tx.Setting(SettingHolidays); err != nil {
			return err
		}
		pattern, err = tx.Setting(SettingBarcodePattern)
		return err
	})
	if err != nil {
		return nil, err
	}
	if cfg.Calendar, err = NewCalendar(nil, strings.Split(holidays, ",")); err != nil {
		return nil, err
	}
	if cfg.Barcodes, err = NewBarcodeRule(pattern); err != nil {
		return nil, err
	}
	now := time.Now
	if cfg.Clock != nil {
		now = cfg.Clock.Now
	}
	if err := recordLinksSince(cfg.Store, now()); err != nil {
		return nil, err
	}
	return NewDesk(cfg), nil
}
