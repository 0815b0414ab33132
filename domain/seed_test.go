package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedMakesLegalVariedRequests(t *testing.T) {
	f := newDeskFixture(t)
	added, err := f.desk.Seed(600, 7, atRS)
	require.NoError(t, err)
	assert.Equal(t, 600, added)
	rs, err := f.desk.List(Filter{All: true})
	require.NoError(t, err)
	require.Len(t, rs, 600)
	states := map[string]int{}
	for _, r := range rs {
		states[string(r.Side)+"/"+string(r.State)]++
		// the history is a chain of legal moves ending in the current state
		var replay = Request{ID: r.ID, Side: r.Side}
		for _, ev := range r.History {
			require.NoError(t, replay.Transition(ev.Action, ev), "%s: %s", r.ID, ev.Action)
		}
		assert.Equal(t, r.State, replay.State)
	}
	for _, want := range []string{"lending/created", "lending/shipped_digitally", "lending/rejected", "lending/bad_citation",
		"borrowing/completed", "borrowing/received"} {
		assert.Positive(t, states[want], want)
	}
	added, err = f.desk.Seed(50, 7, atRS)
	require.NoError(t, err, "seeding again adds more")
	assert.Equal(t, 50, added)
	_, err = f.desk.Seed(0, 1, atRS)
	assert.ErrorIs(t, err, ErrInvalidInput)
}
