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
	return o.(*widget.Label).Text
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
	assert.Equal(t, "Fmt", headerText(mw.list.view.table, status-1), "the format dot's column has a header")

	// every lending state's short label fits the column it is given
	w := mw.list.view.sizer.widths[status]
	for _, s := range domain.States(domain.Lending) {
		need := widget.NewLabel(s.ShortLabel(domain.Lending)).MinSize().Width
		assert.LessOrEqual(t, need, w, "%s fits", s)
	}
}

func TestBorrowingStatusIsInViewAt1280(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 72)
	f.borrowing("Deep learning")
	mw := f.open()
	mw.Window().Resize(fyne.NewSize(1280, 800))
	mw.list.SetSide(domain.Borrowing)
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
}
