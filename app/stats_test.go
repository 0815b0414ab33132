package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nov is a local time in November 2026: Fri 20, Sat 21, Sun 22, Mon 23 (made
// a holiday below), Tue 24. ISO weeks start on Mon 16 and Mon 23.
func nov(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.Local) }

// statsData records, in business hours (BH; Sat, Sun and Mon 23 count nothing):
//
//	12345678 lend RAPID Fri 20 15:00 → shipped Fri 18:00             3 BH
//	A2       lend RAPID Fri 20 15:00 → cancelled Fri 17:00           2 BH
//	A3       lend RAPID Fri 20 15:00 → rejected NotHeld Tue 24 10:00 19 BH (9 Fri + 10 Tue; wall clock 91 h)
//	A4       lend RAPID Tue 24 09:00   open
//	B1       borr RAPID Fri 20 15:00 → cancelled Tue 24 02:00        11 BH (9 Fri + 2 Tue)
//
// Lending deadlines: Fri 15:00 + 24 BH = Tue 24 15:00, so all three closed
// lending requests are in time.
func statsData(t *testing.T) *cli {
	c := newCLI(t)
	c.ok("holiday", "add", "2026-11-23")
	setupLending(c) // 12345678 at fixedNow, Fri 20 15:00
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "A2", "--title", "Second")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "A3", "--title", "Third")
	b1 := strings.TrimSpace(c.ok("borrow", "new", "--title", "Borrowed", "--requester", "Pat",
		"--pickup", "Main Library", "--partner", "RAPID"))
	c.clock = nov(20, 17)
	c.ok("cancel", "A2")
	c.clock = nov(20, 18)
	c.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))
	c.clock = nov(24, 2)
	c.ok("cancel", b1)
	c.clock = nov(24, 9)
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "A4", "--title", "Fourth")
	c.clock = nov(24, 10)
	c.ok("reject", "A3", "--reason", "NotHeld")
	return c
}

type statsJSON struct {
	Total        int            `json:"total"`
	Open         int            `json:"open"`
	Closed       int            `json:"closed"`
	ByFinalState map[string]int `json:"by_final_state"`
	Filled       int            `json:"filled"`
	Unfilled     int            `json:"unfilled"`
	FillRate     float64        `json:"fill_rate"`
	Turnaround   struct {
		N           int     `json:"n"`
		MedianHours float64 `json:"median_hours"`
		P90Hours    float64 `json:"p90_hours"`
	} `json:"turnaround"`
	WithinDeadline     float64        `json:"within_deadline"`
	DeadlineN          int            `json:"deadline_n"`
	RejectionsByReason map[string]int `json:"rejections_by_reason"`
	Weekly             []struct {
		WeekStart time.Time `json:"week_start"`
		Arrived   int       `json:"arrived"`
		Closed    int       `json:"closed"`
	} `json:"weekly"`
}

func (c *cli) stats(args ...string) statsJSON {
	c.t.Helper()
	var v statsJSON
	require.NoError(c.t, json.Unmarshal([]byte(c.ok(append([]string{"stats", "--json"}, args...)...)), &v))
	return v
}

func TestStatsCommand(t *testing.T) {
	c := statsData(t)

	v := c.stats()
	assert.Equal(t, 5, v.Total)
	assert.Equal(t, 1, v.Open) // A4
	assert.Equal(t, 4, v.Closed)
	assert.Equal(t, map[string]int{"shipped_digitally": 1, "cancelled": 2, "rejected": 1}, v.ByFinalState)
	// filled 1 (shipped); unfilled: A3 rejected + B1 borrowing cancelled = 2
	// (A2 was cancelled by the partner and is left out): 1/3
	assert.Equal(t, 1, v.Filled)
	assert.Equal(t, 2, v.Unfilled)
	assert.InDelta(t, 1.0/3.0, v.FillRate, 1e-9)
	// sorted 2 3 11 19: median (3+11)/2 = 7; p90 rank ceil(0.9·4) = 4 → 19
	assert.Equal(t, 4, v.Turnaround.N)
	assert.Equal(t, 7.0, v.Turnaround.MedianHours)
	assert.Equal(t, 19.0, v.Turnaround.P90Hours)
	assert.Equal(t, 3, v.DeadlineN) // 12345678, A2, A3
	assert.Equal(t, 1.0, v.WithinDeadline)
	assert.Equal(t, map[string]int{"NotHeld": 1}, v.RejectionsByReason)
	// week of Nov 16: 4 arrive on Fri, 2 close on Fri (A2, 12345678)
	// week of Nov 23: A4 arrives; A3 and B1 close on Tue
	require.Len(t, v.Weekly, 2)
	assert.True(t, v.Weekly[0].WeekStart.Equal(nov(16, 0)), "%s", v.Weekly[0].WeekStart)
	assert.Equal(t, [2]int{4, 2}, [2]int{v.Weekly[0].Arrived, v.Weekly[0].Closed})
	assert.True(t, v.Weekly[1].WeekStart.Equal(nov(23, 0)), "%s", v.Weekly[1].WeekStart)
	assert.Equal(t, [2]int{1, 2}, [2]int{v.Weekly[1].Arrived, v.Weekly[1].Closed})

	// lending only, partner in another case: 12345678, A2, A3, A4
	v = c.stats("--side", "lending", "--partner", "rapid")
	assert.Equal(t, 4, v.Total)
	assert.Equal(t, 0.5, v.FillRate) // 1 shipped / (1 shipped + 1 rejected)
	// 2 3 19: median 3; p90 rank ceil(2.7) = 3 → 19
	assert.Equal(t, 3.0, v.Turnaround.MedianHours)
	assert.Equal(t, 19.0, v.Turnaround.P90Hours)

	// --to includes its whole day: the four Friday arrivals
	v = c.stats("--to", "2026-11-20")
	assert.Equal(t, 4, v.Total)
	// --from starts at 00:00 of its day: only A4
	v = c.stats("--from", "2026-11-24", "--to", "2026-11-24")
	assert.Equal(t, 1, v.Total)
	assert.Equal(t, 1, v.Open)
	assert.Zero(t, v.Turnaround.N, "open requests have no turnaround")
	assert.Zero(t, v.FillRate)
	require.Len(t, v.Weekly, 1)
	assert.True(t, v.Weekly[0].WeekStart.Equal(nov(23, 0)))

	v = c.stats("--partner", "NOBODY")
	assert.Zero(t, v.Total)
	assert.NotNil(t, v.Weekly)
}

func TestStatsCommandReport(t *testing.T) {
	c := statsData(t)
	out := c.ok("stats")
	for _, want := range []string{
		"Statistics: lending and borrowing, all partners, all time",
		"5 (4 closed, 1 open)",
		"33.3% (1 of 3)",
		"median 7.0, 90th percentile 19.0 business hours (4 closed)",
		"100.0% (of 3 closed lending requests)",
		"Not held",
		"2026-11-16",
		"2026-11-23",
	} {
		assert.Contains(t, out, want)
	}
	out = c.ok("stats", "--side", "borrowing", "--from", "2026-11-21")
	assert.Contains(t, out, "borrowing, all partners, from 2026-11-21")
	assert.Contains(t, out, "0 (0 closed, 0 open)")
	assert.Contains(t, out, "Fill rate")
}

func TestStatsCommandUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"stats", "--from", "2026-02-30"},
		{"stats", "--to", "20/11/2026"},
		{"stats", "--from", "2026-11-21", "--to", "2026-11-20"},
		{"stats", "--side", "both"},
		{"stats", "extra"},
	} {
		code, out, errOut := c.run(args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.Empty(t, out)
		assert.NotEmpty(t, errOut)
	}
	_, _, errOut := c.run("stats", "--from", "2026-02-30")
	assert.Contains(t, errOut, "not a date")
}
