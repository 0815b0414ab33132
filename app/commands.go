package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

// ---- partners ----

func (s *partnerCommands) cmdPartner(args []string) error {
	if len(args) == 0 {
		return usagef("usage: illdesk partner add|list ...")
	}
	switch args[0] {
	case "add":
		fs := newFlags("partner add")
		name := fs.String("name", "", "partner name")
		hours := fs.Int("turnaround-hours", domain.DefaultTurnaroundHours, "turnaround in business hours")
		email := fs.String("email", "", "contact email")
		agency := fs.String("agency-id", "", "ISO 18626 agency id TYPE:VALUE")
		loanDays := fs.Int("loan-days", domain.DefaultLoanPeriodDays, "loan period in days")
		maxMB := fs.Float64("max-mb", 0, "largest file the partner accepts, in MB (0: no limit)")
		endpoint := fs.String("iso-endpoint", "", "URL the partner's ISO 18626 messages are POSTed to")
		delivery := fs.String("delivery", "", "email:ADDRESS, folder:PATH or iso")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "partner add CODE --name NAME [--turnaround-hours H] [--email E]"); err != nil {
			return err
		}
		if *hours <= 0 || *loanDays <= 0 || *maxMB < 0 {
			return usagef("partner add: --turnaround-hours and --loan-days must be positive, --max-mb not negative")
		}
		p, err := s.desk.AddPartner(domain.Partner{Code: pos[0], Name: *name, TurnaroundHours: *hours,
			Email: *email, AgencyID: *agency, LoanPeriodDays: *loanDays, MaxFileBytes: int64(*maxMB * 1e6),
			ISOEndpoint: *endpoint, Delivery: *delivery}, s.actor())
		if err != nil {
			return err
		}
		s.printf("Added partner %s (%s), turnaround %d business hours.\n", p.Code, p.Name, p.TurnaroundHours)
		return nil
	case "edit":
		return s.cmdPartnerEdit(args[1:])
	case "list":
		asJSON, err := jsonOnly("partner list", args[1:], "partner list [--json]")
		if err != nil {
			return err
		}
		ps, err := s.desk.Partners()
		if err != nil {
			return err
		}
		if asJSON {
			return s.printJSON(nonNil(ps))
		}
		if len(ps) == 0 {
			s.printf("No partners yet. Add one with: illdesk partner add CODE --name NAME\n")
			return nil
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tTURNAROUND\tLOAN DAYS\tEMAIL")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%dh\t%d\t%s\n", p.Code, p.Name, p.TurnaroundHours, p.LoanPeriodDays, p.Email)
		}
		return tw.Flush()
	}
	return usagef("unknown partner command %q: use partner add, partner edit or partner list", args[0])
}

// cmdPartnerEdit changes the fields given on the command line and keeps the others.
func (s *partnerCommands) cmdPartnerEdit(args []string) error {
	fs := newFlags("partner edit")
	name := fs.String("name", "", "partner name")
	hours := fs.Int("turnaround-hours", 0, "turnaround in business hours")
	email := fs.String("email", "", "contact email")
	agency := fs.String("agency-id", "", "ISO 18626 agency id TYPE:VALUE")
	loanDays := fs.Int("loan-days", 0, "loan period in days")
	maxMB := fs.Float64("max-mb", -1, "largest file the partner accepts, in MB (0: no limit)")
	endpoint := fs.String("iso-endpoint", "", "URL the partner's ISO 18626 messages are POSTed to")
	delivery := fs.String("delivery", "", "email:ADDRESS, folder:PATH or iso")
	reviewed := fs.Bool("reviewed", false, "mark a partner created from an ISO 18626 request as reviewed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "partner edit CODE [--name N] [--turnaround-hours H] [--email E] [--agency-id T:V] [--iso-endpoint URL] [--delivery D] [--loan-days D] [--max-mb MB] [--reviewed]"); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	p, err := s.desk.EditPartner(pos[0], func(p *domain.Partner) {
		if set["name"] {
			p.Name = *name
		}
		if set["turnaround-hours"] {
			p.TurnaroundHours = *hours
		}
		if set["email"] {
			p.Email = *email
		}
		if set["agency-id"] {
			p.AgencyID = *agency
		}
		if set["loan-days"] {
			p.LoanPeriodDays = *loanDays
		}
		if set["max-mb"] {
			p.MaxFileBytes = int64(*maxMB * 1e6)
		}
		if set["iso-endpoint"] {
			p.ISOEndpoint = *endpoint
		}
		if set["delivery"] {
			p.Delivery = *delivery
		}
		if *reviewed {
			p.NeedsReview = false
		}
	}, s.actor())
	if err != nil {
		return err
	}
	s.printf("Partner %s (%s) saved.\n", p.Code, p.Name)
	return nil
}

// ---- new requests ----

// citationFlags registers the citation options shared by lend new and borrow new.
func citationFlags(fs interface {
	StringVar(*string, string, string, string)
}, c *domain.Citation) {
	fs.StringVar(&c.Title, "title", "", "title (journal or book)")
	fs.StringVar(&c.ArticleTitle, "article-title", "", "article or chapter title")
	fs.StringVar(&c.Author, "author", "", "author")
	fs.StringVar(&c.Journal, "journal", "", "journal")
	fs.StringVar(&c.Volume, "volume", "", "volume")
	fs.StringVar(&c.Number, "number", "", "issue number")
	fs.StringVar(&c.Year, "year", "", "year")
	fs.StringVar(&c.Pages, "pages", "", "pages, e.g. 12-30")
	fs.StringVar(&c.ISSN, "issn", "", "ISSN")
	fs.StringVar(&c.ISBN, "isbn", "", "ISBN")
	fs.StringVar(&c.DOI, "doi", "", "DOI")
	fs.StringVar(&c.OCLC, "oclc", "", "OCLC number")
}

func (s *requestCommands) cmdLend(args []string) error {
	if len(args) == 0 || args[0] != "new" {
		return usagef("usage: illdesk lend new --partner CODE --external-id ID --title T ...")
	}
	var in domain.LendingInput
	var eres listFlag
	fs := newFlags("lend new")
	fs.StringVar(&in.Partner, "partner", "", "partner code")
	fs.StringVar(&in.ExternalID, "external-id", "", "the partner's request number")
	citationFlags(fs, &in.Citation)
	format := fs.String("format", "", "electronic or physical")
	fs.StringVar(&in.Location, "location", "", "holdings location")
	fs.StringVar(&in.CallNumber, "call-number", "", "call number")
	fs.StringVar(&in.ItemBarcode, "item-barcode", "", "item barcode")
	fs.Var(&eres, "eresource", "e-resource collection NAME=URL (repeatable)")
	fs.StringVar(&in.Note, "note", "", "internal note")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "lend new --partner CODE --external-id ID --title T [options]"); err != nil {
		return err
	}
	if in.Format, err = domain.ParseFormat(*format); err != nil {
		return usageError{err.Error()}
	}
	for _, e := range eres {
		name, url, ok := strings.Cut(e, "=")
		if !ok {
			return usagef("lend new: --eresource takes NAME=URL, not %q", e)
		}
		in.EResources = append(in.EResources, domain.EResource{Name: strings.TrimSpace(name), URL: strings.TrimSpace(url)})
	}
	r, err := s.desk.NewLending(in, s.actor())
	if err != nil {
		return err
	}
	s.printf("%s\n", r.ID)
	return nil
}

func (s *requestCommands) cmdBorrow(args []string) error {
	if len(args) == 0 || args[0] != "new" {
		return usagef("usage: illdesk borrow new --title T --requester NAME --pickup LOCATION --partner CODE ...")
	}
	var in domain.BorrowingInput
	fs := newFlags("borrow new")
	fs.StringVar(&in.Partner, "partner", "", "lending partner code")
	fs.StringVar(&in.ExternalID, "external-id", "", "the lender's request number")
	citationFlags(fs, &in.Citation)
	fs.StringVar(&in.Requester, "requester", "", "patron name")
	fs.StringVar(&in.RequesterEmail, "requester-email", "", "patron email")
	fs.StringVar(&in.Pickup, "pickup", "", "pickup location")
	fs.StringVar(&in.Note, "note", "", "internal note")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "borrow new --title T --requester NAME --pickup LOCATION --partner CODE [options]"); err != nil {
		return err
	}
	r, err := s.desk.NewBorrowing(in, s.actor())
	if err != nil {
		return err
	}
	s.printf("%s\n", r.ID)
	return nil
}

// ---- looking ----

// requestView is a request as the command line shows it in JSON.
type requestView struct {
	domain.Request
	StatusLabel   string              `json:"status_label"`
	Deadline      *time.Time          `json:"deadline"`
	TimeLeftHours *float64            `json:"time_left_hours,omitempty"`
	ShippedFile   *domain.ShippedFile `json:"shipped_file"`
	History       []domain.Event      `json:"history"`
	EResources    []domain.EResource  `json:"eresources"`
}

func (s *requestCommands) view(r domain.Request) requestView {
	v := requestView{Request: r, StatusLabel: r.StatusLabel(), ShippedFile: r.ShippedFile,
		History: nonNil(r.History), EResources: nonNil(r.EResources)}
	if !r.Deadline.IsZero() {
		d := r.Deadline
		v.Deadline = &d
		if left, ok := s.desk.TimeLeft(r.Deadline); ok && r.Active() {
			h := math.Round(left.Hours()*10) / 10
			v.TimeLeftHours = &h
		}
	}
	return v
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *requestCommands) cmdList(args []string) error {
	fs := newFlags("list")
	asJSON := fs.Bool("json", false, "JSON output")
	side := fs.String("side", "", "lending or borrowing")
	status := fs.String("status", "", "status code")
	partner := fs.String("partner", "", "partner code")
	all := fs.Bool("all", false, "include closed requests")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "list [--json] [--side lending|borrowing] [--status CODE] [--partner CODE] [--all]"); err != nil {
		return err
	}
	f := domain.Filter{Partner: *partner, All: *all}
	if *side != "" {
		if f.Side, err = domain.ParseSide(*side); err != nil {
			return usageError{err.Error()}
		}
	}
	if *status != "" {
		if f.State, err = domain.ParseState(*status); err != nil {
			return usageError{err.Error()}
		}
	}
	rs, err := s.desk.List(f)
	if err != nil {
		return err
	}
	if *asJSON {
		views := make([]requestView, 0, len(rs))
		for _, r := range rs {
			views = append(views, s.view(r))
		}
		return s.printJSON(views)
	}
	if len(rs) == 0 {
		s.printf("No requests match.\n")
		return nil
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME LEFT\tID\tEXTERNAL ID\tSIDE\tSTATUS\tPARTNER\tTITLE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.timeLeft(r), r.ID[:min(8, len(r.ID))],
			r.ExternalID, r.Side, r.StatusLabel(), r.Partner, truncate(r.Title, 50))
	}
	return tw.Flush()
}

// timeLeft writes the business time left as staff read it.
func (s *requestCommands) timeLeft(r domain.Request) string {
	left, ok := s.desk.TimeLeft(r.Deadline)
	if !ok || !r.Active() {
		if !r.DueDate.IsZero() && r.Active() {
			return "due " + r.DueDate.Format(domain.DateLayout)
		}
		return "-"
	}
	if left < 0 {
		return fmt.Sprintf("OVERDUE %.0fh", -left.Hours())
	}
	return fmt.Sprintf("%.0fh", left.Hours())
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (s *requestCommands) cmdShow(args []string) error {
	fs := newFlags("show")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "show [--json] REF"); err != nil {
		return err
	}
	r, err := s.desk.Find(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return s.printJSON(s.view(r))
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Request", r.ID)
	row("External id", r.ExternalID)
	row("Side", string(r.Side))
	row("Partner", r.Partner)
	row("Status", r.StatusLabel())
	row("Time left", s.timeLeft(r))
	row("Title", r.Title)
	row("Article", r.ArticleTitle)
	row("Author", r.Author)
	row("Journal", r.Journal)
	row("Volume", r.Volume)
	row("Number", r.Number)
	row("Year", r.Year)
	row("Pages", r.Pages)
	row("ISSN", r.ISSN)
	row("ISBN", r.ISBN)
	row("DOI", r.DOI)
	row("Format", r.Format.Label())
	row("Location", r.Location)
	row("Call number", r.CallNumber)
	row("Item barcode", r.ItemBarcode)
	for _, e := range r.EResources {
		row("E-resource", e.Name+" "+e.URL)
	}
	row("Requester", strings.TrimSpace(r.Requester+" "+r.RequesterEmail))
	row("Pickup", r.Pickup)
	if !r.DueDate.IsZero() {
		row("Due", r.DueDate.Format(domain.DateLayout))
	}
	row("Reject reason", r.RejectReason.Label())
	row("Internal note", r.InternalNote)
	row("Note to partner", r.PartnerNote)
	if f := r.ShippedFile; f != nil {
		row("Shipped file", fmt.Sprintf("%s, %d pages, %s, sha256 %s", f.Name, f.Pages, domain.HumanBytes(f.Bytes), f.SHA256))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s.printf("\nHistory:\n")
	for _, ev := range r.History {
		line := fmt.Sprintf("  %s  %-28s %s at %s", ev.At.Local().Format("2006-01-02 15:04"), ev.Action.Label(), ev.Actor, ev.Desk)
		if ev.Note != "" {
			line += " — " + ev.Note
		}
		s.printf("%s\n", line)
	}
	return nil
}

// ---- acting ----

// done prints the outcome of an action on a request and, when the action
// queued partner messages or files, sends them and says where the
// request's stand, as ship does.
func (s *requestCommands) done(r domain.Request, err error) error {
	if err != nil {
		return err
	}
	s.printf("%s: %s\n", r.Ref(), r.StatusLabel())
	if s.desk.Dispatcher().Queued() == s.sentMark {
		return nil // nothing queued: nothing to send or to tell
	}
	return s.reportQueues(r.ID)
}

func (s *requestCommands) cmdPick(args []string) error {
	fs := newFlags("pick")
	to := fs.String("to", "", "rs or digitization:NAME")
	barcode := fs.String("item-barcode", "", "barcode of the item to pull")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "pick REF --to DESK [--item-barcode B]"); err != nil {
		return err
	}
	if *to == "" {
		return usagef("pick: --to is required (rs or digitization:NAME)")
	}
	st, err := domain.ParseStation(*to)
	if err != nil {
		return usageError{err.Error()}
	}
	r, err := s.desk.Pick(pos[0], st, *barcode, s.actor())
	if err := s.done(r, err); err != nil {
		return err
	}
	slip, err := s.desk.WritePickSlip(r.ID)
	if err != nil {
		return err
	}
	s.printf("Pick slip: %s\n", slip)
	return nil
}

func (s *requestCommands) cmdShip(args []string) error {
	fs := newFlags("ship")
	accept := fs.Bool("accept-warnings", false, "ship a file that has preflight warnings")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, "ship REF FILE [--accept-warnings]"); err != nil {
		return err
	}
	shipment, err := s.desk.Prepare(pos[0], []string{s.local(pos[1])}, s.actor())
	if err != nil {
		return err
	}
	r, err := s.desk.Ship(shipment, *accept, s.actor())
	if err != nil {
		if errors.Is(err, domain.ErrNeedsConfirmation) {
			return fmt.Errorf("%w (run again with --accept-warnings to ship it anyway)", err)
		}
		return err
	}
	f := r.ShippedFile
	s.printf("%s: Shipped Digitally — %s, %d pages, %s\n", r.Ref(), f.Name, f.Pages, domain.HumanBytes(f.Bytes))
	return s.reportQueues(r.ID)
}

// reportQueues sends what the command queued and says, for one request,
// where its partner messages and file deliveries stand; what failed stays
// queued.
func (s *requestCommands) reportQueues(id string) error {
	if _, err := s.sendQueued(); err != nil {
		return err
	}
	msgs, err := s.desk.Outbox(id)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		s.printf("  message %s to %s: %s %s\n", m.Summary, m.Partner, m.Status, firstOf(m.LastError, m.Where))
	}
	dls, err := s.desk.Deliveries(id)
	if err != nil {
		return err
	}
	for _, d := range dls {
		s.printf("  file %s by %s: %s %s\n", d.File, d.Method, d.Status, firstOf(d.LastError, d.Where))
	}
	return nil
}

func (s *requestCommands) cmdReject(args []string) error {
	fs := newFlags("reject")
	reason := fs.String("reason", "", "ISO 18626 reason code")
	note := fs.String("note", "", "internal note")
	partnerNote := fs.String("partner-note", "", "note to the partner")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "reject REF --reason CODE [--note TEXT] [--partner-note TEXT]"); err != nil {
		return err
	}
	return s.done(s.desk.Reject(pos[0], domain.Reason(*reason), *note, *partnerNote, s.actor()))
}

func (s *requestCommands) cmdBadCitation(args []string) error {
	fs := newFlags("bad-citation")
	partnerNote := fs.String("partner-note", "", "what the borrowing library should fix")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "bad-citation REF --partner-note TEXT"); err != nil {
		return err
	}
	return s.done(s.desk.BadCitation(pos[0], *partnerNote, s.actor()))
}

func (s *requestCommands) cmdCancel(args []string) error {
	fs := newFlags("cancel")
	note := fs.String("note", "", "why")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "cancel REF [--note TEXT]"); err != nil {
		return err
	}
	return s.done(s.desk.Cancel(pos[0], *note, s.actor()))
}

func (s *requestCommands) cmdReceive(args []string) error {
	fs := newFlags("receive")
	barcode := fs.String("barcode", "", "barcode of the temporary item")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "receive REF --barcode CODE"); err != nil {
		return err
	}
	return s.done(s.desk.Receive(pos[0], *barcode, s.actor()))
}

func (s *requestCommands) cmdScan(args []string) error {
	fs := newFlags("scan")
	desk := fs.String("desk", "", "rs, pickup:LOCATION or digitization:NAME")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: illdesk scan --desk DESK CODE...")
	}
	by := s.actor()
	if *desk != "" {
		if by.Station, err = domain.ParseStation(*desk); err != nil {
			return usageError{err.Error()}
		}
	}
	refused := 0
	for _, code := range pos {
		res, err := s.desk.Scan(code, "", by)
		if err != nil {
			refused++
			fmt.Fprintf(s.stderr, "%s\n", err)
			continue
		}
		s.printf("%s\n", res.Message)
	}
	// Scans have always sent the patron notices whose grace period has
	// ended, so that a desk that works from the command line alone gets
	// them out; the dispatcher sends whatever else is due with them.
	if rep, err := s.sendDue(); err != nil || rep.Failed > 0 {
		fmt.Fprintf(s.stderr, "Some patron notices could not be sent yet; they are kept and retried (illdesk notices list).\n")
	}
	if refused > 0 {
		return fmt.Errorf("%d of %d scans refused; nothing changed for those", refused, len(pos))
	}
	return nil
}

func (s *requestCommands) cmdPreflight(args []string) error {
	fs := newFlags("preflight")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: illdesk preflight [--json] FILE...")
	}
	checker := preflight.New()
	reports := make([]domain.PreflightReport, 0, len(pos))
	rejected := 0
	for _, f := range pos {
		rep := checker.Preflight(f)
		if rep.Verdict == domain.VerdictReject {
			rejected++
		}
		reports = append(reports, rep)
	}
	if *asJSON {
		if err := s.printJSON(reports); err != nil {
			return err
		}
	} else {
		for _, r := range reports {
			s.printf("%s: %s (%s) — %s\n", r.File, r.Verdict, r.Reason, r.Message)
		}
	}
	if rejected > 0 {
		return fmt.Errorf("%d of %d files rejected", rejected, len(pos))
	}
	return nil
}

func (s *configCommands) cmdHoliday(args []string) error {
	if len(args) == 0 {
		return usagef("usage: illdesk holiday list | add DATE... | remove DATE...")
	}
	current := s.desk.Calendar().Holidays()
	switch args[0] {
	case "list":
		for _, h := range current {
			s.printf("%s\n", h)
		}
		return nil
	case "add":
		return s.desk.SetHolidays(append(current, args[1:]...), s.actor())
	case "remove":
		return s.desk.SetHolidays(slices.DeleteFunc(current, func(h string) bool { return slices.Contains(args[1:], h) }), s.actor())
	}
	return usagef("unknown holiday command %q: use list, add or remove", args[0])
}

// configKeys maps the command line's setting names to how they are set.
var configKeys = map[string]func(*domain.Settings, string){
	"catalogue-url":            func(s *domain.Settings, v string) { s.CatalogueURL = v },
	"scan-folder":              func(s *domain.Settings, v string) { s.ScanFolder = v },
	"digitization-departments": func(s *domain.Settings, v string) { s.DigitizationDepartments = strings.Split(v, ",") },
	"pickup-locations":         func(s *domain.Settings, v string) { s.PickupLocations = strings.Split(v, ",") },
	"barcode-pattern":          func(s *domain.Settings, v string) { s.BarcodePattern = v },
	"listen":                   func(s *domain.Settings, v string) { s.Listen = v },
}

func (s *configCommands) cmdConfig(args []string) error {
	const usage = "config show [--json] | config set KEY VALUE  (KEY: catalogue-url, scan-folder, digitization-departments, pickup-locations, barcode-pattern, listen, agency-id, public-url, attention-hours, backup-keep)"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	cur, err := s.desk.Settings()
	if err != nil {
		return err
	}
	switch args[0] {
	case "show":
		asJSON, err := jsonOnly("config show", args[1:], usage)
		if err != nil {
			return err
		}
		if asJSON {
			return s.printJSON(cur)
		}
		s.printf("catalogue-url             %s\n", cur.CatalogueURL)
		s.printf("scan-folder               %s\n", cur.ScanFolder)
		s.printf("digitization-departments %s\n", strings.Join(cur.DigitizationDepartments, ","))
		s.printf("pickup-locations          %s\n", strings.Join(cur.PickupLocations, ","))
		s.printf("barcode-pattern           %s\n", cur.BarcodePattern)
		s.printf("listen                    %s\n", cur.Listen)
		agency, err := s.desk.AgencyID()
		if err != nil {
			return err
		}
		public, err := s.desk.PublicURL()
		if err != nil {
			return err
		}
		s.printf("agency-id                 %s\n", agency)
		s.printf("public-url                %s\n", public)
		keep, err := s.desk.BackupKeep()
		if err != nil {
			return err
		}
		s.printf("backup-keep               %d\n", keep)
		return nil
	case "set":
		if len(args) != 3 {
			return usagef("usage: illdesk %s", usage)
		}
		switch args[1] {
		case "agency-id":
			if err := s.desk.SetAgencyID(args[2], s.actor()); err != nil {
				return err
			}
			s.printf("agency-id set.\n")
			return nil
		case "attention-hours":
			h, err := strconv.Atoi(args[2])
			if err != nil {
				return usagef("config set attention-hours takes a whole number of business hours, e.g. 24")
			}
			if err := s.desk.SetAttentionHours(h, s.actor()); err != nil {
				return err
			}
			s.printf("attention-hours set.\n")
			return nil
		case "backup-keep":
			n, err := strconv.Atoi(args[2])
			if err != nil {
				return usagef("config set backup-keep takes a whole number of daily backups to keep, e.g. 14 (0: none)")
			}
			if err := s.desk.SetBackupKeep(n, s.actor()); err != nil {
				return err
			}
			s.printf("backup-keep set.\n")
			return nil
		case "public-url":
			if err := s.desk.SetPublicURL(args[2], s.actor()); err != nil {
				return err
			}
			s.printf("public-url set.\n")
			return nil
		}
		set, ok := configKeys[args[1]]
		if !ok {
			return usagef("unknown setting %q; usage: illdesk %s", args[1], usage)
		}
		set(&cur, args[2])
		if err := s.desk.SaveSettings(cur, s.actor()); err != nil {
			return err
		}
		s.printf("%s set.\n", args[1])
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func (s *requestCommands) cmdUndo(args []string) error {
	fs := newFlags("undo")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "undo REF"); err != nil {
		return err
	}
	return s.done(s.desk.Undo(pos[0], s.actor()))
}

func (s *configCommands) cmdNotices(args []string) error {
	const usage = "notices list [--json] [--status queued|sent|failed|cancelled] | notices send | notices retry ID | notices template [--subject S] [--body-file F]"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	switch args[0] {
	case "list":
		fs := newFlags("notices list")
		asJSON := fs.Bool("json", false, "JSON output")
		status := fs.String("status", "", "queued, sent, failed or cancelled")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		ns, err := s.desk.Notices(domain.NoticeFilter{Status: domain.NoticeStatus(*status)})
		if err != nil {
			return err
		}
		if *asJSON {
			return s.printJSON(nonNil(ns))
		}
		if len(ns) == 0 {
			s.printf("No notices.\n")
			return nil
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tREQUEST\tTO\tSTATUS\tATTEMPTS\tWHERE / LAST ERROR")
		for _, n := range ns {
			where := n.Where
			if n.LastError != "" && n.Status != domain.NoticeSent {
				where = n.LastError
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", n.ID, n.Ref, n.To, n.Status.Label(), n.Attempts, where)
		}
		return tw.Flush()
	case "send":
		sent, failed, err := s.desk.Dispatcher().SendNotices(context.Background())
		if err != nil {
			return err
		}
		s.printf("%d sent, %d failed (failed notices are kept and retried).\n", sent, failed)
		if failed > 0 {
			return fmt.Errorf("%d notices could not be delivered; see illdesk notices list --status failed", failed)
		}
		return nil
	case "retry":
		if len(args) != 2 {
			return usagef("usage: illdesk %s", usage)
		}
		if err := s.desk.RetryNotice(args[1], s.actor()); err != nil {
			return err
		}
		return s.cmdNotices([]string{"send"})
	case "template":
		fs := newFlags("notices template")
		subject := fs.String("subject", "", "subject template")
		bodyFile := fs.String("body-file", "", "file holding the body template")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		t, err := s.desk.NoticeTemplate()
		if err != nil {
			return err
		}
		if *subject == "" && *bodyFile == "" {
			s.printf("Subject: %s\n\n%s\n\nFields: %s\n", t.Subject, t.Body, domain.NoticeFields)
			return nil
		}
		if *subject != "" {
			t.Subject = *subject
		}
		if *bodyFile != "" {
			b, err := os.ReadFile(s.local(*bodyFile))
			if err != nil {
				return fmt.Errorf("cannot read the body template: %w", err)
			}
			t.Body = string(b)
		}
		if err := s.desk.SetNoticeTemplate(t, s.actor()); err != nil {
			return err
		}
		s.printf("Notice template saved.\n")
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func (s *configCommands) cmdMail(args []string) error {
	const usage = "mail show | mail set --host HOST [--port P] [--tls starttls|tls|none] [--user U] [--password-stdin] --from ADDRESS | mail off"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	cur, err := s.desk.MailSettings()
	if err != nil {
		return err
	}
	switch args[0] {
	case "show":
		if !cur.SMTP() {
			s.printf("No SMTP server: notices are written as .eml files into the outbox folder.\n")
			return nil
		}
		s.printf("%s\n", cur.String())
		return nil
	case "off":
		return s.desk.SaveMailSettings(domain.MailSettings{From: cur.From}, s.actor())
	case "set":
		fs := newFlags("mail set")
		var m domain.MailSettings
		fromStdin := fs.Bool("password-stdin", false, "read the password from standard input and keep it in the system keyring")
		fs.StringVar(&m.Host, "host", "", "SMTP server")
		fs.IntVar(&m.Port, "port", 0, "port (default by TLS mode)")
		fs.StringVar(&m.TLS, "tls", domain.TLSStartTLS, "starttls, tls or none")
		fs.StringVar(&m.User, "user", "", "login")
		fs.StringVar(&m.From, "from", "", "sender address, e.g. 'Interlibrary Loan <ill@example.edu>'")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		if *fromStdin {
			if s.stdin == nil {
				return usagef("mail set: --password-stdin needs the password on standard input")
			}
			line, err := bufio.NewReader(s.stdin).ReadString('\n')
			if err != nil && line == "" {
				return usagef("mail set: no password on standard input")
			}
			m.Password = strings.TrimRight(line, "\r\n")
		}
		// Without a new password the one in the keyring is kept.
		if err := s.desk.SaveMailSettings(m, s.actor()); err != nil {
			return err
		}
		s.printf("Mail settings saved.\n")
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func (s *dataCommands) cmdSeed(args []string) error {
	fs := newFlags("seed")
	n := fs.Int("requests", 0, "how many requests to add")
	seed := fs.Uint64("seed", 1, "the same seed gives the same requests")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "seed --requests N [--seed S]"); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("seed: --requests must be a positive number")
	}
	start := time.Now()
	added, err := s.desk.Seed(*n, *seed, s.actor())
	if err != nil {
		return err
	}
	s.printf("Added %d requests in %s.\n", added, time.Since(start).Round(time.Millisecond))
	return nil
}
