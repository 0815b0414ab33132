package domain

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// StatsFilter chooses the requests statistics are drawn from: those that
// arrived (Created) in [From, To) — a zero bound is open — on one side ("" is
// both) and with one partner (any letter case; "" is all partners).
type StatsFilter struct {
	From, To time.Time
	Side     Side
	Partner  string
}

// Turnaround summarises the business time from arrival to closing of the
// closed requests (see Desk.Stats).
type Turnaround struct {
	// N is how many closed requests were measured.
	N int `json:"n"`
	// MedianHours is the median in business hours: the middle value, or the
	// mean of the two middle values when N is even.
	MedianHours float64 `json:"median_hours"`
	// P90Hours is the 90th percentile by nearest rank: the value at rank
	// ceil(0.9·N) of the sorted list (1-based).
	P90Hours float64 `json:"p90_hours"`
}

// WeekCount is one ISO week's volume: requests that arrived in it, and
// requests of the selection whose closing event falls in it.
type WeekCount struct {
	// WeekStart is the week's Monday at 00:00 in the desk's time zone.
	WeekStart time.Time `json:"week_start"`
	Arrived   int       `json:"arrived"`
	Closed    int       `json:"closed"`
}

// Stats are the figures of Desk.Stats.
type Stats struct {
	From    time.Time `json:"from,omitzero"`
	To      time.Time `json:"to,omitzero"`
	Side    Side      `json:"side,omitempty"`
	Partner string    `json:"partner,omitempty"`

	// Total is the number of requests that arrived in the period.
	Total int `json:"total"`
	// Open counts those still in a non-final state; Closed the others.
	Open   int `json:"open"`
	Closed int `json:"closed"`
	// ByFinalState counts the closed requests by their final state.
	ByFinalState map[State]int `json:"by_final_state"`

	// Filled and Unfilled are FillRate's numerator and the rest of its
	// denominator; FillRate = Filled / (Filled + Unfilled), 0 when both are 0.
	Filled   int     `json:"filled"`
	Unfilled int     `json:"unfilled"`
	FillRate float64 `json:"fill_rate"`

	Turnaround Turnaround `json:"turnaround"`

	// WithinDeadline is the share of DeadlineN closed lending requests
	// (those with a deadline) whose closing event is at or before it.
	WithinDeadline float64 `json:"within_deadline"`
	DeadlineN      int     `json:"deadline_n"`

	// RejectionsByReason counts rejected requests by reason; a rejection
	// recorded without one counts under ReasonUnspecified.
	RejectionsByReason map[Reason]int `json:"rejections_by_reason"`

	Weekly []WeekCount `json:"weekly"`
}

// ReasonUnspecified is the key under which Stats counts rejections that
// carry no reason (possible only for imported history).
const ReasonUnspecified Reason = "Unspecified"

// StateLabel is a final state's label as the statistics show it: the
// label of the statistics' side, or for both sides the label of the side
// the state belongs to; a state both sides share reads the same for both.
func (s Stats) StateLabel(st State) string {
	if s.Side != "" {
		return st.Label(s.Side)
	}
	lending, borrowing := slices.Contains(States(Lending), st), slices.Contains(States(Borrowing), st)
	switch {
	case lending && !borrowing:
		return st.Label(Lending)
	case borrowing && !lending:
		return st.Label(Borrowing)
	case st.Label(Lending) == st.Label(Borrowing):
		return st.Label(Lending)
	}
	return st.ShortLabel(Lending)
}

// closingEvent is the first history event that brought the request to a
// final state of its side.
func closingEvent(r Request) (Event, bool) {
	for _, e := range r.History {
		if e.To != "" && e.To.Final(r.Side) && e.From != e.To {
			return e, true
		}
	}
	return Event{}, false
}

func computeStats(f StatsFilter, rs []Request, cal Calendar) Stats {
	s := Stats{From: f.From, To: f.To, Side: f.Side, Partner: f.Partner,
		ByFinalState: map[State]int{}, RejectionsByReason: map[Reason]int{}}
	var hours []float64
	within := 0
	arrived := map[time.Time]int{}
	closed := map[time.Time]int{}
	inPeriod := func(t time.Time) bool {
		return (f.From.IsZero() || !t.Before(f.From)) && (f.To.IsZero() || t.Before(f.To))
	}
	for _, r := range rs {
		s.Total++
		arrived[weekStart(r.Created, cal.location())]++
		if r.Active() {
			s.Open++
			continue
		}
		s.Closed++
		s.ByFinalState[r.State]++
		switch {
		case r.State == ShippedDigitally || r.State == Completed:
			s.Filled++
		case r.Side == Lending && r.State == Cancelled:
			// cancelled by the partner: not ours to fill
		default:
			s.Unfilled++
		}
		if r.State == Rejected {
			reason := r.RejectReason
			if reason == "" {
				reason = ReasonUnspecified
			}
			s.RejectionsByReason[reason]++
		}
		ev, ok := closingEvent(r)
		if !ok {
			continue
		}
		hours = append(hours, cal.BusinessBetween(r.Created, ev.At).Hours())
		if r.Side == Lending && !r.Deadline.IsZero() {
			s.DeadlineN++
			if !ev.At.After(r.Deadline) {
				within++
			}
		}
		if inPeriod(ev.At) {
			closed[weekStart(ev.At, cal.location())]++
		}
	}
	if n := s.Filled + s.Unfilled; n > 0 {
		s.FillRate = float64(s.Filled) / float64(n)
	}
	if s.DeadlineN > 0 {
		s.WithinDeadline = float64(within) / float64(s.DeadlineN)
	}
	slices.Sort(hours)
	s.Turnaround = Turnaround{N: len(hours), MedianHours: median(hours), P90Hours: percentile(hours, 90)}
	s.Weekly = weekly(f, arrived, closed, cal.location())
	return s
}

// median is the middle of sorted values, or the mean of the two middle ones
// for an even count; 0 for none.
func median(sorted []float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// percentile is the nearest-rank p-th percentile of sorted values: the value
// at 1-based rank ceil(p/100·N); 0 for none.
func percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// weekStart is the Monday 00:00 of the ISO week holding t, in loc.
func weekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

func nextWeek(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d+7, 0, 0, 0, 0, w.Location())
}

func weekly(f StatsFilter, arrived, closed map[time.Time]int, loc *time.Location) []WeekCount {
	var first, last time.Time
	if !f.From.IsZero() && !f.To.IsZero() {
		first, last = weekStart(f.From, loc), weekStart(f.To.Add(-time.Nanosecond), loc)
	} else {
		for _, m := range []map[time.Time]int{arrived, closed} {
			for w := range m {
				if first.IsZero() || w.Before(first) {
					first = w
				}
				if last.IsZero() || w.After(last) {
					last = w
				}
			}
		}
		if first.IsZero() {
			return []WeekCount{}
		}
	}
	out := []WeekCount{}
	for w := first; !w.After(last); w = nextWeek(w) {
		out = append(out, WeekCount{WeekStart: w, Arrived: arrived[w], Closed: closed[w]})
	}
	return out
}

// statsStates is the order final states are listed in.
var statsStates = []State{ShippedDigitally, Rejected, BadCitation, Completed, Cancelled}

// SortedReasons lists the reasons counted in m: the known ones in the order
// staff see them, then any others alphabetically.
func SortedReasons(m map[Reason]int) []Reason { return orderedKeys(m, Reasons()) }

// SortedStates lists the final states counted in m in a fixed order:
// shipped_digitally, rejected, bad_citation, completed, cancelled, then any
// others alphabetically.
func SortedStates(m map[State]int) []State { return orderedKeys(m, statsStates) }

// orderedKeys lists m's keys: those in order first, in that order, then the
// others alphabetically.
func orderedKeys[K ~string](m map[K]int, order []K) []K {
	var out, other []K
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k := range m {
		if !slices.Contains(out, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// WriteStatsCSV writes the statistics as CSV in three sections separated by
// an empty line: "metric,value" rows (ratios as fractions with 4 decimals,
// hours with 2), then "reason,count" rows, then "week_start,arrived,closed"
// rows (weeks as YYYY-MM-DD).
func WriteStatsCSV(w io.Writer, s Stats) error {
	cw := csv.NewWriter(w)
	itoa := strconv.Itoa
	ratio := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	hrs := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(DateLayout)
	}
	rows := [][]string{{"metric", "value"},
		{"from", date(s.From)}, {"to_exclusive", date(s.To)}, {"side", string(s.Side)}, {"partner", csvSafe(s.Partner)},
		{"total", itoa(s.Total)}, {"open", itoa(s.Open)}, {"closed", itoa(s.Closed)}}
	for _, st := range SortedStates(s.ByFinalState) {
		rows = append(rows, []string{"final_state:" + string(st), itoa(s.ByFinalState[st])})
	}
	rows = append(rows,
		[]string{"filled", itoa(s.Filled)}, []string{"unfilled", itoa(s.Unfilled)},
		[]string{"fill_rate", ratio(s.FillRate)},
		[]string{"turnaround_n", itoa(s.Turnaround.N)},
		[]string{"turnaround_median_hours", hrs(s.Turnaround.MedianHours)},
		[]string{"turnaround_p90_hours", hrs(s.Turnaround.P90Hours)},
		[]string{"within_deadline", ratio(s.WithinDeadline)},
		[]string{"deadline_n", itoa(s.DeadlineN)})
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	rows = [][]string{{"reason", "count"}}
	for _, r := range SortedReasons(s.RejectionsByReason) {
		rows = append(rows, []string{string(r), itoa(s.RejectionsByReason[r])})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	rows = [][]string{{"week_start", "arrived", "closed"}}
	for _, wk := range s.Weekly {
		rows = append(rows, []string{wk.WeekStart.Format(DateLayout), itoa(wk.Arrived), itoa(wk.Closed)})
	}
	return cw.WriteAll(rows)
}
