package domain

import (
	"slices"
	"strings"
	"time"
)

// DateLayout is how dates (holidays, --since, due dates) are written.
const DateLayout = "2006-01-02"

// Calendar counts business hours: every hour of a working day counts, and the
// clock stops over Saturdays, Sundays and configured holidays. A request that
// arrives on Friday at 15:00 with 24 hours to go is due on Monday at 15:00.
type Calendar struct {
	loc      *time.Location
	holidays map[string]bool
}

// NewCalendar builds a calendar in the library's time zone (nil means the
// local zone) with holidays written as YYYY-MM-DD.
func NewCalendar(loc *time.Location, holidays []string) (Calendar, error) {
	if loc == nil {
		loc = time.Local
	}
	c := Calendar{loc: loc, holidays: map[string]bool{}}
	for _, h := range holidays {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, err := time.ParseInLocation(DateLayout, h, loc); err != nil {
			return Calendar{}, refuse(ErrInvalidInput, "%q is not a date: write holidays as YYYY-MM-DD, e.g. 2026-12-25.", h)
		}
		c.holidays[h] = true
	}
	return c, nil
}

// Holidays lists the configured holidays in date order.
func (c Calendar) Holidays() []string {
	var hs []string
	for h := range c.holidays {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	return hs
}

func (c Calendar) location() *time.Location {
	if c.loc == nil {
		return time.Local
	}
	return c.loc
}

// WorkingDay reports whether the day holding t is a working day.
func (c Calendar) WorkingDay(t time.Time) bool {
	t = t.In(c.location())
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.holidays[t.Format(DateLayout)]
}

// nextMidnight is the start of the day after the one holding t.
func (c Calendar) nextMidnight(t time.Time) time.Time {
	y, m, d := t.In(c.location()).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.location())
}

// AddBusinessHours returns the moment that lies the given number of business
// hours after start (before it, for a negative number).
func (c Calendar) AddBusinessHours(start time.Time, hours int) time.Time {
	return c.AddBusiness(start, time.Duration(hours)*time.Hour)
}

// AddBusiness returns the moment that lies the given business time after
// start, or before it when d is negative.
func (c Calendar) AddBusiness(start time.Time, d time.Duration) time.Time {
	if d < 0 {
		return c.subBusiness(start, -d)
	}
	t := start.In(c.location())
	left := d
	for guard := 0; guard < 100000; guard++ {
		end := c.nextMidnight(t)
		if !c.WorkingDay(t) {
			t = end
			continue
		}
		span := end.Sub(t)
		if left <= span {
			return t.Add(left)
		}
		left -= span
		t = end
	}
	return t
}

// subBusiness walks back from start until d of business time lies behind.
func (c Calendar) subBusiness(start time.Time, d time.Duration) time.Time {
	t := start.In(c.location())
	left := d
	for guard := 0; guard < 100000; guard++ {
		y, m, day := t.Date()
		begin := time.Date(y, m, day, 0, 0, 0, 0, c.location())
		if begin.Equal(t) {
			begin = time.Date(y, m, day-1, 0, 0, 0, 0, c.location())
		}
		if !c.WorkingDay(begin) {
			t = begin
			continue
		}
		span := t.Sub(begin)
		if left <= span {
			return t.Add(-left)
		}
		left -= span
		t = begin
	}
	return t
}

// BusinessBetween is the business time from one moment to another; it is
// negative when to lies before from (an overdue deadline).
func (c Calendar) BusinessBetween(from, to time.Time) time.Duration {
	if to.Before(from) {
		return -c.BusinessBetween(to, from)
	}
	var total time.Duration
	t := from.In(c.location())
	for t.Before(to) {
		end := c.nextMidnight(t)
		if end.After(to) {
			end = to
		}
		if c.WorkingDay(t) {
			total += end.Sub(t)
		}
		t = end
	}
	return total
}
