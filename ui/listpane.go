package ui

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// listDesk is what the list asks of the desk.
type listDesk interface {
	Listing() (*domain.Listing, error)
	Summaries(ids []string) (found []domain.Summary, gone []string, err error)
	Find(ref string) (domain.Request, error)
	ServerList() (domain.ListQuerier, bool)
}

// ListPane is the request list with what it shows: every request's summary
// (the listing), the filter the facets and search choose, the selected
// request, the marks for batch actions and the changes announced by other
// workstations, gathered into one reload. Its view is the table itself,
// with the keyboard's moves through it.
type ListPane struct {
	link
	desk listDesk
	view *RequestList

	listing *domain.Listing // every request's summary, most urgent first
	// server answers the list instead of a listing, on a department
	// database: the window then holds only the rows it shows.
	server *serverList
	filter domain.Filter
	// sortCol and sortDesc are the order staff chose by clicking a header:
	// a column of sortSide's and its direction. The urgency column's
	// ascending sort is the list's own order, most urgent first; another
	// side starts from it.
	sortSide domain.Side
	sortCol  int
	sortDesc bool
	selected string // id of the selected request
	// refreshPending is set while a RefreshSoon waits; refreshIDs are the
	// requests announced changed meanwhile, and refreshAll says the whole
	// list is to be read again.
	refreshPending bool
	refreshIDs     map[string]bool
	refreshAll     bool
	// searchGen counts the searches typed, so that only the last one is
	// asked once typing pauses.
	searchGen int
	// after runs fn on Fyne's goroutine once d has passed (MainWindow.after).
	after func(d time.Duration, fn func())

	// reloadAll reads the settings and the whole list again (MainWindow.Refresh).
	reloadAll func()
	// showFacets shows the facet counts and choices; showEmpty the hint
	// of an empty database instead of the list.
	showFacets func(domain.Facets, domain.Filter)
	showEmpty  func(empty bool)
	// opened is called when another request is selected; showDetails
	// shows the selected request, clearDetails shows none.
	opened       func(domain.Request)
	showDetails  func(domain.Request)
	clearDetails func()
	// collecting reports whether files wait in the drop area for the
	// selected request.
	collecting func() bool
	// marked is called when the marks are cleared, with their number.
	marked func(n int)
}

func newListPane(l link, d listDesk, view *RequestList) *ListPane {
	p := &ListPane{link: l, desk: d, view: view,
		filter:   domain.Filter{Side: domain.Lending, State: domain.Created},
		sortSide: view.side, sortCol: urgencyColumn(view.cols)}
	view.open = p.SelectRequest
	view.onSort = p.SortByColumn
	if q, ok := d.ServerList(); ok {
		p.server = &serverList{pane: p, q: q}
	}
	return p
}

// reload reads every request's summary again, then redraws: at start,
// after the settings change (MainWindow.Refresh), and after a change to
// more requests than updateRows puts quickly.
func (l *ListPane) reload() {
	if l.server != nil {
		l.applyFilter()
		return
	}
	listing, err := l.desk.Listing()
	if err != nil {
		l.fail(err)
		return
	}
	l.listing = listing
	l.applyFilter()
}

// updateRows puts the summaries of requests changed here (by a batch
// action) in the list, then redraws: an action knows what it changed, and
// reading every request again would take longer the larger the department.
func (l *ListPane) updateRows(changed ...domain.Summary) {
	if len(changed) > maxRefreshIDs || l.server != nil {
		l.reload()
		return
	}
	l.putRows(changed, nil)
}

// RefreshSoon brings the list up to date a moment from now, once however
// often it is called meanwhile: changes announced by other workstations
// come in bursts. ids are the requests that changed: only those are read
// again, unless there are more than a few; none, or "*", reads the whole
// list and the settings again. Call it on Fyne's goroutine (Do from
// others).
func (l *ListPane) RefreshSoon(ids ...string) {
	if len(ids) == 0 || slices.Contains(ids, "*") {
		l.refreshAll = true
	} else {
		if l.refreshIDs == nil {
			l.refreshIDs = map[string]bool{}
		}
		for _, id := range ids {
			l.refreshIDs[id] = true
		}
	}
	if l.refreshPending {
		return
	}
	l.refreshPending = true
	l.after(refreshDelay, func() {
		all, changed := l.refreshAll, l.refreshIDs
		l.refreshPending, l.refreshAll, l.refreshIDs = false, false, nil
		if all || len(changed) > maxRefreshIDs {
			l.reloadAll()
			return
		}
		l.refreshRequests(slices.Collect(maps.Keys(changed)))
	})
}

// maxRefreshIDs is how many changed requests RefreshSoon reads, and
// updateRows puts, one by one; for more, reading the whole list is quicker.
const maxRefreshIDs = 20

// refreshRequests reads the requests with the ids again and puts them in
// the list (or takes them out, when they are gone), then redraws. On a
// department database the facet counts are asked again, and the rows on
// screen only when a changed request is among them or now passes the
// filter.
func (l *ListPane) refreshRequests(ids []string) {
	found, gone, err := l.desk.Summaries(ids)
	if err != nil {
		l.fail(err)
		return
	}
	if l.server != nil && !l.server.touches(l.filter, found, gone) {
		l.server.countSoon(l.filter, false) // on a department database only the counts change then
		return
	}
	l.putRows(found, gone)
}

// putRows puts the summaries found in the list and takes those gone out of
// it, then redraws.
func (l *ListPane) putRows(found []domain.Summary, gone []string) {
	if l.server != nil {
		l.applyFilter()
		return
	}
	for _, s := range found {
		l.listing.Put(s)
	}
	for _, id := range gone {
		l.listing.Remove(id)
	}
	l.applyFilter()
}

// refreshDelay gathers a burst of announced changes into one reload.
const refreshDelay = 300 * time.Millisecond

// applyFilter shows the requests passing the facets and search. The
// request in the details pane stays there while it exists, even when the
// facets no longer pass it: after a scan or an action moves a request on,
// staff still see what they did. A new choice of facets or search text
// goes through chooseFilter instead.
func (l *ListPane) applyFilter() {
	l.showRows(l.selected, func(rows listRows) { l.pickShown(rows, false) })
}

// chooseFilter shows the requests passing the facets and search staff have
// just chosen. If the request in the details pane is not among them, the
// most urgent one that is takes its place, so that staff who switch to
// Borrowing see a borrowing request, not the lending one they left;
// unless files dropped for it are waiting to be shipped.
func (l *ListPane) chooseFilter() {
	l.showRows(l.selected, func(rows listRows) { l.pickShown(rows, true) })
}

// pickShown shows the details of the selected request, or of the first of
// the rows just shown when it is not to stay: listedOnly is set when staff
// have just chosen the filter (chooseFilter).
func (l *ListPane) pickShown(rows listRows, listedOnly bool) {
	// setRows found the selected request's row, if it is listed
	keep := l.selected != "" && (!listedOnly || l.collecting() || l.view.selected >= 0)
	if r, ok := l.find(l.selected); ok && keep {
		l.showDetails(r)
	} else if rows.Len() > 0 {
		l.SelectRequest(rows.ID(0)) // open the most urgent request
	} else {
		l.selected = ""
		l.clearDetails()
	}
}

// showRows shows the requests passing the facets and search, with the
// request with the id highlighted, and the facet counts; not the details.
// then, when given, is called with the rows once they are shown: at once
// from a listing, when the answer comes on a department database.
func (l *ListPane) showRows(highlight string, then func(listRows)) {
	if l.server != nil {
		l.showServerRows(highlight, then)
		return
	}
	rows, facets := l.listing.Apply(l.filter)
	l.view.setColumns(l.filter.Side)
	// in the order staff chose, shown on the headers
	l.showSort()
	switch {
	case l.view.cols[l.sortCol].urgency && l.sortDesc:
		rows = rows.Reversed()
	case !l.view.cols[l.sortCol].urgency:
		rows = rows.SortBy(l.view.sortKey(l.sortCol), l.sortDesc)
	}
	l.view.setRows(rows, highlight)
	l.showFacets(facets, l.filter)
	l.showEmpty(l.listing.Len() == 0)
	if then != nil {
		then(rows)
	}
}

// showSort shows the order staff chose on the headers, back to the list's
// own when the side has changed.
func (l *ListPane) showSort() {
	if l.sortSide != l.view.side {
		l.sortSide, l.sortCol, l.sortDesc = l.view.side, urgencyColumn(l.view.cols), false
	}
	l.view.setSort(l.sortCol, l.sortDesc)
}

// SortByColumn sorts the list by a column, or reverses the sort when the
// list is already sorted by it; the urgency column (Time left, Due) gives
// back the list's own order, most urgent first. The selected request stays
// selected.
func (l *ListPane) SortByColumn(col int) {
	cols := l.view.cols
	if col < 0 || col >= len(cols) || cols[col].mark {
		return
	}
	if col == l.sortCol {
		l.sortDesc = !l.sortDesc
	} else {
		l.sortCol, l.sortDesc = col, false
	}
	l.showRows(l.selected, nil)
}

// find loads the request with the id, fresh from the database.
func (l *ListPane) find(id string) (domain.Request, bool) {
	if id == "" {
		return domain.Request{}, false
	}
	if l.server == nil {
		if _, ok := l.listing.Find(id); !ok {
			return domain.Request{}, false
		}
	}
	r, err := l.desk.Find(id)
	if l.server != nil && errors.Is(err, domain.ErrNotFound) {
		return domain.Request{}, false // deleted at another workstation
	}
	if err != nil {
		l.fail(err)
		return domain.Request{}, false
	}
	return r, true
}

// SetSide chooses the Side facet.
func (l *ListPane) SetSide(s domain.Side) {
	if s == l.filter.Side {
		return
	}
	l.filter = domain.Filter{Side: s, Text: l.filter.Text}
	l.chooseFilter()
}

// SetStatus chooses a state in the Status facet ("" for all active).
func (l *ListPane) SetStatus(s domain.State) {
	l.filter.State, l.filter.All = s, false
	l.chooseFilter()
}

// SetPartner chooses a partner in the Partner facet ("" for all).
func (l *ListPane) SetPartner(code string) { l.filter.Partner = code; l.chooseFilter() }

// SetFormat chooses a value of the Format facet ("", "electronic", "physical", "blank").
func (l *ListPane) SetFormat(v string) { l.filter.Format = domain.FormatFilter(v); l.chooseFilter() }

// searchFor filters the list by text (title, external id, barcode,
// requester), typed in the search field.
//
// On a department database the search is asked once typing pauses
// (searchDelay), off Fyne's goroutine: a search of a million requests can
// take a while, and the keys typed meanwhile must not wait for it. Its
// first rows are shown as soon as they come, the counts when they follow
// (counting a word found in a tenth of a million requests takes far
// longer than finding the first hundred); each only if nothing was typed
// or chosen since.
func (l *ListPane) searchFor(text string) {
	l.filter.Text = text
	if l.server == nil {
		l.chooseFilter()
		return
	}
	l.searchGen++
	gen := l.searchGen
	l.after(searchDelay, func() {
		if gen != l.searchGen {
			return
		}
		f, o := l.filter, l.view.order(l.sortCol, l.sortDesc)
		l.server.asked++
		asked := l.server.asked
		current := func() bool { return asked == l.server.asked && sameFilter(f, l.filter) }
		l.run(func() {
			rows, err := l.server.firstRows(f, o)
			l.do(func() {
				if !current() {
					return // typed or chosen since
				}
				l.server.shown = asked
				if err != nil {
					l.fail(err)
					return
				}
				l.view.setRows(rows, l.selected)
				l.pickShown(rows, true)
			})
			if err != nil {
				return
			}
			c, err := l.server.facets(f, true)
			l.do(func() {
				if !current() || l.view.rows != listRows(rows) {
					return
				}
				if err != nil {
					l.fail(err)
					return
				}
				rows.n = max(c.n, 0)
				l.view.table.Refresh()
				if l.server.showCounts(f, c) {
					l.server.countSoon(f, true)
				}
			})
		})
	})
}

// searchDelay is how long after the last key in the search field a
// department database is asked.
const searchDelay = 250 * time.Millisecond

// SelectRequest shows a request in the details pane and highlights it in the
// list; a request outside the current facets is shown all the same.
func (l *ListPane) SelectRequest(id string) {
	r, ok := l.find(id)
	if !ok {
		return
	}
	l.view.endBurst() // a click or a scan ends a burst of keys
	if id != l.selected {
		l.selected = id
		l.opened(r)
	}
	if l.server != nil {
		l.server.locateSoon(r.Summary())
	}
	l.view.setSelected(id)
	l.showDetails(r)
}

// Selected is the request shown in the details pane.
func (l *ListPane) Selected() (domain.Request, bool) { return l.find(l.selected) }

// revealRequest selects a request, switching the side facet (and leaving the
// status facet) when the request is not in view.
func (l *ListPane) revealRequest(r domain.Summary) { l.reveal(r, false) }

// showChanged puts the summary of the request a scan or an action here has
// just changed in the list and shows it. The facets stay where staff put
// them, even when the request has left them (rejected, shipped): its
// details stay in view all the same, and the list does not jump. Only a
// request of the other side switches the side, as revealRequest does.
// Only its row is put, and the list, the facets and the details are each
// drawn once: a scanner sends the next code a moment later.
func (l *ListPane) showChanged(r domain.Summary) {
	if l.server == nil {
		l.listing.Put(r)
	}
	if l.filter.Side != "" && r.Side != l.filter.Side {
		l.reveal(r, true)
		return
	}
	l.showRows(r.ID, nil) // SelectRequest draws its details
	l.SelectRequest(r.ID)
}

// reveal is revealRequest; redraw says the list has changed and is to be
// drawn again in any case.
func (l *ListPane) reveal(r domain.Summary, redraw bool) {
	if !l.filter.Match(r) {
		l.filter = domain.Filter{Side: r.Side}
		if !l.filter.Match(r) {
			l.filter.All = true
		}
		redraw = true
	}
	if redraw {
		l.showRows(r.ID, nil) // SelectRequest draws its details
	}
	l.SelectRequest(r.ID)
}

// showShipped puts a request just shipped in the list and selects the
// request now at the row it had, the next most urgent one.
func (l *ListPane) showShipped(shipped domain.Request, index int) {
	l.selected = ""
	if l.server == nil {
		l.listing.Put(shipped.Summary())
	}
	l.showRows("", func(rows listRows) {
		if n := rows.Len(); n > 0 && l.selected == "" {
			l.SelectRequest(rows.ID(min(max(index, 0), n-1)))
		} else if n == 0 && l.selected == "" {
			l.clearDetails()
		}
	})
}

// showReceived reads again the requests partner messages have changed and
// shows the last one.
func (l *ListPane) showReceived(changed []string, last string) {
	if len(changed) > maxRefreshIDs {
		l.reload()
	} else if len(changed) > 0 {
		l.refreshRequests(changed)
	}
	if last != "" {
		if r, found := l.find(last); found {
			l.revealRequest(r.Summary())
		}
	}
}

// Marked lists the ids of the requests marked for a batch action, in list order.
func (l *ListPane) Marked() []string {
	var ids []string
	if l.server != nil {
		// those on screen in its order, then the others
		for id := range l.view.marked {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int {
			i, j := l.view.rows.Index(a), l.view.rows.Index(b)
			if i < 0 || j < 0 {
				return cmp.Or(cmp.Compare(j, i), strings.Compare(a, b))
			}
			return cmp.Compare(i, j)
		})
		return ids
	}
	rows := l.listing.Filter(domain.Filter{All: true})
	for i := range rows.Len() {
		if id := rows.ID(i); l.view.marked[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// MarkRequest marks (or unmarks) a request for a batch action.
func (l *ListPane) MarkRequest(id string, on bool) {
	if l.view.marked[id] != on {
		l.view.toggleMark(id)
	}
}

// ClearMarks unmarks every request.
func (l *ListPane) ClearMarks() {
	clear(l.view.marked)
	l.view.table.Refresh()
	l.marked(0)
	l.focus()
}

// useFilter has the list show what passes f from its next redraw.
func (l *ListPane) useFilter(f domain.Filter) { l.filter = f }

// batchDone unmarks the requests a batch action changed and puts them in
// the list; those it refused stay marked.
func (l *ListPane) batchDone(changed []domain.Summary) {
	for _, s := range changed {
		delete(l.view.marked, s.ID)
	}
	l.updateRows(changed...)
}

// showServerRows is showRows on a department database: the counts and the
// rows on screen are asked of the server; the request with the id is
// looked for wherever it sits in the list, so that it can be highlighted.
func (l *ListPane) showServerRows(highlight string, then func(listRows)) {
	l.view.setColumns(l.filter.Side)
	l.showSort()
	o := l.view.order(l.sortCol, l.sortDesc)
	// the pages on screen before, read again, so the list does not blink
	pages := []int{0}
	if old, ok := l.view.rows.(*pagedRows); ok && sameFilter(old.f, l.filter) && old.o == o {
		pages = append(pages, old.last, old.last+1)
	}
	l.server.showSoon(l.filter, o, pages, highlight, then)
}

// sameFilter reports whether two filters show the same rows.
func sameFilter(a, b domain.Filter) bool {
	fa, fb := a.Format, b.Format
	a.Format, b.Format = nil, nil
	return a == b && (fa == nil) == (fb == nil) && (fa == nil || *fa == *fb)
}
