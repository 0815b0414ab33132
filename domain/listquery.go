package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// SortField is what a list column sorts by; SortUrgency, the zero value, is
// the list's own order, most urgent first.
type SortField string

// The fields the list sorts by.
const (
	SortUrgency   SortField = ""
	SortRef       SortField = "ref"
	SortNumber    SortField = "number"
	SortTitle     SortField = "title"
	SortState     SortField = "state"
	SortPartner   SortField = "partner"
	SortFormat    SortField = "format"
	SortRequester SortField = "requester"
	SortPickup    SortField = "pickup"
	SortBarcode   SortField = "barcode"
)

// SortFields are the fields other than urgency, in the order a store keeps
// their keys (SortKeys).
var SortFields = []SortField{SortRef, SortNumber, SortTitle, SortState, SortPartner, SortFormat, SortRequester, SortPickup, SortBarcode}

// ListOrder is the order rows are listed in: by a field (its key, then the
// list's own order among equal keys), descending when Desc is set. Among
// equal keys rows stay most urgent first either way; by urgency, Desc
// reverses the whole order.
type ListOrder struct {
	By   SortField
	Desc bool
}

// ListTitle is the title as the lending list shows it: the journal's and
// the article's together.
func (s *Summary) ListTitle() string {
	if s.Side == Lending && s.ArticleTitle != "" {
		return s.Title + " — " + s.ArticleTitle
	}
	return s.Title
}

// ListRef names the request in the list: its external identifier, or its
// number when it has none (requests we made), or else Ref.
func (s *Summary) ListRef() string {
	if s.ExternalID == "" && s.RequestNumber != "" {
		return s.RequestNumber
	}
	return s.Ref()
}

// SortKey is what the field sorts the summary by: the text the list shows,
// lower-cased, or the state's place in the workflow.
func (s *Summary) SortKey(f SortField) string {
	switch f {
	case SortRef:
		return strings.ToLower(s.ListRef())
	case SortNumber:
		return strings.ToLower(s.RequestNumber)
	case SortTitle:
		return strings.ToLower(s.ListTitle())
	case SortState:
		return fmt.Sprintf("%03d", slices.Index(States(s.Side), s.State))
	case SortPartner:
		return strings.ToLower(s.Partner)
	case SortFormat:
		return string(s.Format)
	case SortRequester:
		return strings.ToLower(s.Requester)
	case SortPickup:
		return strings.ToLower(s.Pickup)
	case SortBarcode:
		return strings.ToLower(s.ItemBarcode)
	}
	return ""
}

// SortKeys are the summary's keys for each of SortFields, in that order,
// for a store that orders rows itself.
func (s *Summary) SortKeys() []string {
	keys := make([]string, len(SortFields))
	for i, f := range SortFields {
		keys[i] = s.SortKey(f)
	}
	return keys
}

// UrgencyKey is where the summary sorts in the list's own order: dated
// requests first by their time (Unix nanoseconds), then undated ones by at,
// which is then the creation time negated, so the newest come first; ties
// by id.
func (s *Summary) UrgencyKey() (at int64, undated bool) { return urgency(s) }

// SearchText is the text a search matches, lower-cased, one field a line,
// for a store that searches itself: a search for q matches a summary when
// q, lower-cased, occurs in it (a search is never more than a line).
func (s *Summary) SearchText() string {
	return strings.ToLower(strings.Join(textFields(s), "\n"))
}

// SearchQuery is the text a store looks for in SearchText for a filter's
// search, "" for none.
func (f Filter) SearchQuery() string { return strings.ToLower(strings.TrimSpace(f.Text)) }

// ListGroup is how many requests share a side, state, partner and format
// (and so whether they are active): what facet counts are added up from.
type ListGroup struct {
	Side    Side
	State   State
	Partner string
	Format  Format
	Count   int
}

// CountGroups adds up the facet counts and the number of rows a filter
// shows, as Listing.Apply counts them, from the groups of every request
// (all) and of those the filter's search matches (matched, the same as all
// without a search): the side counts are of every active request, whatever
// the search.
func CountGroups(f Filter, all, matched []ListGroup) (Facets, int) {
	return countGroups(f, all, matched, false)
}

// CountActiveGroups is CountGroups from the groups of the active requests
// the search matches (ListActiveGroups), for a filter of active requests
// (ShowsActiveOnly): the counts of the closed states are marked Counting,
// to be counted from every request a moment later.
func CountActiveGroups(f Filter, all, matchedActive []ListGroup) (Facets, int) {
	return countGroups(f, all, matchedActive, true)
}

// ShowsActiveOnly reports whether the filter shows active requests only,
// so that the rows it shows and the counts of its other facets are counted
// from the active requests alone.
func (f Filter) ShowsActiveOnly() bool {
	return !f.All && (f.State == "" || !f.State.Final(f.Side))
}

func countGroups(f Filter, all, matched []ListGroup, activeOnly bool) (Facets, int) {
	c := facetCounter{state: map[State]int{}, partner: map[string]int{}}
	for _, g := range all {
		if !g.State.Final(g.Side) {
			c.side[sideIndex(g.Side)] += g.Count
		}
	}
	rows := 0
	for _, g := range matched {
		if f.Side != "" && g.Side != f.Side {
			continue
		}
		active := !g.State.Final(g.Side)
		pOK := f.Partner == "" || strings.EqualFold(g.Partner, f.Partner)
		fOK := f.Format == nil || g.Format == *f.Format
		sOK := (f.State == "" && (active || f.All)) || g.State == f.State
		if pOK && fOK && sOK {
			rows += g.Count
		}
		c.count(g.Count, g.State, g.Partner, g.Format, active, pOK, fOK, sOK)
	}
	facets := c.facets(f)
	if activeOnly {
		side := cmp.Or(f.Side, Lending)
		for i := range facets.Status {
			v := &facets.Status[i]
			v.Counting = v.Value != "" && State(v.Value).Final(side)
		}
	}
	return facets, rows
}

// ListServer is what a store may offer so that a window need not hold
// every request to list them: a department database of a million requests
// answers the list's filters, order, search and facet counts from its
// indexes (Lists), and the window asks only for the rows it shows.
type ListServer interface {
	Lists() ListQuerier
}

// ListQuerier answers the request list: the Listing in memory, or a store
// that is a ListServer.
type ListQuerier interface {
	// ListGroups counts the requests whose SearchText holds query (every
	// request for ""), grouped by side, state, partner and format.
	ListGroups(query string) ([]ListGroup, error)
	// ListActiveGroups is ListGroups of the active requests only: what a
	// filter of active requests counts, in a moment even for a search
	// that matches a large share of every request ever made.
	ListActiveGroups(query string) ([]ListGroup, error)
	// ListRows returns up to limit summaries of the rows the filter shows
	// in the order: those after the row of after (from the first row when
	// nil), skipping skip of them first. Paging from the last row read
	// reads only the rows returned, however far down the list.
	ListRows(f Filter, o ListOrder, after *Summary, skip, limit int) ([]Summary, error)
	// ListPosition is how many rows the filter shows before the row of s
	// in the order.
	ListPosition(f Filter, o ListOrder, s Summary) (int, error)
}

// CompareRows orders two summaries as the list shows them in the order o.
func CompareRows(o ListOrder, a, b *Summary) int {
	if o.By != SortUrgency {
		c := strings.Compare(a.SortKey(o.By), b.SortKey(o.By))
		if o.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return CompareRows(ListOrder{}, a, b)
	}
	aAt, aUndated := urgency(a)
	bAt, bUndated := urgency(b)
	c := 0
	switch {
	case aUndated != bUndated && aUndated:
		c = 1
	case aUndated != bUndated:
		c = -1
	default:
		c = cmp.Compare(aAt, bAt)
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
	}
	if o.Desc {
		return -c
	}
	return c
}

var _ ListQuerier = (*Listing)(nil)

// ListGroups counts the listing's requests as a store that answers the
// list itself does (ListQuerier).
func (l *Listing) ListGroups(query string) ([]ListGroup, error) {
	type key struct {
		side, state, partner, format uint32
	}
	counts := map[key]int{}
	for i := range l.items {
		e := &l.items[i]
		if query != "" && !e.matches(query) {
			continue
		}
		counts[key{e.names[nameSide], e.names[nameState], e.names[namePartner], e.names[nameFormat]}]++
	}
	out := make([]ListGroup, 0, len(counts))
	for k, n := range counts {
		out = append(out, ListGroup{Side: Side(l.names[k.side]), State: State(l.names[k.state]),
			Partner: l.names[k.partner], Format: Format(l.names[k.format]), Count: n})
	}
	return out, nil
}

// ListActiveGroups counts the active requests as a store that answers
// the list itself does (ListQuerier).
func (l *Listing) ListActiveGroups(query string) ([]ListGroup, error) {
	groups, err := l.ListGroups(query)
	return slices.DeleteFunc(groups, func(g ListGroup) bool { return g.State.Final(g.Side) }), err
}

// ListRows lists the listing's rows as a store that answers the list
// itself does (ListQuerier).
func (l *Listing) ListRows(f Filter, o ListOrder, after *Summary, skip, limit int) ([]Summary, error) {
	rows := l.ordered(f, o)
	from := 0
	if after != nil {
		from, _ = slices.BinarySearchFunc(rows, after, func(s Summary, t *Summary) int {
			if CompareRows(o, &s, t) <= 0 {
				return -1
			}
			return 1
		})
	}
	from = min(from+skip, len(rows))
	return rows[from:min(from+limit, len(rows))], nil
}

// ListPosition places a row as a store that answers the list itself does
// (ListQuerier).
func (l *Listing) ListPosition(f Filter, o ListOrder, s Summary) (int, error) {
	rows := l.ordered(f, o)
	at, _ := slices.BinarySearchFunc(rows, &s, func(r Summary, t *Summary) int { return CompareRows(o, &r, t) })
	return at, nil
}

// ordered is every summary the filter shows, in the order.
func (l *Listing) ordered(f Filter, o ListOrder) []Summary {
	rows := l.Filter(f)
	out := make([]Summary, rows.Len())
	for i := range out {
		out[i] = rows.At(i)
	}
	slices.SortFunc(out, func(a, b Summary) int { return CompareRows(o, &a, &b) })
	return out
}
