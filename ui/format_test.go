package ui

import (
	"testing"
	"time"
)

func TestFormatTimeLeft(t *testing.T) {
	const h, m = time.Hour, time.Minute
	tests := []struct {
		name string
		d    time.Duration
		ok   bool
		want string
	}{
		{"no deadline", 0, false, ""},
		{"no deadline ignores duration", 5 * h, false, ""},
		{"whole hours", 24 * h, true, "24h"},
		{"more than a day stays in hours", 72 * h, true, "72h"},
		{"hours and minutes", 2*h + 15*m, true, "2h 15m"},
		{"minutes only", 40 * m, true, "40m"},
		{"seconds are dropped", 23*h + 59*m + 59*time.Second, true, "23h 59m"},
		{"exactly due", 0, true, "due now"},
		{"under a minute left", 30 * time.Second, true, "due now"},
		{"under a minute late", -30 * time.Second, true, "due now"},
		{"OVERDUE hours", -3 * h, true, "OVERDUE 3h"},
		{"OVERDUE hours and minutes", -(3*h + 5*m), true, "OVERDUE 3h 5m"},
		{"OVERDUE minutes", -45 * m, true, "OVERDUE 45m"},
		{"OVERDUE by days in business hours", -51 * h, true, "OVERDUE 51h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatTimeLeft(tt.d, tt.ok); got != tt.want {
				t.Errorf("formatTimeLeft(%v, %v) = %q, want %q", tt.d, tt.ok, got, tt.want)
			}
		})
	}
}
