package domain

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

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
	assert.Len(t, l.Filter(Filter{Text: "renamed", All: true}), 1, "search sees the new title")
	assert.Empty(t, l.Filter(Filter{Text: "title c", All: true}), "and not the old one")
	_, ok = l.Find("nope")
	assert.False(t, ok)
}

// rowIDs is the ids of the rows, in order.
func rowIDs(rows []*Summary) []string {
	var ids []string
	for _, s := range rows {
		ids = append(ids, s.ID)
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
			assert.Len(t, l.Filter(Filter{Text: tt.text, All: true}), tt.want)
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
		slices.SortStableFunc(want, func(a, b Summary) int { return compareItems(keyOf(&a), keyOf(&b), &a, &b) })
		l := NewListing(ss)
		require.Equal(t, n, l.Len())
		for i, s := range l.Filter(Filter{All: true}) {
			assert.Equal(t, want[i].ID, s.ID, "n=%d row %d", n, i)
			assert.Equal(t, keyOf(&want[i]), keyOf(s), "n=%d row %d", n, i)
		}
	}
}
