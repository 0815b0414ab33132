package ui

import "github.com/illdesk/illdesk/domain"

// serverList is the list as a department database answers it (a
// ListPane's, on one): what the pane asks the server for a filter, and how
// the answers are shown. Only show touches widgets; the rest may run off
// Fyne's goroutine.
type serverList struct {
	pane *ListPane
	q    domain.ListQuerier
}

// touches reports whether requests changed elsewhere (found, or gone) may
// change the rows the filter shows on screen: one of them is among those
// read, or now passes the filter.
func (s *serverList) touches(f domain.Filter, found []domain.Summary, gone []string) bool {
	rows, ok := s.pane.view.rows.(*pagedRows)
	if !ok {
		return true
	}
	for _, x := range found {
		if f.Match(x) || rows.Index(x.ID) >= 0 {
			return true
		}
	}
	for _, id := range gone {
		if rows.Index(id) >= 0 {
			return true
		}
	}
	return false
}

// facets asks the server for the facet counts of the filter, and how
// many rows it shows (-1 when the database holds no request at all).
func (s *serverList) facets(f domain.Filter) (domain.Facets, int, error) {
	all, err := s.q.ListGroups("")
	if err != nil {
		return domain.Facets{}, 0, err
	}
	matched := all
	if q := f.SearchQuery(); q != "" {
		if matched, err = s.q.ListGroups(q); err != nil {
			return domain.Facets{}, 0, err
		}
	}
	facets, n := domain.CountGroups(f, all, matched)
	total := 0
	for _, g := range all {
		total += g.Count
	}
	if total == 0 {
		n = -1 // an empty database, not an empty filter
	}
	return facets, n, nil
}

// serverAnswer is what the server said of a filter: its facet counts, how
// many rows it shows (-1 for an empty database) and the rows, the pages
// asked for read.
type serverAnswer struct {
	facets domain.Facets
	n      int
	rows   *pagedRows
}

// ask asks the server for what the list shows of a filter in an
// order: the counts, and the pages given and the one holding the request
// with the id highlight, when the filter shows it. It touches no widget,
// so it may run off Fyne's goroutine.
func (s *serverList) ask(f domain.Filter, o domain.ListOrder, pages []int, highlight string) (serverAnswer, error) {
	facets, n, err := s.facets(f)
	if err != nil {
		return serverAnswer{}, err
	}
	rows := s.rows(f, o, max(n, 0))
	for _, page := range pages {
		if _, ok := rows.pages[page]; !ok && page*rowsPage < rows.n {
			if err := rows.load(page); err != nil {
				return serverAnswer{}, err
			}
		}
	}
	if highlight != "" && rows.Index(highlight) < 0 {
		found, _, err := s.pane.desk.Summaries([]string{highlight})
		if err == nil && len(found) == 1 {
			err = rows.locate(found[0])
		}
		if err != nil {
			return serverAnswer{}, err
		}
	}
	return serverAnswer{facets: facets, n: n, rows: rows}, nil
}

// rows are the rows of a filter on the server, n of them, read as
// the list draws them.
func (s *serverList) rows(f domain.Filter, o domain.ListOrder, n int) *pagedRows {
	rows := newPagedRows(s.q, f, o, n)
	rows.fetch = func(query func() ([]domain.Summary, error), done func([]domain.Summary, error)) {
		s.pane.run(func() {
			ss, err := query()
			s.pane.do(func() { done(ss, err) })
		})
	}
	rows.arrived = func() { s.pane.view.table.Refresh() }
	rows.fail = s.pane.fail
	return rows
}

// firstRows reads the first page of a filter's rows, before their number
// is known: the rows are as many as the page holds until the counts say
// more. It touches no widget, so it may run off Fyne's goroutine.
func (s *serverList) firstRows(f domain.Filter, o domain.ListOrder) (*pagedRows, error) {
	rows := s.rows(f, o, rowsPage)
	if err := rows.load(0); err != nil {
		return nil, err
	}
	rows.n = len(rows.pages[0])
	return rows, nil
}

// show shows what the server said: the rows, with the request with
// the id highlighted, and the facet counts; not the details.
func (s *serverList) show(ans serverAnswer, highlight string) {
	s.pane.view.setRows(ans.rows, highlight)
	s.pane.showFacets(ans.facets, ans.rows.f)
	s.pane.showEmpty(ans.n < 0)
}
