package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// countingStore is the database as the desk sees it, counting the reads
// whose cost grows with the department: every request's summary, and the
// settings.
type countingStore struct {
	domain.Store
	summaryReads, settingReads int
}

func (s *countingStore) View(fn func(domain.Tx) error) error {
	return s.Store.View(func(tx domain.Tx) error { return fn(countingTx{Tx: tx, s: s}) })
}

func (s *countingStore) Update(fn func(domain.Tx) error) error {
	return s.Store.Update(func(tx domain.Tx) error { return fn(countingTx{Tx: tx, s: s}) })
}

type countingTx struct {
	domain.Tx
	s *countingStore
}

func (t countingTx) ForEachSummary(fn func(domain.Summary) error) error {
	t.s.summaryReads++
	return t.Tx.ForEachSummary(fn)
}

// Setting counts the reads of the whole settings (Desk.Settings) by the one
// key only they read.
func (t countingTx) Setting(key string) (string, error) {
	if key == domain.SettingScanFolder {
		t.s.settingReads++
	}
	return t.Tx.Setting(key)
}

// reads are the bulk reads counted so far.
func (f *fixture) reads() [2]int { return [2]int{f.store.summaryReads, f.store.settingReads} }

// detailsStatus is the status line of the details pane: state, partner
// and side.
func detailsStatus(mw *MainWindow) string {
	for _, o := range mw.details.box.Objects {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "  ·  ") {
			return l.Text
		}
	}
	return ""
}

// facetLabels are the labels a facet shows for its values.
func facetLabels(vs []domain.FacetValue) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s (%d)", v.Label, v.Count))
	}
	return out
}

// assertShowsTheDatabase checks that the list and the facet counts are
// what a window opened now would show for the same filter.
func assertShowsTheDatabase(t *testing.T, f *fixture, mw *MainWindow) {
	t.Helper()
	counted := f.reads()
	defer func() { f.store.summaryReads, f.store.settingReads = counted[0], counted[1] }() // not the window's reads
	fresh, err := f.desk.Listing()
	require.NoError(t, err)
	rows, facets := fresh.Apply(mw.list.filter)
	var want []string
	for i := range rows.Len() {
		want = append(want, rows.At(i).Ref())
	}
	assert.Equal(t, want, listedRefs(mw), "the rows")
	assert.Equal(t, facetLabels(facets.Side), mw.facets.side.radio.Options, "the Side facet")
	assert.Equal(t, facetLabels(facets.Status), mw.facets.status.radio.Options, "the Status facet")
	assert.Equal(t, facetLabels(facets.Partner), mw.facets.partner.radio.Options, "the Partner facet")
	assert.Equal(t, facetLabels(facets.Format), mw.facets.format.radio.Options, "the Format facet")
}

func TestScanUpdatesOnlyTheScannedRequest(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	f.borrowing("Cosmos")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	f.lending("NYPL", "L-1")
	mw := f.open()
	mw.scan.SetStation(mainDesk)
	mw.list.SetSide(domain.Borrowing)
	mw.list.SetStatus(domain.Received)
	require.Equal(t, []string{r.Ref()}, listedRefs(mw))
	before := f.reads()

	scanInto(mw, "39200001")
	require.Equal(t, domain.OnHoldShelf, f.state(r.ID))
	assert.Equal(t, before, f.reads(), "a scan reads neither every request nor the settings")
	got, ok := mw.list.listing.Find(r.ID)
	require.True(t, ok)
	assert.Equal(t, domain.OnHoldShelf, got.State, "the scanned request's row is updated")
	assert.Equal(t, r.ID, mw.list.selected, "the scanned request is shown")
	assert.True(t, strings.HasPrefix(detailsStatus(mw), "On hold shelf"), "the details show it scanned: %q", detailsStatus(mw))
	assert.Contains(t, mw.banner.Text(), "hold shelf")
	assertShowsTheDatabase(t, f, mw)

	scanInto(mw, "L-1") // an external identifier selects: nothing changes
	assert.Equal(t, before, f.reads())
	assert.Contains(t, mw.banner.Text(), "Selected")
	assertShowsTheDatabase(t, f, mw)

	mw.list.SelectRequest(r.ID)
	f.clock.now = f.clock.now.Add(domain.RepeatWindow)
	scanInto(mw, "39200001") // the requester confirmed, checked out
	mw.scan.ConfirmCheckout()
	require.Equal(t, domain.Loaned, f.state(r.ID))
	mw.scan.UndoLastScan()
	require.Equal(t, domain.OnHoldShelf, f.state(r.ID))
	assert.Equal(t, before, f.reads(), "nor does undoing it")
	assert.Equal(t, r.ID, mw.list.selected)
	assertShowsTheDatabase(t, f, mw)
}

func TestActionsUpdateOnlyTheirRequests(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	a := f.lending("RAPID", "A-1")
	b := f.lending("RAPID", "B-1")
	c := f.lending("RAPID", "C-1")
	mw := f.open()
	before := f.reads()

	mw.list.SelectRequest(a.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	assert.Equal(t, domain.Rejected, f.state(a.ID))
	assert.Equal(t, before, f.reads(), "an action reads neither every request nor the settings")
	assert.Equal(t, a.ID, mw.list.selected, "the request stays shown after it left the facets")
	assert.True(t, strings.HasPrefix(detailsStatus(mw), "Rejected"), detailsStatus(mw))
	assertShowsTheDatabase(t, f, mw)

	mw.list.MarkRequest(b.ID, true)
	mw.list.MarkRequest(c.ID, true)
	require.NoError(t, mw.batch.RejectMarked(domain.ReasonNotHeld, "", ""))
	assert.Equal(t, domain.Rejected, f.state(b.ID))
	assert.Equal(t, before, f.reads(), "nor does a batch of a few")
	assertShowsTheDatabase(t, f, mw)

	d := f.lending("RAPID", "D-1", func(in *domain.LendingInput) { in.Pages = "" })
	mw.list.putRows([]domain.Summary{d.Summary()}, nil)
	mw.list.SelectRequest(d.ID)
	mw.drop.AddFiles([]string{pdfPath("valid_text_1page.pdf")})
	mw.Wait()
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.ShippedDigitally, f.state(d.ID))
	assert.Equal(t, before, f.reads(), "nor does a ship")
	assertShowsTheDatabase(t, f, mw)

	mw.Refresh() // the Refresh command reads everything again
	assert.Equal(t, [2]int{before[0] + 1, before[1] + 1}, f.reads())
}
