package domain

import (
	"cmp"
	"hash/maphash"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Summary is the part of a request that the request list, its facets and
// search, the station list and the attention check read. Storage keeps one
// beside every request, so a list of 100,000 requests opens without decoding
// their citations and histories.
type Summary struct {
	ID            string
	RequestNumber string
	Side          Side
	ExternalID    string
	Partner       string
	State         State
	Format        Format
	Title         string
	ArticleTitle  string
	Requester     string
	Pickup        string
	ItemBarcode   string
	PickTarget    string
	Created       time.Time
	Deadline      time.Time
	DueDate       time.Time
	// Since is when the request entered its current state.
	Since time.Time
	// Flags (comma-separated) and LenderDeadline are a borrowing
	// request's from its lender.
	Flags          string
	LenderDeadline time.Time
}

// Summary is the request's summary as the list shows it.
func (r Request) Summary() Summary {
	return Summary{
		ID: r.ID, RequestNumber: r.RequestNumber, Side: r.Side, ExternalID: r.ExternalID, Partner: r.Partner, State: r.State, Format: r.Format,
		Title: r.Title, ArticleTitle: r.ArticleTitle, Requester: r.Requester, Pickup: r.Pickup,
		ItemBarcode: r.ItemBarcode, PickTarget: r.PickTarget,
		Created: r.Created, Deadline: r.Deadline, DueDate: r.DueDate, Since: r.stateSince(),
		Flags: strings.Join(r.Flags, ","), LenderDeadline: r.LenderDeadline,
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
func (s Summary) StatusLabel() string { return lenderLabel(s.Side, s.State, s.Partner) }

// Ref is the short way to name the request to staff (see Request.Ref).
func (s Summary) Ref() string { return ref(s.ExternalID, s.ID) }

// Urgency is the time that orders the list, most urgent first: the
// partner's deadline for lending, the due date for a loan (ours to a patron,
// or a book we lent to a partner). dated is
// false for requests that have neither; they follow the dated ones, newest first.
func (s Summary) Urgency() (at time.Time, dated bool) {
	switch {
	case !s.Deadline.IsZero() && s.Side == Lending && !lentOut(s.Side, s.State):
		return s.Deadline, true
	case !s.DueDate.IsZero():
		return s.DueDate, true
	}
	return s.Created, false
}

// urgency is where a summary sorts in the list: dated requests (deadline or
// due date) first, earliest first; then the undated ones newest first; ties
// by id. at is Unix nanoseconds, negated for undated requests so that the
// newest sorts first.
func urgency(s *Summary) (at int64, undated bool) {
	t, dated := s.Urgency()
	if !dated {
		return -t.UnixNano(), true
	}
	return t.UnixNano(), false
}

// Listing is the list model: every request's summary, most urgent first,
// with each request's search text folded to lower case once, so that
// filtering and counting facets over 100,000 requests takes milliseconds.
// It keeps each summary compactly (its text in one string, its times as
// numbers, its states and partner codes once per listing), about half the
// memory of the summaries themselves, and rebuilds a Summary when asked.
// It is not safe for concurrent use; the window owns its own.
type Listing struct {
	// items are kept in order (rather than an index of them) so that
	// filtering reads memory straight through.
	items []entry
	// names holds each side, state, format, partner and pickup value once;
	// entries refer to them by position.
	names   []string
	nameIdx map[string]uint32
	// last is where the request last found or put was: looked at first,
	// since the window looks for the request it has just changed or shown
	// several times in a row, and a search goes through the whole list.
	last int
	// lenderMarks holds, by id, the few summaries' lender flags and
	// deadline (see markLender), rather than a field in every entry.
	lenderMarks map[string]lenderMark
}

// entry is one request in a listing: 96 bytes besides its text.
type entry struct {
	at int64 // urgency (see urgency)
	// text is the id, external id, title, article title, requester, item
	// barcode and number, a NUL between each two; when they are not all ASCII,
	// where ignoring case takes more than folding A–Z, a NUL and all six
	// lower-cased follow. ends says where each field's NUL is. A search
	// matches the text ignoring case.
	text    string
	times   [4]int64  // created, deadline, due date, since: Unix nanoseconds, 0 for none
	ends    [6]uint16 // in text: where each field's NUL is; the last is where the lower-cased copy starts, or 0
	names   [6]uint32 // side, state, format, partner, pickup, pick target: positions in Listing.names
	undated bool
	active  bool
	// idHash is a hash of the id (idHashOf), in what would be padding: a
	// search by id compares it first and reads the text of almost no
	// other entry.
	idHash uint16
}

// idSeed seeds idHashOf; the hashes live only in memory.
var idSeed = maphash.MakeSeed()

// idHashOf is the hash entries keep of their id.
func idHashOf(id string) uint16 { return uint16(maphash.String(idSeed, id)) }

// maxField is the longest text field, in bytes, an entry keeps, so that its
// text and lower-cased copy fit positions of 16 bits. Longer ones (no
// citation has them) are cut in the listing; the request keeps them whole.
const maxField = 4096

const (
	nameSide = iota
	nameState
	nameFormat
	namePartner
	namePickup
	namePickTarget
)

// NewListing builds the list model from summaries in any order.
func NewListing(ss []Summary) *Listing {
	l := &Listing{items: make([]entry, len(ss)), nameIdx: map[string]uint32{}}
	for i := range ss {
		l.items[i] = l.entryOf(&ss[i])
	}
	slices.SortFunc(l.items, compareEntries)
	return l
}

// entryOf packs a summary into an entry, adding its names to the listing's.
func (l *Listing) entryOf(s *Summary) entry {
	e := entry{active: s.Active(), idHash: idHashOf(s.ID)}
	e.at, e.undated = urgency(s)
	fields := textFields(s)
	n := len(fields) - 1
	for i, f := range fields {
		fields[i] = clip(f, maxField)
		n += len(fields[i])
	}
	var b strings.Builder
	b.Grow(n)
	for i, f := range fields {
		if i > 0 {
			if i < len(e.ends) {
				e.ends[i-1] = uint16(b.Len())
			}
			b.WriteByte(0)
		}
		b.WriteString(f)
	}
	if text := b.String(); !isASCII(text) {
		e.ends[len(e.ends)-1] = uint16(len(text))
		e.text = text + "\x00" + strings.ToLower(text)
	} else {
		e.text = text
	}
	for i, t := range []time.Time{s.Created, s.Deadline, s.DueDate, s.Since} {
		if !t.IsZero() {
			e.times[i] = t.UnixNano()
		}
	}
	for i, n := range []string{string(s.Side), string(s.State), string(s.Format), s.Partner, s.Pickup, s.PickTarget} {
		e.names[i] = l.name(n)
	}
	l.markLender(s)
	return e
}

// clip cuts s to at most n bytes, at the start of a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// name is the position of n in the listing's names, adding it when new.
func (l *Listing) name(n string) uint32 {
	if i, ok := l.nameIdx[n]; ok {
		return i
	}
	i := uint32(len(l.names))
	l.names = append(l.names, n)
	l.nameIdx[n] = i
	return i
}

// field is the ith of an entry's text fields (0 is the id). The last two,
// the item barcode and the number, share the last end: the last NUL
// between them is looked for when they are read (a number, which ILL Desk
// makes, never holds one; a barcode might), which keeps an entry at 96
// bytes.
func (e *entry) field(i int) string {
	last := len(e.ends) - 1
	if i < last {
		from := 0
		if i > 0 {
			from = int(e.ends[i-1]) + 1
		}
		return e.text[from:e.ends[i]]
	}
	to := len(e.text)
	if e.ends[last] != 0 {
		to = int(e.ends[last])
	}
	both := e.text[int(e.ends[last-1])+1 : to]
	cut := strings.LastIndexByte(both, 0)
	if i == last {
		return both[:cut]
	}
	return both[cut+1:]
}

func (e *entry) id() string { return e.field(0) }

// summary rebuilds the summary an entry was packed from; its strings share
// the entry's memory.
func (l *Listing) summary(e *entry) Summary {
	var t [4]time.Time
	for i, n := range e.times {
		if n != 0 {
			t[i] = time.Unix(0, n)
		}
	}
	return l.withLender(Summary{
		ID: e.field(0), ExternalID: e.field(1), Title: e.field(2), ArticleTitle: e.field(3),
		Requester: e.field(4), ItemBarcode: e.field(5), RequestNumber: e.field(6),
		Side: Side(l.names[e.names[nameSide]]), State: State(l.names[e.names[nameState]]),
		Format: Format(l.names[e.names[nameFormat]]), Partner: l.names[e.names[namePartner]],
		Pickup: l.names[e.names[namePickup]], PickTarget: l.names[e.names[namePickTarget]],
		Created: t[0], Deadline: t[1], DueDate: t[2], Since: t[3],
	})
}

// compareEntries orders two entries by urgency, then id.
func compareEntries(a, b entry) int {
	if a.undated != b.undated {
		if a.undated {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	return strings.Compare(a.id(), b.id())
}

// matches reports whether a search for q (lower-cased) matches the entry.
func (e *entry) matches(q string) bool {
	if at := e.ends[len(e.ends)-1]; at != 0 {
		return strings.Contains(e.text[at+1:], q)
	}
	return containsFoldASCII(e.text, q)
}

// textFields are a summary's text fields in the order an entry's text
// holds them (and entry.field numbers them); a search matches any one.
func textFields(s *Summary) []string {
	return []string{s.ID, s.ExternalID, s.Title, s.ArticleTitle, s.Requester, s.ItemBarcode, s.RequestNumber}
}

// fold is the text a search matches, lower-cased: what an entry's text
// holds, in the same order.
func fold(s *Summary) string {
	return strings.ToLower(strings.Join(textFields(s), "\x00"))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s, all ASCII, contains q, lower-case,
// ignoring the case of s. It looks for q's first byte in either case with
// strings.IndexByte, which is fast, and compares the rest only there.
func containsFoldASCII(s, q string) bool {
	if q == "" {
		return true
	}
	lo, up := q[0], q[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	for len(s) >= len(q) {
		last := s[:len(s)-len(q)+1] // where q can start
		i := strings.IndexByte(last, lo)
		if up != lo {
			if j := strings.IndexByte(last, up); j >= 0 && (i < 0 || j < i) {
				i = j
			}
		}
		if i < 0 {
			return false
		}
		if equalFoldASCII(s[i+1:i+len(q)], q[1:]) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// equalFoldASCII reports whether a equals b, lower-case, ignoring the case of a's A–Z.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(b); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// Remove takes the request with the id out of the listing, when it is there.
// Rows taken from the listing before are stale afterwards; filter again.
func (l *Listing) Remove(id string) {
	if i := l.index(id); i >= 0 {
		l.items = slices.Delete(l.items, i, i+1)
	}
}

// Len is the number of requests in the listing.
func (l *Listing) Len() int { return len(l.items) }

// Find returns the summary of the request with the id.
func (l *Listing) Find(id string) (Summary, bool) {
	if i := l.index(id); i >= 0 {
		return l.summary(&l.items[i]), true
	}
	return Summary{}, false
}

func (l *Listing) index(id string) int {
	if id == "" {
		return -1
	}
	if l.last < len(l.items) && l.items[l.last].id() == id {
		return l.last
	}
	h := idHashOf(id)
	for i := range l.items {
		if e := &l.items[i]; e.idHash == h && e.id() == id {
			l.last = i
			return i
		}
	}
	return -1
}

// Put adds or replaces one request's summary, keeping the order, after a
// change made at this workstation. Rows taken from the listing before are
// stale afterwards; filter again.
func (l *Listing) Put(s Summary) {
	if i := l.index(s.ID); i >= 0 {
		l.items = slices.Delete(l.items, i, i+1)
	}
	e := l.entryOf(&s)
	at := sort.Search(len(l.items), func(j int) bool { return compareEntries(l.items[j], e) >= 0 })
	l.items = slices.Insert(l.items, at, e)
	l.last = at
}

// Rows are the requests a filter shows, most urgent first unless sorted
// otherwise: positions in a listing, valid until its next Put.
type Rows struct {
	l  *Listing
	at []int32
	// sorted says the rows are not in the listing's order (see SortBy).
	sorted bool
}

// Len is the number of rows.
func (r Rows) Len() int { return len(r.at) }

// At is the summary of the ith row.
func (r Rows) At(i int) Summary { return r.l.summary(&r.l.items[r.at[i]]) }

// ID is the id of the ith row's request.
func (r Rows) ID(i int) string { return r.l.items[r.at[i]].id() }

// Index is the row of the request with the id, or -1 when it is not shown.
// Rows are in the listing's order: the request's place in the listing is
// looked for among them.
func (r Rows) Index(id string) int {
	at := r.l.index(id)
	if at < 0 {
		return -1
	}
	if r.sorted {
		return slices.Index(r.at, int32(at))
	}
	if i, ok := slices.BinarySearch(r.at, int32(at)); ok {
		return i
	}
	return -1
}

// SortBy returns the rows ordered by key, reversed when desc is set; rows
// with the same key keep their order, most urgent first. Each row's key is
// worked out once, and the rows themselves are left as they are.
func (r Rows) SortBy(key func(*Summary) string, desc bool) Rows {
	keys := make([]string, len(r.at))
	for i := range r.at {
		s := r.At(i)
		keys[i] = key(&s)
	}
	order := make([]int, len(r.at))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if desc {
			return strings.Compare(keys[b], keys[a])
		}
		return strings.Compare(keys[a], keys[b])
	})
	out := Rows{l: r.l, at: make([]int32, len(r.at)), sorted: true}
	for i, j := range order {
		out.at[i] = r.at[j]
	}
	return out
}

// Reversed returns the rows in the opposite order: least urgent first.
func (r Rows) Reversed() Rows {
	out := Rows{l: r.l, at: slices.Clone(r.at), sorted: true}
	slices.Reverse(out.at)
	return out
}

// Apply returns the rows the filter shows, most urgent first, and the
// facet counts beside them: for each facet value, the requests the filter
// would show with that value chosen and the other facets left as they are.
// Side counts active requests; the Status facet lists the side's states.
func (l *Listing) Apply(f Filter) (Rows, Facets) {
	q := strings.ToLower(strings.TrimSpace(f.Text))
	// what each name means for this filter, worked out once
	sideOK := make([]bool, len(l.names))
	stateOK := make([]bool, len(l.names))
	partnerOK := make([]bool, len(l.names))
	formatOK := make([]bool, len(l.names))
	for i, n := range l.names {
		sideOK[i] = f.Side == "" || Side(n) == f.Side
		stateOK[i] = State(n) == f.State
		partnerOK[i] = f.Partner == "" || strings.EqualFold(n, f.Partner)
		formatOK[i] = f.Format == nil || Format(n) == *f.Format
	}
	c := facetCounter{state: map[State]int{}, partner: map[string]int{}}
	rows := Rows{l: l}
	for i := range l.items {
		e := &l.items[i]
		if e.active {
			c.side[sideIndex(Side(l.names[e.names[nameSide]]))]++
		}
		if !sideOK[e.names[nameSide]] || (q != "" && !e.matches(q)) {
			continue
		}
		pOK, fOK := partnerOK[e.names[namePartner]], formatOK[e.names[nameFormat]]
		sOK := (f.State == "" && (e.active || f.All)) || stateOK[e.names[nameState]]
		if pOK && fOK && sOK {
			rows.at = append(rows.at, int32(i))
		}
		c.count(1, State(l.names[e.names[nameState]]), l.names[e.names[namePartner]], Format(l.names[e.names[nameFormat]]), e.active, pOK, fOK, sOK)
	}
	return rows, c.facets(f)
}

// Match reports whether the filter shows the request.
func (f Filter) Match(s Summary) bool {
	q := strings.ToLower(strings.TrimSpace(f.Text))
	active := s.Active()
	inView := (f.Side == "" || s.Side == f.Side) && (q == "" || strings.Contains(fold(&s), q))
	partnerOK := f.Partner == "" || strings.EqualFold(s.Partner, f.Partner)
	formatOK := f.Format == nil || s.Format == *f.Format
	stateOK := (f.State == "" && (active || f.All)) || s.State == f.State
	return inView && partnerOK && formatOK && stateOK
}

// Shippable returns the summaries of the lending requests that can ship and
// have an external identifier (scans are named after it), for matching file
// names away from the window's goroutine.
func (l *Listing) Shippable() []Summary {
	var out []Summary
	for i := range l.items {
		e := &l.items[i]
		if e.field(1) == "" || !e.active {
			continue
		}
		if s := l.summary(e); s.Can(ActShip) {
			out = append(out, s)
		}
	}
	return out
}

// Filter returns the rows the filter shows, most urgent first.
func (l *Listing) Filter(f Filter) Rows {
	rows, _ := l.Apply(f)
	return rows
}

func sideIndex(s Side) int {
	if s == Borrowing {
		return 1
	}
	return 0
}
