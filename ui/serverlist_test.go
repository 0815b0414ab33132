package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// listServer answers the list itself, as a department database does:
// from what is stored at each question, with no listing kept between
// them. It counts the questions.
type listServer struct {
	*countingStore
	groups, active, rows, positions int
	// searched counts the questions that count every match of a search.
	searched int
	// counting, when set, is called as a search's matches are counted
	// (among the active requests, or all).
	counting func()
}

func (s *listServer) stored() *domain.Listing {
	var ss []domain.Summary
	err := s.Store.View(func(tx domain.Tx) error {
		return tx.ForEachSummary(func(x domain.Summary) error { ss = append(ss, x); return nil })
	})
	if err != nil {
		panic(err)
	}
	return domain.NewListing(ss)
}

func (s *listServer) Lists() domain.ListQuerier { return s }

func (s *listServer) ListGroups(q string) ([]domain.ListGroup, error) {
	s.groups++
	if q != "" {
		s.searched++
	}
	if q != "" && s.counting != nil {
		s.counting()
	}
	return s.stored().ListGroups(q)
}

func (s *listServer) ListActiveGroups(q string) ([]domain.ListGroup, error) {
	s.active++
	if q != "" && s.counting != nil {
		s.counting()
	}
	return s.stored().ListActiveGroups(q)
}

func (s *listServer) ListRows(f domain.Filter, o domain.ListOrder, after *domain.Summary, skip, limit int) ([]domain.Summary, error) {
	s.rows++
	return s.stored().ListRows(f, o, after, skip, limit)
}

func (s *listServer) ListPosition(f domain.Filter, o domain.ListOrder, x domain.Summary) (int, error) {
	s.positions++
	return s.stored().ListPosition(f, o, x)
}

// serverAndLocal opens two windows on the same n lending requests and
// borrowing ones: one on a store that answers the list itself, one holding
// its own listing.
func serverAndLocal(t *testing.T, n int) (f *fixture, server *listServer, onServer, local *MainWindow) {
	t.Helper()
	f = newFixture(t)
	f.partner("RAPID", 24)
	f.partner("NYPL", 48)
	for i := range n {
		partner := []string{"RAPID", "NYPL"}[i%2]
		f.lending(partner, fmt.Sprintf("R-%03d", i), func(in *domain.LendingInput) {
			in.Citation.Title = []string{"Nature", "Science", "Isis"}[i%3]
		})
		f.clock.now = f.clock.now.Add(time.Minute)
	}
	silentSpring = f.borrowing("Silent Spring").ID
	local = f.open()
	server = &listServer{countingStore: f.store}
	f.desk = f.newDesk(server)
	onServer = f.open()
	require.NotNil(t, onServer.list.server, "the window asks the server")
	require.Nil(t, onServer.list.listing, "and holds no listing")
	return f, server, onServer, local
}

// silentSpring is the id of the borrowing request serverAndLocal makes.
var silentSpring string

// rowIDs are the ids of every row a window lists, its pages read as needed.
func rowIDs(mw *MainWindow) []string {
	var out []string
	for i := range mw.list.view.rows.Len() {
		out = append(out, mw.list.view.rows.ID(i))
	}
	return out
}

// sameList checks that two windows show the same rows and facets.
func sameList(t *testing.T, want, got *MainWindow) {
	t.Helper()
	assert.Equal(t, rowIDs(want), rowIDs(got), "the rows")
	assert.Equal(t, want.facets.side.radio.Options, got.facets.side.radio.Options, "the Side facet")
	assert.Equal(t, want.facets.status.radio.Options, got.facets.status.radio.Options, "the Status facet")
	assert.Equal(t, want.facets.partner.radio.Options, got.facets.partner.radio.Options, "the Partner facet")
	assert.Equal(t, want.facets.format.radio.Options, got.facets.format.radio.Options, "the Format facet")
	assert.Equal(t, want.list.selected, got.list.selected, "the selected request")
}

func TestTheServersListIsTheListingsList(t *testing.T) {
	_, _, onServer, local := serverAndLocal(t, 260)
	sameList(t, local, onServer)
	steps := []struct {
		name string
		do   func(mw *MainWindow)
	}{
		{"all active", func(mw *MainWindow) { mw.list.SetStatus("") }},
		{"a partner", func(mw *MainWindow) { mw.list.SetPartner("nypl") }},
		{"a search", func(mw *MainWindow) { mw.list.searchFor("scien") }},
		{"sorted by title", func(mw *MainWindow) { mw.list.SortByColumn(3) }},
		{"sorted by title, backwards", func(mw *MainWindow) { mw.list.SortByColumn(3) }},
		{"no search", func(mw *MainWindow) { mw.list.searchFor("") }},
		{"by the time left, backwards", func(mw *MainWindow) { mw.list.SortByColumn(1); mw.list.SortByColumn(1) }},
		{"borrowing", func(mw *MainWindow) { mw.list.SetSide(domain.Borrowing) }},
	}
	for _, step := range steps {
		step.do(local)
		step.do(onServer)
		sameList(t, local, onServer)
		if t.Failed() {
			t.Fatalf("after %s", step.name)
		}
	}
}

func TestTheServersListReadsOnlyWhatItShows(t *testing.T) {
	_, server, mw, local := serverAndLocal(t, 260)
	rows, ok := mw.list.view.rows.(*pagedRows)
	require.True(t, ok)
	assert.Equal(t, 260, rows.Len())
	assert.Equal(t, []int{0}, pagesRead(rows), "one page read to open")

	// drawing a row further down asks for its page, drawn when it arrives
	asked := server.rows
	text, _ := cellText(mw.list.view.table, 150, 2)
	assert.Empty(t, text, "a row is drawn blank while its page is on its way")
	assert.Equal(t, asked+1, server.rows, "one question for the page")
	text, _ = cellText(mw.list.view.table, 150, 2)
	want, _ := cellText(local.list.view.table, 150, 2)
	assert.Equal(t, want, text, "and drawn again when it has arrived")
	assert.Equal(t, []int{0, 1}, pagesRead(rows))
	for i := 100; i < 200; i++ {
		cellText(mw.list.view.table, i, 2)
	}
	assert.Equal(t, asked+1, server.rows, "the rows of a page read are drawn from it")
}

// pagesRead lists the pages paged rows hold.
func pagesRead(p *pagedRows) []int {
	var out []int
	for k := range 1 + p.n/rowsPage {
		if _, ok := p.pages[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func TestAScanShowsItsRequestWhereverItIsOnTheServer(t *testing.T) {
	_, _, mw, local := serverAndLocal(t, 260)
	for _, w := range []*MainWindow{local, mw} {
		w.list.SetStatus("")
		scanInto(w, "R-230")
	}
	sameList(t, local, mw)
	assert.Greater(t, local.list.view.selected, rowsPage, "the request is far down the list")
	assert.Equal(t, local.list.view.selected, mw.list.view.selected, "its row is highlighted there")
	r, ok := mw.list.Selected()
	require.True(t, ok)
	assert.Equal(t, "R-230", r.ExternalID)
}

func TestAnotherWorkstationsChangeReadsTheRowsOnlyWhenTheyShowIt(t *testing.T) {
	f, server, mw, _ := serverAndLocal(t, 30)
	other := domain.Actor{Station: domain.RSDesk}
	r, err := f.desk.Find("R-005")
	require.NoError(t, err)
	_, err = f.desk.Reject(r.ID, domain.Reasons()[0], "", "", other)
	require.NoError(t, err)

	asked, counted := server.rows, server.groups
	mw.list.RefreshSoon(r.ID)
	assert.Greater(t, server.groups, counted, "the counts are asked again")
	assert.Greater(t, server.rows, asked, "a request on screen changed: its rows are read again")
	assert.NotContains(t, rowIDs(mw), r.ID, "the rejected request has left the list of new ones")

	// a change to a borrowing request, which the lending list does not show
	_, err = f.desk.Cancel(silentSpring, "", other)
	require.NoError(t, err)
	asked, counted = server.rows, server.groups
	mw.list.RefreshSoon(silentSpring)
	assert.Greater(t, server.groups, counted, "the counts are asked again")
	assert.Equal(t, asked, server.rows, "no row on screen changed: none is read")

	// a filter that shows nothing is not an empty database
	mw.list.SetStatus(domain.Cancelled)
	require.Zero(t, mw.list.view.rows.Len())
	mw.list.RefreshSoon(f.borrowing("Cosmos").ID)
	assert.False(t, mw.hint.Visible(), "the hint of an empty database stays hidden")
	assert.True(t, mw.centre.Visible())
}

func TestAttentionOnTheServerIsTheListingsAttention(t *testing.T) {
	f, _, mw, local := serverAndLocal(t, 40)
	f.clock.now = f.clock.now.Add(72 * time.Hour) // the deadlines pass
	local.attention.refresh()
	mw.attention.refresh()
	want := attentionNow(t, local)
	require.NotEmpty(t, want)
	assert.Equal(t, want, attentionNow(t, mw))
	assert.Equal(t, len(want), mw.attention.Count())
	assert.Equal(t, local.attention.button.Text, mw.attention.button.Text)

	opened := f.open() // on the server too: it checks as it opens, in the background
	opened.Wait()
	assert.Equal(t, len(want), opened.attention.Count(), "checked at start")
	assert.Equal(t, local.attention.button.Text, opened.attention.button.Text)
}

func TestTypingAsksTheServerOnceTypingPauses(t *testing.T) {
	_, server, mw, local := serverAndLocal(t, 30)
	var pending []func()
	mw.list.after = func(d time.Duration, fn func()) {
		assert.Equal(t, searchDelay, d)
		pending = append(pending, fn)
	}
	counted := server.groups
	for _, text := range []string{"s", "sc", "sci"} {
		mw.list.searchFor(text)
	}
	assert.Equal(t, counted, server.groups, "nothing is asked while staff type")
	require.Len(t, pending, 3)
	for _, fn := range pending {
		fn()
	}
	// one search asked, once typing paused: every request's counts, the
	// matches' among the active ones, then every request's again and all
	// the matches'
	assert.Equal(t, counted+3, server.groups)
	assert.Equal(t, 1, server.active)
	local.list.searchFor("sci")
	sameList(t, local, mw)
}

func TestASearchShowsItsRowsBeforeItsCounts(t *testing.T) {
	_, server, mw, local := serverAndLocal(t, 260)
	local.list.searchFor("r-")
	var during []string
	var countsDuring []string
	server.counting = func() {
		if during == nil { // the first count
			during = rowIDs(mw)
			countsDuring = mw.facets.status.radio.Options
		}
	}
	before := mw.facets.status.radio.Options
	mw.list.searchFor("r-")
	want := rowIDs(local)
	require.Greater(t, len(want), rowsPage, "more matches than a page")
	assert.Equal(t, want[:rowsPage], during, "the first page is shown while the matches are counted")
	assert.Equal(t, before, countsDuring, "the counts wait for their answer")
	sameList(t, local, mw) // then every row and the counts
}

func TestABroadSearchCountsItsActiveRequestsFirst(t *testing.T) {
	f, server, mw, local := serverAndLocal(t, 40)
	for _, ext := range []string{"R-003", "R-007", "R-011"} {
		r, err := f.desk.Find(ext)
		require.NoError(t, err)
		_, err = f.desk.Reject(r.ID, domain.Reasons()[0], "", "", domain.Actor{Station: domain.RSDesk})
		require.NoError(t, err)
	}
	local.Refresh()
	mw.Refresh()
	local.list.searchFor("r-0")
	run := deferJobs(mw)
	mw.list.searchFor("r-0")
	run() // the first rows, then the counts among the active requests
	assert.Equal(t, rowIDs(local), rowIDs(mw), "every row, its number known")
	assert.Contains(t, mw.facets.status.radio.Options, "Rejected (…)", "the closed states are being counted")
	assert.Contains(t, mw.facets.status.radio.Options, "Created Lending Request (37)")
	assert.Equal(t, local.facets.partner.radio.Options, mw.facets.partner.radio.Options, "the partners' counts are known")
	assert.Equal(t, 1, server.active, "the matches counted among the active requests")
	run() // every match counted
	assert.Contains(t, mw.facets.status.radio.Options, "Rejected (3)")
	sameList(t, local, mw)

	// a filter that shows closed requests is counted at once
	mw.list.SetStatus(domain.Rejected)
	local.list.SetStatus(domain.Rejected)
	run()
	sameList(t, local, mw)
	assert.NotContains(t, strings.Join(mw.facets.status.radio.Options, " "), "…")
}

func TestAChangeElsewhereDoesNotCountEveryMatchOfASearchAgain(t *testing.T) {
	f, server, mw, local := serverAndLocal(t, 40)
	r, err := f.desk.Find("R-003")
	require.NoError(t, err)
	_, err = f.desk.Reject(r.ID, domain.Reasons()[0], "", "", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	for _, w := range []*MainWindow{local, mw} {
		w.Refresh()
		w.list.searchFor("r-0")
	}
	sameList(t, local, mw)
	searched, active := server.searched, server.active

	// another workstation cancels a borrowing request: no row on screen
	// changes, and the closed states' counts are kept as they were counted
	_, err = f.desk.Cancel(silentSpring, "", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw.list.RefreshSoon(silentSpring)
	local.list.RefreshSoon(silentSpring)
	assert.Equal(t, searched, server.searched, "every match is not counted again")
	assert.Equal(t, active+1, server.active, "the active ones are")
	sameList(t, local, mw)
	assert.Contains(t, mw.facets.status.radio.Options, "Rejected (1)")

	// a change made here counts every match again
	r, err = f.desk.Find("R-005")
	require.NoError(t, err)
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	local.Refresh()
	local.list.SelectRequest(r.ID)
	assert.Greater(t, server.searched, searched)
	sameList(t, local, mw)
	assert.Contains(t, mw.facets.status.radio.Options, "Rejected (2)")
}

// deferJobs has a window's background work wait until the test runs it,
// and returns what runs the work started so far, in the order given.
func deferJobs(mw *MainWindow) (run func(order ...int)) {
	var jobs []func()
	mw.spawn = func(fn func()) { jobs = append(jobs, fn) }
	return func(order ...int) {
		waiting := jobs
		jobs = nil
		if len(order) == 0 {
			order = make([]int, len(waiting))
			for i := range order {
				order[i] = i
			}
		}
		for _, i := range order {
			waiting[i]()
		}
	}
}

func TestTheWindowDoesNotWaitForTheServer(t *testing.T) {
	_, server, mw, local := serverAndLocal(t, 260)
	run := deferJobs(mw)

	// a click on a header: the list is sorted when the answer comes
	before := mw.list.view.rows
	asked := server.rows
	mw.list.SortByColumn(3)
	local.list.SortByColumn(3)
	assert.Equal(t, asked, server.rows, "nothing is asked on the window's thread")
	assert.Same(t, before, mw.list.view.rows, "the rows of before stay until the answer comes")
	run()
	sameList(t, local, mw)

	// only the last question's answer is shown, whichever comes first
	mw.list.SetPartner("nypl")
	mw.list.SetPartner("rapid")
	local.list.SetPartner("rapid")
	run(1, 0)
	sameList(t, local, mw)

	// a request chosen far down the list shows at once; its row is
	// highlighted when its page has come
	mw.list.SetPartner("")
	local.list.SetPartner("")
	run()
	far, err := mw.desk.Find("R-231")
	require.NoError(t, err)
	mw.list.SelectRequest(far.ID)
	local.list.SelectRequest(far.ID)
	shown, ok := mw.list.Selected()
	require.True(t, ok)
	assert.Equal(t, far.ID, shown.ID, "its details show at once")
	assert.Equal(t, -1, mw.list.view.selected, "its row is not read yet")
	run() // where it sits
	run() // its page
	require.Greater(t, local.list.view.selected, rowsPage)
	assert.Equal(t, local.list.view.selected, mw.list.view.selected, "its row is highlighted")
}

func TestAttentionOnTheServerIsCheckedOneAtATime(t *testing.T) {
	_, server, mw, _ := serverAndLocal(t, 10)
	run := deferJobs(mw)
	var paused []time.Duration
	mw.attention.after = func(d time.Duration, fn func()) { paused = append(paused, d); fn() }
	asked := server.rows
	for range 3 { // three scans in a row
		mw.attention.refresh()
	}
	run() // the first check
	once := server.rows - asked
	require.Positive(t, once)
	assert.Equal(t, []time.Duration{attentionPause}, paused, "those asked meanwhile wait a moment after it")
	run() // then one more for the two asked meanwhile
	assert.Equal(t, 2*once, server.rows-asked)
	run()
	assert.Equal(t, 2*once, server.rows-asked, "and no other")
	assert.Len(t, paused, 1)
}
