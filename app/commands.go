package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/pdf/preflight"
)

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
	service := fs.String("service", "", "copy, loan or copy-or-loan (default: copy)")
	needBefore := fs.String("need-before", "", "date the partner needs it by, YYYY-MM-DD")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "lend new --partner CODE --external-id ID --title T [options]"); err != nil {
		return err
	}
	if in.ServiceType, err = lendService(*service); err != nil {
		return err
	}
	if in.Format, err = domain.ParseFormat(*format); err != nil {
		return usageError{err.Error()}
	}
	if *needBefore != "" {
		if in.NeededBy, err = parseStatsDay(*needBefore); err != nil {
			return usageError{err.Error()}
		}
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
	var lenders listFlag
	fs := newFlags("borrow new")
	fs.Var(&lenders, "partner", "lending partner code; repeat it for a rota of lenders asked in turn")
	fs.StringVar(&in.Service, "service", "", "copy or loan (default: copy when an article title or pages are given)")
	fs.StringVar(&in.PartnerNote, "partner-note", "", "note sent to the lender")
	fs.StringVar(&in.PatronID, "patron-id", "", "the patron's id (sent only with config send-patron-id on)")
	needBefore := fs.String("need-before", "", "date the patron needs it by, YYYY-MM-DD")
	fs.StringVar(&in.ExternalID, "external-id", "", "the lender's request number")
	citationFlags(fs, &in.Citation)
	fs.StringVar(&in.Requester, "requester", "", "patron name")
	fs.StringVar(&in.RequesterEmail, "requester-email", "", "patron email")
	fs.StringVar(&in.Pickup, "pickup", "", "pickup location")
	fs.StringVar(&in.Note, "note", "", "internal note")
	allowBlocked := fs.Bool("allow-blocked", false, "create the request even when the ILS has a block on the patron")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "borrow new --title T --requester NAME --pickup LOCATION --partner CODE [--partner CODE...] [options]"); err != nil {
		return err
	}
	if in.Partners = lenders; len(lenders) == 1 {
		in.Partner, in.Partners = lenders[0], nil
	}
	if *needBefore != "" {
		if in.NeedBefore, err = parseStatsDay(*needBefore); err != nil {
			return usageError{err.Error()}
		}
	}
	// With an ILS set, the patron is looked up first, outside any
	// transaction: an unknown or blocked patron is refused before saving.
	// An ILS that cannot be reached does not stop the desk: staff are told
	// and the request is made with what they typed.
	if err := s.desk.FillPatron(context.Background(), &in, *allowBlocked); errors.Is(err, domain.ErrILSUnreachable) {
		fmt.Fprintf(s.stderr, "illdesk: the patron was not looked up: %v\n", err)
	} else if err != nil {
		return err
	}
	r, err := s.desk.NewBorrowing(in, s.actor())
	if err != nil {
		return err
	}
	s.printf("%s\n", r.ID)
	return nil
}

// cmdPatron asks the ILS for a patron: patron lookup ID [--json]. An
// unknown patron is refused with the ILS's words.
func (s *requestCommands) cmdPatron(args []string) error {
	const usage = "patron lookup ID [--json]"
	if len(args) == 0 || args[0] != "lookup" {
		return usagef("usage: illdesk %s", usage)
	}
	fs := newFlags("patron lookup")
	asJSON := fs.Bool("json", false, "JSON output: {id, name, email, blocked, problems}")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, usage); err != nil {
		return err
	}
	u, err := s.desk.LookUpPatron(context.Background(), pos[0])
	if err != nil {
		return err
	}
	u.Problems = nonNil(u.Problems)
	if *asJSON {
		return s.printJSON(u)
	}
	s.printf("%-8s %s\n%-8s %s\n%-8s %s\n", "ID", u.ID, "Name", u.Name, "Email", u.Email)
	if u.Blocked {
		s.printf("%-8s %s\n", "Blocked", strings.Join(u.Problems, "; "))
	}
	return nil
}

// ---- looking ----

// holdingLine is a catalogue holding on one line: where, call number,
// barcode and note, then where it came from.
func holdingLine(h domain.Holding) string {
	var parts []string
	for _, p := range []string{h.Location, h.CallNumber, h.ItemBarcode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	line := strings.Join(parts, ", ")
	if h.Note != "" {
		line += " (" + h.Note + ")"
	}
	return line + " — " + h.Source
}

// lookupLine says how the last holdings lookup went, "" when there was none
// or it found holdings (which show themselves).
func lookupLine(l *domain.HoldingsLookup) string {
	switch {
	case l == nil:
		return ""
	case l.Problem != "":
		return "Lookup failed " + l.At.Local().Format("2006-01-02 15:04") + ": " + l.Problem
	case l.NotFound:
		return "Not found in the catalogue (" + l.Source + ", " + l.At.Local().Format("2006-01-02 15:04") + ") — reject with reason NotHeld?"
	}
	return ""
}

// cmdHoldings looks the request's holdings up in the catalogue now and
// stores them; --json prints the holdings as show --json does.
func (s *requestCommands) cmdHoldings(args []string) error {
	fs := newFlags("holdings")
	asJSON := fs.Bool("json", false, "JSON output: the holdings list")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "holdings [--json] REF"); err != nil {
		return err
	}
	r, err := s.desk.LookUpHoldings(context.Background(), pos[0], s.actor())
	if err != nil {
		return err
	}
	if *asJSON {
		return s.printJSON(nonNil(r.CatalogueHoldings))
	}
	if line := lookupLine(r.Lookup); line != "" {
		s.printf("%s\n", line)
	}
	for _, h := range r.CatalogueHoldings {
		s.printf("%s\n", holdingLine(h))
	}
	for _, e := range r.EResources {
		s.printf("E-resource: %s %s\n", e.Name, e.URL)
	}
	return nil
}

// requestView is a request as the command line shows it in JSON.
type requestView struct {
	domain.Request
	StatusLabel   string              `json:"status_label"`
	Deadline      *time.Time          `json:"deadline"`
	TimeLeftHours *float64            `json:"time_left_hours,omitempty"`
	ShippedFile   *domain.ShippedFile `json:"shipped_file"`
	History       []domain.Event      `json:"history"`
	EResources    []domain.EResource  `json:"eresources"`
	// CurrentLender is the lender a rota's request is with now.
	CurrentLender string `json:"current_lender,omitempty"`
	// Holdings are the catalogue's, always a list.
	Holdings []domain.Holding `json:"holdings"`
	// OpenURL is the link to the library's link resolver, when one is set.
	OpenURL string `json:"openurl,omitempty"`
}

// views are the requests as the JSON output shows them. The link
// resolver's address is read once for them all: a list may hold tens of
// thousands, and on a department database each read is a round trip.
func (s *requestCommands) views(rs ...domain.Request) []requestView {
	set, err := s.desk.CatalogueSettings()
	if err != nil {
		set = domain.CatalogueSettings{} // no resolver link then, as ResolverLink
	}
	out := make([]requestView, 0, len(rs))
	for _, r := range rs {
		v := requestView{Request: r, StatusLabel: r.StatusLabel(), ShippedFile: r.ShippedFile,
			History: nonNil(r.History), EResources: nonNil(r.EResources), Holdings: nonNil(r.CatalogueHoldings),
			CurrentLender: r.CurrentLender()}
		if set.OpenURLBase != "" {
			v.OpenURL = domain.OpenURL(set.OpenURLBase, r.Citation)
		}
		if !r.Deadline.IsZero() {
			d := r.Deadline
			v.Deadline = &d
			if left, ok := s.desk.TimeLeft(r.Deadline); ok && r.ClockRuns() {
				h := math.Round(left.Hours()*10) / 10
				v.TimeLeftHours = &h
			}
		}
		out = append(out, v)
	}
	return out
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
		return s.printJSON(s.views(rs...))
	}
	if len(rs) == 0 {
		s.printf("No requests match.\n")
		return nil
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME LEFT\tID\tEXTERNAL ID\tSIDE\tSTATUS\tPARTNER\tTITLE")
	for _, r := range rs {
		// the id's last 8 characters: its first are a timestamp that
		// requests made together share, its last are random
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.timeLeft(r), r.ID[max(0, len(r.ID)-8):],
			r.ExternalID, r.Side, domain.FlaggedLabel(r.StatusLabel(), r.Flags...), r.Partner, truncate(r.Title, 50))
	}
	return tw.Flush()
}

// timeLeft writes the business time left as staff read it.
func (s *requestCommands) timeLeft(r domain.Request) string {
	left, ok := s.desk.TimeLeft(r.Deadline)
	if !ok || !r.ClockRuns() {
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
		return s.printJSON(s.views(r)[0])
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Request", r.ID)
	row("Request no.", r.RequestNumber)
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
	for _, h := range r.CatalogueHoldings {
		row("Holding", holdingLine(h))
	}
	row("Catalogue", lookupLine(r.Lookup))
	if e, ok := s.desk.ResolverLink(r); ok {
		row("E-resource", e.Name+" "+e.URL)
	}
	for _, e := range r.EResources {
		row("E-resource", e.Name+" "+e.URL)
	}
	row("Requester", strings.TrimSpace(r.Requester+" "+r.RequesterEmail))
	row("Pickup", r.Pickup)
	if !r.DueDate.IsZero() {
		row("Due", r.DueDate.Format(domain.DateLayout))
	}
	if r.Renewals > 0 {
		row("Renewals", fmt.Sprint(r.Renewals))
	}
	if !r.RenewAsked.IsZero() {
		row("Renewal asked", r.RenewAsked.Local().Format("2006-01-02 15:04")+" — answer with illdesk renew-answer")
	}
	if !r.RecalledAt.IsZero() {
		row("Recalled", r.RecalledAt.Local().Format(domain.DateLayout))
	}
	row("Retry of", r.RetryOf)
	row("Retried by", r.RetriedBy)
	showLender(row, r)
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
		if m.LastError != "" && m.Status != domain.MessageSent {
			s.printf("  message %s to %s: %s: %s\n", m.Summary, m.Partner, m.Status, m.LastError)
			continue
		}
		s.printf("  message %s to %s: %s %s\n", m.Summary, m.Partner, m.Status, m.Where)
	}
	dls, err := s.desk.Deliveries(id)
	if err != nil {
		return err
	}
	for _, d := range dls {
		s.printf("  file %s by %s: %s %s\n", d.File, d.Method, d.Status, firstOf(d.LastError, d.Where))
	}
	calls, err := s.desk.ILSCalls(id, false)
	if err != nil {
		return err
	}
	for _, c := range calls {
		s.printf("  ILS call %s of item %s: %s %s\n", c.Call, c.ItemBarcode, c.Status, firstOf(c.LastError, c.Note))
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
	patron := fs.String("patron-id", "", "the patron's id: a check-out must be to the request's patron")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: illdesk scan --desk DESK [--patron-id ID] CODE...")
	}
	by := s.actor()
	if *desk != "" {
		if by.Station, err = domain.ParseStation(*desk); err != nil {
			return usageError{err.Error()}
		}
	}
	refused := 0
	for _, code := range pos {
		res, err := s.desk.ScanWith(code, "", by, domain.CheckoutProof{PatronID: *patron})
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
