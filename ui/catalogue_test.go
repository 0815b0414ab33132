package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/ncipstub"
	"github.com/illdesk/illdesk/internal/zebratest"
)

// paneText is every label's text in the details pane, a line each.
func paneText(p *DetailsPane) string {
	var lines []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			lines = append(lines, w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	for _, o := range p.box.Objects {
		walk(o)
	}
	return strings.Join(lines, "\n")
}

func TestDetailsLookUpHoldings(t *testing.T) {
	base := zebratest.ForTest(t)
	f := newFixture(t)
	f.partner("RAPID", 24)
	book := f.lending("RAPID", "B1", func(in *domain.LendingInput) { in.ISBN = "9780262046305" })
	missing := f.lending("RAPID", "N1", func(in *domain.LendingInput) { in.ISBN = "9789999999999" })
	require.NoError(t, f.desk.SetCatalogueSetting(domain.KeySRUURL, base))
	mw := f.open()

	mw.list.SelectRequest(book.ID)
	require.Contains(t, mw.details.buttons, lookUpLabel)
	mw.details.LookUpHoldings()
	mw.Wait()
	text := paneText(mw.details)
	assert.Contains(t, text, "Main Library Stacks  ·  QA76.6 .C662 2022  ·  39000000000202")
	assert.Contains(t, text, "Engineering Reserve  ·  QA76.6 .C662 2022 c.2  ·  39000000000303  (2-hour loan)\nfrom record rec-book at 127.0.0.1")
	assert.Contains(t, mw.status.Text(), "2 holdings found")
	assert.NotContains(t, mw.details.buttons, rejectNotHeldLabel)

	// the pick offers the barcodes the catalogue listed, the first filled in
	mw.details.ShowPick(domain.StationRS)
	top := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, top)
	var offered []string
	var filled []string
	for _, o := range test.LaidOutObjects(top) {
		switch w := o.(type) {
		case *keySelect:
			if len(w.Options) > 0 && strings.HasPrefix(w.Options[0], "39") {
				offered = w.Options
			}
		case *keyEntry:
			filled = append(filled, w.Text)
		}
	}
	assert.Equal(t, []string{"39000000000202", "39000000000303"}, offered)
	assert.Contains(t, filled, "39000000000202")
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	stored, err := f.desk.Find(book.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.ItemBarcode, "only the pick sets the barcode")

	mw.list.SelectRequest(missing.ID)
	mw.details.LookUpHoldings()
	mw.Wait()
	assert.Contains(t, paneText(mw.details), "Not found in the catalogue")
	require.Contains(t, mw.details.buttons, rejectNotHeldLabel)
	mw.details.RejectNotHeld()
	got, err := f.desk.Find(missing.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.Rejected, got.State)
	assert.Equal(t, domain.ReasonNotHeld, got.RejectReason)
}

func TestDetailsLookupFailureIsShown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><version>1.2</version>` +
			`<diagnostics><diagnostic xmlns="http://www.loc.gov/zing/srw/diagnostic/"><uri>info:srw/diagnostic/1/16</uri>` +
			`<details>bath.isbn</details><message>Unsupported index</message></diagnostic></diagnostics></searchRetrieveResponse>`))
	}))
	defer srv.Close()
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "B1", func(in *domain.LendingInput) { in.ISBN = "9780262046305" })
	require.NoError(t, f.desk.SetCatalogueSetting(domain.KeySRUURL, srv.URL))
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	mw.details.LookUpHoldings()
	mw.Wait()
	assert.Contains(t, mw.status.Text(), "Unsupported index (bath.isbn)")
	assert.Contains(t, paneText(mw.details), "The catalogue could not be searched")
}

func TestSettingsCatalogue(t *testing.T) {
	resolver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer resolver.Close()
	f := newFixture(t)
	mw := f.open()
	mw.settingsDialog.ShowSettings()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	err := mw.settingsDialog.SaveCatalogue("http://catalogue.example.edu/sru", "koha", "")
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	// port 9 (discard) refuses at once: lookups fail quickly, without the network
	require.NoError(t, mw.settingsDialog.SaveCatalogue("http://127.0.0.1:9/sru", "koha", resolver.URL+"/openurl"))
	cs, err := f.desk.CatalogueSettings()
	require.NoError(t, err)
	assert.Equal(t, domain.CatalogueSettings{SRUURL: "http://127.0.0.1:9/sru", Profile: "koha", OpenURLBase: resolver.URL + "/openurl"}, cs)

	var got error
	mw.settingsDialog.TestCatalogue("openurl", func(err error) { got = err })
	mw.Wait()
	require.NoError(t, got)
	assert.Contains(t, mw.status.Text(), "The link resolver at "+resolver.URL)

	f.partner("RAPID", 24)
	r := f.lending("RAPID", "A1", func(in *domain.LendingInput) { in.ISSN = "0028-0836" })
	f.desk.WaitLookups(context.Background())
	mw.Refresh()
	mw.list.SelectRequest(r.ID)
	mw.details.ShowEResources()
	top := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, top)
	var links []*widget.Hyperlink
	for _, o := range test.LaidOutObjects(top) {
		if h, ok := o.(*keyHyperlink); ok {
			links = append(links, &h.Hyperlink)
		}
	}
	require.NotEmpty(t, links)
	assert.Equal(t, "Link resolver (OpenURL)", links[0].Text, "the resolver's link comes first")
	assert.True(t, strings.HasPrefix(links[0].URL.String(), resolver.URL+"/openurl?url_ver=Z39.88-2004"), links[0].URL.String())
}

func TestSettingsILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	f := newFixture(t)
	mw := f.open()
	mw.settingsDialog.ShowSettings()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	err := mw.settingsDialog.SaveILS("http://ils.example.edu/ncip", "ILLDESK", "MAIN", "")
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	var got error
	mw.settingsDialog.TestILS(func(err error) { got = err })
	mw.Wait()
	require.ErrorIs(t, got, domain.ErrInvalidInput, "no address yet")

	require.NoError(t, mw.settingsDialog.SaveILS(ils.URL, "ILLDESK", "MAIN", "ILL Desk"))
	ns, err := f.desk.NCIPSettings()
	require.NoError(t, err)
	assert.Equal(t, domain.NCIPSettings{URL: ils.URL, FromAgency: "ILLDESK", ToAgency: "MAIN", Profile: "ILL Desk"}, ns)
	mw.settingsDialog.TestILS(func(err error) { got = err })
	mw.Wait()
	require.NoError(t, got)
	assert.Contains(t, mw.status.Text(), "The ILS at "+ils.URL+" answered a LookupUser.")
	assert.Equal(t, []string{"LookupUser"}, ils.Calls())
}

// TestBorrowingPatronFromTheILS looks the borrowing form's patron id up in
// the stand-in ILS: name and email filled where blank, a block or an
// unknown patron said before saving.
func TestBorrowingPatronFromTheILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	f := newFixture(t)
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPURL, ils.URL))
	mw := f.open()
	mw.borrowing.ShowNewBorrowing()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	for _, tc := range []struct {
		id, typedName, wantName, wantEmail, wantSaid string
	}{
		{"P100", "", "Ada Lovelace", "ada@example.edu", "Found in the ILS: Ada Lovelace"},
		{"P100", "A. Lovelace", "A. Lovelace", "ada@example.edu", "Found in the ILS: Ada Lovelace"},
		{"P200", "", "Blaise Pascal", "blaise@example.edu", "Blocked in the ILS: Excessive Fines"},
		{"NOBODY", "", "", "", "Unknown User: NOBODY"},
	} {
		requester, email := newKeyEntry(), newKeyEntry()
		requester.SetText(tc.typedName)
		var said string
		mw.borrowing.LookUpPatron(tc.id, func(u domain.ILSUser, err error) { said = patronFound(u, err, requester, email) })
		mw.Wait()
		assert.Contains(t, said, tc.wantSaid, tc.id)
		assert.Equal(t, tc.wantName, requester.Text, tc.id)
		assert.Equal(t, tc.wantEmail, email.Text, tc.id)
	}
}

// TestHoldingsLookedUpInTheBackground selects a lending request while its
// holdings are still being looked up (the catalogue holds its answer back
// until released) and scrolled down to them: when the lookup stores them,
// the details pane shows them where staff are looking and the status line
// says so; a lookup of another request does not take the status line.
func TestHoldingsLookedUpInTheBackground(t *testing.T) {
	zebra, err := url.Parse(zebratest.ForTest(t))
	require.NoError(t, err)
	release := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: zebra.Scheme, Host: zebra.Host})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()
	defer func() { // before Close, which waits for the held answers
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	f := newFixture(t)
	f.partner("RAPID", 24)
	require.NoError(t, f.desk.SetCatalogueSetting(domain.KeySRUURL, slow.URL+zebra.Path))
	lookedUp := make(chan domain.Request, 2)
	f.desk.OnLookedUp(func(r domain.Request) { lookedUp <- r })
	book := f.lending("RAPID", "B1", func(in *domain.LendingInput) { in.ISBN = "9780262046305" })
	other := f.lending("RAPID", "B2", func(in *domain.LendingInput) { in.ISBN = "9780262046305" })
	mw := f.open()
	mw.Window().Resize(fyne.NewSize(1024, 600))
	mw.list.SelectRequest(book.ID)
	require.Contains(t, paneText(mw.details), "No print holdings recorded.")
	// staff scroll down to the Holdings section
	mw.details.scroll.ScrollToBottom()
	place := mw.details.scroll.Offset
	require.Positive(t, place.Y)

	close(release)
	got := map[string]domain.Request{}
	for len(got) < 2 {
		select {
		case r := <-lookedUp:
			got[r.ID] = r
		case <-time.After(30 * time.Second):
			t.Fatal("the background lookups did not end")
		}
	}
	mw.LookedUp(got[book.ID])
	text := paneText(mw.details)
	assert.Contains(t, text, "Main Library Stacks  ·  QA76.6 .C662 2022  ·  39000000000202\nfrom record rec-book at 127.0.0.1")
	assert.NotContains(t, text, "No print holdings recorded.")
	said := "B1: 2 holdings found in the catalogue."
	assert.Equal(t, said, mw.status.Text())
	assert.Equal(t, place, mw.details.scroll.Offset, "the pane stays where staff scrolled it")

	mw.LookedUp(got[other.ID])
	assert.Equal(t, said, mw.status.Text(), "B2 is not in the details pane")
	assert.Contains(t, paneText(mw.details), "Title of B1")

	mw.list.SelectRequest(other.ID)
	assert.Zero(t, mw.details.scroll.Offset.Y, "another request starts at the top")
}
