package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/storagetest"
)

// TestContract runs the store contract on the bbolt store.
func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) domain.Store {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "illdesk.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}
