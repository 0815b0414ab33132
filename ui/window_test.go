package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// testClock is a clock the test moves by hand.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// monday is a Monday morning; business hours then run without a weekend.
var monday = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// newTestDesk is a real desk over a fresh database in a temporary folder.
func newTestDesk(t *testing.T) (*domain.Desk, *storage.DB, *testClock) {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cal, err := domain.NewCalendar(time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: monday}
	return domain.NewDesk(domain.Config{Store: db, Clock: clock, Calendar: cal}), db, clock
}

// cellText draws one cell through the table's own callbacks and reads it.
func cellText(tb *widget.Table, row, col int) (string, widget.Importance) {
	o := tb.CreateCell()
	tb.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
	l := o.(*widget.Label)
	return l.Text, l.Importance
}

func rowTexts(tb *widget.Table, row int) []string {
	_, cols := tb.Length()
	out := make([]string, cols)
	for c := range out {
		out[c], _ = cellText(tb, row, c)
	}
	return out
}

func mustOK[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestMainWindowEmptyShowsHowToBegin(t *testing.T) {
	a := test.NewTempApp(t)
	desk, _, _ := newTestDesk(t)

	mw := NewMainWindow(a, desk, domain.RSDesk)

	if got := mw.Window().Title(); got != "ILL Desk" {
		t.Errorf("title = %q, want %q", got, "ILL Desk")
	}
	if got := mw.deskLabel.Text; got != "RS desk" {
		t.Errorf("desk label = %q, want %q", got, "RS desk")
	}
	if got := mw.countLabel.Text; got != "No active requests" {
		t.Errorf("count = %q, want %q", got, "No active requests")
	}
	if mw.table.Visible() || !mw.hintBox.Visible() {
		t.Errorf("table visible %v, hint visible %v; want the hint instead of the table", mw.table.Visible(), mw.hintBox.Visible())
	}
	hint := mw.hint.String()
	for _, want := range []string{"No requests yet", "illdesk partner add CODE --name NAME", "illdesk lend new", "illdesk borrow new"} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint %q does not mention %q", hint, want)
		}
	}
	if mw.status.Text != "" {
		t.Errorf("status = %q, want it empty", mw.status.Text)
	}
	_ = mw.Window().Canvas().Capture() // lays out and paints without panicking
}

func TestMainWindowListsActiveRequestsMostUrgentFirst(t *testing.T) {
	a := test.NewTempApp(t)
	desk, db, clock := newTestDesk(t)
	mw := NewMainWindow(a, desk, domain.Station{Kind: domain.StationPickup, Name: "Main Library"})
	staff := domain.Actor{Operator: "test", Station: domain.RSDesk}

	mustOK[domain.Partner](t)(desk.AddPartner(domain.Partner{Code: "SLOW", Name: "Slow Library", TurnaroundHours: 72}))
	mustOK[domain.Partner](t)(desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL"}))
	// Created first but due later: Monday 09:00 + 72 business hours = Thursday 09:00.
	slow := mustOK[domain.Request](t)(desk.NewLending(domain.LendingInput{
		Partner: "SLOW", ExternalID: "S-1", Format: domain.FormatPhysical,
		Citation: domain.Citation{Title: "A Slow Book"}}, staff))
	clock.now = monday.Add(time.Hour)
	// Created an hour later but due first: Tuesday 10:00.
	rapid := mustOK[domain.Request](t)(desk.NewLending(domain.LendingInput{
		Partner: "RAPID", ExternalID: "12345678", Format: domain.FormatElectronic,
		Citation: domain.Citation{Title: "Journal of Testing"}}, staff))

	mw.Refresh()

	if got := mw.deskLabel.Text; got != "Main Library (pickup desk)" {
		t.Errorf("desk label = %q", got)
	}
	if got := mw.countLabel.Text; got != "2 active requests" {
		t.Errorf("count = %q, want %q", got, "2 active requests")
	}
	if !mw.table.Visible() || mw.hintBox.Visible() {
		t.Errorf("table visible %v, hint visible %v; want the table", mw.table.Visible(), mw.hintBox.Visible())
	}
	if rows, cols := mw.table.Length(); rows != 2 || cols != 7 {
		t.Fatalf("table is %d×%d, want 2×7", rows, cols)
	}
	for c, want := range []string{"Time left", "Side", "External id", "Title", "Partner", "Format", "Status"} {
		h := mw.table.CreateHeader()
		mw.table.UpdateHeader(widget.TableCellID{Row: -1, Col: c}, h)
		if got := h.(*widget.Label).Text; got != want {
			t.Errorf("header %d = %q, want %q", c, got, want)
		}
	}
	wantRows := [][]string{
		{"24h", "Lending", "12345678", "Journal of Testing", "RAPID", "Electronic", rapid.StatusLabel()},
		{"71h", "Lending", "S-1", "A Slow Book", "SLOW", "Physical", slow.StatusLabel()},
	}
	for i, want := range wantRows {
		if got := rowTexts(mw.table, i); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %d = %q, want %q", i, got, want)
		}
	}
	_ = mw.Window().Canvas().Capture()

	// Thursday 13:00: both are late, the RAPID one by 51 business hours.
	clock.now = time.Date(2026, time.March, 5, 13, 0, 0, 0, time.UTC)
	mw.Refresh()
	for i, want := range []string{"overdue 51h", "overdue 4h"} {
		got, imp := cellText(mw.table, i, colTimeLeft)
		if got != want || imp != widget.DangerImportance {
			t.Errorf("row %d time left = %q (importance %v), want %q in danger", i, got, imp, want)
		}
	}
	if got, imp := cellText(mw.table, 0, colTitle); imp != widget.MediumImportance {
		t.Errorf("title cell %q has importance %v, want medium", got, imp)
	}

	// A failing desk: the list keeps its rows and the status line says why.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mw.Refresh()
	if mw.status.Text == "" || mw.status.Importance != widget.DangerImportance {
		t.Errorf("status = %q (importance %v), want the error in danger", mw.status.Text, mw.status.Importance)
	}
	if rows, _ := mw.table.Length(); rows != 2 {
		t.Errorf("after an error the table has %d rows, want the 2 it had", rows)
	}
}

func TestMainWindowAllClosedSaysSo(t *testing.T) {
	a := test.NewTempApp(t)
	desk, _, _ := newTestDesk(t)
	staff := domain.Actor{Station: domain.RSDesk}
	mustOK[domain.Partner](t)(desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL"}))
	r := mustOK[domain.Request](t)(desk.NewLending(domain.LendingInput{
		Partner: "RAPID", ExternalID: "1", Citation: domain.Citation{Title: "Gone"}}, staff))
	mustOK[domain.Request](t)(desk.Reject(r.ID, domain.ReasonNotHeld, "", "", staff))

	mw := NewMainWindow(a, desk, domain.RSDesk)

	if !mw.hintBox.Visible() {
		t.Fatal("hint not shown when every request is closed")
	}
	if hint := mw.hint.String(); !strings.Contains(hint, "No active requests") || strings.Contains(hint, "partner add") {
		t.Errorf("hint = %q, want the all-closed message", hint)
	}
}
