package domain

import (
	"fmt"
	"strconv"
)

// Report is a printable report: a title, then sections of label/value lines
// and tables.
type Report struct {
	Title    string
	Subtitle string
	Sections []ReportSection
}

// ReportSection is one part of a report: label/value lines, or a table.
type ReportSection struct {
	Heading string
	// Lines are label/value pairs, e.g. {"Fill rate", "83 %"}.
	Lines [][2]string
	// Columns and Rows make a table.
	Columns []string
	Rows    [][]string
}

// ReportWriter writes a report as a PDF.
type ReportWriter interface {
	WriteReport(r Report, out string) error
}

// StatsReport turns statistics into a printable report.
func StatsReport(s Stats, generated string) Report {
	pct := func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" }
	hours := func(h float64) string { return strconv.FormatFloat(h, 'f', 1, 64) + " h" }
	scope := "All requests"
	if s.Side != "" {
		scope = string(s.Side)
	}
	if s.Partner != "" {
		scope += ", partner " + s.Partner
	}
	period := "all time"
	switch {
	case !s.From.IsZero() && !s.To.IsZero():
		period = s.From.Format(DateLayout) + " – " + s.To.AddDate(0, 0, -1).Format(DateLayout)
	case !s.From.IsZero():
		period = "from " + s.From.Format(DateLayout)
	case !s.To.IsZero():
		period = "until " + s.To.AddDate(0, 0, -1).Format(DateLayout)
	}
	r := Report{Title: "Interlibrary loan statistics", Subtitle: fmt.Sprintf("%s · %s · made %s", scope, period, generated)}
	r.Sections = append(r.Sections, ReportSection{Heading: "Summary", Lines: [][2]string{
		{"Requests", strconv.Itoa(s.Total)},
		{"Closed / open", fmt.Sprintf("%d / %d", s.Closed, s.Open)},
		{"Fill rate", pct(s.FillRate)},
		{"Median turnaround", hours(s.Turnaround.MedianHours) + " (business hours)"},
		{"90th percentile", hours(s.Turnaround.P90Hours)},
		{"Within the partner's deadline", fmt.Sprintf("%s of %d", pct(s.WithinDeadline), s.DeadlineN)},
	}})
	states := ReportSection{Heading: "Closed requests by final state", Columns: []string{"State", "Requests"}}
	for _, st := range SortedStates(s.ByFinalState) {
		states.Rows = append(states.Rows, []string{s.StateLabel(st), strconv.Itoa(s.ByFinalState[st])})
	}
	reasons := ReportSection{Heading: "Rejections by reason", Columns: []string{"Reason", "Requests"}}
	for _, rs := range SortedReasons(s.RejectionsByReason) {
		reasons.Rows = append(reasons.Rows, []string{rs.Label(), strconv.Itoa(s.RejectionsByReason[rs])})
	}
	weeks := ReportSection{Heading: "Weekly volume", Columns: []string{"Week of", "Arrived", "Closed"}}
	for _, w := range s.Weekly {
		weeks.Rows = append(weeks.Rows, []string{w.WeekStart.Format(DateLayout), strconv.Itoa(w.Arrived), strconv.Itoa(w.Closed)})
	}
	r.Sections = append(r.Sections, states, reasons, weeks)
	return r
}
