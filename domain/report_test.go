package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsReport(t *testing.T) {
	s := Stats{Total: 4, Open: 1, Closed: 3, FillRate: 2.0 / 3, DeadlineN: 3, WithinDeadline: 1,
		Turnaround:         Turnaround{N: 3, MedianHours: 6, P90Hours: 20},
		ByFinalState:       map[State]int{ShippedDigitally: 2, Rejected: 1},
		RejectionsByReason: map[Reason]int{ReasonNotHeld: 1},
		Weekly:             []WeekCount{{WeekStart: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), Arrived: 4, Closed: 3}},
		From:               time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Side: Lending}
	r := StatsReport(s, "2026-11-23 10:00")
	assert.Equal(t, "lending · 2026-11-16 – 2026-11-22 · made 2026-11-23 10:00", r.Subtitle)
	require.Len(t, r.Sections, 4)
	assert.Contains(t, r.Sections[0].Lines, [2]string{"Fill rate", "66.7 %"})
	assert.Contains(t, r.Sections[0].Lines, [2]string{"Median turnaround", "6.0 h (business hours)"})
	assert.Equal(t, [][]string{{"Shipped Digitally", "2"}, {"Rejected", "1"}}, r.Sections[1].Rows, "states in words, not codes")
	assert.Equal(t, [][]string{{"Not held", "1"}}, r.Sections[2].Rows)
	assert.Equal(t, [][]string{{"2026-11-16", "4", "3"}}, r.Sections[3].Rows)

	f := newDeskFixture(t)
	_, err := f.desk.WriteStatsReport(s)
	assert.ErrorIs(t, err, ErrNoDocuments, "without a PDF writer the report is refused with a sentence")
}

func TestStatsStateLabel(t *testing.T) {
	for _, tc := range []struct {
		side  Side
		state State
		want  string
	}{
		{Lending, ShippedDigitally, "Shipped Digitally"},
		{Lending, Cancelled, "Cancelled by partner"},
		{Borrowing, Cancelled, "Cancelled"},
		{Borrowing, Completed, "Request completed"},
		{"", ShippedDigitally, "Shipped Digitally"},
		{"", Completed, "Request completed"},
		{"", Unfilled, "Unfilled"},
		{"", Cancelled, "Cancelled"},
	} {
		got := Stats{Side: tc.side}.StateLabel(tc.state)
		assert.Equal(t, tc.want, got, "%s %s", tc.side, tc.state)
		assert.NotContains(t, got, "_", "a label, not a code")
	}
	assert.Equal(t, "No reason recorded", ReasonUnspecified.Label())
}
