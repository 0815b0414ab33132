package domain

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// seededSummaries are the summaries of n requests made as Seed makes them.
func seededSummaries(b *testing.B, n int) []Summary {
	b.Helper()
	rnd := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	cal, err := NewCalendar(time.UTC, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]Summary, n)
	for i := range out {
		r, err := seedRequest(rnd, now, cal, i, fmt.Sprintf("019a%04x-0000-7000-8000-%012d", i>>16, i))
		if err != nil {
			b.Fatal(err)
		}
		out[i] = r.Summary()
	}
	return out
}

// BenchmarkFilter100k applies a facet and a search term to the list model of
// 100,000 requests, counting the facets as the window does on each
// keystroke. Goal: under 30 ms.
func BenchmarkFilter100k(b *testing.B) {
	l := NewListing(seededSummaries(b, 100_000))
	f := Filter{Side: Lending, Partner: "RAPID", Text: "nature"}
	var rows int
	b.ResetTimer()
	for b.Loop() {
		r, _ := l.Apply(f)
		rows = r.Len()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/filter")
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkSortBy100k sorts every request of the list model of 100,000
// requests by title, as the window does when staff click a column's header
// with all requests listed. Goal: under 300 ms.
func BenchmarkSortBy100k(b *testing.B) {
	l := NewListing(seededSummaries(b, 100_000))
	rows := l.Filter(Filter{All: true})
	title := func(s *Summary) string { return s.Title }
	b.ResetTimer()
	for b.Loop() {
		rows.SortBy(title, false)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/sort")
}

// BenchmarkFind100k finds a request's summary in the list model of 100,000
// requests by its id, as the window does several times for each scan.
func BenchmarkFind100k(b *testing.B) {
	ss := seededSummaries(b, 100_000)
	l := NewListing(ss)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok := l.Find(ss[i*7919%len(ss)].ID); !ok {
			b.Fatal("not found")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/find")
}

// BenchmarkListing100k builds the list model from 100,000 summaries: the
// sort by urgency and the folded search text.
func BenchmarkListing100k(b *testing.B) {
	ss := seededSummaries(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		in := append([]Summary(nil), ss...)
		b.StartTimer()
		NewListing(in)
	}
}

// BenchmarkAttention100k checks the list model of 100,000 requests for those
// that need attention, as the window does on its UI thread every half
// minute.
func BenchmarkAttention100k(b *testing.B) {
	l := NewListing(seededSummaries(b, 100_000))
	cal, err := NewCalendar(time.UTC, nil)
	if err != nil {
		b.Fatal(err)
	}
	c := AttentionCheck{limit: DefaultAttentionHours, now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC),
		cal: cal, failing: map[string]string{}}
	var n int
	b.ResetTimer()
	for b.Loop() {
		n = len(c.Among(l))
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/check")
	b.ReportMetric(float64(n), "requests")
}
