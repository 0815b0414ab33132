package ui

import (
	"slices"

	"github.com/illdesk/illdesk/domain"
)

// listRows are the rows the list shows: a listing's (domain.Rows), or on a
// department database the pages of them asked of the server (pagedRows).
type listRows interface {
	Len() int
	// At is the summary of the ith row; one whose page has not arrived yet
	// has no ID, and is drawn blank until it does.
	At(i int) domain.Summary
	ID(i int) string
	// Index is the row of the request with the id, -1 when not among the
	// rows (or, paged, not among those read).
	Index(id string) int
}

// rowsPage is how many rows the list asks the server for at a time: a few
// screens, so that scrolling asks rarely.
const rowsPage = 100

// keptPages is how many pages pagedRows keeps: the ones nearest the last
// asked for stay, so a long scroll does not fill the memory.
const keptPages = 40

// pagedRows are the rows a filter shows on a department database. It holds
// only the pages the list has drawn, asks the server for a page when the
// list first draws one of its rows (in the background, drawing it blank
// meanwhile) and reads the next page from the last row of the one before
// (keyset), so that scrolling reads only what is shown.
type pagedRows struct {
	q     domain.ListQuerier
	f     domain.Filter
	o     domain.ListOrder
	n     int
	pages map[int][]domain.Summary
	// asked are the pages asked for in the background and not yet arrived.
	asked map[int]bool
	// last is the page last drawn from: eviction keeps those nearest it.
	last int
	// want is the request selected whose page was asked for, to be
	// highlighted when it arrives (serverList.locateSoon).
	want string
	// fetch runs a page's query off Fyne's goroutine and hands the result
	// back on it (ListPane.run and do); arrived redraws the list.
	fetch   func(query func() ([]domain.Summary, error), done func([]domain.Summary, error))
	arrived func()
	fail    func(error)
}

// newPagedRows are the rows of n the filter shows, in the order.
func newPagedRows(q domain.ListQuerier, f domain.Filter, o domain.ListOrder, n int) *pagedRows {
	return &pagedRows{q: q, f: f, o: o, n: n, pages: map[int][]domain.Summary{}, asked: map[int]bool{}}
}

// Len is the number of rows the filter shows.
func (p *pagedRows) Len() int { return p.n }

// At is the ith row's summary, or one without an ID while its page is on
// its way.
func (p *pagedRows) At(i int) domain.Summary {
	page := i / rowsPage
	p.last = page
	rows, ok := p.pages[page]
	if !ok {
		p.ask(page)
		return domain.Summary{}
	}
	if j := i % rowsPage; j < len(rows) {
		return rows[j]
	}
	return domain.Summary{}
}

// ID is the id of the ith row's request; its page is read at once when it
// has not been (a key moved far, or a click landed on a blank row).
func (p *pagedRows) ID(i int) string {
	if i < 0 || i >= p.n {
		return ""
	}
	page := i / rowsPage
	if _, ok := p.pages[page]; !ok {
		if err := p.load(page); err != nil {
			p.fail(err)
			return ""
		}
	}
	if rows := p.pages[page]; i%rowsPage < len(rows) {
		return rows[i%rowsPage].ID
	}
	return ""
}

// Index is the row of the request with the id among the pages read.
func (p *pagedRows) Index(id string) int {
	if id == "" {
		return -1
	}
	for page, rows := range p.pages {
		if j := slices.IndexFunc(rows, func(s domain.Summary) bool { return s.ID == id }); j >= 0 {
			return page*rowsPage + j
		}
	}
	return -1
}

// locate reads the page holding the row of s, when the filter shows it,
// so that Index finds it: for a request a scan or an action has just
// shown, wherever it sits in the list.
func (p *pagedRows) locate(s domain.Summary) error {
	if p.Index(s.ID) >= 0 || !p.f.Match(s) {
		return nil
	}
	at, err := p.q.ListPosition(p.f, p.o, s)
	if err != nil {
		return err
	}
	if at >= p.n {
		return nil
	}
	return p.load(at / rowsPage)
}

// query is the query for a page: from the last row of the nearest page read
// before it, skipping the pages between, or from the top.
func (p *pagedRows) query(page int) func() ([]domain.Summary, error) {
	var after *domain.Summary
	skip := page * rowsPage
	for k := page - 1; k >= 0; k-- {
		if rows, ok := p.pages[k]; ok && len(rows) == rowsPage {
			last := rows[len(rows)-1]
			after, skip = &last, (page-k-1)*rowsPage
			break
		}
	}
	q, f, o := p.q, p.f, p.o
	return func() ([]domain.Summary, error) { return q.ListRows(f, o, after, skip, rowsPage) }
}

// load reads a page now.
func (p *pagedRows) load(page int) error {
	rows, err := p.query(page)()
	if err != nil {
		return err
	}
	p.keep(page, rows)
	return nil
}

// ask reads a page in the background, once, and redraws the list when it
// arrives.
func (p *pagedRows) ask(page int) {
	if p.asked[page] || page*rowsPage >= p.n {
		return
	}
	p.asked[page] = true
	p.fetch(p.query(page), func(rows []domain.Summary, err error) {
		delete(p.asked, page)
		if err != nil {
			p.fail(err)
			return
		}
		p.keep(page, rows)
		p.arrived()
	})
}

// keep holds a page read, letting go of the pages furthest from the one
// last drawn when there are more than keptPages.
func (p *pagedRows) keep(page int, rows []domain.Summary) {
	p.pages[page] = rows
	for len(p.pages) > keptPages {
		far, dist := -1, -1
		for k := range p.pages {
			if d := max(k-p.last, p.last-k); d > dist {
				far, dist = k, d
			}
		}
		delete(p.pages, far)
	}
}
