package domain

import (
	"encoding/csv"
	"io"
	"strings"
	"time"
)

// AuditEntry is one line of the audit trail: a history event of a request,
// with the request it belongs to. Every change, undo, patron notice and
// partner message is one entry.
type AuditEntry struct {
	At         time.Time `json:"at"`
	RequestID  string    `json:"request_id"`
	Ref        string    `json:"ref"`
	ExternalID string    `json:"external_id"`
	// RequestNumber is the request's readable number (e.g. B-2026-00042),
	// for the window; `audit --json` keeps the shape scripts read.
	RequestNumber string `json:"-"`
	Side          Side   `json:"side"`
	Partner       string `json:"partner"`
	Action        Action `json:"action"`
	// ActionLabel is the action's name as staff know it.
	ActionLabel string `json:"action_label"`
	From        State  `json:"from"`
	To          State  `json:"to"`
	// Operator is who made the change (the event's Actor): an operator, a
	// partner's code for its messages, or the desk itself for mail and sending.
	Operator string `json:"operator"`
	Desk     string `json:"desk"`
	Note     string `json:"note"`
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	// Ref names one request: its id, external identifier, or the start or
	// end of its id, resolved like Desk.Find.
	Ref string
	// Operator matches the entry's operator ignoring case.
	Operator string
	// Since and Until bound the time of the entries, both inclusive.
	Since, Until time.Time
	// Action keeps entries of that action only.
	Action Action
	// Partner keeps entries of that partner's requests, ignoring case.
	Partner string
}

// match reports whether the event, of a request already selected by Ref and
// Partner, passes the rest of the filter.
func (f AuditFilter) match(ev Event) bool {
	switch {
	case f.Operator != "" && !strings.EqualFold(strings.TrimSpace(ev.Actor), strings.TrimSpace(f.Operator)):
		return false
	case !f.Since.IsZero() && ev.At.Before(f.Since):
		return false
	case !f.Until.IsZero() && ev.At.After(f.Until):
		return false
	case f.Action != "" && ev.Action != f.Action:
		return false
	}
	return true
}

func auditEntry(r Request, ev Event) AuditEntry {
	return AuditEntry{At: ev.At, RequestID: r.ID, Ref: r.Ref(), ExternalID: r.ExternalID, RequestNumber: r.RequestNumber, Side: r.Side,
		Partner: r.Partner, Action: ev.Action, ActionLabel: ev.Action.Label(), From: ev.From, To: ev.To,
		Operator: ev.Actor, Desk: ev.Desk, Note: ev.Note}
}

// AuditActions lists every action the history records, in workflow order:
// the state changes of both sides, then undo, patron notice, partner
// message and download link.
func AuditActions() []Action {
	return []Action{ActCreate, ActPick, ActPickArrived, ActShip, ActReject, ActBadCitation, ActCancel,
		ActReceive, ActHoldShelf, ActCheckout, ActCheckin, ActComplete,
		ActRequested, ActNextLender, ActResend, ActWillSupply, ActLenderLoaned, ActRetryPossible, ActCopyReceived,
		ActUnfilled, ActReturnToLender, ActLenderCompleted, ActLenderCancelled, ActClose, ActCopyDelivered, ActUndo, ActNotice, ActMessage, ActLink, ActConfigure,
		ActLoanToPartner, ActPartnerReturned, ActLoanReturned}
}

// ParseAction reads an action as typed by staff: its code (hold_shelf) or
// its label (Put on hold shelf), ignoring case; a dash may stand for the
// underscore.
func ParseAction(s string) (Action, error) {
	s = strings.TrimSpace(s)
	code := strings.ReplaceAll(strings.ToLower(s), "-", "_")
	var codes []string
	for _, a := range AuditActions() {
		if string(a) == code || strings.EqualFold(a.Label(), s) {
			return a, nil
		}
		codes = append(codes, string(a))
	}
	return "", refuse(ErrInvalidInput, "%q is not an action; use one of: %s.", s, strings.Join(codes, ", "))
}

// ParseAuditTime reads a bound of an audit period as typed by staff: a date
// YYYY-MM-DD in loc, or an RFC 3339 time. A date stands for the start of
// that day, or with endOfDay for its very end (the last nanosecond), so
// that a period "until" a date includes the whole day.
func ParseAuditTime(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.Local
	}
	if day, err := time.ParseInLocation(DateLayout, s, loc); err == nil {
		if endOfDay {
			y, m, d := day.Date()
			return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond), nil
		}
		return day, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, refuse(ErrInvalidInput,
		"%q is not a date: write YYYY-MM-DD (e.g. 2026-03-04) or an RFC 3339 time (e.g. 2026-03-04T09:30:00+01:00).", s)
}

// auditCSVHeader is the first row of an audit CSV export.
var auditCSVHeader = []string{"time", "request", "external_id", "side", "partner", "action", "from", "to", "operator", "desk", "note"}

// WriteAuditCSV writes the entries as CSV with a header row: times in RFC
// 3339, actions and states as their codes. Staff open these files in
// spreadsheets, so a cell that a spreadsheet would take for a formula
// (starting with =, +, -, @, a tab or a carriage return) is written with a
// leading apostrophe.
func WriteAuditCSV(w io.Writer, entries []AuditEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(auditCSVHeader); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{e.At.Format(time.RFC3339), e.RequestID, e.ExternalID, string(e.Side), e.Partner,
			string(e.Action), string(e.From), string(e.To), e.Operator, e.Desk, e.Note}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses a cell a spreadsheet would evaluate as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
