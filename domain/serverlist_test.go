package domain

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listingStore answers the list itself, as a department database does,
// from a listing of what is stored at each question.
type listingStore struct{ *memStore }

func (s listingStore) stored() *Listing {
	var ss []Summary
	if err := s.View(func(tx Tx) error {
		return tx.ForEachSummary(func(x Summary) error { ss = append(ss, x); return nil })
	}); err != nil {
		panic(err)
	}
	return NewListing(ss)
}

func (s listingStore) Lists() ListQuerier { return s }

func (s listingStore) ListGroups(q string) ([]ListGroup, error) { return s.stored().ListGroups(q) }

func (s listingStore) ListActiveGroups(q string) ([]ListGroup, error) {
	return s.stored().ListActiveGroups(q)
}

func (s listingStore) ListRows(f Filter, o ListOrder, after *Summary, skip, limit int) ([]Summary, error) {
	return s.stored().ListRows(f, o, after, skip, limit)
}

func (s listingStore) ListPosition(f Filter, o ListOrder, x Summary) (int, error) {
	return s.stored().ListPosition(f, o, x)
}

func TestUseCasesReadTheServersListAsTheirOwn(t *testing.T) {
	f := newDeskFixture(t)
	defer func(n int) { wherePage = n }(wherePage)
	wherePage = 7
	for i := range 40 { // several of the pages read at a time
		r := f.lending([]string{"RAPID", "BVB"}[i%2], fmt.Sprintf("EXT-%04d", i))
		if i%3 == 0 {
			_, err := f.desk.Reject(r.ID, Reasons()[0], "", "", atRS)
			require.NoError(t, err)
		}
	}
	f.borrowing("RAPID", "")
	f.now = f.now.AddDate(0, 0, 5) // deadlines pass
	server := NewDesk(Config{Store: listingStore{f.store}, Clock: ClockFunc(func() time.Time { return f.now }),
		Calendar: f.desk.Calendar()})
	_, ok := server.ServerList()
	require.True(t, ok)
	_, ok = f.desk.ServerList()
	require.False(t, ok)

	for _, flt := range []Filter{{}, {All: true}, {Side: Lending, State: Rejected}, {Partner: "bvb", All: true}, {Text: "ext-00"}} {
		want, err := f.desk.List(flt)
		require.NoError(t, err)
		got, err := server.List(flt)
		require.NoError(t, err)
		assert.Equal(t, ids(want), ids(got), "List %+v", flt)
	}
	want, err := f.desk.NeedsAttention()
	require.NoError(t, err)
	require.NotEmpty(t, want)
	got, err := server.NeedsAttention()
	require.NoError(t, err)
	assert.Equal(t, attentionLines(want), attentionLines(got), "needs attention")
	_, n, err := server.CountAttention()
	require.NoError(t, err)
	assert.Equal(t, len(want), n, "counted without the list")
	l, err := f.desk.Listing()
	require.NoError(t, err)
	shippable, err := server.Shippable()
	require.NoError(t, err)
	assert.ElementsMatch(t, l.Shippable(), shippable)
}

func attentionLines(as []Attention) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Request.ID + " " + a.Partner + " " + a.Why
	}
	return out
}

func ids(rs []Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
