package domain

import (
	"fmt"
	"path/filepath"
	"strings"
)

// StatsService counts requests for statistics and writes them as a report.
type StatsService struct {
	*core
	paperwork
}

// Stats computes the statistics of the requests that arrived within f.From
// (inclusive) and f.To (exclusive), on f.Side and with f.Partner.
//
// Definitions:
//   - Closed requests are those in a final state; ByFinalState counts them
//     by that state, Open counts the others.
//   - Fill rate is filled / (closed requests not cancelled by the partner):
//     lending counts shipped_digitally as filled over shipped_digitally +
//     rejected + bad_citation (a lending request cancelled by the borrowing
//     library is left out); borrowing counts completed over completed +
//     cancelled. With both sides, numerators and denominators are added.
//   - Turnaround is measured for closed requests only: the business time
//     (the desk's calendar, so weekends and holidays do not count) from
//     Created to the first event that reached a final state (shipped,
//     rejected, bad citation, cancelled, completed), in hours. Median and
//     90th percentile are as documented on Turnaround.
//   - WithinDeadline is over closed lending requests that have a deadline:
//     the share whose closing event (as above) is at or before the deadline.
//   - Weekly has one row per ISO week (Monday 00:00 in the calendar's zone):
//     when From and To are both set, every week overlapping [From, To);
//     otherwise every week from the first to the last that has an arrival or
//     a closing, empty weeks in between included. Closed counts requests of
//     the selection whose closing event falls in that week and, when a bound
//     is set, within [From, To).
func (d *StatsService) Stats(f StatsFilter) (Stats, error) {
	f.Partner = strings.TrimSpace(f.Partner)
	if f.Side != "" && f.Side != Lending && f.Side != Borrowing {
		return Stats{}, refuse(ErrInvalidInput, "%q is not a side: use lending or borrowing.", string(f.Side))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Stats{}, refuse(ErrInvalidInput, "The period must end after it starts (from %s to %s).",
			f.From.Format(DateLayout), f.To.Format(DateLayout))
	}
	var rs []Request
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachRequest(func(r Request) error {
			switch {
			case f.Side != "" && r.Side != f.Side:
			case f.Partner != "" && !strings.EqualFold(r.Partner, f.Partner):
			case !f.From.IsZero() && r.Created.Before(f.From):
			case !f.To.IsZero() && !r.Created.Before(f.To):
			default:
				rs = append(rs, r)
			}
			return nil
		})
	})
	if err != nil {
		return Stats{}, err
	}
	return computeStats(f, rs, d.Calendar()), nil
}

// WriteStatsReport writes the statistics as a printable PDF in the work
// folder and returns its path.
func (d *StatsService) WriteStatsReport(s Stats) (string, error) {
	rw, ok := d.docs.(ReportWriter)
	if !ok {
		return "", refuse(ErrNoDocuments, "This workstation cannot write PDF reports.")
	}
	dir, err := d.docsDir("reports")
	if err != nil {
		return "", err
	}
	now := d.clock.Now()
	out := filepath.Join(dir, "statistics-"+now.Format("20060102-150405")+".pdf")
	if err := rw.WriteReport(StatsReport(s, now.Format("2006-01-02 15:04")), out); err != nil {
		return "", fmt.Errorf("could not write the report: %w", err)
	}
	return out, nil
}
