package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/illdesk/illdesk/domain"
)

const statsUsage = "stats [--json] [--from DATE] [--to DATE] [--side lending|borrowing] [--partner CODE]\n" +
	"  DATE is YYYY-MM-DD in local time; --from starts at 00:00 of that day and\n" +
	"  --to includes the whole day (the period ends at 00:00 of the day after)"

// cmdStats prints fill rate, turnaround and volume of the requests that
// arrived in a period, as a short report or as JSON (domain.Stats).
func (s *staffCommands) cmdStats(args []string) error {
	fs := newFlags("stats")
	asJSON := fs.Bool("json", false, "JSON output")
	from := fs.String("from", "", "first arrival day, YYYY-MM-DD")
	to := fs.String("to", "", "last arrival day (inclusive), YYYY-MM-DD")
	side := fs.String("side", "", "lending or borrowing (default: both)")
	partner := fs.String("partner", "", "only this partner's requests (any case)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, statsUsage); err != nil {
		return err
	}
	var f domain.StatsFilter
	if *from != "" {
		if f.From, err = parseStatsDay(*from); err != nil {
			return usagef("stats: --from %v", err)
		}
	}
	if *to != "" {
		day, err := parseStatsDay(*to)
		if err != nil {
			return usagef("stats: --to %v", err)
		}
		y, m, d := day.Date()
		f.To = time.Date(y, m, d+1, 0, 0, 0, 0, day.Location())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return usagef("stats: --from %s is after --to %s", *from, *to)
	}
	if *side != "" {
		if f.Side, err = domain.ParseSide(*side); err != nil {
			return usagef("stats: --side %v", err)
		}
	}
	f.Partner = *partner
	st, err := s.desk.Stats(f)
	if err != nil {
		return err
	}
	if *asJSON {
		return s.printJSON(st)
	}
	return s.printStats(st, *from, *to)
}

func parseStatsDay(v string) (time.Time, error) {
	t, err := time.ParseInLocation(domain.DateLayout, strings.TrimSpace(v), time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: write YYYY-MM-DD, e.g. 2026-03-01", v)
	}
	return t, nil
}

func percent(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func (s *staffCommands) printStats(st domain.Stats, from, to string) error {
	side := "lending and borrowing"
	if st.Side != "" {
		side = string(st.Side)
	}
	partner := "all partners"
	if st.Partner != "" {
		partner = "partner " + st.Partner
	}
	period := "all time"
	switch {
	case from != "" && to != "":
		period = from + " to " + to
	case from != "":
		period = "from " + from
	case to != "":
		period = "up to " + to
	}
	s.printf("Statistics: %s, %s, %s\n\n", side, partner, period)
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Requests arrived\t%d (%d closed, %d open)\n", st.Total, st.Closed, st.Open)
	for _, state := range domain.SortedStates(st.ByFinalState) {
		fmt.Fprintf(tw, "  %s\t%d\n", state, st.ByFinalState[state])
	}
	if n := st.Filled + st.Unfilled; n > 0 {
		fmt.Fprintf(tw, "Fill rate\t%s (%d of %d)\n", percent(st.FillRate), st.Filled, n)
	} else {
		fmt.Fprintf(tw, "Fill rate\t– (nothing closed)\n")
	}
	if st.Turnaround.N > 0 {
		fmt.Fprintf(tw, "Turnaround\tmedian %.1f, 90th percentile %.1f business hours (%d closed)\n",
			st.Turnaround.MedianHours, st.Turnaround.P90Hours, st.Turnaround.N)
	} else {
		fmt.Fprintf(tw, "Turnaround\t– (nothing closed)\n")
	}
	if st.DeadlineN > 0 {
		fmt.Fprintf(tw, "Within deadline\t%s (of %d closed lending requests)\n", percent(st.WithinDeadline), st.DeadlineN)
	} else {
		fmt.Fprintf(tw, "Within deadline\t– (no closed lending requests)\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(st.RejectionsByReason) > 0 {
		s.printf("\nRejections by reason\n")
		tw = tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		for _, r := range domain.SortedReasons(st.RejectionsByReason) {
			fmt.Fprintf(tw, "  %s\t%d\n", r.Label(), st.RejectionsByReason[r])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(st.Weekly) > 0 {
		s.printf("\n")
		tw = tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "WEEK OF\tARRIVED\tCLOSED\t")
		for _, w := range st.Weekly {
			fmt.Fprintf(tw, "%s\t%d\t%d\t\n", w.WeekStart.Format(domain.DateLayout), w.Arrived, w.Closed)
		}
		return tw.Flush()
	}
	return nil
}
