package domain

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Summary is the part of a request that the request list, its facets and
// search, the station list and the attention check read. Storage keeps one
// beside every request, so a list of 100,000 requests opens without decoding
// their citations and histories.
type Summary struct {
	ID           string
	Side         Side
	ExternalID   string
	Partner      string
	State        State
	Format       Format
	Title        string
	ArticleTitle string
	Requester    string
	Pickup       string
	ItemBarcode  string
	PickTarget   string
	Created      time.Time
	Deadline     time.Time
	DueDate      time.Time
	// Since is when the request entered its current state.
	Since time.Time
}

// Summary is the request's summary as the list shows it.
func (r Request) Summary() Summary {
	return Summary{
		ID: r.ID, Side: r.Side, ExternalID: r.ExternalID, Partner: r.Partner, State: r.State, Format: r.Format,
		Title: r.Title, ArticleTitle: r.ArticleTitle, Requester: r.Requester, Pickup: r.Pickup,
		ItemBarcode: r.ItemBarcode, PickTarget: r.PickTarget,
		Created: r.Created, Deadline: r.Deadline, DueDate: r.DueDate, Since: r.stateSince(),
	}
}

// stateSince is when the request entered its current state: the last event
// that changed the state, or its creation.
func (r Request) stateSince() time.Time {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].From != r.History[i].To {
			return r.History[i].At
		}
	}
	if n := len(r.History); n > 0 {
		return r.History[n-1].At
	}
	return r.Created
}

// Active reports whether the request still needs work (its state is not final).
func (s Summary) Active() bool { return !s.State.Final(s.Side) }

// StatusLabel is the state's label as staff know it.
func (s Summary) StatusLabel() string { return s.State.Label(s.Side) }

// Ref is the short way to name the request to staff (see Request.Ref).
func (s Summary) Ref() string { return ref(s.ExternalID, s.ID) }

// Urgency is the time that orders the list, most urgent first: the
// partner's deadline for lending, the patron's due date for a loan. dated is
// false for requests that have neither; they follow the dated ones, newest first.
func (s Summary) Urgency() (at time.Time, dated bool) {
	switch {
	case !s.Deadline.IsZero() && s.Side == Lending:
		return s.Deadline, true
	case !s.DueDate.IsZero():
		return s.DueDate, true
	}
	return s.Created, false
}

// urgencyKey orders the list: dated requests (deadline or due date) first,
// earliest first; then the undated ones newest first; ties by id.
type urgencyKey struct {
	undated bool
	at      int64 // Unix nanoseconds; negated for undated requests, so newest sorts first
}

func keyOf(s *Summary) urgencyKey {
	at, dated := s.Urgency()
	if !dated {
		return urgencyKey{undated: true, at: -at.UnixNano()}
	}
	return urgencyKey{at: at.UnixNano()}
}

func (k urgencyKey) compare(o urgencyKey) int {
	if k.undated != o.undated {
		if k.undated {
			return 1
		}
		return -1
	}
	return cmp.Compare(k.at, o.at)
}

// Listing is the list model: every request's summary, most urgent first,
// with each request's search text folded to lower case once, so that
// filtering and counting facets over 100,000 requests takes milliseconds.
// It is not safe for concurrent use; the window owns its own.
type Listing struct {
	// items, folded and keys run in step, most urgent first; items are
	// kept in order (rather than an index of them) so that filtering
	// reads memory straight through.
	items  []Summary
	folded []string     // per item: lower-cased title, article title, external id, barcode, requester, id
	keys   []urgencyKey // per item
}

// NewListing builds the list model from summaries in any order; it takes
// ss over and sorts it in place.
func NewListing(ss []Summary) *Listing {
	n := len(ss)
	keys := make([]urgencyKey, n)
	order := make([]int32, n)
	for i := range ss {
		keys[i], order[i] = keyOf(&ss[i]), int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compareItems(keys[a], keys[b], &ss[a], &ss[b]) })
	permute(ss, keys, order)
	l := &Listing{items: ss, folded: make([]string, n), keys: keys}
	for i := range ss {
		l.folded[i] = fold(&ss[i])
	}
	return l
}

// permute puts ss[order[i]] (and its key) at i, in place, following the
// permutation's cycles so that no second copy of the summaries is needed.
// It uses up order.
func permute(ss []Summary, keys []urgencyKey, order []int32) {
	for start := range order {
		if order[start] < 0 || int(order[start]) == start {
			continue
		}
		s, k := ss[start], keys[start]
		at := start
		for {
			from := int(order[at])
			order[at] = -1
			if from == start {
				ss[at], keys[at] = s, k
				break
			}
			ss[at], keys[at] = ss[from], keys[from]
			at = from
		}
	}
}

// compareItems orders two items by urgency, then id.
func compareItems(ka, kb urgencyKey, a, b *Summary) int {
	if c := ka.compare(kb); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// fold is the text a search matches, lower-cased, fields apart.
func fold(s *Summary) string {
	return strings.ToLower(strings.Join([]string{s.Title, s.ArticleTitle, s.ExternalID, s.ItemBarcode, s.Requester, s.ID}, "\x00"))
}

// Listing loads the list model of every request.
func (d *Desk) Listing() (*Listing, error) {
	var ss []Summary
	err := d.store.View(func(tx Tx) error {
		n, err := tx.RequestCount()
		if err != nil {
			return err
		}
		ss = make([]Summary, 0, n) // one allocation of the right size: no copies as it grows
		return tx.ForEachSummary(func(s Summary) error {
			ss = append(ss, s)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return NewListing(ss), nil
}

// Len is the number of requests in the listing.
func (l *Listing) Len() int { return len(l.items) }

// Find returns the summary of the request with the id.
func (l *Listing) Find(id string) (Summary, bool) {
	if i := l.index(id); i >= 0 {
		return l.items[i], true
	}
	return Summary{}, false
}

func (l *Listing) index(id string) int {
	if id == "" {
		return -1
	}
	return slices.IndexFunc(l.items, func(s Summary) bool { return s.ID == id })
}

// Put adds or replaces one request's summary, keeping the order, after a
// change made at this workstation. Rows taken from the listing before are
// stale afterwards; filter again.
func (l *Listing) Put(s Summary) {
	if i := l.index(s.ID); i >= 0 {
		l.items, l.folded, l.keys = slices.Delete(l.items, i, i+1), slices.Delete(l.folded, i, i+1), slices.Delete(l.keys, i, i+1)
	}
	k := keyOf(&s)
	at := sort.Search(len(l.items), func(j int) bool { return compareItems(l.keys[j], k, &l.items[j], &s) >= 0 })
	l.items, l.folded, l.keys = slices.Insert(l.items, at, s), slices.Insert(l.folded, at, fold(&s)), slices.Insert(l.keys, at, k)
}

// Apply returns the summaries the filter shows, most urgent first, and the
// facet counts beside them: for each facet value, the requests the filter
// would show with that value chosen and the other facets left as they are.
// Side counts active requests; the Status facet lists the side's states.
// The rows point into the listing and are valid until the next Put.
func (l *Listing) Apply(f Filter) ([]*Summary, Facets) {
	q := strings.ToLower(strings.TrimSpace(f.Text))
	var c facetCounter
	var rows []*Summary
	for i := range l.items {
		s := &l.items[i]
		active := s.Active()
		if active {
			c.side[sideIndex(s.Side)]++
		}
		inView, partnerOK, formatOK, stateOK := f.test(s, active, l.folded[i], q)
		if !inView {
			continue
		}
		if partnerOK && formatOK && stateOK {
			rows = append(rows, s)
		}
		c.count(s, active, partnerOK, formatOK, stateOK)
	}
	return rows, c.facets(f)
}

// test reports how a summary fares against each part of the filter: whether
// it is on the side and matches the search (q, lower-cased, against its
// folded text), and whether it passes the partner, format and state facets.
func (f Filter) test(s *Summary, active bool, folded, q string) (inView, partnerOK, formatOK, stateOK bool) {
	inView = (f.Side == "" || s.Side == f.Side) && (q == "" || strings.Contains(folded, q))
	partnerOK = f.Partner == "" || strings.EqualFold(s.Partner, f.Partner)
	formatOK = f.Format == nil || s.Format == *f.Format
	stateOK = (f.State == "" && (active || f.All)) || s.State == f.State
	return inView, partnerOK, formatOK, stateOK
}

// Match reports whether the filter shows the request.
func (f Filter) Match(s Summary) bool {
	inView, partnerOK, formatOK, stateOK := f.test(&s, s.Active(), fold(&s), strings.ToLower(strings.TrimSpace(f.Text)))
	return inView && partnerOK && formatOK && stateOK
}

// Shippable returns copies of the summaries of the lending requests that
// can ship and have an external identifier (scans are named after it), for
// matching file names away from the window's goroutine.
func (l *Listing) Shippable() []Summary {
	var out []Summary
	for i := range l.items {
		if s := &l.items[i]; s.ExternalID != "" && s.Can(ActShip) {
			out = append(out, *s)
		}
	}
	return out
}

// Filter returns the summaries the filter shows, most urgent first.
func (l *Listing) Filter(f Filter) []*Summary {
	rows, _ := l.Apply(f)
	return rows
}

func sideIndex(s Side) int {
	if s == Borrowing {
		return 1
	}
	return 0
}
