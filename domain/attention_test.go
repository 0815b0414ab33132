package domain

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNeedsAttention(t *testing.T) {
	f := newInteropFixture(t) // Wednesday 10:00, RAPID speaks ISO 18626
	// Partners that need attention are TestNeedsAttentionForPartners' part.
	_, err := f.desk.EditPartner("RAPID", (*Partner).SetNoAuth)
	require.NoError(t, err)
	f.lending("BVB", "B-WAIT")
	fresh := f.lending("BVB", "B-FRESH")
	loan := f.borrowing("BVB", "LOAN", func(in *BorrowingInput) { in.Pickup = "Main Library" })
	_, err = f.desk.Receive(loan.ID, "39200001", atRS)
	require.NoError(t, err)
	for _, at := range []Actor{atMain, atMain} {
		_, err := f.desk.Scan("39200001", "", at)
		require.NoError(t, err)
	}
	failing := f.lending("RAPID", "R-FAIL")
	_, err = f.desk.Reject(failing.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	_, _, err = f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, &fakeTransport{reply: func(context.Context, Destination, []byte) ([]byte, error) {
		return nil, errors.New("connection refused")
	}})
	require.NoError(t, err)

	// Thursday 11:00: B-WAIT has waited 25 business hours; the loan (BVB: 21 days) is not due yet.
	f.now = wednesday.Add(25 * time.Hour)
	_, err = f.desk.Reject(fresh.ID, ReasonNotHeld, "", "", atRS) // closed: never needs attention
	require.NoError(t, err)
	got := f.needsAttention(t)
	var refs []string
	for _, a := range got {
		refs = append(refs, a.Request.Ref())
	}
	assert.Equal(t, []string{"R-FAIL", "B-WAIT"}, refs, "a failing message first, then the longest wait")
	assert.Contains(t, got[0].Why, "connection refused")
	assert.Contains(t, got[1].Why, "25 business hours (limit 24)")

	require.NoError(t, f.desk.SetAttentionHours(48))
	got = f.needsAttention(t)
	assert.Len(t, got, 1, "only the failing message within a 48-hour limit")

	f.now = wednesday.AddDate(0, 0, 30) // the loan is overdue
	got = f.needsAttention(t)
	overdue := false
	for _, a := range got {
		overdue = overdue || a.Request.ID == loan.ID && strings.Contains(a.Why, "overdue since")
	}
	assert.True(t, overdue, "the loan overdue from the patron needs attention")
	require.ErrorIs(t, f.desk.SetAttentionHours(0), ErrInvalidInput)
}

// needsAttention asks NeedsAttention, and checks that a window's listing of
// the same requests gives the same answer.
func (f *deskFixture) needsAttention(t *testing.T) []Attention {
	t.Helper()
	got, err := f.desk.NeedsAttention()
	require.NoError(t, err)
	_, n, err := f.desk.CountAttention()
	require.NoError(t, err)
	assert.Equal(t, len(got), n, "counted without the list")
	c, err := f.desk.PrepareAttention()
	require.NoError(t, err)
	l, err := f.desk.Listing()
	require.NoError(t, err)
	among := c.Among(l)
	require.Len(t, among, len(got))
	for i := range got {
		assert.Equal(t, got[i].Request.ID, among[i].Request.ID, "row %d", i)
		assert.Equal(t, got[i].Why, among[i].Why, "row %d", i)
		assert.Equal(t, got[i].Late, among[i].Late, "row %d", i)
	}
	return got
}

// TestNeedsAttentionNearDeadline checks that a lending request needs
// attention by the same clock that turns the list's time left red.
func TestNeedsAttentionNearDeadline(t *testing.T) {
	for _, tt := range []struct {
		name   string
		before time.Duration // wall time before the deadline (a weekday)
		want   string        // "" when it does not need attention
	}{
		{"well before", UrgentLeft + time.Hour, ""},
		{"just urgent", UrgentLeft - time.Minute, "deadline is in 3 h 59 min of business time"},
		{"due in minutes", 40 * time.Minute, "deadline is in 40 min of business time"},
		{"past", -3 * time.Hour, "deadline passed 3 h of business time ago"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			require.NoError(t, f.desk.SetAttentionHours(100)) // only the deadline speaks
			r := f.lending("BVB", "B-CLOCK")
			require.False(t, r.Deadline.IsZero())
			f.now = r.Deadline.Add(-tt.before)
			got := f.needsAttention(t)
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Contains(t, got[0].Why, "BVB's "+tt.want)
			left, ok := f.desk.TimeLeft(r.Deadline)
			assert.True(t, ok && left < UrgentLeft, "the list's clock is red too")
		})
	}
}

func TestPlainDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		40 * time.Minute:              "40 min",
		3 * time.Hour:                 "3 h",
		3*time.Hour + 20*time.Minute:  "3 h 20 min",
		26*time.Hour + 59*time.Second: "26 h",
	} {
		assert.Equal(t, want, plainDuration(d), d.String())
	}
}

// TestPartnerDeadlineBeforeOurWaits checks the order: a request past the
// partner's deadline comes before one that has only waited past our own
// limit, however long.
func TestPartnerDeadlineBeforeOurWaits(t *testing.T) {
	f := newDeskFixture(t)
	waiting := f.borrowing("BVB", "HOLD", func(in *BorrowingInput) { in.Pickup = "Main Library" })
	_, err := f.desk.Receive(waiting.ID, "39200001", atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39200001", "", atMain) // on the hold shelf
	require.NoError(t, err)
	f.now = f.now.Add(5 * 24 * time.Hour) // waited days past the limit
	due := f.lending("BVB", "B-DUE")
	f.now = due.Deadline.Add(time.Hour)
	var refs []string
	for _, a := range f.needsAttention(t) {
		refs = append(refs, a.Request.Ref())
	}
	assert.Equal(t, []string{"B-DUE", waiting.Ref()}, refs)
}
