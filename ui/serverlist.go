package ui

import "github.com/illdesk/illdesk/domain"

// serverList is the list as a department database answers it (a
// ListPane's, on one): what the pane asks the server for a filter, and how
// the answers are shown. ask, facets, firstRows and rows touch no widget
// and may run off Fyne's goroutine; the others run on it.
type serverList struct {
	pane *ListPane
	q    domain.ListQuerier
	// asked counts the questions whose answer replaces the rows (showSoon,
	// a search), and shown is the one whose answer is on screen: an
	// answer is shown only if nothing was asked since, and while one is
	// awaited the request selected meanwhile is looked for in its rows.
	asked, shown int
	// counting is set while countSoon counts; countAgain when it was asked
	// again meanwhile, completeAgain when one of those asked for every count.
	counting, countAgain, completeAgain bool
	// complete are the last counts shown that had every count (complete),
	// and the filter they counted.
	complete     domain.Facets
	completeOf   domain.Filter
	completeSeen bool
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

// counts are the facet counts of a filter and how many rows it shows (-1
// when the database holds no request at all); counting says the counts of
// the closed states are still to come (countSoon).
type counts struct {
	facets   domain.Facets
	n        int
	counting bool
}

// facets asks the server for the facet counts of a filter. quick counts a
// search among the active requests only when the filter shows no others:
// its rows and every count but the closed states' are then known in a
// moment, where counting a word found in a tenth of a million requests
// takes a while.
func (s *serverList) facets(f domain.Filter, quick bool) (counts, error) {
	all, err := s.q.ListGroups("")
	if err != nil {
		return counts{}, err
	}
	var c counts
	switch q := f.SearchQuery(); {
	case q == "":
		c.facets, c.n = domain.CountGroups(f, all, all)
	case quick && f.ShowsActiveOnly():
		active, err := s.q.ListActiveGroups(q)
		if err != nil {
			return counts{}, err
		}
		c.facets, c.n = domain.CountActiveGroups(f, all, active)
		c.counting = true
	default:
		matched, err := s.q.ListGroups(q)
		if err != nil {
			return counts{}, err
		}
		c.facets, c.n = domain.CountGroups(f, all, matched)
	}
	total := 0
	for _, g := range all {
		total += g.Count
	}
	if total == 0 {
		c.n = -1 // an empty database, not an empty filter
	}
	return c, nil
}

// serverAnswer is what the server said of a filter: its facet counts, how
// many rows it shows (-1 for an empty database) and the rows, the pages
// asked for read.
type serverAnswer struct {
	counts
	rows *pagedRows
}

// ask asks the server for what the list shows of a filter in an
// order: the counts, and the pages given and the one holding the request
// with the id highlight, when the filter shows it. It touches no widget,
// so it may run off Fyne's goroutine.
func (s *serverList) ask(f domain.Filter, o domain.ListOrder, pages []int, highlight string) (serverAnswer, error) {
	c, err := s.facets(f, true)
	if err != nil {
		return serverAnswer{}, err
	}
	rows := s.rows(f, o, max(c.n, 0))
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
	return serverAnswer{counts: c, rows: rows}, nil
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
	rows.arrived = func() {
		s.pane.view.table.Refresh()
		if rows.want != "" && rows.want == s.pane.selected && s.pane.view.rows == listRows(rows) {
			s.pane.view.setSelected(rows.want)
		}
	}
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
	s.showCounts(ans.rows.f, ans.counts)
}

// showCounts shows the facet counts of a filter. Those still being
// counted (the closed states', of a search) are shown as they were last
// counted for the same filter, when they were: they change only as
// requests close, and a search left in the box would otherwise show
// "(…)" at every scan and every change made elsewhere. It reports whether
// a count is still to come.
func (s *serverList) showCounts(f domain.Filter, c counts) (counting bool) {
	if !c.counting {
		s.complete, s.completeOf, s.completeSeen = c.facets, f, true
	} else if s.completeSeen && sameFilter(f, s.completeOf) {
		c.counting = false
		for i, v := range c.facets.Status {
			switch {
			case !v.Counting:
			case i < len(s.complete.Status) && s.complete.Status[i].Value == v.Value:
				c.facets.Status[i] = s.complete.Status[i]
			default:
				c.counting = true
			}
		}
	}
	s.pane.showFacets(c.facets, f)
	s.pane.showEmpty(c.n < 0)
	return c.counting
}

// showSoon asks the server for what the list shows of a filter in an
// order (ask) in the background, and shows the answer, the request
// selected by then highlighted, unless something was asked since; then,
// when given, is called with the rows shown. The window does not wait for
// the server: a scan's details show at once, and a list sorted by a
// column without an index, or a broad filter, catches up a moment later.
func (s *serverList) showSoon(f domain.Filter, o domain.ListOrder, pages []int, highlight string, then func(listRows)) {
	s.asked++
	gen := s.asked
	s.pane.run(func() {
		ans, err := s.ask(f, o, pages, highlight)
		s.pane.do(func() {
			if gen != s.asked {
				return // asked again since
			}
			s.shown = gen
			if err != nil {
				s.pane.fail(err)
				return
			}
			s.show(ans, s.pane.selected)
			if ans.counting {
				s.countSoon(f, true)
			}
			if then != nil {
				then(ans.rows)
			}
		})
	})
}

// locateSoon finds the row of a request just selected wherever it sits in
// the list, in the background, reads its page and highlights it, so that a
// request chosen by a scan or an action shows in the list too. While an
// answer is awaited it is left to that answer, which is asked with the
// selected request.
func (s *serverList) locateSoon(x domain.Summary) {
	rows, ok := s.pane.view.rows.(*pagedRows)
	if !ok || s.shown != s.asked || rows.Index(x.ID) >= 0 || !rows.f.Match(x) {
		return
	}
	gen := s.asked
	q, f, o := rows.q, rows.f, rows.o
	s.pane.run(func() {
		at, err := q.ListPosition(f, o, x)
		s.pane.do(func() {
			if gen != s.asked || s.pane.view.rows != listRows(rows) || s.pane.selected != x.ID {
				return // the list or the selection has changed since
			}
			if err != nil {
				s.pane.fail(err)
				return
			}
			if at < rows.n {
				rows.want = x.ID
				rows.ask(at / rowsPage)
			}
		})
	})
}

// countSoon asks the server for the facet counts of the filter in the
// background and shows them, unless the rows were asked for since (their
// answer has the counts) or another filter was chosen: every count, to
// complete a search's, or after a change announced by another workstation
// those a moment's question answers (showCounts keeps the closed states'
// of a search as they were counted). One count runs at a time: changes
// come every moment at a busy department, and counting every match of a
// broad search takes a while; those asked meanwhile are made once, when
// it ends.
func (s *serverList) countSoon(f domain.Filter, complete bool) {
	if s.counting {
		s.countAgain = true
		s.completeAgain = s.completeAgain || complete
		return
	}
	s.counting = true
	gen := s.asked
	s.pane.run(func() {
		c, err := s.facets(f, !complete)
		s.pane.do(func() {
			again, completeAgain := s.countAgain, s.completeAgain
			s.counting, s.countAgain, s.completeAgain = false, false, false
			if gen == s.asked && sameFilter(f, s.pane.filter) {
				if err != nil {
					s.pane.fail(err)
				} else if s.showCounts(f, c) {
					// never counted for this filter yet
					again, completeAgain = true, true
				}
			}
			if again {
				s.countSoon(s.pane.filter, completeAgain)
			}
		})
	})
}
