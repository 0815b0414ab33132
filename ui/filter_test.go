package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestChoosingFacetsShowsAListedRequest(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.partner("NYPL", 48)
	f.lending("RAPID", "R-1")
	f.lending("NYPL", "N-1")
	f.borrowing("Borrowed book")
	mw := f.open()
	shown := func() string {
		r, ok := mw.list.Selected()
		switch {
		case !ok:
			return ""
		case r.ExternalID != "":
			return r.ExternalID
		}
		return r.Title
	}
	require.Equal(t, "R-1", shown(), "the most urgent lending request opens first")

	steps := []struct {
		what string
		do   func()
		want string
	}{
		{"switching to Borrowing opens a borrowing request", func() { mw.list.SetSide(domain.Borrowing) }, "Borrowed book"},
		{"and back to Lending, the most urgent lending one", func() { mw.list.SetSide(domain.Lending) }, "R-1"},
		{"a listed request stays when a facet still lists it", func() { mw.list.SelectRequest(mustFind(t, f.desk, "N-1").ID); mw.list.SetPartner("NYPL") }, "N-1"},
		{"a partner facet that leaves it out opens one it lists", func() { mw.list.SetPartner("RAPID") }, "R-1"},
		{"a search that finds nothing empties the details", func() { mw.list.SetPartner(""); mw.facets.SetSearch("no such title") }, ""},
		{"clearing the search opens the most urgent again", func() { mw.facets.SetSearch("") }, "R-1"},
		{"a search opens the first it finds", func() { mw.facets.SetSearch("N-1") }, "N-1"},
	}
	for _, s := range steps {
		s.do()
		assert.Equal(t, s.want, shown(), s.what)
		if s.want != "" {
			assert.Equal(t, mw.list.view.rows.Index(mw.list.selected), mw.list.view.selected, "%s: the list highlights it", s.what)
		}
	}
}

func TestActionsKeepTheRequestShownWhenItLeavesTheFacets(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	f.lending("RAPID", "R-2")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	_, err := f.desk.Reject(r.Ref(), domain.ReasonNotHeld, "", "", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw.Refresh()
	assert.Equal(t, []string{"R-2"}, listedRefs(mw), "the rejected request left the Created facet")
	got, ok := mw.list.Selected()
	require.True(t, ok)
	assert.Equal(t, "R-1", got.ExternalID, "staff still see what they did")
	assert.Equal(t, domain.Rejected, got.State)
}

func TestChoosingFacetsKeepsARequestWithFilesWaiting(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.partner("NYPL", 48)
	r := f.lending("RAPID", "R-1")
	f.borrowing("Borrowed book")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	scan := pdfPath("valid_text_1page.pdf")
	mw.drop.AddFiles([]string{scan})
	mw.Wait()
	require.Equal(t, []string{scan}, mw.drop.files)

	mw.list.SetSide(domain.Borrowing)
	got, _ := mw.list.Selected()
	assert.Equal(t, "R-1", got.ExternalID, "the dropped scan still waits to be shipped")
	assert.Equal(t, []string{scan}, mw.drop.files)

	mw.drop.ClearFiles()
	mw.list.SetSide(domain.Lending)
	mw.list.SetSide(domain.Borrowing)
	got, _ = mw.list.Selected()
	assert.Equal(t, "Borrowed book", got.Title, "with nothing waiting, the selection follows the facets")
}

// TestSearchClearButton checks the search field's clear button, shown only
// while there is text to clear.
func TestSearchClearButton(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "R-2")
	mw := f.open()
	assert.False(t, mw.facets.clear.Visible(), "nothing to clear")
	mw.FocusSearch()
	test.Type(mw.facets.search, "R-2")
	require.Equal(t, []string{"R-2"}, listedRefs(mw))
	require.True(t, mw.facets.clear.Visible())
	test.Tap(mw.facets.clear)
	assert.Empty(t, mw.facets.search.Text)
	assert.Len(t, listedRefs(mw), 2, "every request shows again")
	assert.False(t, mw.facets.clear.Visible())
}
