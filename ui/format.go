package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// urgentLeft is the business time left under which the clock turns red;
// Needs attention lists the same requests.
const urgentLeft = domain.UrgentLeft

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
		return "OVERDUE " + s
	}
	return s
}

// formatColor is the dot colour of a format: blue for Electronic, amber for
// Physical, none for blank.
func formatColor(f domain.Format) color.Color {
	switch f {
	case domain.FormatElectronic:
		return color.NRGBA{R: 0x2b, G: 0x7b, B: 0xe4, A: 0xff}
	case domain.FormatPhysical:
		return color.NRGBA{R: 0xe0, G: 0x9a, B: 0x10, A: 0xff}
	}
	return color.Transparent
}

// citationLine is the volume / number / year / pages line staff look for first.
func citationLine(r domain.Request) string {
	var parts []string
	if r.Volume != "" {
		parts = append(parts, "Vol. "+r.Volume)
	}
	if r.Number != "" {
		parts = append(parts, "No. "+r.Number)
	}
	if r.Year != "" {
		parts = append(parts, r.Year)
	}
	if r.Pages != "" {
		parts = append(parts, "pp. "+r.Pages)
	}
	return strings.Join(parts, "  ·  ")
}

// dateTime writes a moment the way the history shows it, in local time.
func dateTime(t time.Time) string { return t.Local().Format("Mon 2 Jan 2006 15:04") }

func sideLabel(s domain.Side) string {
	if s == domain.Borrowing {
		return "Borrowing"
	}
	return "Lending"
}
