package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/vault"
)

// seeded seeds n requests twice (seed 5) into store through a desk with a
// fixed clock and counted ids, and returns every request stored.
func seeded(t *testing.T, store domain.Store, n int) []domain.Request {
	t.Helper()
	v, err := vault.New(filepath.Join(t.TempDir(), "vault"))
	require.NoError(t, err)
	next := 0
	d, err := domain.OpenDesk(domain.Config{Store: store, Vault: v,
		Clock: domain.ClockFunc(func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }),
		NewID: func() string { next++; return fmt.Sprintf("0000-%08d", next) }})
	require.NoError(t, err)
	for range 2 {
		added, err := d.Seed(n, 5, domain.Actor{})
		require.NoError(t, err)
		require.Equal(t, n, added)
	}
	var out []domain.Request
	require.NoError(t, store.View(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(r domain.Request) error { out = append(out, r); return nil })
	}))
	return out
}

// TestPostgresSeedLoadsTheRowsPutRequestWould seeds a department database
// through its bulk load and a workstation file through PutRequest: the
// requests, their numbers, summaries and indexes are the same.
func TestPostgresSeedLoadsTheRowsPutRequestWould(t *testing.T) {
	const n = 700
	pg, err := postgres.Open(context.Background(), pgtest.ForTest(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	file, err := bolt.Open(filepath.Join(t.TempDir(), "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = file.Close() })

	want := seeded(t, file, n)
	got := seeded(t, pg, n)
	require.Len(t, got, 2*n)
	require.Len(t, want, 2*n)
	for i := range got {
		w, err := json.Marshal(want[i])
		require.NoError(t, err)
		g, err := json.Marshal(got[i])
		require.NoError(t, err)
		require.JSONEq(t, string(w), string(g), "request %d", i)
	}

	series := map[string]uint64{}
	require.NoError(t, pg.View(func(tx domain.Tx) error {
		var summaries []domain.Summary
		if err := tx.ForEachSummary(func(s domain.Summary) error { summaries = append(summaries, s); return nil }); err != nil {
			return err
		}
		for i, r := range got {
			assert.Equal(t, storage.EncodeSummary(r.Summary()), storage.EncodeSummary(summaries[i]))
			found, ok, err := tx.RequestByNumber(r.RequestNumber)
			require.NoError(t, err)
			require.True(t, ok, r.RequestNumber)
			assert.Equal(t, r.ID, found.ID)
			if bc := r.Summary().ActiveBarcode(); bc != "" {
				found, ok, err := tx.RequestByBarcode(bc)
				require.NoError(t, err)
				require.True(t, ok, bc)
				assert.Equal(t, r.ID, found.ID)
			}
			s := domain.NumberSeries(r.Side, r.Created.Year())
			series[s]++
		}
		return nil
	}))
	require.NoError(t, pg.Update(func(tx domain.Tx) error {
		for s, count := range series {
			next, err := tx.NextRequestNumber(s)
			require.NoError(t, err)
			assert.Equal(t, count+1, next, "series %s goes on after the loaded requests", s)
		}
		return nil
	}))
}

func TestPostgresLoadRefusesATakenKey(t *testing.T) {
	pg, err := postgres.Open(context.Background(), pgtest.ForTest(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := domain.Request{ID: "0001", Side: domain.Lending, Partner: "RAPID", ExternalID: "X-1", State: domain.Created, Created: at}
	require.NoError(t, pg.LoadRequests([]domain.Request{r}))
	again := r
	again.ID = "0002"
	fresh := r
	fresh.ID, fresh.ExternalID = "0003", "X-2"
	err = pg.LoadRequests([]domain.Request{fresh, again})
	require.ErrorIs(t, err, domain.ErrDuplicateExternalID)
	require.NoError(t, pg.View(func(tx domain.Tx) error {
		n, err := tx.RequestCount()
		assert.Equal(t, 1, n, "nothing of the refused batch is stored")
		return err
	}))
	require.NoError(t, pg.Update(func(tx domain.Tx) error {
		next, err := tx.NextRequestNumber(domain.NumberSeries(domain.Lending, 2026))
		assert.Equal(t, uint64(2), next, "the refused batch took no numbers")
		return err
	}))
}
