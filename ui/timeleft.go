package ui

import (
	"strconv"
	"time"
)

// formatTimeLeft writes the business time left before a deadline the way the
// list shows it: "23h", "2h 15m", "40m", "due now", "overdue 3h". Minutes are
// shown only when they are not zero; seconds are dropped. It is blank when the
// request has no deadline (ok is false).
func formatTimeLeft(d time.Duration, ok bool) string {
	if !ok {
		return ""
	}
	overdue := d < 0
	if overdue {
		d = -d
	}
	d = d.Truncate(time.Minute)
	if d == 0 {
		return "due now"
	}
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	var s string
	switch {
	case h == 0:
		s = strconv.FormatInt(m, 10) + "m"
	case m == 0:
		s = strconv.FormatInt(h, 10) + "h"
	default:
		s = strconv.FormatInt(h, 10) + "h " + strconv.FormatInt(m, 10) + "m"
	}
	if overdue {
		return "overdue " + s
	}
	return s
}
