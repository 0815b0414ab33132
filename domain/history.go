package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
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

// closingAction is the action that leads to a final state: staff's own
// rather than a lender's, where both do.
func closingAction(side Side, st State) Action {
	found := Action(st)
	for a, m := range machines[side] {
		if m.to != st {
			continue
		}
		if _, lender := lenderActionLabels[a]; !lender {
			return a
		}
		found = a
	}
	return found
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
