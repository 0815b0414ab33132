package ui

import (
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// column is one column of the request list.
type column struct {
	title  string
	sample string // typical widest content, to size the column
	text   func(l *RequestList, r *domain.Summary) string
	// stretch marks the column that takes the width the others leave.
	stretch bool
	dot     bool // draw the format dot before the text
	mark    bool // the batch check box
	// own marks a column whose text differs from row to row: each cell
	// draws it into an image of its own (see rowText).
	own bool
	// urgency marks the column whose sort is the list's own order, most
	// urgent first; field is what any other column sorts by.
	urgency bool
	field   domain.SortField
}

// lendingColumns and borrowingColumns are the list's columns for each side.
var (
	lendingColumns = []column{
		markColumn,
		{title: "Time left", sample: "OVERDUE 99h", own: true, urgency: true, text: func(l *RequestList, r *domain.Summary) string {
			if !r.ClockRuns() {
				if r.Active() && !r.DueDate.IsZero() {
					return "due " + r.DueDate.Format(domain.DateLayout)
				}
				return ""
			}
			left, ok := l.desk.TimeLeft(r.Deadline)
			return formatTimeLeft(left, ok)
		}},
		{title: "External id", sample: "UM-ISO-550019", own: true, field: domain.SortRef, text: func(_ *RequestList, r *domain.Summary) string { return r.ListRef() }},
		{title: "Title", stretch: true, own: true, field: domain.SortTitle, text: func(_ *RequestList, r *domain.Summary) string { return r.ListTitle() }},
		// Status comes before the columns a narrow window scrolls out of view.
		{title: "Status", sample: "Pick requested", field: domain.SortState, text: func(_ *RequestList, r *domain.Summary) string { return r.State.ShortLabel(r.Side) }},
		{title: "Partner", sample: "OCLC-ZCU", field: domain.SortPartner, text: func(_ *RequestList, r *domain.Summary) string { return r.Partner }},
		{title: "Fmt", sample: "", dot: true, field: domain.SortFormat, text: func(_ *RequestList, _ *domain.Summary) string { return "" }},
	}
	borrowingColumns = []column{
		markColumn,
		numberColumn,
		{title: "Title", stretch: true, own: true, field: domain.SortTitle, text: func(_ *RequestList, r *domain.Summary) string { return r.Title }},
		// Status comes before the columns a narrow window scrolls out of view.
		{title: "Status", sample: "Shipped to us — overdue", field: domain.SortState, text: func(_ *RequestList, r *domain.Summary) string { return shortFlaggedStatus(r) }},
		{title: "Requester", sample: "Katherine Johnson", own: true, field: domain.SortRequester, text: func(_ *RequestList, r *domain.Summary) string { return r.Requester }},
		{title: "Pickup", sample: "Science Library", field: domain.SortPickup, text: func(_ *RequestList, r *domain.Summary) string { return r.Pickup }},
		{title: "Partner", sample: "OCLC-ZCU12", field: domain.SortPartner, text: func(_ *RequestList, r *domain.Summary) string { return r.Partner }},
		{title: "Item barcode", sample: "39200000101", own: true, field: domain.SortBarcode, text: func(_ *RequestList, r *domain.Summary) string { return r.ItemBarcode }},
		{title: "Due", sample: "OVERDUE 2026-12-31", own: true, urgency: true, text: func(l *RequestList, r *domain.Summary) string {
			if r.DueDate.IsZero() {
				return ""
			}
			if r.Active() && r.DueDate.Before(l.desk.Now()) {
				return "OVERDUE " + r.DueDate.Format(domain.DateLayout)
			}
			return r.DueDate.Format(domain.DateLayout)
		}},
	}
)

// markColumn holds the check box that marks a request for a batch action.
var markColumn = column{title: "", mark: true, text: func(*RequestList, *domain.Summary) string { return "" }}

// settleCells and settleDelay say when the list has settled after scrolling:
// once it has drawn about four screens of cells and then none for a fifth of
// a second.
const (
	settleCells = 600
	settleDelay = 200 * time.Millisecond
)

// noteDrawn counts a cell drawn and schedules the check for the list settling.
func (l *RequestList) noteDrawn() {
	if l.onSettled == nil {
		return
	}
	l.drawn++
	l.fresh++
	if l.settling || l.drawn < settleCells {
		return
	}
	l.settling = true
	l.after(settleDelay, l.checkSettled)
}

// checkSettled calls onSettled when no cell has been drawn since the last
// check, and otherwise looks again after settleDelay.
func (l *RequestList) checkSettled() {
	if l.fresh > 0 {
		l.fresh = 0
		l.after(settleDelay, l.checkSettled)
		return
	}
	l.settling, l.drawn = false, 0
	l.onSettled()
}

// minStretchWidth is the narrowest the title column gets before the list scrolls sideways.
const minStretchWidth = 140

// RequestList is the list's table (ListPane's view): the virtualized list
// of requests, most urgent first, with the selected row highlighted; it
// follows the keys that move through it.
type RequestList struct {
	desk     *domain.Desk
	table    *widget.Table
	sizer    *stretchLayout
	side     domain.Side
	cols     []column
	rows     listRows
	selected int // row index, -1 for none
	waiting  map[string]bool
	// marked holds the requests marked for a batch action, by id.
	marked map[string]bool

	// sortCol and sortDesc are the column the list is sorted by and its
	// direction, as the headers show them; onSort is called when staff
	// click a header, with its column.
	sortCol  int
	sortDesc bool
	onSort   func(col int)
	// prefs remembers the widths staff give columns; box holds the table;
	// measuring is set while the columns are given their widths.
	prefs     fyne.Preferences
	box       *fyne.Container
	measuring bool
	// onSelect is called when staff pick a row with the mouse.
	onSelect func(id string)
	// open selects the request with the id, loading its details.
	open func(id string)
	// While staff move through the list with the keys faster than
	// navDelay, navTarget is the request the keys have led to and navRow
	// its row, navKeys counts the keys since the last step, navPending says
	// its details wait, navBurst counts the bursts, and navQuiet is when a
	// move may load at once.
	navTarget  string
	navRow     int
	navKeys    int
	navPending bool
	navBurst   int
	navQuiet   time.Time
	// onMark is called when a request is marked or unmarked.
	onMark func()
	// onSettled, when set, is called once the list has drawn at least
	// settleCells cells and then stood still for settleDelay: scrolled with
	// the wheel or paged through with the keys. after schedules the check
	// on Fyne's goroutine.
	onSettled func()
	after     func(d time.Duration, fn func())
	// drawn counts the cells drawn since the list last settled, fresh
	// those since the last check, and settling says a check is scheduled.
	drawn, fresh int
	settling     bool
}

func newRequestList(d *domain.Desk, prefs fyne.Preferences) *RequestList {
	l := &RequestList{rows: domain.Rows{}, desk: d, prefs: prefs, side: domain.Lending, cols: lendingColumns, selected: -1, sortCol: urgencyColumn(lendingColumns), waiting: map[string]bool{}, marked: map[string]bool{}}
	l.table = widget.NewTable(l.size, newListCell, l.updateCell)
	l.table.ShowHeaderRow = true
	l.table.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(l.tapHeader) }
	l.table.UpdateHeader = l.updateHeader
	l.table.OnSelected = func(id widget.TableCellID) {
		l.table.UnselectAll()
		if id.Row >= 0 && id.Row < l.rows.Len() && id.Col >= 0 && id.Col < len(l.cols) && l.cols[id.Col].mark {
			l.toggleMark(l.rows.ID(id.Row))
			return
		}
		if id.Row >= 0 && id.Row < l.rows.Len() {
			l.selectRow(id.Row)
			if l.onSelect != nil {
				l.onSelect(l.rows.ID(id.Row))
			}
		}
	}
	l.sizer = &stretchLayout{list: l}
	l.sizer.measure()
	l.box = container.New(l.sizer, l.table)
	return l
}

// updateHeader shows a column's title, with the arrow of the sort on the
// column the list is sorted by.
func (l *RequestList) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*headerCell)
	h.col = id.Col
	if id.Col < 0 || id.Col >= len(l.cols) {
		h.show("", nil)
		return
	}
	var arrow fyne.Resource
	if id.Col == l.sortCol {
		arrow = theme.MenuDropUpIcon()
		if l.sortDesc {
			arrow = theme.MenuDropDownIcon()
		}
	}
	h.show(l.cols[id.Col].title, arrow)
	// widget.Table resizes a column whose header's edge staff drag, and
	// says nothing: its header, laid out just before, tells
	if w := h.Size().Width; w > 0 && !l.measuring && id.Col < len(l.sizer.shown) && w != l.sizer.shown[id.Col] {
		l.columnResized(id.Col, w)
	}
}

// tapHeader sorts the list by the column whose header was clicked.
func (l *RequestList) tapHeader(col int) {
	if l.onSort != nil {
		l.onSort(col)
	}
}

// setSort shows the arrow of the sort on its column's header.
func (l *RequestList) setSort(col int, desc bool) {
	if col == l.sortCol && desc == l.sortDesc {
		return
	}
	l.sortCol, l.sortDesc = col, desc
	l.table.Refresh()
}

// urgencyColumn is the column whose sort is the list's own order.
func urgencyColumn(cols []column) int {
	return slices.IndexFunc(cols, func(c column) bool { return c.urgency })
}

// sortKey is what a column sorts by (the domain's key of its field).
func (l *RequestList) sortKey(col int) func(*domain.Summary) string {
	field := l.cols[col].field
	return func(r *domain.Summary) string { return r.SortKey(field) }
}

// order is the list's order as the server is asked for it: the column
// sorted by and its direction.
func (l *RequestList) order(col int, desc bool) domain.ListOrder {
	return domain.ListOrder{By: l.cols[col].field, Desc: desc}
}

// headerCell is a column's header: its title, the arrow of the sort when
// the list is sorted by it, and a click that sorts by it.
type headerCell struct {
	widget.BaseWidget
	label *widget.Label
	arrow *widget.Icon
	col   int
	tap   func(col int)
}

func newHeaderCell(tap func(int)) *headerCell {
	h := &headerCell{label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		arrow: widget.NewIcon(nil), tap: tap}
	h.label.Truncation = fyne.TextTruncateClip
	h.arrow.Hide()
	h.ExtendBaseWidget(h)
	return h
}

// CreateRenderer puts the arrow at the header's end.
func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, container.New(arrowLayout{}, h.arrow), h.label))
}

// arrowWidth is the room a header keeps for the arrow of the sort: small,
// so that the columns still fit a 1280 px window.
func arrowWidth() float32 { return theme.IconInlineSize() * 0.6 }

// arrowLayout gives the arrow of the sort its room, centred in the header's height.
type arrowLayout struct{}

func (arrowLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(arrowWidth(), 0) }

func (arrowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, size.Width))
		o.Move(fyne.NewPos(0, (size.Height-size.Width)/2))
	}
}

// show puts the title and the arrow (none when nil) in the header.
func (h *headerCell) show(title string, arrow fyne.Resource) {
	h.label.SetText(title)
	if arrow == nil {
		h.arrow.Hide()
		return
	}
	h.arrow.SetResource(arrow)
	h.arrow.Show()
}

// Tapped sorts the list by the header's column.
func (h *headerCell) Tapped(*fyne.PointEvent) { h.tap(h.col) }

// object is the pane's canvas object.
func (l *RequestList) object() fyne.CanvasObject { return l.box }

// columnResized keeps the width staff gave a column by dragging its
// header's edge and remembers it for this workstation. The title takes
// the width the others leave, whatever it was given, from the next layout.
func (l *RequestList) columnResized(col int, width float32) {
	if col < 0 || col >= len(l.cols) || l.cols[col].stretch || l.cols[col].mark {
		return
	}
	l.sizer.widths[col], l.sizer.shown[col] = width, width
	l.prefs.SetFloat(columnWidthKey(l.side, l.cols[col]), float64(width))
}

// columnWidthKey is the preference key remembering a column's width.
func columnWidthKey(side domain.Side, c column) string {
	return "list." + string(side) + "." + c.title + ".width"
}

// setColumns switches to the columns of a side.
func (l *RequestList) setColumns(s domain.Side) {
	if s == l.side {
		return
	}
	l.side, l.cols = s, lendingColumns
	if s == domain.Borrowing {
		l.cols = borrowingColumns
	}
	l.sizer.measure()
	l.table.Refresh()
}

// setRows shows new rows and keeps the request with id selected if it is among them.
func (l *RequestList) setRows(rows listRows, selectedID string) {
	l.rows = rows
	l.selected = rows.Index(selectedID)
	l.table.Refresh()
	if l.selected >= 0 {
		l.table.ScrollTo(widget.TableCellID{Row: l.selected, Col: 0})
	}
}

// setSelected highlights the row of the request with id (none when it is not
// listed) and scrolls it into view, redrawing only the rows that change.
func (l *RequestList) setSelected(id string) {
	i := l.rows.Index(id)
	if i == l.selected {
		return
	}
	old := l.selected
	l.selected = i
	for _, row := range []int{old, i} {
		if row < 0 || row >= l.rows.Len() {
			continue
		}
		for col := range l.cols {
			l.table.RefreshItem(widget.TableCellID{Row: row, Col: col})
		}
	}
	if i >= 0 {
		l.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
	}
}

// selectRow highlights a row and scrolls it into view.
func (l *RequestList) selectRow(i int) {
	if i < 0 || i >= l.rows.Len() {
		return
	}
	l.selected = i
	l.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
	l.table.Refresh()
}

// toggleMark marks or unmarks a request for a batch action.
func (l *RequestList) toggleMark(id string) {
	if l.marked[id] {
		delete(l.marked, id)
	} else {
		l.marked[id] = true
	}
	l.table.Refresh()
	if l.onMark != nil {
		l.onMark()
	}
}

// current is the id of the selected request.
func (l *RequestList) current() (string, bool) {
	if l.selected < 0 || l.selected >= l.rows.Len() {
		return "", false
	}
	return l.rows.ID(l.selected), true
}

func (l *RequestList) size() (int, int) { return l.rows.Len(), len(l.cols) }

// navDelay is how soon after loading a request's details a key that moves
// through the list loads the next one. Keys that come faster (a held arrow,
// Page Down pressed again and again) are a burst: the request under the
// highlight is loaded once they pause for a navStep, since loading and
// drawing the details of every request passed over would make the list lag
// behind.
const navDelay = 150 * time.Millisecond

// navStep is how often the highlight follows the keys during a burst. Each
// move scrolls new rows into view and draws them: following fast keys ten
// times a second rather than at every key draws fewer of the rows passed
// over, and the list keeps up with a held key.
const navStep = 100 * time.Millisecond

// MoveSelection moves the selection up or down the list by delta rows.
func (l *RequestList) MoveSelection(delta int) {
	rows := l.rows
	if rows.Len() == 0 {
		return
	}
	i := l.selected
	if l.navPending {
		i = l.navRow
		if i < 0 || i >= rows.Len() || rows.ID(i) != l.navTarget {
			i = rows.Index(l.navTarget) // the list changed during the burst
		}
	}
	if i < 0 {
		i = 0
		if delta < 0 {
			i = rows.Len() - 1
		}
	} else {
		i = min(max(i+delta, 0), rows.Len()-1)
	}
	id := rows.ID(i)
	now := time.Now()
	if !l.navPending && !now.Before(l.navQuiet) {
		l.navQuiet = now.Add(navDelay)
		l.open(id)
		return
	}
	// a key soon after another: the first of a burst moves the highlight at
	// once, the others at the next step, and the request is loaded once the
	// keys pause
	l.navTarget, l.navRow = id, i
	l.navKeys++
	if l.navPending {
		return
	}
	l.navPending, l.navKeys = true, 0
	l.navBurst++
	burst := l.navBurst
	l.setSelected(id)
	l.after(navStep, func() { l.navFollow(burst) })
}

// navFollow moves the highlight to where the keys of a burst have led and,
// once a step has passed without a key, loads the request under it. It does
// nothing once something else has chosen a request meanwhile.
func (l *RequestList) navFollow(burst int) {
	if !l.navPending || burst != l.navBurst {
		return
	}
	if l.navKeys > 0 {
		l.navKeys = 0
		l.setSelected(l.navTarget)
		l.after(navStep, func() { l.navFollow(burst) })
		return
	}
	l.navPending = false
	l.navQuiet = time.Now().Add(navDelay)
	l.open(l.navTarget)
}

// endBurst ends a burst of keys: a click or a scan has chosen a request.
func (l *RequestList) endBurst() { l.navPending = false }

// listCell is one cell: a row highlight, the format dot and the text.
type listCell struct {
	widget.BaseWidget
	bg     *canvas.Rectangle
	dot    *canvas.Circle
	hasDot bool
	check  *widget.Icon
	// label shows text that repeats from row to row (a state, a partner)
	// and own text that differs (see column.own); one of them is empty.
	label *widget.Label
	own   *rowText
}

func newListCell() fyne.CanvasObject {
	c := &listCell{bg: canvas.NewRectangle(color.Transparent), dot: canvas.NewCircle(color.Transparent),
		check: widget.NewIcon(nil), label: widget.NewLabel(""), own: newRowText()}
	c.check.Hide()
	c.label.Truncation = fyne.TextTruncateClip
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer lays the text over the highlight, after the dot when there is one.
func (c *listCell) CreateRenderer() fyne.WidgetRenderer {
	dotBox := container.New(&dotLayout{cell: c}, c.dot)
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewBorder(nil, nil, dotBox, nil,
		container.NewStack(c.label, c.own, container.NewCenter(c.check)))))
}

// show puts text in the label or in the cell's own image, emptying the other.
func (c *listCell) show(text string, style fyne.TextStyle, imp widget.Importance, own, ellipsis bool) {
	labelText, ownText := text, ""
	if own {
		labelText, ownText = "", text
	}
	c.own.set(ownText, style, imp, ellipsis)
	// a label refresh lays its text out again: only when something changed
	if c.label.Importance != imp || c.label.TextStyle != style || c.label.Text != labelText {
		c.label.Importance, c.label.TextStyle, c.label.Text = imp, style, labelText
		c.label.Refresh()
	}
}

func (l *RequestList) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l.noteDrawn()
	c := o.(*listCell)
	if id.Row < 0 || id.Row >= l.rows.Len() || id.Col < 0 || id.Col >= len(l.cols) {
		c.show("", fyne.TextStyle{}, widget.MediumImportance, false, false)
		return
	}
	s := l.rows.At(id.Row)
	if s.ID == "" { // its page is on its way
		c.show("", fyne.TextStyle{}, widget.MediumImportance, false, false)
		return
	}
	r := &s
	col := l.cols[id.Col]
	text := col.text(l, r)
	if col.mark {
		res := theme.CheckButtonIcon()
		if l.marked[r.ID] {
			res = theme.CheckButtonCheckedIcon()
		}
		if c.check.Resource != res {
			c.check.SetResource(res)
		}
		c.check.Show()
	} else if c.check.Visible() {
		c.check.Hide()
	}

	bg := color.Color(color.Transparent)
	if id.Row == l.selected {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	dot := color.Color(color.Transparent)
	if col.dot {
		dot = formatColor(r.Format)
	}
	if c.hasDot != col.dot {
		c.hasDot = col.dot
		c.Refresh()
	}
	if c.dot.FillColor != dot {
		c.dot.FillColor = dot
		c.dot.Refresh()
	}
	imp, style := widget.MediumImportance, fyne.TextStyle{}
	switch {
	case len(text) > 8 && text[:8] == "OVERDUE ":
		imp, style = widget.DangerImportance, fyne.TextStyle{Bold: true}
	case col.title == "Time left" && r.ClockRuns():
		if left, ok := l.desk.TimeLeft(r.Deadline); ok && left < urgentLeft {
			imp = widget.DangerImportance
		}
	case col.title == "External id" && l.waiting[r.ID]:
		// a scan is waiting in the scan folder
		imp, style = widget.SuccessImportance, fyne.TextStyle{Bold: true}
	}
	// Only the title, the one column that stretches, ends cut text with an
	// ellipsis; the others clip.
	c.show(text, style, imp, col.own, col.stretch)
}

// dotLayout gives the format dot a small square, or no room when the cell has none.
type dotLayout struct{ cell *listCell }

// dotWidth is the room the format dot takes.
func dotWidth() float32 { return theme.Size(theme.SizeNameText)*0.7 + 2*theme.Padding() }

func (l *dotLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	if l.cell != nil && !l.cell.hasDot {
		return fyne.Size{}
	}
	return fyne.NewSize(dotWidth(), theme.Size(theme.SizeNameText))
}

func (l *dotLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	d := theme.Size(theme.SizeNameText) * 0.7
	for _, o := range objs {
		o.Resize(fyne.NewSize(d, d))
		o.Move(fyne.NewPos(theme.Padding(), (size.Height-d)/2))
	}
}

// stretchLayout fills its space with the table and gives the stretching
// column all the width the fixed columns leave.
type stretchLayout struct {
	list   *RequestList
	widths []float32
	// shown are the widths last given to the table, the stretching
	// column's included.
	shown []float32
}

// measure sizes each fixed column to its widest sample or header.
func (s *stretchLayout) measure() {
	s.list.measuring = true
	defer func() { s.list.measuring = false }()
	slack := 2 * theme.Padding()
	s.widths = make([]float32, len(s.list.cols))
	for i, c := range s.list.cols {
		if c.stretch {
			continue
		}
		if c.mark {
			s.widths[i] = theme.IconInlineSize() + 2*theme.Padding()
			s.list.table.SetColumnWidth(i, s.widths[i])
			continue
		}
		sample := widget.NewLabel(c.sample).MinSize().Width
		// a header has room for the arrow of the sort
		head := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Width + arrowWidth()
		s.widths[i] = max(sample, head) + slack
		if c.dot {
			s.widths[i] = max(sample+dotWidth(), head) + slack
		}
		if w := s.list.prefs.Float(columnWidthKey(s.list.side, c)); w > 0 {
			s.widths[i] = float32(w) // staff resized it
		}
		s.list.table.SetColumnWidth(i, s.widths[i])
	}
	s.shown = slices.Clone(s.widths)
}

func (s *stretchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	used := float32(len(s.widths)+1) * pad
	stretch := -1
	for i, w := range s.widths {
		used += w
		if s.list.cols[i].stretch {
			stretch = i
		}
	}
	left := size.Width - used
	if stretch >= 0 {
		s.shown[stretch] = max(minStretchWidth, left)
		s.list.table.SetColumnWidth(stretch, s.shown[stretch])
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (s *stretchLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
