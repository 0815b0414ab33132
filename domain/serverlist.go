package domain

// querier is the store's answer to the list, when it is a ListServer: a
// department database answers the list and the use cases' searches for
// requests in a state from its indexes, so no use case reads every request
// there.
func (d *core) querier() (ListQuerier, bool) {
	if s, ok := d.adapter().(ListServer); ok {
		return s.Lists(), true
	}
	return nil, false
}

// adapter is the store as its adapter made it, without the desk's own
// wrapping, for asking what more it offers.
func (d *core) adapter() Store {
	if q, ok := d.store.(queueingStore); ok {
		return q.Store
	}
	return d.store
}

// wherePage is how many summaries summariesWhere asks a store that answers
// the list for at a time (a variable for tests).
var wherePage = 1000

// ServerList is the store's own answer to the list, when it has one (a
// department database): a window then asks it for the rows it shows
// instead of holding every request's summary.
func (d *RequestService) ServerList() (ListQuerier, bool) { return d.querier() }

// summariesWhere calls fn for the summary of every request the filter
// shows (active ones of a state, say): on a store that answers the list,
// from its indexes; otherwise from every request's summary.
func (d *core) summariesWhere(f Filter, fn func(Summary) error) error {
	if q, ok := d.querier(); ok {
		// a page at a time, so that a window reading every active
		// request holds a few of them at once
		var after *Summary
		for {
			ss, err := q.ListRows(f, ListOrder{}, after, 0, wherePage)
			if err != nil {
				return err
			}
			for _, s := range ss {
				if err := fn(s); err != nil {
					return err
				}
			}
			if len(ss) < wherePage {
				return nil
			}
			after = &ss[len(ss)-1]
		}
	}
	return d.store.View(func(tx Tx) error {
		return tx.ForEachSummary(func(s Summary) error {
			if !f.Match(s) {
				return nil
			}
			return fn(s)
		})
	})
}

// Shippable returns the summaries of the lending requests that can ship and
// have an external identifier (scans are named after it), for matching
// the names of files dropped or scanned.
func (d *RequestService) Shippable() ([]Summary, error) {
	var out []Summary
	err := d.summariesWhere(Filter{Side: Lending}, func(s Summary) error {
		if s.ExternalID != "" && s.Can(ActShip) {
			out = append(out, s)
		}
		return nil
	})
	return out, err
}
