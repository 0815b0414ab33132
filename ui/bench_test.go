package ui

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// BenchmarkScanInWindow100k is a scan at the RS desk that closes a returned
// request, handled by the window over 100,000 requests, from the scan bar's
// Return to the result banner, followed by its Undo: the work
// scripts/perf-window.sh times as "result drawn", without the drawing.
func BenchmarkScanInWindow100k(b *testing.B) {
	f := newFixture(b)
	_, err := f.desk.Seed(100_000, 1, domain.Actor{Station: domain.RSDesk})
	require.NoError(b, err)
	returned, err := f.desk.List(domain.Filter{Side: domain.Borrowing, State: domain.ReturnedByPatron})
	require.NoError(b, err)
	require.NotEmpty(b, returned)
	mw := f.open()
	b.ResetTimer()
	for i := range b.N {
		r := returned[i%len(returned)]
		mw.scan.SubmitScan(r.ItemBarcode)
		if mw.scan.lastScan != r.ID {
			b.Fatalf("%s was not completed: %s", r.ItemBarcode, mw.banner.Text())
		}
		mw.scan.UndoLastScan()
	}
}
