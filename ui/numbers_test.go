package ui

import (
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// heading is the text at the top of the details pane.
func heading(t *testing.T, mw *MainWindow) string {
	t.Helper()
	require.NotEmpty(t, mw.details.box.Objects)
	rt, ok := mw.details.box.Objects[0].(*widget.RichText)
	require.True(t, ok, "the pane starts with its heading")
	return rt.String()
}

// TestListAndDetailsShowTheNumber: the list names a request without an
// external identifier by its number, the borrowing list has a Number
// column and the details pane's heading carries the number.
func TestListAndDetailsShowTheNumber(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.partner("NYPL", 24)
	f.lending("RAPID", "EXT-1")
	mw := f.open()
	text, _ := cellText(mw.list.view.table, 0, 2)
	assert.Equal(t, "EXT-1", text, "the External id column keeps the external identifier")
	for s, want := range map[domain.Summary]string{
		{ID: "0190-aaaa-bbbbbbbb", RequestNumber: "L-2026-00007", ExternalID: "EXT-7"}: "EXT-7",
		{ID: "0190-aaaa-bbbbbbbb", RequestNumber: "L-2026-00007"}:                      "L-2026-00007",
		{ID: "0190-aaaa-bbbbbbbb"}: "bbbbbbbb",
	} {
		assert.Equal(t, want, s.ListRef())
	}

	r, err := mw.borrowing.CreateBorrowing(domain.BorrowingInput{Partner: "NYPL", Citation: domain.Citation{Title: "Silent Spring"},
		Requester: "Rachel", Pickup: "Science Library"})
	require.NoError(t, err)
	require.Equal(t, "B-2026-00001", r.RequestNumber)
	assert.Equal(t, "Number", mw.list.view.cols[1].title, "first after the mark box")
	text, _ = cellText(mw.list.view.table, 0, 1)
	assert.Equal(t, "B-2026-00001", text)
	assert.Equal(t, "B-2026-00001", heading(t, mw))

	for _, tt := range []struct {
		r    domain.Request
		want string
	}{
		{domain.Request{ID: "0190-aaaa-bbbbbbbb", RequestNumber: "L-2026-00007", ExternalID: "EXT-7"}, "L-2026-00007  ·  EXT-7"},
		{domain.Request{ID: "0190-aaaa-bbbbbbbb", RequestNumber: "L-2026-00007"}, "L-2026-00007"},
		{domain.Request{ID: "0190-aaaa-bbbbbbbb"}, "bbbbbbbb"},
	} {
		assert.Equal(t, tt.want, detailsHeading(tt.r))
	}
}
