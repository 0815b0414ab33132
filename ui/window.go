// Package ui is ILL Desk's Fyne window. Each pane is a struct that owns its
// widgets and talks only to the use-case layer, *domain.Desk.
package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// WindowTitle is the title of the main window; scripts find the window by it.
const WindowTitle = "ILL Desk"

// Columns of the request table, in display order.
const (
	colTimeLeft = iota
	colSide
	colExternalID
	colTitle
	colPartner
	colFormat
	colStatus
	numCols
)

// columnNames are the table's header labels, indexed by column.
var columnNames = [numCols]string{"Time left", "Side", "External id", "Title", "Partner", "Format", "Status"}

// columnSamples are typical widest contents, used to size the fixed columns to
// the theme's text. The title column takes the width that is left.
var columnSamples = [numCols]string{
	colTimeLeft:   "overdue 100h 59m",
	colSide:       "Borrowing",
	colExternalID: "RS-1234567890",
	colTitle:      "",
	colPartner:    "OCLC-123456",
	colFormat:     "Electronic",
	colStatus:     "Returned — in transit to RS desk",
}

// minTitleWidth is the narrowest the title column gets before the table scrolls sideways.
const minTitleWidth = 180

const (
	hintNoRequests = "## No requests yet\n\n" +
		"To begin, add a partner library from a terminal:\n\n" +
		"`illdesk partner add CODE --name NAME`\n\n" +
		"then record the requests partners send you with `illdesk lend new`,\n\n" +
		"and the items you request for your patrons with `illdesk borrow new`.\n\n" +
		"Quit ILL Desk before running them (they need the database this window has open),\n\n" +
		"then start it again to work on the requests here."
	hintNoneActive = "## No active requests\n\n" +
		"Every request is closed: shipped, rejected, cancelled or completed.\n\n" +
		"Record new ones with `illdesk lend new` or `illdesk borrow new`."
)

// row is one request as the table shows it, formatted once per Refresh so
// that drawing a cell only copies a string.
type row struct {
	cells   [numCols]string
	overdue bool
}

// MainWindow is ILL Desk's main window: a header naming the desk, the list
// of active requests (most urgent first) and a status line for errors.
type MainWindow struct {
	desk *domain.Desk
	at   domain.Station
	win  fyne.Window

	deskLabel  *widget.Label
	countLabel *widget.Label
	table      *widget.Table
	hint       *widget.RichText
	hintBox    *fyne.Container
	status     *widget.Label

	rows   []row
	hintMD string
}

// NewMainWindow builds the main window for staff working at station at and
// loads the active requests from the desk. Show the window with Window().
func NewMainWindow(a fyne.App, d *domain.Desk, at domain.Station) *MainWindow {
	w := &MainWindow{desk: d, at: at, win: a.NewWindow(WindowTitle)}

	w.deskLabel = widget.NewLabelWithStyle(at.Label(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.countLabel = widget.NewLabel("")
	header := container.NewHBox(w.deskLabel, w.countLabel)

	w.table = widget.NewTable(w.tableSize, newCell, w.updateCell)
	w.table.ShowHeaderRow = true
	w.table.CreateHeader = newHeaderCell
	w.table.UpdateHeader = updateHeaderCell
	fixed := w.sizeColumns()

	w.hint = widget.NewRichText()
	w.hintBox = container.NewCenter(w.hint)
	w.hintBox.Hide()
	body := container.NewStack(
		container.New(&stretchColumn{table: w.table, col: colTitle, fixed: fixed}, w.table),
		w.hintBox)

	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord

	w.win.SetContent(container.NewBorder(
		container.NewVBox(header, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), w.status),
		nil, nil, body))
	w.win.Resize(fyne.NewSize(1280, 800))
	w.Refresh()
	return w
}

// Window is the Fyne window, to show or run.
func (w *MainWindow) Window() fyne.Window { return w.win }

// Refresh reloads the active requests from the desk and redraws the list.
// Call it on the UI goroutine (from another goroutine, wrap it in fyne.Do).
// When the desk fails, the list keeps what it showed and the status line
// says what went wrong.
func (w *MainWindow) Refresh() {
	reqs, err := w.desk.List(domain.Filter{})
	if err != nil {
		w.showError(err)
		return
	}
	w.rows = w.rows[:0]
	for _, r := range reqs {
		left, ok := w.desk.TimeLeft(r)
		w.rows = append(w.rows, row{
			cells: [numCols]string{
				colTimeLeft:   formatTimeLeft(left, ok),
				colSide:       sideLabel(r.Side),
				colExternalID: r.Ref(),
				colTitle:      r.Title,
				colPartner:    r.Partner,
				colFormat:     r.Format.Label(),
				colStatus:     r.StatusLabel(),
			},
			overdue: ok && left < 0,
		})
	}
	w.countLabel.SetText(countText(len(w.rows)))

	if len(w.rows) == 0 {
		if err := w.showHint(); err != nil {
			w.showError(err)
			return
		}
	} else {
		w.hintBox.Hide()
		w.table.Show()
	}
	w.table.Refresh()
	w.setStatus("", widget.MediumImportance)
}

// showHint replaces the empty table with a message telling staff how to
// begin, or that every request is closed.
func (w *MainWindow) showHint() error {
	all, err := w.desk.List(domain.Filter{All: true})
	if err != nil {
		return err
	}
	md := hintNoRequests
	if len(all) > 0 {
		md = hintNoneActive
	}
	if md != w.hintMD {
		w.hintMD = md
		w.hint.ParseMarkdown(md)
	}
	w.table.Hide()
	w.hintBox.Show()
	return nil
}

// showError puts an error from the desk on the status line; its message is
// already a sentence for staff.
func (w *MainWindow) showError(err error) {
	w.setStatus(err.Error(), widget.DangerImportance)
}

func (w *MainWindow) setStatus(text string, imp widget.Importance) {
	if w.status.Text == text && w.status.Importance == imp {
		return
	}
	w.status.Importance = imp
	w.status.SetText(text)
}

func (w *MainWindow) tableSize() (rows, cols int) { return len(w.rows), numCols }

func newCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (w *MainWindow) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(w.rows) || id.Col < 0 || id.Col >= numCols {
		l.SetText("")
		return
	}
	r := &w.rows[id.Row]
	imp := widget.MediumImportance
	if id.Col == colTimeLeft && r.overdue {
		imp = widget.DangerImportance
	}
	l.Importance = imp
	l.SetText(r.cells[id.Col])
}

func newHeaderCell() fyne.CanvasObject {
	return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func updateHeaderCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row == -1 && id.Col >= 0 && id.Col < numCols {
		l.SetText(columnNames[id.Col])
		return
	}
	l.SetText("")
}

// sizeColumns gives each fixed column the width of its widest sample or
// header in the current theme and returns the widths, indexed by column.
func (w *MainWindow) sizeColumns() [numCols]float32 {
	// A truncating label cuts text that fills its width to the fraction of a
	// unit, so each column gets a padding's worth of slack.
	slack := w.table.Theme().Size(theme.SizeNamePadding)
	var widths [numCols]float32
	for c := range numCols {
		if c == colTitle {
			continue
		}
		// Measured without truncation: a truncating label's MinSize is tiny.
		sample := widget.NewLabel(columnSamples[c])
		h := newHeaderCell().(*widget.Label)
		h.SetText(columnNames[c])
		widths[c] = max(sample.MinSize().Width, h.MinSize().Width) + slack
		w.table.SetColumnWidth(c, widths[c])
	}
	w.table.SetColumnWidth(colTitle, minTitleWidth)
	return widths
}

func sideLabel(s domain.Side) string {
	switch s {
	case domain.Lending:
		return "Lending"
	case domain.Borrowing:
		return "Borrowing"
	}
	return string(s)
}

func countText(n int) string {
	switch n {
	case 0:
		return "No active requests"
	case 1:
		return "1 active request"
	}
	return strconv.Itoa(n) + " active requests"
}

// stretchColumn lays out a table to fill its space and gives one column all
// the width the other (fixed) columns leave, so long titles get the room.
type stretchColumn struct {
	table *widget.Table
	col   int
	fixed [numCols]float32
}

func (s *stretchColumn) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := s.table.Theme().Size(theme.SizeNamePadding)
	used := float32(numCols) * pad // a divider after every column
	for _, w := range s.fixed {
		used += w
	}
	s.table.SetColumnWidth(s.col, max(minTitleWidth, size.Width-used-pad))
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (s *stretchColumn) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objs {
		min = min.Max(o.MinSize())
	}
	return min
}
