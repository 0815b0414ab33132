package domain

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarySince(t *testing.T) {
	t0 := wednesday
	ev := func(h int, from, to State) Event {
		return Event{At: t0.Add(time.Duration(h) * time.Hour), From: from, To: to}
	}
	tests := []struct {
		name    string
		history []Event
		want    time.Time
	}{
		{"no history: created", nil, t0.Add(-time.Hour)},
		{"created only", []Event{ev(0, "", Created)}, t0},
		{"last state change", []Event{ev(0, "", Created), ev(2, Created, PickRequested)}, t0.Add(2 * time.Hour)},
		{"notes do not reset the wait", []Event{ev(0, "", Created), ev(2, Created, PickRequested), ev(5, PickRequested, PickRequested)}, t0.Add(2 * time.Hour)},
		{"only same-state events: the last", []Event{ev(1, Created, Created), ev(3, Created, Created)}, t0.Add(3 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{ID: "x", Created: t0.Add(-time.Hour), History: tt.history}
			assert.Equal(t, tt.want, r.Summary().Since)
		})
	}
}

func TestListingPutKeepsOrder(t *testing.T) {
	base := wednesday
	lend := func(id string, h int) Summary {
		return Summary{ID: id, Side: Lending, State: Created, Partner: "RAPID", Title: "Title " + id,
			Created: base, Deadline: base.Add(time.Duration(h) * time.Hour)}
	}
	l := NewListing([]Summary{lend("c", 30), lend("a", 10), lend("b", 20)})
	order := func() []string { return rowIDs(l.Filter(Filter{All: true})) }
	require.Equal(t, []string{"a", "b", "c"}, order())

	l.Put(lend("a", 40)) // a's deadline moved: it goes last
	assert.Equal(t, []string{"b", "c", "a"}, order())
	l.Put(lend("d", 25)) // a new request goes in its place
	assert.Equal(t, []string{"b", "d", "c", "a"}, order())
	assert.Equal(t, 4, l.Len())

	changed := lend("c", 30)
	changed.Title, changed.State = "Renamed", Rejected
	l.Put(changed)
	got, ok := l.Find("c")
	require.True(t, ok)
	assert.Equal(t, Rejected, got.State)
	assert.Equal(t, []string{"b", "d", "a"}, rowIDs(l.Filter(Filter{})), "the rejected request left the active list")
	assert.Equal(t, 1, l.Filter(Filter{Text: "renamed", All: true}).Len(), "search sees the new title")
	assert.Zero(t, l.Filter(Filter{Text: "title c", All: true}).Len(), "and not the old one")
	_, ok = l.Find("nope")
	assert.False(t, ok)
}

func TestRowsSortByAndReversed(t *testing.T) {
	base := wednesday
	lend := func(id, partner string, h int) Summary {
		return Summary{ID: id, Side: Lending, State: Created, Partner: partner, Title: "Title " + id,
			Created: base, Deadline: base.Add(time.Duration(h) * time.Hour)}
	}
	l := NewListing([]Summary{lend("a", "SLOW", 10), lend("b", "FAST", 20), lend("c", "SLOW", 30), lend("d", "FAST", 40)})
	rows := l.Filter(Filter{})
	byPartner := func(s *Summary) string { return s.Partner }
	tests := []struct {
		name string
		rows Rows
		want []string
	}{
		{"most urgent first", rows, []string{"a", "b", "c", "d"}},
		{"by partner, most urgent first among equals", rows.SortBy(byPartner, false), []string{"b", "d", "a", "c"}},
		{"by partner reversed, most urgent first among equals", rows.SortBy(byPartner, true), []string{"a", "c", "b", "d"}},
		{"least urgent first", rows.Reversed(), []string{"d", "c", "b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rowIDs(tt.rows))
			for i, id := range tt.want {
				assert.Equal(t, i, tt.rows.Index(id), "Index finds %s", id)
			}
			assert.Equal(t, -1, tt.rows.Index("nope"))
		})
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, rowIDs(rows), "sorting leaves the rows it sorts as they are")
}

func TestListingFindsRequestsAsTheListChanges(t *testing.T) {
	lend := func(id string, h int) Summary {
		return Summary{ID: id, Side: Lending, State: Created, Partner: "RAPID",
			Created: wednesday, Deadline: wednesday.Add(time.Duration(h) * time.Hour)}
	}
	l := NewListing([]Summary{lend("a", 10), lend("b", 20), lend("c", 30), lend("d", 40)})
	// every request, looked for after each change, is where Filter lists it
	check := func(step string) {
		t.Helper()
		all := l.Filter(Filter{All: true})
		active := l.Filter(Filter{})
		for _, id := range []string{"d", "a", "c", "b", "a", "a", "e", "c"} {
			s, ok := l.Find(id)
			want := slices.Index(rowIDs(all), id)
			assert.Equal(t, want >= 0, ok, "%s: Find(%s)", step, id)
			assert.True(t, !ok || s.ID == id, "%s: Find(%s) gave %s", step, id, s.ID)
			assert.Equal(t, want, all.Index(id), "%s: Index(%s) among all", step, id)
			assert.Equal(t, slices.Index(rowIDs(active), id), active.Index(id), "%s: Index(%s) among the active", step, id)
		}
	}
	check("at first")
	l.Put(lend("a", 50)) // a moves from first to last
	check("after a moved")
	l.Put(lend("e", 5)) // a new one goes first: the others move one on
	check("after e came")
	closed := lend("c", 30)
	closed.State = Rejected
	l.Put(closed)
	check("after c closed")
	l.Remove("e")
	l.Remove("d")
	check("after e and d went")
	assert.Equal(t, -1, l.Filter(Filter{All: true}).Index(""))
}

// rowIDs is the ids of the rows, in order.
func rowIDs(rows Rows) []string {
	var ids []string
	for i := range rows.Len() {
		ids = append(ids, rows.ID(i))
	}
	return ids
}

func TestListingSearchIgnoresCaseAcrossFields(t *testing.T) {
	l := NewListing([]Summary{
		{ID: "019a0000-0000-7000-8000-00000000abcd", Side: Lending, State: Created, Title: "Zeitschrift für Öko", ExternalID: "RAP-77"},
		{ID: "id-2", Side: Borrowing, State: Received, Title: "A book", Requester: "Katherine Johnson", ItemBarcode: "39200000101"},
	})
	tests := []struct {
		text string
		want int
	}{
		{"ÖKO", 1}, {"rap-77", 1}, {"johnson", 1}, {"392000", 1}, {"abcd", 1}, {"  book ", 1}, {"", 2}, {"für öko rap", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.text), func(t *testing.T) {
			assert.Equal(t, tt.want, l.Filter(Filter{Text: tt.text, All: true}).Len())
		})
	}
}

func TestNewListingSortsLikeAStableReference(t *testing.T) {
	base := wednesday
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 7, 100, 1000} {
		ss := make([]Summary, n)
		for i := range ss {
			ss[i] = Summary{ID: fmt.Sprintf("id-%04d", rnd.IntN(n*2+1)), Side: []Side{Lending, Borrowing}[rnd.IntN(2)],
				Created: base.Add(time.Duration(rnd.IntN(50)) * time.Hour)}
			switch rnd.IntN(3) {
			case 0:
				ss[i].Deadline = base.Add(time.Duration(rnd.IntN(50)) * time.Hour)
			case 1:
				ss[i].DueDate = base.Add(time.Duration(rnd.IntN(50)) * 24 * time.Hour)
			}
		}
		want := slices.Clone(ss)
		// dated first, earliest first; then undated, newest first; then by id
		slices.SortStableFunc(want, func(a, b Summary) int {
			ta, datedA := a.Urgency()
			tb, datedB := b.Urgency()
			switch {
			case datedA != datedB && datedA:
				return -1
			case datedA != datedB:
				return 1
			case datedA && !ta.Equal(tb):
				return ta.Compare(tb)
			case !datedA && !ta.Equal(tb):
				return tb.Compare(ta)
			}
			return strings.Compare(a.ID, b.ID)
		})
		l := NewListing(ss)
		require.Equal(t, n, l.Len())
		rows := l.Filter(Filter{All: true})
		require.Equal(t, n, rows.Len())
		for i := range rows.Len() {
			s := rows.At(i)
			assert.Equal(t, want[i].ID, s.ID, "n=%d row %d", n, i)
			wantAt, wantDated := want[i].Urgency()
			at, dated := s.Urgency()
			assert.True(t, wantAt.Equal(at) && wantDated == dated, "n=%d row %d", n, i)
		}
	}
}

func TestListingGivesBackEverySummaryField(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	full := Summary{ID: "019a0000-0000-7000-8000-000000000001", Side: Borrowing, ExternalID: "ILL-42", Partner: "OCLC:XYZ",
		State: OnHoldShelf, Format: FormatPhysical, Title: "Zeitschrift für Öko", ArticleTitle: "Über alles",
		Requester: "Katherine Johnson", Pickup: "Main desk", ItemBarcode: "39200000101", PickTarget: "Stacks",
		Created: wednesday.In(berlin), Deadline: wednesday.Add(24 * time.Hour), DueDate: wednesday.Add(21 * 24 * time.Hour),
		Since: wednesday.Add(time.Hour)}
	bare := Summary{ID: "id-2", Side: Lending, State: Created}
	tests := []struct {
		name string
		in   Summary
	}{
		{"every field set", full},
		{"only what every request has", bare},
		{"empty strings between set ones", Summary{ID: "id-3", Side: Lending, State: Created, Title: "T", ItemBarcode: "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewListing([]Summary{full, bare, {ID: "other", Side: Lending, State: ShippedDigitally, Partner: "RAPID"}})
			l.Put(tt.in)
			got, ok := l.Find(tt.in.ID)
			require.True(t, ok)
			want := tt.in
			for _, p := range [][2]*time.Time{{&want.Created, &got.Created}, {&want.Deadline, &got.Deadline},
				{&want.DueDate, &got.DueDate}, {&want.Since, &got.Since}} {
				assert.True(t, p[0].Equal(*p[1]), "%v, not %v", *p[1], *p[0])
				assert.Equal(t, p[0].IsZero(), p[1].IsZero())
				*p[0], *p[1] = time.Time{}, time.Time{}
			}
			assert.Equal(t, want, got)
			rows := l.Filter(Filter{All: true, Side: tt.in.Side})
			i := rows.Index(tt.in.ID)
			require.GreaterOrEqual(t, i, 0)
			assert.Equal(t, tt.in.ID, rows.ID(i))
			assert.Equal(t, tt.in.Title, rows.At(i).Title)
			assert.Equal(t, -1, rows.Index("nope"))
		})
	}
}

func TestListingCutsOverlongFields(t *testing.T) {
	long := strings.Repeat("é", maxField) // twice maxField bytes
	l := NewListing([]Summary{{ID: "id-1", Side: Lending, State: Created, Title: "Ärger " + long + " END",
		ExternalID: "RAP-1", Requester: strings.Repeat("x", 3*maxField), ItemBarcode: "392"}})
	got, ok := l.Find("id-1")
	require.True(t, ok)
	assert.Len(t, got.Title, maxField-1, "cut before the character that would not fit")
	assert.True(t, utf8.ValidString(got.Title))
	assert.Equal(t, strings.Repeat("x", maxField), got.Requester)
	assert.Equal(t, "RAP-1", got.ExternalID)
	assert.Equal(t, "392", got.ItemBarcode)
	for q, want := range map[string]int{"ärger é": 1, "rap-1": 1, "392": 1, "END": 0} {
		assert.Equal(t, want, l.Filter(Filter{Text: q, All: true}).Len(), "search %q", q)
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"}, {"abc", 3, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"aé", 3, "aé"}, {"€", 2, ""}, {"", 0, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, clip(tt.s, tt.n), "clip(%q, %d)", tt.s, tt.n)
	}
}

func TestContainsFoldASCII(t *testing.T) {
	tests := []struct {
		s, q string
		want bool
	}{
		{"Nature Genetics", "nature", true},
		{"NATURE", "ture", true},
		{"Nature", "natures", false},
		{"abc", "", true},
		{"", "a", false},
		{"RAP-77\x00Title", "77", true},
		{"aaab", "aab", true},
		{"AaAb", "aab", true},
		{"x[y", "[y", true},
		{"x{y", "[y", false}, // '[' and '{' are not a case pair
		{"Zeitschrift", "ü", false},
		{"end", "nd", true},
		{"end", "end!", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, containsFoldASCII(tt.s, tt.q), "%q in %q", tt.q, tt.s)
		assert.Equal(t, tt.want, strings.Contains(strings.ToLower(tt.s), tt.q), "reference for %q in %q", tt.q, tt.s)
	}
}

// FuzzListingSearch checks that a listing's search, which folds ASCII text
// as it goes and keeps other text lower-cased, lists exactly the requests
// Filter.Match passes, and that every field comes back as it went in (cut
// to maxField bytes, as the listing keeps them).
func FuzzListingSearch(f *testing.F) {
	f.Add("Nature", "RAP-77", "Katherine Johnson", "nat")
	f.Add("Zeitschrift für Öko", "", "Ünal", "ÖKO")
	f.Add("İstanbul", "K-1", "", "i̇")
	f.Add("a\x00b", "", "", "a\x00b")
	f.Fuzz(func(t *testing.T, title, ext, requester, q string) {
		in := []Summary{
			{ID: "019a0000-0000-7000-8000-0000000000aa", Side: Lending, State: Created, Title: title, ExternalID: ext},
			{ID: "ID-Upper", Side: Borrowing, State: Received, Title: "Plain", Requester: requester, ItemBarcode: ext, RequestNumber: "B-2026-00042"},
			{ID: "id-3", Side: Lending, State: Created, ArticleTitle: requester + title},
		}
		l := NewListing(slices.Clone(in))
		f := Filter{Text: q, All: true}
		want := 0
		for _, s := range in {
			s.Title, s.ExternalID, s.Requester = clip(s.Title, maxField), clip(s.ExternalID, maxField), clip(s.Requester, maxField)
			s.ArticleTitle, s.ItemBarcode = clip(s.ArticleTitle, maxField), clip(s.ItemBarcode, maxField)
			if f.Match(s) {
				want++
			}
			got, ok := l.Find(s.ID)
			require.True(t, ok)
			require.Equal(t, s.Title, got.Title)
			require.Equal(t, s.ExternalID, got.ExternalID)
			require.Equal(t, s.Requester, got.Requester)
			require.Equal(t, s.ArticleTitle, got.ArticleTitle)
			require.Equal(t, s.ItemBarcode, got.ItemBarcode)
			require.Equal(t, s.RequestNumber, got.RequestNumber)
		}
		require.Equal(t, want, l.Filter(f).Len(), "search %q", q)
	})
}

func TestSummariesBringAListingUpToDate(t *testing.T) {
	f := newDeskFixture(t)
	f.partner("RAPID")
	a := f.lending("RAPID", "A-1")
	b := f.lending("RAPID", "B-1")
	l, err := f.desk.Listing()
	require.NoError(t, err)

	// elsewhere: a is rejected, c is recorded
	_, err = f.desk.Reject(a.ID, ReasonNotHeld, "", "", Actor{Station: RSDesk})
	require.NoError(t, err)
	c := f.lending("RAPID", "C-1")
	found, gone, err := f.desk.Summaries([]string{a.ID, c.ID, "no-such-id"})
	require.NoError(t, err)
	assert.Equal(t, []string{"no-such-id"}, gone)
	require.Len(t, found, 2)
	for _, s := range found {
		l.Put(s)
	}
	l.Remove("no-such-id")
	got, ok := l.Find(a.ID)
	require.True(t, ok)
	assert.Equal(t, Rejected, got.State)
	assert.Equal(t, 3, l.Len())

	l.Remove(b.ID)
	_, ok = l.Find(b.ID)
	assert.False(t, ok, "a removed request is gone from the listing")
	assert.Equal(t, 2, l.Len())
}

func TestListingEntryStays96Bytes(t *testing.T) {
	assert.Equal(t, uintptr(96), unsafe.Sizeof(entry{}), "an entry's size is in the window's memory figures")
}
