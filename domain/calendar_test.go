package domain

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin and Asia/Jerusalem even where the OS has no zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func mustCalendar(t *testing.T, loc *time.Location, holidays ...string) Calendar {
	t.Helper()
	c, err := NewCalendar(loc, holidays)
	require.NoError(t, err)
	return c
}

// at builds a wall-clock time in loc; the dates used below are checked
// against their weekdays in TestCalendarDates.
func at(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func TestCalendarDates(t *testing.T) {
	// guard the test data: the weekdays the other tests rely on
	for d, wd := range map[string]time.Weekday{
		"2026-03-02": time.Monday, "2026-03-05": time.Thursday, "2026-03-06": time.Friday,
		"2026-03-07": time.Saturday, "2026-03-09": time.Monday, "2026-03-27": time.Friday,
		"2026-03-29": time.Sunday, "2026-10-23": time.Friday, "2026-10-25": time.Sunday,
	} {
		tm, err := time.Parse(DateLayout, d)
		require.NoError(t, err)
		require.Equal(t, wd, tm.Weekday(), d)
	}
}

func TestAddBusinessHours(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin"} {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			plain := mustCalendar(t, loc)
			mondayOff := mustCalendar(t, loc, "2026-03-09")
			tests := []struct {
				name  string
				cal   Calendar
				start time.Time
				hours int
				want  time.Time
			}{
				{"Fri 15:00 + 24 = Mon 15:00", plain, at(loc, 2026, 3, 6, 15, 0), 24, at(loc, 2026, 3, 9, 15, 0)},
				{"Thu 10:00 + 24 = Fri 10:00", plain, at(loc, 2026, 3, 5, 10, 0), 24, at(loc, 2026, 3, 6, 10, 0)},
				{"Sat arrival + 24 = Tue 00:00", plain, at(loc, 2026, 3, 7, 11, 17), 24, at(loc, 2026, 3, 10, 0, 0)},
				{"Sun 23:59 + 24 = Tue 00:00", plain, at(loc, 2026, 3, 8, 23, 59), 24, at(loc, 2026, 3, 10, 0, 0)},
				{"Monday holiday: Fri 15:00 + 24 = Tue 15:00", mondayOff, at(loc, 2026, 3, 6, 15, 0), 24, at(loc, 2026, 3, 10, 15, 0)},
				{"holiday arrival: Mon (holiday) 09:00 + 24 = Wed 00:00", mondayOff, at(loc, 2026, 3, 9, 9, 0), 24, at(loc, 2026, 3, 11, 0, 0)},
				{"Fri 15:00 + 48 = Tue 15:00", plain, at(loc, 2026, 3, 6, 15, 0), 48, at(loc, 2026, 3, 10, 15, 0)},
				{"Thu 10:00 + 48 = Mon 10:00", plain, at(loc, 2026, 3, 5, 10, 0), 48, at(loc, 2026, 3, 9, 10, 0)},
				{"Sat + 48 = Wed 00:00", plain, at(loc, 2026, 3, 7, 8, 0), 48, at(loc, 2026, 3, 11, 0, 0)},
				{"Monday holiday: Fri 15:00 + 48 = Wed 15:00", mondayOff, at(loc, 2026, 3, 6, 15, 0), 48, at(loc, 2026, 3, 11, 15, 0)},
				{"Wed 10:00 + 0 = Wed 10:00", plain, at(loc, 2026, 3, 4, 10, 0), 0, at(loc, 2026, 3, 4, 10, 0)},
				{"Fri 15:00 + 9 = end of Friday", plain, at(loc, 2026, 3, 6, 15, 0), 9, at(loc, 2026, 3, 7, 0, 0)},
				{"Fri 15:00 + 10 = Mon 01:00", plain, at(loc, 2026, 3, 6, 15, 0), 10, at(loc, 2026, 3, 9, 1, 0)},
				{"Mon 00:00 + 120 = next Sat 00:00", plain, at(loc, 2026, 3, 2, 0, 0), 120, at(loc, 2026, 3, 7, 0, 0)},
				{"Mon 00:00 + 121 = next Mon 01:00", plain, at(loc, 2026, 3, 2, 0, 0), 121, at(loc, 2026, 3, 9, 1, 0)},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got := tt.cal.AddBusinessHours(tt.start, tt.hours)
					assert.True(t, tt.want.Equal(got), "want %s, got %s", tt.want, got)
					assert.Equal(t, loc.String(), got.Location().String(), "result is in the calendar's zone")
					if tt.hours > 0 {
						assert.Equal(t, time.Duration(tt.hours)*time.Hour, tt.cal.BusinessBetween(tt.start, got))
					}
				})
			}
		})
	}
}

func TestAddBusinessHoursStartInOtherZone(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	cal := mustCalendar(t, berlin)
	// Friday 14:30 UTC is Friday 15:30 in Berlin; 8.5 hours remain on Friday
	start := time.Date(2026, 3, 6, 14, 30, 0, 0, time.UTC)
	got := cal.AddBusinessHours(start, 24)
	assert.True(t, at(berlin, 2026, 3, 9, 15, 30).Equal(got), "got %s", got)

	// Friday 23:30 UTC is already Saturday in Berlin: the clock does not run
	start = time.Date(2026, 3, 6, 23, 30, 0, 0, time.UTC)
	got = cal.AddBusinessHours(start, 24)
	assert.True(t, at(berlin, 2026, 3, 10, 0, 0).Equal(got), "got %s", got)
}

func TestAddBusinessHoursAcrossDST(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	cal := mustCalendar(t, berlin)

	// Summer time starts on Sunday 29 March 2026 (02:00 → 03:00); the weekend
	// does not count, so Friday 15:00 + 24 is still Monday 15:00 on the wall
	// clock, although only 71 real hours pass.
	start := at(berlin, 2026, 3, 27, 15, 0)
	got := cal.AddBusinessHours(start, 24)
	want := at(berlin, 2026, 3, 30, 15, 0)
	assert.True(t, want.Equal(got), "want %s, got %s", want, got)
	assert.Equal(t, 71*time.Hour, got.Sub(start))
	assert.Equal(t, 24*time.Hour, cal.BusinessBetween(start, got))

	// Summer time ends on Sunday 25 October 2026 (03:00 → 02:00): 73 real hours.
	start = at(berlin, 2026, 10, 23, 15, 0)
	got = cal.AddBusinessHours(start, 24)
	want = at(berlin, 2026, 10, 26, 15, 0)
	assert.True(t, want.Equal(got), "want %s, got %s", want, got)
	assert.Equal(t, 73*time.Hour, got.Sub(start))
	assert.Equal(t, 24*time.Hour, cal.BusinessBetween(start, got))
}

// In Israel summer time starts on a Friday, a working day here: that day has
// only 23 business hours. Business hours are real elapsed hours, so a deadline
// that crosses the short day ends one wall-clock hour later.
func TestBusinessHoursOnShortWorkingDay(t *testing.T) {
	jerusalem := mustLoc(t, "Asia/Jerusalem")
	cal := mustCalendar(t, jerusalem)
	friday := at(jerusalem, 2026, 3, 27, 0, 0)
	saturday := at(jerusalem, 2026, 3, 28, 0, 0)
	require.Equal(t, 23*time.Hour, saturday.Sub(friday), "test data: 27 March 2026 is a 23-hour day in Jerusalem")

	assert.Equal(t, 23*time.Hour, cal.BusinessBetween(friday, saturday))
	assert.Equal(t, 23*time.Hour, cal.BusinessBetween(friday, at(jerusalem, 2026, 3, 30, 0, 0)), "weekend adds nothing")

	start := at(jerusalem, 2026, 3, 26, 10, 0) // Thursday
	got := cal.AddBusinessHours(start, 24)
	want := at(jerusalem, 2026, 3, 27, 11, 0)
	assert.True(t, want.Equal(got), "want %s, got %s", want, got)
	assert.Equal(t, 24*time.Hour, cal.BusinessBetween(start, got))

	// 14 hours on Thursday + 23 on Friday + 11 on Monday = 48
	got = cal.AddBusinessHours(start, 48)
	want = at(jerusalem, 2026, 3, 30, 11, 0)
	assert.True(t, want.Equal(got), "want %s, got %s", want, got)
}

func TestBusinessBetween(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin"} {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			plain := mustCalendar(t, loc)
			mondayOff := mustCalendar(t, loc, "2026-03-09")
			tests := []struct {
				name     string
				cal      Calendar
				from, to time.Time
				want     time.Duration
			}{
				{"Fri 15:00 → Mon 15:00", plain, at(loc, 2026, 3, 6, 15, 0), at(loc, 2026, 3, 9, 15, 0), 24 * time.Hour},
				{"Thu 10:00 → Fri 10:00", plain, at(loc, 2026, 3, 5, 10, 0), at(loc, 2026, 3, 6, 10, 0), 24 * time.Hour},
				{"same instant", plain, at(loc, 2026, 3, 5, 10, 0), at(loc, 2026, 3, 5, 10, 0), 0},
				{"within a weekend", plain, at(loc, 2026, 3, 7, 1, 0), at(loc, 2026, 3, 8, 23, 0), 0},
				{"Sat → Mon 08:30", plain, at(loc, 2026, 3, 7, 12, 0), at(loc, 2026, 3, 9, 8, 30), 8*time.Hour + 30*time.Minute},
				{"holiday skipped", mondayOff, at(loc, 2026, 3, 6, 15, 0), at(loc, 2026, 3, 10, 15, 0), 24 * time.Hour},
				{"overdue by a working hour", plain, at(loc, 2026, 3, 5, 11, 0), at(loc, 2026, 3, 5, 10, 0), -time.Hour},
				{"overdue over a weekend: deadline Fri 15:00, now Mon 10:00", plain, at(loc, 2026, 3, 9, 10, 0), at(loc, 2026, 3, 6, 15, 0), -19 * time.Hour},
				{"overdue over a holiday: deadline Fri 15:00, now Tue 10:00", mondayOff, at(loc, 2026, 3, 10, 10, 0), at(loc, 2026, 3, 6, 15, 0), -19 * time.Hour},
				{"two weeks", plain, at(loc, 2026, 3, 2, 0, 0), at(loc, 2026, 3, 16, 0, 0), 240 * time.Hour},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					assert.Equal(t, tt.want, tt.cal.BusinessBetween(tt.from, tt.to))
					assert.Equal(t, -tt.want, tt.cal.BusinessBetween(tt.to, tt.from), "antisymmetric")
				})
			}
		})
	}
}

// AddBusinessHours and BusinessBetween agree for many starts, including the
// weeks around both DST changes in Berlin.
func TestAddAndBetweenAgree(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	for _, loc := range []*time.Location{time.UTC, berlin} {
		cal := mustCalendar(t, loc, "2026-03-30", "2026-10-23")
		for _, first := range []time.Time{at(loc, 2026, 3, 20, 0, 0), at(loc, 2026, 10, 16, 0, 0)} {
			for start := first; start.Before(first.AddDate(0, 0, 21)); start = start.Add(7*time.Hour + 13*time.Minute) {
				for _, h := range []int{1, 8, 24, 48, 72} {
					end := cal.AddBusinessHours(start, h)
					require.Equal(t, time.Duration(h)*time.Hour, cal.BusinessBetween(start, end),
						"%s: start %s + %dh = %s", loc, start, h, end)
					require.True(t, end.After(start))
					// the deadline never lands inside a closed day (midnight after a working day is fine)
					if !cal.WorkingDay(end) {
						require.True(t, cal.WorkingDay(end.Add(-time.Nanosecond)), "%s + %d = %s", start, h, end)
					}
				}
			}
		}
	}
}

func TestWorkingDay(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	cal := mustCalendar(t, berlin, "2026-12-25")
	assert.True(t, cal.WorkingDay(at(berlin, 2026, 3, 6, 23, 59)))
	assert.False(t, cal.WorkingDay(at(berlin, 2026, 3, 7, 0, 0)))
	assert.False(t, cal.WorkingDay(at(berlin, 2026, 3, 8, 12, 0)))
	assert.False(t, cal.WorkingDay(at(berlin, 2026, 12, 25, 12, 0)), "holiday")
	// Friday 23:30 UTC is Saturday in Berlin: the calendar's zone decides
	assert.False(t, cal.WorkingDay(time.Date(2026, 3, 6, 23, 30, 0, 0, time.UTC)))
	// Thursday 23:30 UTC on 24 Dec is already the holiday in Berlin
	assert.False(t, cal.WorkingDay(time.Date(2026, 12, 24, 23, 30, 0, 0, time.UTC)))
}

func TestNewCalendar(t *testing.T) {
	c, err := NewCalendar(time.UTC, []string{"2026-12-25", " 2026-01-01 ", "", "2026-12-25"})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-01-01", "2026-12-25"}, c.Holidays(), "trimmed, blanks skipped, sorted, no duplicates")

	c, err = NewCalendar(nil, nil)
	require.NoError(t, err)
	assert.Empty(t, c.Holidays())
	now := time.Now()
	assert.Equal(t, now.In(time.Local).Weekday() != time.Saturday && now.In(time.Local).Weekday() != time.Sunday, c.WorkingDay(now))

	for _, bad := range []string{"2026-13-01", "2026-02-30", "2026-1-5", "26-01-05", "05.01.2026", "2026/01/05", "tomorrow", "2026-01-05T00:00"} {
		t.Run(bad, func(t *testing.T) {
			_, err := NewCalendar(time.UTC, []string{"2026-12-25", bad})
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", bad))
			assertSentence(t, err)
		})
	}
}

func TestZeroCalendarUsesLocalZone(t *testing.T) {
	var c Calendar
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.Local) // Wednesday
	assert.True(t, start.Add(24*time.Hour).Equal(c.AddBusinessHours(start, 24)))
}

func TestAddBusinessBackwards(t *testing.T) {
	cal, err := NewCalendar(time.UTC, []string{"2026-11-16"})
	require.NoError(t, err)
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	cases := []struct {
		name  string
		start time.Time
		hours int
		want  time.Time
	}{
		{"Tuesday 10:00 - 24h is Monday 10:00", at(24, 10), -24, at(23, 10)},
		{"Monday 10:00 - 24h is Friday 10:00", at(23, 10), -24, at(20, 10)},
		{"Monday 00:00 - 1h is Friday 23:00", at(23, 0), -1, at(20, 23)},
		{"Tuesday 15:00 - 24h over the Monday holiday is Friday 15:00", at(17, 15), -24, at(13, 15)},
		{"Sunday - 2h is Friday 22:00", at(22, 12), -2, at(20, 22)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := cal.AddBusinessHours(tc.start, tc.hours)
			assert.True(t, tc.want.Equal(got), "got %s", got)
			if cal.WorkingDay(tc.start) {
				assert.Equal(t, time.Duration(-tc.hours)*time.Hour, cal.BusinessBetween(got, tc.start))
			}
		})
	}
}
