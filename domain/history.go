package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// History import: a department's past requests, read from a CSV file so that
// statistics start from its real history.
//
// The file has a header row naming its columns, in any order:
//
//	side         lending or borrowing (required)
//	external_id  the partner's request number (required for lending)
//	partner      the code of a partner already set up (required)
//	title        the requested title (required)
//	created      when the request arrived or was placed: YYYY-MM-DD or RFC 3339 (required)
//	closed       when it ended, same formats; empty for a request still open
//	final_state  the state it ended in, empty when open: shipped_digitally,
//	             rejected, bad_citation or cancelled (lending); completed or
//	             cancelled (borrowing)
//	reason       the ISO 18626 reject reason, required for rejected; optional
//	             for other closed requests (kept in the closing event's note)
//	requester, pickup, pages, note   optional
//
// Column names are read in any letter case; spaces and hyphens count as
// underscores ("External ID"). A column not listed here is an error, so that
// a misspelt name does not drop its data silently.

// HistoryResult counts the requests a history import stored. Problems lists
// the bad lines of a refused file.
type HistoryResult struct {
	Imported int              `json:"imported"`
	Open     int              `json:"open"`
	Closed   int              `json:"closed"`
	Problems []HistoryProblem `json:"problems,omitempty"`
}

// HistoryProblem is one bad line of a history file.
type HistoryProblem struct {
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (p HistoryProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// MaxHistoryProblems is how many bad lines a refused import reports.
const MaxHistoryProblems = 50

// History events are recorded by this actor at this desk.
const (
	historyActor = "history import"
	historyDesk  = "import"
	historyNote  = "Imported"
)

// historyColumns are the documented columns; required ones first.
var (
	historyRequired = []string{"side", "external_id", "partner", "title", "created", "closed", "final_state"}
	historyOptional = []string{"reason", "requester", "pickup", "pages", "note"}
)

// historyRow is one line of the file, checked but not yet stored.
type historyRow struct {
	line    int
	r       Request
	closed  time.Time
	final   State
	reasonN string // a reason given for a closed state other than rejected
}

// ImportHistory stores past requests read from a CSV history file (columns
// above). Every line is checked first; when any is bad nothing is stored and
// the *Refusal (ErrInvalidInput) lists the bad lines, which the result's
// Problems also holds. A good file is stored in one transaction. Importing
// history needs the Fulfillment Services role.
func (d *Desk) ImportHistory(r io.Reader, by Actor) (HistoryResult, error) {
	var res HistoryResult
	err := d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, by, RoleFulfillment, "Importing history"); err != nil {
			return err
		}
		rows, problems, err := d.readHistory(r)
		if err != nil {
			return err
		}
		problems = append(problems, d.checkHistoryInStore(tx, rows)...)
		if len(problems) > 0 {
			slices.SortStableFunc(problems, func(a, b HistoryProblem) int { return a.Line - b.Line })
			res.Problems = problems
			return historyRefusal(problems)
		}
		if len(rows) == 0 {
			return refuse(ErrInvalidInput, "The history file has no requests below its header row; nothing was imported.")
		}
		for _, row := range rows {
			rq, err := d.historyRequest(tx, row)
			if err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
			if err := tx.PutRequest(rq); err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
			res.Imported++
			if rq.State == Created {
				res.Open++
			} else {
				res.Closed++
			}
		}
		return nil
	})
	if err != nil {
		if res.Problems == nil {
			return HistoryResult{}, err
		}
		return HistoryResult{Problems: res.Problems}, err
	}
	return res, nil
}

func historyRefusal(problems []HistoryProblem) *Refusal {
	var b strings.Builder
	lines := map[int]bool{}
	for _, p := range problems {
		lines[p.Line] = true
	}
	n := len(lines)
	if n == 1 {
		b.WriteString("Nothing was imported: 1 line of the history file has a problem; correct it and import the file again.")
	} else {
		fmt.Fprintf(&b, "Nothing was imported: %d lines of the history file have problems; correct them and import the file again.", n)
	}
	for i, p := range problems {
		if i == MaxHistoryProblems {
			fmt.Fprintf(&b, "\n… and %d more.", len(problems)-MaxHistoryProblems)
			break
		}
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return refuse(ErrInvalidInput, "%s", b.String())
}

// normColumn is a header name as compared: lower case, underscores for spaces and hyphens.
func normColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// readHistory parses and checks the file on its own (partners and the
// database are checked by checkHistoryInStore). A file that cannot be read
// as CSV at all is an error; bad lines are problems.
func (d *Desk) readHistory(in io.Reader) ([]historyRow, []HistoryProblem, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var problems []HistoryProblem
	add := func(line int, format string, args ...any) {
		problems = append(problems, HistoryProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, refuse(ErrInvalidInput, "The history file is empty: it needs a header row naming its columns (%s).", strings.Join(historyRequired, ", "))
	}
	if err != nil {
		return nil, nil, csvRefusal(err)
	}
	col := map[string]int{}
	var unknown []string
	for i, h := range header {
		name := normColumn(h)
		switch {
		case name == "":
			add(1, "Column %d has no name in the header row.", i+1)
		case !slices.Contains(historyRequired, name) && !slices.Contains(historyOptional, name):
			unknown = append(unknown, fmt.Sprintf("%q", strings.TrimSpace(h)))
		default:
			if _, dup := col[name]; dup {
				add(1, "The column %q appears twice in the header row.", name)
				continue
			}
			col[name] = i
		}
	}
	if len(unknown) > 0 {
		word := "column"
		if len(unknown) > 1 {
			word = "columns"
		}
		add(1, "Unknown %s %s: the columns are %s (optional: %s).", word, strings.Join(unknown, ", "),
			strings.Join(historyRequired, ", "), strings.Join(historyOptional, ", "))
	}
	var missing []string
	for _, c := range historyRequired {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		add(1, "The header row lacks the required %s %s.", map[bool]string{true: "column", false: "columns"}[len(missing) == 1], strings.Join(missing, ", "))
		return nil, problems, nil // the lines cannot be read without them
	}

	now := d.clock.Now()
	loc := d.Calendar().location()
	var rows []historyRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.StartLine, "The line cannot be read as CSV (%v); the rest of the file was not checked.", pe.Err)
				break
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			add(line, "The line has %d fields but the header row names %d columns.", len(rec), len(header))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		before := len(problems)
		bad := func(format string, args ...any) { add(line, format, args...) }
		row := historyRow{line: line}
		rq := &row.r

		side, err := ParseSide(get("side"))
		if err != nil {
			bad("%q is not a side: use lending or borrowing.", get("side"))
		}
		rq.Side = side
		rq.ExternalID = get("external_id")
		switch {
		case len(rq.ExternalID) > 128 || strings.ContainsFunc(rq.ExternalID, func(r rune) bool { return r < ' ' }):
			bad("The external id %q is too long or contains control characters.", rq.ExternalID)
		case rq.ExternalID == "" && side == Lending:
			bad("A lending request needs the partner's request number in external_id.")
		}
		rq.Partner = get("partner")
		if rq.Partner == "" {
			bad("The partner is missing: give the code of a partner set up in ILL Desk.")
		}
		rq.Title = get("title")
		if rq.Title == "" {
			bad("The title is missing.")
		}
		created, okCreated := historyTime(get("created"), loc, "created", bad)
		if okCreated && get("created") == "" {
			bad("The created date is missing.")
			okCreated = false
		}
		if okCreated && created.After(now) {
			bad("The created date %s is in the future.", get("created"))
		}
		rq.Created = created
		closed, okClosed := historyTime(get("closed"), loc, "closed", bad)
		if okClosed && !closed.IsZero() && closed.After(now) {
			bad("The closed date %s is in the future.", get("closed"))
		}
		row.closed = closed

		fs := get("final_state")
		if fs != "" {
			st := State(strings.ToLower(fs))
			if side != "" && (!slices.Contains(States(side), st) || !st.Final(side)) {
				bad("%q is not a final state of a %s request: use %s, or leave final_state empty for an open request.", fs, side, finalList(side))
			} else if side != "" {
				row.final = st
			}
		}
		switch {
		case fs != "" && get("closed") == "":
			bad("The request ended as %s but its closed date is missing.", fs)
		case fs == "" && get("closed") != "":
			bad("The request has a closed date but no final_state: give the state it ended in.")
		}
		if okCreated && okClosed && !closed.IsZero() && closed.Before(created) {
			bad("The request was closed (%s) before it was created (%s).", get("closed"), get("created"))
		}
		reason := get("reason")
		switch {
		case row.final == Rejected:
			rs, err := ParseReason(reason)
			if err != nil {
				if reason == "" {
					bad("A rejected request needs its ISO 18626 reason in the reason column: one of %s.", reasonList())
				} else {
					bad("%q is not a reject reason: use one of %s.", reason, reasonList())
				}
			}
			rq.RejectReason = rs
		case reason != "" && fs == "":
			bad("The request is open but gives a reason (%q): a reason belongs to a closed request.", reason)
		default:
			row.reasonN = reason
		}
		rq.Requester = get("requester")
		rq.Pickup = get("pickup")
		rq.Pages = get("pages")
		rq.InternalNote = get("note")
		if len(problems) == before {
			rows = append(rows, row)
		}
	}
	return rows, problems, nil
}

// historyTime reads a date (midnight in the library's zone) or an RFC 3339
// time; an empty value is the zero time.
func historyTime(s string, loc *time.Location, column string, bad func(string, ...any)) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.ParseInLocation(DateLayout, s, loc); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	bad("The %s date %q is not a date: write YYYY-MM-DD (e.g. 2025-03-14) or an RFC 3339 time (e.g. 2025-03-14T09:30:00+01:00).", column, s)
	return time.Time{}, false
}

func finalList(side Side) string {
	var names []string
	for _, s := range States(side) {
		if s.Final(side) {
			names = append(names, string(s))
		}
	}
	return strings.Join(names, ", ")
}

// checkHistoryInStore checks what needs the database: that partners exist
// and that no external id repeats for a partner, in the file or stored.
func (d *Desk) checkHistoryInStore(tx Tx, rows []historyRow) []HistoryProblem {
	var problems []HistoryProblem
	add := func(line int, format string, args ...any) {
		problems = append(problems, HistoryProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{}
	type key struct{ partner, ext string }
	seen := map[key]int{}
	for _, row := range rows {
		p := row.r.Partner
		ok, checked := known[p]
		if !checked {
			_, err := tx.Partner(p)
			ok = err == nil
			known[p] = ok
		}
		if !ok {
			add(row.line, "No partner has the code %q: add the partner first (illdesk partner add).", p)
			continue
		}
		ext := row.r.ExternalID
		if ext == "" {
			continue
		}
		k := key{p, ext}
		if first, dup := seen[k]; dup {
			add(row.line, "Partner %s's request %s is already on line %d of this file.", p, ext, first)
			continue
		}
		seen[k] = row.line
		stored, err := tx.RequestsByExternalID(ext)
		if err != nil {
			add(row.line, "Cannot look up request %s: %v.", ext, err)
			continue
		}
		for _, s := range stored {
			if s.Partner == p {
				add(row.line, "Partner %s already has request %s in ILL Desk (%s, %s).", p, ext, s.Side, s.StatusLabel())
				break
			}
		}
	}
	return problems
}

// historyRequest builds the request of a checked line: a create event at its
// creation and, when closed, one event reaching its final state.
func (d *Desk) historyRequest(tx Tx, row historyRow) (Request, error) {
	p, err := partnerFor(tx, row.r.Partner)
	if err != nil {
		return Request{}, err
	}
	rq := row.r
	rq.ID = d.newID()
	rq.Partner = p.Code
	if rq.Side == Lending {
		// Borrowing requests carry no partner deadline, as NewBorrowing makes them.
		rq.Deadline = d.Calendar().AddBusinessHours(rq.Created, p.TurnaroundHours)
	}
	ev := Event{At: rq.Created, Actor: historyActor, Desk: historyDesk, Note: historyNote}
	if err := rq.Transition(ActCreate, ev); err != nil {
		return Request{}, err
	}
	if row.final == "" {
		return rq, nil
	}
	// The steps between creation and the end are not known, so the closing
	// event goes straight to the final state (a borrowing request reaches
	// completed without the receive, loan and return in between).
	note := historyNote
	if row.reasonN != "" {
		note += " (reason: " + row.reasonN + ")"
	}
	rq.History = append(rq.History, Event{At: row.closed, From: Created, To: row.final,
		Action: closingAction(rq.Side, row.final), Actor: historyActor, Desk: historyDesk, Note: note})
	rq.State = row.final
	return rq, nil
}

// closingAction is the action that leads to a final state.
func closingAction(side Side, st State) Action {
	for a, m := range machines[side] {
		if m.to == st {
			return a
		}
	}
	return Action(st)
}

// csvRefusal explains a header row that cannot be read as CSV.
func csvRefusal(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return refuse(ErrInvalidInput, "Nothing was imported: line %d of the history file cannot be read as CSV (%v).", pe.StartLine, pe.Err)
	}
	return err
}

// IsHistoryFile reports whether a file name is a history import (.csv, in
// any letter case) rather than an ISO 18626 message.
func IsHistoryFile(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".csv")
}
