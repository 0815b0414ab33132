package domain

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// march is a moment in March 2026 (UTC, the fixture's calendar zone).
// Wed 4, Thu 5, Fri 6, Sat 7, Sun 8, Mon 9 (the fixture's holiday), Tue 10 ...
// Fri 13, Sat 14, Sun 15, Mon 16. ISO weeks start on Mon 2, 9, 16 and 23.
func march(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

// statsFixture builds the fixed data set the statistics tests check by hand.
// Business hours (BH) count every hour of a working day; Sat, Sun and the
// holiday Mon 9 count nothing. Wall-clock hours are given for contrast.
//
//	ref  side  partner arrives      closes (state)                       BH   wall  deadline (within?)
//	L1   lend  RAPID   Wed 4 10:00  Wed 4 16:00 shipped                    6     6   Thu 5 10:00 (yes)
//	L2   lend  RAPID   Fri 6 15:00  Tue 10 11:00 rejected NotHeld         20    92   Tue 10 15:00 (yes)
//	             9 h of Fri + 11 h of Tue; Sat, Sun, Mon 9 (holiday) skipped
//	L3   lend  BVB     Thu 5 12:00  Wed 11 09:00 rejected NotOnShelf      69   141   Tue 10 12:00 (no)
//	             12 Thu + 24 Fri + 24 Tue + 9 Wed; deadline 12+24 then 12 on Tue
//	L4   lend  RAPID   Fri 13 09:00 Mon 16 09:00 bad citation             24    72   Mon 16 09:00 (yes, exactly)
//	             15 Fri + 9 Mon
//	L5   lend  BVB     Tue 10 08:00 Tue 10 10:00 cancelled by partner      2     2   Thu 12 08:00 (yes)
//	L6   lend  RAPID   Wed 11 10:00 open                                   –     –   (open: not counted)
//	L7   lend  RAPID   Thu 12 14:00 Thu 12 17:00 rejected NotHeld          3     3   Fri 13 14:00 (yes)
//	B1   borr  BVB     Wed 4 11:00  Thu 12 11:00 completed               120   192
//	             13 Wed + 24 Thu + 24 Fri + 24 Tue + 24 Wed + 11 Thu
//	B2   borr  RAPID   Mon 9 10:00  Tue 10 06:00 cancelled                 6    20
//	             arrives on the holiday: only Tue 00:00–06:00 counts
//	B3   borr  RAPID   Fri 13 16:00 open (received Mon 16)                 –     –
func statsFixture(t *testing.T) *deskFixture {
	f := newDeskFixture(t)
	at := func(tm time.Time) { f.now = tm }

	at(march(4, 10))
	l1 := f.lending("RAPID", "L1")
	at(march(4, 16))
	_, _, err := f.ship(l1.ID, f.pdf(), false, atRS)
	require.NoError(t, err)

	at(march(6, 15))
	l2 := f.lending("RAPID", "L2")
	at(march(10, 11))
	_, err = f.desk.Reject(l2.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)

	at(march(5, 12))
	l3 := f.lending("BVB", "L3")
	at(march(11, 9))
	_, err = f.desk.Reject(l3.ID, ReasonNotOnShelf, "", "", atRS)
	require.NoError(t, err)

	at(march(13, 9))
	l4 := f.lending("RAPID", "L4")
	at(march(16, 9))
	_, err = f.desk.BadCitation(l4.ID, "Volume missing", atRS)
	require.NoError(t, err)

	at(march(10, 8))
	l5 := f.lending("BVB", "L5")
	at(march(10, 10))
	_, err = f.desk.Cancel(l5.ID, "withdrawn", atRS)
	require.NoError(t, err)

	at(march(11, 10))
	f.lending("RAPID", "L6")

	at(march(12, 14))
	l7 := f.lending("RAPID", "L7")
	at(march(12, 17))
	_, err = f.desk.Reject(l7.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)

	at(march(4, 11))
	b1 := f.borrowing("BVB", "B1")
	const code = "39005555"
	at(march(5, 9))
	_, err = f.desk.Receive(b1.ID, code, atRS)
	require.NoError(t, err)
	for _, step := range []struct {
		when time.Time
		by   Actor
	}{{march(5, 12), atMain}, {march(6, 10), atMain}, {march(11, 10), atBranch}, {march(12, 11), atRS}} {
		at(step.when)
		_, err = f.desk.Scan(code, "", step.by)
		require.NoError(t, err)
	}
	require.Equal(t, Completed, f.stored(b1.ID).State)

	at(march(9, 10))
	b2 := f.borrowing("RAPID", "B2")
	at(march(10, 6))
	_, err = f.desk.Cancel(b2.ID, "patron no longer needs it", atRS)
	require.NoError(t, err)

	at(march(13, 16))
	b3 := f.borrowing("RAPID", "B3")
	at(march(16, 10))
	_, err = f.desk.Receive(b3.ID, "39006666", atRS)
	require.NoError(t, err)

	// the deadlines the table relies on
	for ext, want := range map[string]time.Time{"L1": march(5, 10), "L2": march(10, 15), "L3": march(10, 12),
		"L4": march(16, 9), "L5": march(12, 8), "L7": march(13, 14)} {
		r, err := f.desk.Find(ext)
		require.NoError(t, err)
		require.True(t, want.Equal(r.Deadline), "%s deadline %s", ext, r.Deadline)
	}
	return f
}

func TestStatsAll(t *testing.T) {
	f := statsFixture(t)
	s, err := f.desk.Stats(StatsFilter{})
	require.NoError(t, err)

	assert.Equal(t, 10, s.Total) // L1–L7, B1–B3
	assert.Equal(t, 2, s.Open)   // L6, B3
	assert.Equal(t, 8, s.Closed) // 10 − 2
	assert.Equal(t, map[State]int{ShippedDigitally: 1, Rejected: 3, BadCitation: 1, Completed: 1, Cancelled: 2}, s.ByFinalState)
	// filled: L1 shipped + B1 completed = 2; unfilled: lending rejected 3 +
	// bad citation 1 (L5, cancelled by the partner, left out) + borrowing
	// cancelled 1 (B2) = 5; 2 / 7
	assert.Equal(t, 2, s.Filled)
	assert.Equal(t, 5, s.Unfilled)
	assert.InDelta(t, 2.0/7.0, s.FillRate, 1e-9)
	// business hours of the 8 closed, sorted: 2 3 6 6 20 24 69 120
	// median (6+20)/2 = 13; p90 rank ceil(0.9·8) = 8 → 120
	assert.Equal(t, Turnaround{N: 8, MedianHours: 13, P90Hours: 120}, s.Turnaround)
	// closed lending with a deadline: L1 L2 L3 L4 L5 L7 = 6; L3 late → 5/6
	assert.Equal(t, 6, s.DeadlineN)
	assert.InDelta(t, 5.0/6.0, s.WithinDeadline, 1e-9)
	assert.Equal(t, map[Reason]int{ReasonNotHeld: 2, ReasonNotOnShelf: 1}, s.RejectionsByReason)
	// week of Mar 2: arrived L1 L2 L3 B1, closed L1
	// week of Mar 9: arrived L4 L5 L6 L7 B2 B3, closed L2 L3 L5 L7 B1 B2
	// week of Mar 16: closed L4
	assert.Equal(t, []WeekCount{
		{WeekStart: march(2, 0), Arrived: 4, Closed: 1},
		{WeekStart: march(9, 0), Arrived: 6, Closed: 6},
		{WeekStart: march(16, 0), Arrived: 0, Closed: 1},
	}, s.Weekly)
}

func TestStatsSides(t *testing.T) {
	f := statsFixture(t)
	s, err := f.desk.Stats(StatsFilter{Side: Lending})
	require.NoError(t, err)
	assert.Equal(t, 7, s.Total)
	assert.Equal(t, 1, s.Open) // L6
	// 1 shipped / (1 shipped + 3 rejected + 1 bad citation)
	assert.InDelta(t, 0.2, s.FillRate, 1e-9)
	// sorted 2 3 6 20 24 69: median (6+20)/2 = 13; p90 rank ceil(5.4) = 6 → 69
	assert.Equal(t, Turnaround{N: 6, MedianHours: 13, P90Hours: 69}, s.Turnaround)
	assert.InDelta(t, 5.0/6.0, s.WithinDeadline, 1e-9)
	assert.Equal(t, map[Reason]int{ReasonNotHeld: 2, ReasonNotOnShelf: 1}, s.RejectionsByReason)

	s, err = f.desk.Stats(StatsFilter{Side: Borrowing})
	require.NoError(t, err)
	assert.Equal(t, 3, s.Total)
	assert.Equal(t, 1, s.Open) // B3
	assert.Equal(t, map[State]int{Completed: 1, Cancelled: 1}, s.ByFinalState)
	assert.InDelta(t, 0.5, s.FillRate, 1e-9) // 1 completed / (1 + 1 cancelled)
	// 6 and 120: median 63; p90 rank ceil(1.8) = 2 → 120
	assert.Equal(t, Turnaround{N: 2, MedianHours: 63, P90Hours: 120}, s.Turnaround)
	assert.Zero(t, s.DeadlineN)
	assert.Zero(t, s.WithinDeadline)
	assert.Empty(t, s.RejectionsByReason)
}

func TestStatsPartner(t *testing.T) {
	f := statsFixture(t)
	s, err := f.desk.Stats(StatsFilter{Partner: " rapid "})
	require.NoError(t, err)
	assert.Equal(t, "rapid", s.Partner)
	assert.Equal(t, 7, s.Total) // L1 L2 L4 L6 L7 B2 B3
	assert.Equal(t, 2, s.Open)  // L6 B3
	// 1 shipped / (1 shipped + 2 rejected + 1 bad citation + 1 borrowing cancelled)
	assert.InDelta(t, 0.2, s.FillRate, 1e-9)
	// L1 6, L2 20, L4 24, L7 3, B2 6 → 3 6 6 20 24: median 6; p90 rank ceil(4.5) = 5 → 24
	assert.Equal(t, Turnaround{N: 5, MedianHours: 6, P90Hours: 24}, s.Turnaround)
	assert.Equal(t, 4, s.DeadlineN) // L1 L2 L4 L7, all in time
	assert.InDelta(t, 1.0, s.WithinDeadline, 1e-9)
	assert.Equal(t, map[Reason]int{ReasonNotHeld: 2}, s.RejectionsByReason)

	s, err = f.desk.Stats(StatsFilter{Partner: "NOBODY"})
	require.NoError(t, err)
	assert.Zero(t, s.Total)
	assert.Zero(t, s.FillRate)
	assert.Equal(t, Turnaround{}, s.Turnaround)
	assert.Equal(t, []WeekCount{}, s.Weekly)
}

func TestStatsPeriod(t *testing.T) {
	f := statsFixture(t)
	// the week of Mar 9 only: arrivals L4 L5 L6 L7 B2 B3
	s, err := f.desk.Stats(StatsFilter{From: march(9, 0), To: march(16, 0)})
	require.NoError(t, err)
	assert.Equal(t, 6, s.Total)
	assert.Equal(t, 2, s.Open) // L6 B3
	assert.Equal(t, map[State]int{BadCitation: 1, Cancelled: 2, Rejected: 1}, s.ByFinalState)
	// 0 filled / (L4 bad citation + L7 rejected + B2 borrowing cancelled); L5 left out
	assert.Equal(t, 0, s.Filled)
	assert.Equal(t, 3, s.Unfilled)
	assert.Zero(t, s.FillRate)
	// L4 24, L5 2, L7 3, B2 6 → 2 3 6 24: median (3+6)/2 = 4.5; p90 rank ceil(3.6) = 4 → 24
	assert.Equal(t, Turnaround{N: 4, MedianHours: 4.5, P90Hours: 24}, s.Turnaround)
	assert.Equal(t, 3, s.DeadlineN) // L4 L5 L7, all in time
	assert.InDelta(t, 1.0, s.WithinDeadline, 1e-9)
	// closed within the period: L5, L7, B2 (L4 closed on Mon 16, after it)
	assert.Equal(t, []WeekCount{{WeekStart: march(9, 0), Arrived: 6, Closed: 3}}, s.Weekly)

	// both bounds: every week of the period, empty ones included; To is exclusive
	s, err = f.desk.Stats(StatsFilter{From: march(5, 12), To: march(24, 0)})
	require.NoError(t, err)
	// arrivals from Thu 5 12:00 on: L2 L3 + the 6 of the week of Mar 9 (L1, B1 earlier)
	assert.Equal(t, 8, s.Total)
	// closed in the week of Mar 9 among the 8 selected: L2 L3 L5 L7 B2 = 5
	assert.Equal(t, []WeekCount{
		{WeekStart: march(2, 0), Arrived: 2, Closed: 0}, // L2 L3 arrive; neither closes that week
		{WeekStart: march(9, 0), Arrived: 6, Closed: 5},
		{WeekStart: march(16, 0), Arrived: 0, Closed: 1}, // L4
		{WeekStart: march(23, 0)},                        // nothing, but Mon 23 lies inside [From, To)
	}, s.Weekly)

	// a From alone: arrivals on Fri 13 or later are L4 and B3
	s, err = f.desk.Stats(StatsFilter{From: march(13, 0)})
	require.NoError(t, err)
	assert.Equal(t, 2, s.Total)
	assert.Equal(t, []WeekCount{
		{WeekStart: march(9, 0), Arrived: 2, Closed: 0},
		{WeekStart: march(16, 0), Arrived: 0, Closed: 1},
	}, s.Weekly)

	_, err = f.desk.Stats(StatsFilter{From: march(16, 0), To: march(9, 0)})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = f.desk.Stats(StatsFilter{Side: "both"})
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestPercentiles(t *testing.T) {
	list := []float64{15, 20, 35, 40, 50}
	assert.Equal(t, 35.0, median(list))
	assert.Equal(t, 50.0, percentile(list, 90)) // rank ceil(4.5) = 5
	assert.Equal(t, 20.0, percentile(list, 30)) // rank ceil(1.5) = 2
	assert.Equal(t, 35.0, percentile(list, 50)) // rank ceil(2.5) = 3
	assert.Equal(t, 15.0, percentile(list, 0))  // rank clamped to 1
	even := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	assert.Equal(t, 5.5, median(even))
	assert.Equal(t, 9.0, percentile(even, 90)) // rank ceil(9.0) = 9
	assert.Zero(t, median(nil))
	assert.Zero(t, percentile(nil, 90))
	assert.Equal(t, 7.0, percentile([]float64{7}, 90))
}

func TestWeekStart(t *testing.T) {
	for _, tm := range []time.Time{march(9, 0), march(11, 13), march(15, 23)} {
		assert.Equal(t, march(9, 0), weekStart(tm, time.UTC), "%s", tm)
	}
	assert.Equal(t, march(2, 0), weekStart(march(8, 23), time.UTC))
}

func TestWriteStatsCSV(t *testing.T) {
	f := statsFixture(t)
	s, err := f.desk.Stats(StatsFilter{Side: Lending, From: march(2, 0), To: march(16, 0)})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, WriteStatsCSV(&buf, s))
	// lending arriving Mar 2–15: L1–L7; L4 closes on Mon 16, outside the weeks
	want := `metric,value
from,2026-03-02
to_exclusive,2026-03-16
side,lending
partner,
total,7
open,1
closed,6
final_state:shipped_digitally,1
final_state:rejected,3
final_state:bad_citation,1
final_state:cancelled,1
filled,1
unfilled,4
fill_rate,0.2000
turnaround_n,6
turnaround_median_hours,13.00
turnaround_p90_hours,69.00
within_deadline,0.8333
deadline_n,6

reason,count
NotHeld,2
NotOnShelf,1

week_start,arrived,closed
2026-03-02,3,1
2026-03-09,4,4
`
	assert.Equal(t, want, buf.String())
}

func TestWriteStatsCSVDefusesFormulas(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteStatsCSV(&buf, Stats{Partner: "=HYPERLINK(\"http://x\")"}))
	assert.Contains(t, buf.String(), `partner,"'=HYPERLINK(""http://x"")"`, "a partner code is not run as a spreadsheet formula")
}
