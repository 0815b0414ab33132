package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listPlace is where the request list lies in the window, and its size.
func listPlace(mw *MainWindow) (fyne.Position, fyne.Size) {
	o := mw.list.view.object()
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size()
}

func TestListStaysPutWhenTheBannerAndBatchBarComeAndGo(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	a := f.lending("RAPID", "A")
	f.lending("RAPID", "B")
	mw := f.open()
	mw.Window().Resize(DefaultSize)
	mw.Window().Content().Refresh()
	pos, size := listPlace(mw)
	require.NotZero(t, size.Height)

	steps := []struct {
		what string
		do   func()
	}{
		{"a scan's result shows on the banner", func() {
			mw.banner.show("A long result that would take two lines in a narrow window, with the request's title and what staff are to do next with it", true, true)
		}},
		{"a refusal shows on the banner without Undo", func() { mw.banner.show("No request has that barcode.", false, false) }},
		{"a request is marked: the batch bar shows", func() { mw.list.MarkRequest(a.ID, true) }},
		{"the marks are cleared: the batch bar goes", func() { mw.list.ClearMarks() }},
	}
	for _, st := range steps {
		st.do()
		mw.Window().Content().Refresh()
		gotPos, gotSize := listPlace(mw)
		assert.Equal(t, pos, gotPos, "%s: the list does not move", st.what)
		assert.Equal(t, size, gotSize, "%s: the list keeps its size", st.what)
	}
	assert.True(t, mw.banner.box.Visible(), "the banner still shows")
}
