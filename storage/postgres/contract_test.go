package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/storagetest"
)

// TestContract runs the store contract on the PostgreSQL store, each
// subtest on a fresh database of a throwaway server (skipped when PostgreSQL
// is not installed). TestMain (postgres_test.go) runs the tests through
// pgtest.Main, which stops that server afterwards.
func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) domain.Store {
		pg, err := postgres.Open(t.Context(), pgtest.ForTest(t))
		require.NoError(t, err)
		t.Cleanup(func() { _ = pg.Close() })
		return pg
	})
}
