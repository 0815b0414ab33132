package bolt

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/illdesk/illdesk/domain"
)

// seededDB writes a database of n seeded requests and returns its path.
func seededDB(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "illdesk.db")
	db, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(time.Now),
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Seed(n, 1, domain.Actor{}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen100k opens a database of 100,000 requests and builds the list
// model the window shows at start: every summary, sorted by urgency, then
// filtered to the opening facets with their counts. Goal: under 1 s.
func BenchmarkOpen100k(b *testing.B) {
	path := seededDB(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		db, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d, err := domain.OpenDesk(domain.Config{Store: db})
		if err != nil {
			b.Fatal(err)
		}
		l, err := d.Listing()
		if err != nil {
			b.Fatal(err)
		}
		if l.Len() != 100_000 {
			b.Fatalf("listed %d requests", l.Len())
		}
		l.Apply(domain.Filter{Side: domain.Lending, State: domain.Created})
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
}
