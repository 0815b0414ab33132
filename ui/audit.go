package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// AuditDialog is the audit log the top bar's history button opens.
type AuditDialog struct {
	link
	desk auditDesk
}

// auditDesk is what the audit log asks of the desk.
type auditDesk interface {
	Audit(f domain.AuditFilter) ([]domain.AuditEntry, error)
}

// AuditLog returns the audit trail for the filter fields as staff type them
// (operator, since date YYYY-MM-DD, request reference), newest first.
func (v *AuditDialog) AuditLog(operator, since, ref string) ([]domain.AuditEntry, error) {
	f := domain.AuditFilter{Operator: operator, Ref: ref}
	if strings.TrimSpace(since) != "" {
		t, err := domain.ParseAuditTime(since, nil, false)
		if err != nil {
			return nil, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", since)}
		}
		f.Since = t
	}
	return v.desk.Audit(f)
}

// auditColumn is a column of the audit log's table: its header, its share
// of the width left after every column's least width, and its text for an
// entry.
type auditColumn struct {
	title  string
	least  float32
	weight float32
	text   func(domain.AuditEntry) string
}

// auditColumns are the audit log's columns. States are the list's short
// labels, desks their names; the note is on one line, its whole text shown
// under the table when its row is selected.
var auditColumns = []auditColumn{
	{"When", 130, 0, func(e domain.AuditEntry) string { return e.At.Local().Format("2006-01-02 15:04") }},
	{"Request", 100, 1, auditRef},
	{"Action", 130, 2, func(e domain.AuditEntry) string { return e.ActionLabel }},
	{"From", 90, 1, func(e domain.AuditEntry) string {
		if e.From == e.To {
			return ""
		}
		return auditState(e.Side, e.From)
	}},
	{"To", 90, 1, func(e domain.AuditEntry) string { return auditState(e.Side, e.To) }},
	{"Operator", 80, 1, func(e domain.AuditEntry) string { return e.Operator }},
	{"Desk", 80, 1, func(e domain.AuditEntry) string { return deskName(e.Desk) }},
	{"Note", 80, 3, func(e domain.AuditEntry) string { return auditNote(e.Note) }},
}

// auditState is a state as the list shows it; "" for none.
func auditState(side domain.Side, s domain.State) string {
	if s == "" {
		return ""
	}
	return s.ShortLabel(side)
}

// deskName is the name of the desk an entry was made at, as recorded
// when it names none.
func deskName(desk string) string {
	if st, err := domain.ParseStation(desk); err == nil && strings.TrimSpace(desk) != "" {
		return st.Label()
	}
	return desk
}

// auditRef names an entry's request as the list does: its external
// identifier, else its number, rather than the id's random tail.
func auditRef(e domain.AuditEntry) string {
	if e.ExternalID == "" && e.RequestNumber != "" {
		return e.RequestNumber
	}
	return e.Ref
}

// auditNote is a note on one line, its arrows in words: Fyne draws "→"
// from its symbol font, which has no space, so the space after it showed
// as a box.
func auditNote(note string) string {
	return strings.ReplaceAll(domain.OneLine(note), " → ", " to ")
}

// auditDetail is the whole of an entry, the note wrapped, for the line
// under the table.
func auditDetail(e domain.AuditEntry) string {
	var parts []string
	for _, c := range auditColumns[:len(auditColumns)-1] {
		if t := c.text(e); t != "" {
			parts = append(parts, c.title+": "+t)
		}
	}
	text := strings.Join(parts, " · ")
	if e.Note != "" {
		text += "\n" + strings.ReplaceAll(e.Note, " → ", " to ")
	}
	return text
}

// auditTableLayout gives the table the space it is offered and shares the
// width among its columns, each at least its least width.
type auditTableLayout struct {
	table *auditTable
	width float32 // the width the columns were shared for
}

func (l *auditTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	if size.Width == l.width {
		return
	}
	l.width = size.Width
	for i, w := range auditWidths(size.Width) {
		l.table.SetColumnWidth(i, w)
	}
}

// auditWidths shares a table width among the columns: each its least
// width and its share of the rest, room left for the scroll bar and the
// separators between cells.
func auditWidths(width float32) []float32 {
	var least, weights float32
	for _, c := range auditColumns {
		least += c.least
		weights += c.weight
	}
	spare := max(width-least-theme.ScrollBarSize()-float32(len(auditColumns))*theme.Padding(), 0)
	out := make([]float32, len(auditColumns))
	for i, c := range auditColumns {
		out[i] = c.least + spare*c.weight/weights
	}
	return out
}

func (l *auditTableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, 120)
}

// auditTable is the audit log's table; Escape on it closes the dialog,
// as it does in the dialog's fields.
type auditTable struct {
	widget.Table
	escape func()
}

// TypedKey closes the dialog on Escape and moves through the cells on
// the other keys.
func (t *auditTable) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && t.escape != nil {
		t.escape()
		return
	}
	t.Table.TypedKey(k)
}

// newAuditTable shows entries as a table with a header row; chosen is
// called with the entry of the row staff select.
func newAuditTable(entries *[]domain.AuditEntry, chosen func(domain.AuditEntry), escape func()) *auditTable {
	t := &auditTable{escape: escape}
	t.Length = func() (int, int) { return len(*entries), len(auditColumns) }
	t.CreateCell = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(auditColumns[id.Col].text((*entries)[id.Row]))
	}
	t.ExtendBaseWidget(t)
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(auditColumns[id.Col].title)
		}
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(*entries) {
			chosen((*entries)[id.Row])
		}
	}
	return t
}

// ShowAudit opens the audit log: every change with who, where and when,
// in columns, filtered by operator, date and request, and exported as CSV.
func (v *AuditDialog) ShowAudit() {
	operator := v.dialogs.entry(false)
	operator.SetPlaceHolder("Operator")
	since := v.dialogs.entry(false)
	since.SetPlaceHolder("Since YYYY-MM-DD")
	ref := v.dialogs.entry(false)
	ref.SetPlaceHolder("Request (external id or id)")
	var entries []domain.AuditEntry
	detail := widget.NewLabel("Select an entry to read all of it.")
	detail.Wrapping = fyne.TextWrapWord
	table := newAuditTable(&entries, func(e domain.AuditEntry) { detail.SetText(auditDetail(e)) }, v.dialogs.escape)
	status := widget.NewLabel("")
	load := func() {
		var err error
		if entries, err = v.AuditLog(operator.Text, since.Text, ref.Text); err != nil {
			entries = nil
			status.SetText(v.dialogs.refusal(err))
		} else {
			status.SetText(fmt.Sprintf("%d entries", len(entries)))
		}
		table.UnselectAll()
		detail.SetText("Select an entry to read all of it.")
		table.Refresh()
	}
	for _, e := range []*keyEntry{operator, since, ref} {
		e.OnSubmitted = func(string) { load() }
	}
	export := v.dialogs.button("Export CSV…", nil, func() {
		v.dialogs.saveFile("Export the audit log", "illdesk-audit.csv", func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			defer w.Close()
			if err := domain.WriteAuditCSV(w, entries); err != nil {
				status.SetText("The CSV could not be written: " + err.Error())
				return
			}
			path := filepath.FromSlash(w.URI().Path()) // C:\... on Windows, as staff know it
			if w.URI().Scheme() == "file" {
				// the log names staff and patrons: readable by this user only
				_ = os.Chmod(path, 0o600)
			}
			status.SetText(fmt.Sprintf("%d entries written to %s", len(entries), path))
		})
	})
	filters := container.NewGridWithColumns(4, operator, since, ref, v.dialogs.button("Filter", nil, load))
	bottom := container.NewVBox(detail, container.NewBorder(nil, nil, nil, export, status))
	content := container.NewBorder(filters, bottom, nil, nil, container.New(&auditTableLayout{table: table}, table))
	load()
	v.dialogs.openTool("Audit log", content, fyne.NewSize(1200, 700), operator)
}
