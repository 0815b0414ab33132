package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestNumberFormat(t *testing.T) {
	tests := []struct {
		side Side
		year int
		seq  uint64
		want string
	}{
		{Borrowing, 2026, 42, "B-2026-00042"},
		{Lending, 2026, 107, "L-2026-00107"},
		{Lending, 2027, 1, "L-2027-00001"},
		{Borrowing, 2026, 123456, "B-2026-123456"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, RequestNumber(NumberSeries(tt.side, tt.year), tt.seq))
		})
	}
}

func TestNormalNumber(t *testing.T) {
	tests := []struct {
		ref  string
		want string
		ok   bool
	}{
		{"B-2026-00042", "B-2026-00042", true},
		{" b-2026-42 ", "B-2026-00042", true},
		{"l-2026-00107", "L-2026-00107", true},
		{"B-2026-123456", "B-2026-123456", true},
		{"X-2026-00042", "", false},
		{"B-26-00042", "", false},
		{"B-2026-0", "", false},
		{"B-2026-4x", "", false},
		{"B-2026", "", false},
		{"RAPID-1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, ok := normalNumber(tt.ref)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// Numbers run per side and restart each year; a refused creation uses none.
func TestNewRequestsAreNumberedPerSideAndYear(t *testing.T) {
	f := newDeskFixture(t)
	l1 := f.lending("RAPID", "N-1")
	b1 := f.borrowing("RAPID", "")
	l2 := f.lending("RAPID", "N-2")
	_, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "N-2", Citation: Citation{Title: "T"}}, atRS)
	require.ErrorIs(t, err, ErrDuplicateExternalID)
	b2 := f.borrowing("BVB", "")
	f.now = time.Date(2027, time.January, 4, 9, 0, 0, 0, time.UTC)
	l3 := f.lending("RAPID", "N-3")
	b3 := f.borrowing("RAPID", "")

	for _, tt := range []struct {
		r    Request
		want string
	}{
		{l1, "L-2026-00001"}, {b1, "B-2026-00001"}, {l2, "L-2026-00002"}, {b2, "B-2026-00002"},
		{l3, "L-2027-00001"}, {b3, "B-2027-00001"},
	} {
		assert.Equal(t, tt.want, tt.r.RequestNumber)
		assert.Equal(t, tt.want, f.stored(tt.r.ID).RequestNumber)
	}
	assert.Equal(t, "B-2026-00002", f.stored(b2.ID).Summary().RequestNumber)
}

func TestFindByNumber(t *testing.T) {
	f := newDeskFixture(t)
	l1 := f.lending("RAPID", "RAPID-1")
	b1 := f.borrowing("RAPID", "")
	// an external identifier that looks like a number names its request first
	l2 := f.lending("BVB", "B-2026-00001")
	for _, tt := range []struct {
		ref  string
		want Request
	}{
		{"L-2026-00001", l1},
		{"l-2026-1", l1},
		{" L-2026-00001 ", l1},
		{"B-2026-00001", l2},
		{"b-2026-00001", b1},
		{"L-2026-00002", l2},
	} {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := f.desk.Find(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want.ID, got.ID)
		})
	}
	before := f.store.snapshot()
	_, err := f.desk.Find("L-2026-00009")
	f.refused(err, ErrNotFound, before)
}

// The listing keeps a summary's number beside its item barcode, and a
// search finds a request by it.
func TestListingKeepsTheNumber(t *testing.T) {
	ss := []Summary{
		{ID: "id-1", Side: Borrowing, State: Loaned, Title: "Ascii", ItemBarcode: "3900", RequestNumber: "B-2026-00001"},
		{ID: "id-2", Side: Borrowing, State: Loaned, Title: "Zoë", RequestNumber: "B-2026-00002"},
		{ID: "id-3", Side: Lending, State: Created, Title: "Before numbers", ItemBarcode: "3901"},
	}
	l := NewListing(ss)
	for _, s := range ss {
		got, ok := l.Find(s.ID)
		require.True(t, ok)
		assert.Equal(t, s.ItemBarcode, got.ItemBarcode)
		assert.Equal(t, s.RequestNumber, got.RequestNumber)
		assert.Equal(t, s.Title, got.Title)
	}
	rows, _ := l.Apply(Filter{Text: "b-2026-00002", All: true})
	require.Equal(t, 1, rows.Len())
	assert.Equal(t, "id-2", rows.At(0).ID)
}
