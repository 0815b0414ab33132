package domain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openHistory(t *testing.T, name string) *os.File {
	t.Helper()
	fh, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	t.Cleanup(func() { fh.Close() })
	return fh
}

func requestsByExt(t *testing.T, f *deskFixture) map[string]Request {
	t.Helper()
	out := map[string]Request{}
	require.NoError(t, f.store.View(func(tx Tx) error {
		return tx.ForEachRequest(func(r Request) error {
			key := r.ExternalID
			if key == "" {
				key = r.Title
			}
			out[key] = r
			return nil
		})
	}))
	return out
}

func TestImportHistoryGoodFile(t *testing.T) {
	f := newDeskFixture(t)
	res, err := f.desk.ImportHistory(openHistory(t, "history_good.csv"), atRS)
	require.NoError(t, err)
	assert.Equal(t, HistoryResult{Imported: 8, Open: 2, Closed: 6}, res)

	got := requestsByExt(t, f)
	require.Len(t, got, 8)
	ids := map[string]bool{}
	for _, r := range got {
		ids[r.ID] = true
		assert.NotEmpty(t, r.ID)
		for _, ev := range r.History {
			assert.Equal(t, "history import", ev.Actor)
			assert.Equal(t, "import", ev.Desk)
			assert.True(t, strings.HasPrefix(ev.Note, "Imported"), ev.Note)
		}
	}
	assert.Len(t, ids, 8, "every request gets a new id")

	day := func(s string) time.Time {
		d, err := time.Parse(DateLayout, s)
		require.NoError(t, err)
		return d
	}

	l1 := got["L-1"]
	assert.Equal(t, Lending, l1.Side)
	assert.Equal(t, ShippedDigitally, l1.State)
	assert.Equal(t, "RAPID", l1.Partner)
	assert.Equal(t, "Journal of Testing", l1.Title)
	assert.Equal(t, "12-30", l1.Pages)
	assert.True(t, l1.Created.Equal(day("2026-02-02")))
	// Monday 00:00 + 24 business hours (RAPID's turnaround) = Tuesday 00:00.
	assert.True(t, l1.Deadline.Equal(day("2026-02-03")), "deadline %s", l1.Deadline)
	require.Len(t, l1.History, 2)
	assert.Equal(t, Event{At: day("2026-02-02"), From: "", To: Created, Action: ActCreate, Actor: "history import", Desk: "import", Note: "Imported"}, l1.History[0])
	assert.Equal(t, Event{At: day("2026-02-03"), From: Created, To: ShippedDigitally, Action: ActShip, Actor: "history import", Desk: "import", Note: "Imported"}, l1.History[1])

	l2 := got["L-2"]
	assert.Equal(t, Rejected, l2.State)
	assert.Equal(t, ReasonNotHeld, l2.RejectReason)
	assert.Equal(t, "Annals of Desks, vol. 3", l2.Title)
	assert.True(t, l2.History[1].At.Equal(time.Date(2026, 2, 4, 11, 0, 0, 0, time.UTC)))
	assert.Equal(t, ActReject, l2.History[1].Action)

	l3 := got["L-3"]
	assert.Equal(t, BadCitation, l3.State)
	assert.Equal(t, "BVB", l3.Partner)
	assert.Equal(t, "volume unclear", l3.InternalNote)
	// Friday 12:00 + 48 business hours (BVB) skips the weekend: Tuesday 12:00.
	assert.True(t, l3.Deadline.Equal(time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)), "deadline %s", l3.Deadline)

	l4 := got["L-4"]
	assert.Equal(t, Cancelled, l4.State)
	assert.Empty(t, l4.RejectReason, "only rejected requests carry a reject reason")
	assert.Equal(t, "Imported (reason: Other)", l4.History[1].Note)

	l5 := got["L-5"]
	assert.Equal(t, Created, l5.State)
	assert.True(t, l5.Active())
	require.Len(t, l5.History, 1)
	// Monday 09:30 + 24 business hours = Tuesday 09:30.
	assert.True(t, l5.Deadline.Equal(time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC)), "deadline %s", l5.Deadline)

	b1 := got["B-1"]
	assert.Equal(t, Borrowing, b1.Side)
	assert.Equal(t, Completed, b1.State)
	assert.Equal(t, "Pat Patron", b1.Requester)
	assert.Equal(t, "Main Library", b1.Pickup)
	assert.True(t, b1.Deadline.IsZero(), "borrowing requests have no partner deadline")
	assert.Equal(t, ActComplete, b1.History[1].Action)
	assert.Equal(t, Completed, b1.History[1].To)

	nc := got["Never Came"]
	assert.Equal(t, Cancelled, nc.State)
	assert.Empty(t, nc.ExternalID)

	b2 := got["B-2"]
	assert.Equal(t, Created, b2.State)
	assert.Equal(t, "Science Library", b2.Pickup)

	// Importing the same file again refuses every line as a duplicate.
	before := f.store.snapshot()
	res, err = f.desk.ImportHistory(openHistory(t, "history_good.csv"), atRS)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Len(t, res.Problems, 7, "the request without external id cannot be a duplicate")
	assert.Contains(t, err.Error(), "line 2: Partner RAPID already has request L-1")
	assert.Equal(t, before, f.store.snapshot())
}

func TestImportHistoryBadFileStoresNothing(t *testing.T) {
	f := newDeskFixture(t)
	f.lending("RAPID", "EXIST-1")
	before := f.store.snapshot()

	res, err := f.desk.ImportHistory(openHistory(t, "history_bad.csv"), atRS)
	require.Error(t, err)
	var ref *Refusal
	require.True(t, errors.As(err, &ref))
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, before, f.store.snapshot(), "nothing is stored when a line is bad")

	want := map[int]string{
		1: `Unknown column "notes"`,
		3: `The created date "2026-02-30" is not a date`,
		4: `"lost" is not a final state of a lending request`,
		5: "A rejected request needs its ISO 18626 reason",
		6: "closed (2026-02-03) before it was created (2026-02-10)",
		7: `No partner has the code "ZZZ"`,
		8: "Partner RAPID's request G-1 is already on line 2 of this file.",
		9: "Partner RAPID already has request EXIST-1 in ILL Desk",
	}
	var lines []int
	for _, p := range res.Problems {
		lines = append(lines, p.Line)
		assert.Contains(t, p.Msg, want[p.Line], "line %d", p.Line)
		assert.Contains(t, err.Error(), p.String())
	}
	assert.Equal(t, []int{1, 3, 4, 5, 6, 7, 8, 9}, lines)
	assert.True(t, strings.HasPrefix(err.Error(), "Nothing was imported: 8 lines of the history file have problems"), err.Error())
	assert.NotContains(t, err.Error(), "line 2:", "the good line is not reported")
}

func TestImportHistoryRefusals(t *testing.T) {
	head := "side,external_id,partner,title,created,closed,final_state\n"
	cases := []struct {
		name, csv, want string
	}{
		{"empty file", "", "The history file is empty"},
		{"header only", head, "no requests below its header row"},
		{"missing column", "side,partner,title,created\nlending,RAPID,T,2026-01-05\n", "line 1: The header row lacks the required columns external_id, closed, final_state."},
		{"duplicate column", "side,side,external_id,partner,title,created,closed,final_state\n", `line 1: The column "side" appears twice`},
		{"unknown side", head + "sideways,X1,RAPID,T,2026-01-05,,\n", `line 2: "sideways" is not a side`},
		{"borrowing state on lending", head + "lending,X1,RAPID,T,2026-01-05,2026-01-06,completed\n", `"completed" is not a final state of a lending request: use shipped_digitally, rejected, bad_citation, cancelled`},
		{"open state", head + "borrowing,X1,RAPID,T,2026-01-05,2026-01-06,loaned\n", `"loaned" is not a final state of a borrowing request`},
		{"final state without closed", head + "lending,X1,RAPID,T,2026-01-05,,cancelled\n", "closed date is missing"},
		{"closed without final state", head + "lending,X1,RAPID,T,2026-01-05,2026-01-06,\n", "no final_state"},
		{"lending without external id", head + "lending,,RAPID,T,2026-01-05,,\n", "needs the partner's request number"},
		{"missing title", head + "lending,X1,RAPID,,2026-01-05,,\n", "The title is missing."},
		{"missing created", head + "lending,X1,RAPID,T,,,\n", "The created date is missing."},
		{"future", head + "lending,X1,RAPID,T,2027-01-05,,\n", "is in the future"},
		{"field count", head + "lending,X1,RAPID\n", "line 2: The line has 3 fields but the header row names 7 columns."},
		{"bad quotes", head + "lending,X1,RAPID,\"T\"x,2026-01-05,,\n", "line 2: The line cannot be read as CSV"},
		{"unknown reason", "side,external_id,partner,title,created,closed,final_state,reason\nlending,X1,RAPID,T,2026-01-05,2026-01-06,rejected,Bored\n", `"Bored" is not a reject reason`},
		{"reason on open request", "side,external_id,partner,title,created,closed,final_state,reason\nlending,X1,RAPID,T,2026-01-05,,,NotHeld\n", "a reason belongs to a closed request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newDeskFixture(t)
			before := f.store.snapshot()
			_, err := f.desk.ImportHistory(strings.NewReader(tc.csv), atRS)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, before, f.store.snapshot())
		})
	}
}

func TestImportHistoryManyBadLinesAreCapped(t *testing.T) {
	f := newDeskFixture(t)
	var b strings.Builder
	b.WriteString("side,external_id,partner,title,created,closed,final_state\n")
	for range 60 {
		b.WriteString("lending,X,RAPID,T,not-a-date,,\n")
	}
	res, err := f.desk.ImportHistory(strings.NewReader(b.String()), atRS)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Len(t, res.Problems, 60)
	assert.Contains(t, err.Error(), "line 51: ")
	assert.NotContains(t, err.Error(), "line 52: ")
	assert.Contains(t, err.Error(), "… and 10 more.")
}

func TestImportHistoryNeedsFulfillment(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	before := f.store.snapshot()
	_, err := f.desk.ImportHistory(openHistory(t, "history_good.csv"), as("rita", RSDesk))
	require.ErrorIs(t, err, ErrNotAllowed)
	assert.Equal(t, before, f.store.snapshot())

	res, err := f.desk.ImportHistory(openHistory(t, "history_good.csv"), as("finn", RSDesk))
	require.NoError(t, err)
	assert.Equal(t, 8, res.Imported)
}

func TestImportHistoryReadsSpreadsheetExports(t *testing.T) {
	f := newDeskFixture(t)
	// A byte-order mark, capitalised names with spaces, columns in another order.
	csv := "\ufeffTitle,Partner,Final State,Closed,Created,External ID,Side\r\n" +
		"\"Quoted, with comma\",RAPID,cancelled,2026-02-03,2026-02-02,X-1,Lending\r\n"
	res, err := f.desk.ImportHistory(strings.NewReader(csv), atRS)
	require.NoError(t, err)
	assert.Equal(t, HistoryResult{Imported: 1, Closed: 1}, res)
	r := requestsByExt(t, f)["X-1"]
	assert.Equal(t, "Quoted, with comma", r.Title)
	assert.Equal(t, Cancelled, r.State)
	assert.Equal(t, Lending, r.Side)
}
