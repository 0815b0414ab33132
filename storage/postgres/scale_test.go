package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/postgres"
)

// scaleDB names a department database already seeded at scale
// (docs/PERFORMANCE.md), for the benchmarks of what a window asks.
const scaleDB = "ILLDESK_SCALE_DB"

// BenchmarkWindowAsks times what a window on the department database asks
// the server: on opening (the facet counts and the first page of a side's
// new requests), on a facet chosen (a state), on a search typed (counts and
// rows of the matches; the rows alone, which a window shows first; the rows
// with the counts among the active requests, which it shows before the
// closed ones are counted), and a page far down the list read from the one
// before. It needs ILLDESK_SCALE_DB, and skips without it.
func BenchmarkWindowAsks(b *testing.B) {
	url := os.Getenv(scaleDB)
	if url == "" {
		b.Skip(scaleDB + " names no seeded department database")
	}
	db, err := postgres.Open(context.Background(), url)
	require.NoError(b, err)
	b.Cleanup(func() { db.Close() })
	show := func(b *testing.B, f domain.Filter) {
		serverCounts(b, db, f)
		_, err := db.Lists().ListRows(f, domain.ListOrder{}, nil, 0, 100)
		require.NoError(b, err)
	}
	cases := []struct {
		name string
		f    domain.Filter
	}{
		{"open", domain.Filter{Side: domain.Lending, State: domain.Created}},
		{"facet", domain.Filter{Side: domain.Lending, State: domain.ShippedDigitally}},
		{"all-active", domain.Filter{Side: domain.Borrowing}},
		{"search-id", domain.Filter{Side: domain.Lending, Text: "00012345"}},
		{"search-name", domain.Filter{Side: domain.Borrowing, Text: "patron 4711"}},
		{"search-word", domain.Filter{Side: domain.Lending, Text: "lancet"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				show(b, c.f)
			}
		})
	}
	b.Run("search-word-rows", func(b *testing.B) {
		// what a window shows of a search before its counts come
		f := domain.Filter{Side: domain.Lending, Text: "lancet"}
		for b.Loop() {
			_, err := db.Lists().ListRows(f, domain.ListOrder{}, nil, 0, 100)
			require.NoError(b, err)
		}
	})
	b.Run("search-word-active", func(b *testing.B) {
		// what a window shows of a search of active requests before its
		// closed ones are counted: its rows, their number and every count
		// but the closed states'
		f := domain.Filter{Side: domain.Lending, Text: "lancet"}
		for b.Loop() {
			all, err := db.Lists().ListGroups("")
			require.NoError(b, err)
			active, err := db.Lists().ListActiveGroups(f.SearchQuery())
			require.NoError(b, err)
			domain.CountActiveGroups(f, all, active)
			_, err = db.Lists().ListRows(f, domain.ListOrder{}, nil, 0, 100)
			require.NoError(b, err)
		}
	})
	b.Run("deep-page", func(b *testing.B) {
		f := domain.Filter{Side: domain.Lending, All: true}
		page, err := db.Lists().ListRows(f, domain.ListOrder{}, nil, 400_000, 100)
		require.NoError(b, err)
		require.NotEmpty(b, page)
		for b.Loop() {
			_, err := db.Lists().ListRows(f, domain.ListOrder{}, &page[len(page)-1], 0, 100)
			require.NoError(b, err)
		}
	})
}
