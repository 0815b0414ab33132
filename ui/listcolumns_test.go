package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// headerText draws one header cell through the table's own callbacks and reads it.
func headerText(tb *widget.Table, col int) string {
	o := tb.CreateHeader()
	tb.UpdateHeader(widget.TableCellID{Row: -1, Col: col}, o)
	return o.(*headerCell).label.Text
}

// columnOf is the index of the list's column with the title.
func columnOf(mw *MainWindow, title string) int {
	for i, c := range mw.list.view.cols {
		if c.title == title {
			return i
		}
	}
	return -1
}

func TestListStatusIsShortAndDetailsKeepTheFullLabel(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	mw.Window().Resize(DefaultSize)

	status := columnOf(mw, "Status")
	require.GreaterOrEqual(t, status, 0)
	text, _ := cellText(mw.list.view.table, 0, status)
	assert.Equal(t, "New", text, "the list shows the short label")
	assert.Contains(t, detailsStatus(mw), "Created Lending Request", "the details keep the full label")
	assert.Equal(t, "Fmt", headerText(mw.list.view.table, columnOf(mw, "Fmt")), "the format dot's column has a header")

	// every lending state's short label fits the column it is given
	w := mw.list.view.sizer.widths[status]
	for _, s := range domain.States(domain.Lending) {
		need := widget.NewLabel(s.ShortLabel(domain.Lending)).MinSize().Width
		assert.LessOrEqual(t, need, w, "%s fits", s)
	}
}

func TestStatusIsInViewAt1280(t *testing.T) {
	for _, side := range []domain.Side{domain.Lending, domain.Borrowing} {
		t.Run(string(side), func(t *testing.T) {
			f := newFixture(t)
			f.partner("NYPL", 72)
			f.lending("NYPL", "N-1")
			f.borrowing("Deep learning")
			mw := f.open()
			mw.Window().Resize(fyne.NewSize(1280, 800))
			mw.list.SetSide(side)
			mw.list.SetStatus(domain.Created)
			v := mw.list.view
			status := columnOf(mw, "Status")
			require.GreaterOrEqual(t, status, 0)
			text, _ := cellText(v.table, 0, status)
			assert.Equal(t, "New", text)

			// the Status column ends within the list's width, without scrolling
			var end float32
			for i := 0; i <= status; i++ {
				end += v.sizer.shown[i] + theme.Padding()
			}
			assert.LessOrEqual(t, end, v.table.Size().Width, "Status ends within the list at 1280 px")
		})
	}
}

// tapHeaderOf clicks the header of the list's column with the title.
func tapHeaderOf(t *testing.T, mw *MainWindow, title string) {
	t.Helper()
	col := columnOf(mw, title)
	require.GreaterOrEqual(t, col, 0, title)
	h := mw.list.view.table.CreateHeader().(*headerCell)
	mw.list.view.table.UpdateHeader(widget.TableCellID{Row: -1, Col: col}, h)
	h.Tapped(&fyne.PointEvent{})
}

// headerArrow is the arrow on the header of a column: nil for none.
func headerArrow(mw *MainWindow, title string) fyne.Resource {
	h := mw.list.view.table.CreateHeader().(*headerCell)
	mw.list.view.table.UpdateHeader(widget.TableCellID{Row: -1, Col: columnOf(mw, title)}, h)
	if !h.arrow.Visible() {
		return nil
	}
	return h.arrow.Resource
}

func TestHeaderClickSortsTheList(t *testing.T) {
	f := newFixture(t)
	f.partner("SLOW", 72)
	f.partner("RAPID", 24)
	s1 := f.lending("SLOW", "S-1")
	f.lending("RAPID", "R-1")
	f.lending("SLOW", "S-2")
	mw := f.open()
	mw.list.SetStatus("")
	mw.list.SelectRequest(s1.ID)
	urgent := listedRefs(mw)
	require.Equal(t, []string{"R-1", "S-1", "S-2"}, urgent, "most urgent first")
	assert.Equal(t, theme.MenuDropUpIcon(), headerArrow(mw, "Time left"), "the list's own order shows on Time left")

	steps := []struct {
		click string
		want  []string
		arrow fyne.Resource
	}{
		{"External id", []string{"R-1", "S-1", "S-2"}, theme.MenuDropUpIcon()},
		{"External id", []string{"S-2", "S-1", "R-1"}, theme.MenuDropDownIcon()},
		{"Partner", []string{"R-1", "S-1", "S-2"}, theme.MenuDropUpIcon()},
		{"Partner", []string{"S-1", "S-2", "R-1"}, theme.MenuDropDownIcon()},
		{"Time left", urgent, theme.MenuDropUpIcon()},
		{"Time left", []string{"S-2", "S-1", "R-1"}, theme.MenuDropDownIcon()},
	}
	for i, st := range steps {
		tapHeaderOf(t, mw, st.click)
		assert.Equal(t, st.want, listedRefs(mw), "step %d: %s", i, st.click)
		assert.Equal(t, st.arrow, headerArrow(mw, st.click), "step %d: the arrow on %s", i, st.click)
		assert.Equal(t, "S-1", mw.list.view.rows.At(mw.list.view.selected).Ref(), "step %d: the selection stays", i)
	}
	assert.Nil(t, headerArrow(mw, "Partner"), "only the sorted column has an arrow")

	tapHeaderOf(t, mw, "Partner")
	mw.list.SetSide(domain.Borrowing)
	mw.list.SetSide(domain.Lending)
	assert.Equal(t, urgent, listedRefs(mw), "another side starts most urgent first")
}

func TestColumnAndPaneWidthsAreRemembered(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	mw.Window().Resize(DefaultSize)
	partner := columnOf(mw, "Partner")
	was := mw.list.view.sizer.widths[partner]
	mw.list.view.table.SetColumnWidth(partner, was+60) // dragged by its header's edge
	mw.main.SetOffset(0.22)
	mw.centre.SetOffset(0.6)

	again := f.open()
	again.Window().Resize(DefaultSize)
	assert.Equal(t, was+60, again.list.view.sizer.widths[partner], "the Partner column keeps its width")
	assert.InDelta(t, 0.22, again.main.Offset, 1e-9, "the facet pane keeps its width")
	assert.InDelta(t, 0.6, again.centre.Offset, 1e-9, "the details pane keeps its width")
	again.list.SetSide(domain.Borrowing)
	assert.NotEqual(t, was+60, again.list.view.sizer.widths[columnOf(again, "Partner")], "each side's columns have their own widths")
}

func TestDraggingAHeaderEdgeResizesItsColumn(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	mw.Window().Resize(DefaultSize)
	v := mw.list.view
	partner, title := columnOf(mw, "Partner"), columnOf(mw, "Title")
	was, titleWas := v.sizer.widths[partner], v.sizer.shown[title]
	v.table.SetColumnWidth(partner, was+40) // what the table does while the edge is dragged
	assert.Equal(t, was+40, v.sizer.widths[partner])
	assert.InDelta(t, was+40, f.app.Preferences().Float(columnWidthKey(domain.Lending, v.cols[partner])), 0.01)

	v.table.SetColumnWidth(title, titleWas+100)
	assert.Zero(t, f.app.Preferences().Float(columnWidthKey(domain.Lending, v.cols[title])), "the title takes what the others leave")
	mw.Window().Resize(DefaultSize.AddWidthHeight(100, 0))
	used := float32(len(v.cols)+1) * theme.Padding()
	for i, w := range v.sizer.widths {
		if i != title {
			used += w
		}
	}
	assert.Equal(t, max(minStretchWidth, v.table.Size().Width-used), v.sizer.shown[title], "the next layout gives the title what the others leave")
}
