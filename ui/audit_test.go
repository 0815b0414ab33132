package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// tableText is what a table shows: the header row, then each row's cells.
func tableText(t *auditTable) [][]string {
	rows, cols := t.Length()
	header := make([]string, cols)
	for c := range cols {
		o := t.CreateHeader()
		t.UpdateHeader(widget.TableCellID{Row: -1, Col: c}, o)
		header[c] = o.(*widget.Label).Text
	}
	out := [][]string{header}
	for r := range rows {
		row := make([]string, cols)
		for c := range cols {
			o := t.CreateCell()
			t.UpdateCell(widget.TableCellID{Row: r, Col: c}, o)
			row[c] = o.(*widget.Label).Text
		}
		out = append(out, row)
	}
	return out
}

func TestAuditLogIsATable(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))

	mw.auditLog.ShowAudit()
	tables := overlayWidgets[*auditTable](mw)
	require.Len(t, tables, 1)
	shown := tableText(tables[0])
	assert.Equal(t, []string{"When", "Request", "Action", "From", "To", "Operator", "Desk", "Note"}, shown[0])
	require.Len(t, shown, 4, "the header, the partner's settings, the reject, the create")
	reject := shown[2]
	assert.Equal(t, []string{"Rejected", "New", "Rejected", "tester", "RS desk"}, reject[2:7],
		"action, states and desk in words")
	for _, row := range shown[1:] {
		for c, cell := range row {
			if auditColumns[c].title != "Note" { // staff's notes and settings' keys are as written
				assert.NotContains(t, cell, "_", "no codes")
			}
			assert.NotContains(t, cell, "→", "no arrow Fyne's fonts draw with a box after it")
		}
	}
	for _, l := range overlayWidgets[*widget.Label](mw) {
		if l.Truncation == fyne.TextTruncateEllipsis {
			continue
		}
		assert.NotContains(t, l.Text, "→")
	}

	tables[0].Select(widget.TableCellID{Row: 1, Col: 0})
	assert.Contains(t, dialogText(mw), "Action: Rejected · From: New · To: Rejected", "the selected entry, whole")
	mw.Window().Canvas().Focus(tables[0])
	tables[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Escape on the table closes the log")
}

func TestAuditCells(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local)
	for _, tc := range []struct {
		name  string
		entry domain.AuditEntry
		want  []string
	}{
		{"a change at a pickup desk", domain.AuditEntry{At: at, Ref: "B-2026-00001", Side: domain.Borrowing, ActionLabel: "Put on hold shelf",
			From: domain.Received, To: domain.OnHoldShelf, Operator: "ann", Desk: "pickup:Main Library"},
			[]string{"2026-03-02 09:30", "B-2026-00001", "Put on hold shelf", "Received", "On hold shelf", "ann", "Main Library (pickup desk)", ""}},
		{"a borrowing request by its number, not its id", domain.AuditEntry{At: at, Ref: "3e1cc9a8", RequestNumber: "B-2026-00042", Side: domain.Borrowing,
			ActionLabel: "Created", To: domain.Created, Operator: "demo", Desk: "rs"},
			[]string{"2026-03-02 09:30", "B-2026-00042", "Created", "", "New", "demo", "RS desk", ""}},
		{"a lending request by the partner's id", domain.AuditEntry{At: at, Ref: "R-7", ExternalID: "R-7", RequestNumber: "L-2026-00007", Side: domain.Lending,
			ActionLabel: "Created", To: domain.Created, Operator: "demo", Desk: "rs"},
			[]string{"2026-03-02 09:30", "R-7", "Created", "", "New", "demo", "RS desk", ""}},
		{"a creation", domain.AuditEntry{At: at, Ref: "L-2026-00002", Side: domain.Lending, ActionLabel: "Created",
			To: domain.Created, Operator: "demo", Desk: "rs"},
			[]string{"2026-03-02 09:30", "L-2026-00002", "Created", "", "New", "demo", "RS desk", ""}},
		{"settings, a note with arrows", domain.AuditEntry{At: at, Ref: "settings", ActionLabel: "Settings changed",
			Operator: "staff", Desk: "rs", Note: "code: (none) → UMICH;\nemail: (none) → ill@umich.example.edu"},
			[]string{"2026-03-02 09:30", "settings", "Settings changed", "", "", "staff", "RS desk",
				"code: (none) to UMICH; email: (none) to ill@umich.example.edu"}},
		{"a desk that is no station", domain.AuditEntry{At: at, Ref: "x", ActionLabel: "Partner message", Operator: "RAPID", Desk: "iso18626"},
			[]string{"2026-03-02 09:30", "x", "Partner message", "", "", "RAPID", "iso18626", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range auditColumns {
				got = append(got, c.text(tc.entry))
			}
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, auditDetail(tc.entry), "→")
		})
	}
}

func TestAuditColumnsFit(t *testing.T) {
	// the dialog's table at 1024 and 1280 pixels wide, and a wide screen
	for _, width := range []float32{900, 1150, 1800} {
		sum := float32(0)
		for i, w := range auditWidths(width) {
			assert.GreaterOrEqual(t, w, auditColumns[i].least)
			sum += w
		}
		assert.LessOrEqual(t, sum, width, "no column past the edge at %v", width)
		assert.Greater(t, sum, width*0.9, "the columns use the width at %v", width)
	}
	assert.True(t, strings.Contains(auditNote("a → b"), "a to b"))
}
