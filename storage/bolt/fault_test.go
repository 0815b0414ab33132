//go:build linux

// The file is cut short and moved away under the open database: Windows
// refuses both for a mapped file.

package bolt

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// within runs fn and fails the test when it has not returned after a few
// seconds: a fault must never leave a lock held that the next call waits on.
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: a fault left a lock held", what)
		return nil
	}
}

// faultyDesk is a desk on a seeded database at path whose file is then cut
// to a tenth under it, so that reading its pages faults, as when the disk
// holding the mapped file stops answering. It returns the original bytes.
func faultyDesk(t *testing.T, path string) (*DB, *domain.Desk, []byte) {
	t.Helper()
	data := seededFile(t)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	db, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(time.Now)})
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, int64(len(data)/10)))
	return db, d, data
}

func TestFaultOnAVanishedFileIsNotDamage(t *testing.T) {
	tests := []struct {
		name string
		use  func(d *domain.Desk) error
	}{
		{"a read", func(d *domain.Desk) error { _, err := d.Listing(); return err }},
		{"a write", func(d *domain.Desk) error { _, err := d.Seed(5, 1, domain.Actor{}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "illdesk.db")
			db, d, data := faultyDesk(t, path)
			// the disk goes away: the file can no longer be reached at its path
			require.NoError(t, os.Rename(path, path+".gone"))

			err := within(t, "the first call", func() error { return tt.use(d) })
			require.ErrorIs(t, err, domain.ErrStorageUnavailable)
			assert.NotErrorIs(t, err, domain.ErrDatabaseDamaged)
			assert.Contains(t, err.Error(), "The disk holding "+path+" stopped answering")
			assert.Contains(t, err.Error(), "this change was not saved. Nothing else was lost; try again when the disk is back.")
			assert.NotContains(t, err.Error(), "damaged")
			assert.NotContains(t, err.Error(), "runtime error", "the runtime's words for the fault are not for staff")

			err = within(t, "the second call", func() error { return tt.use(d) })
			require.ErrorIs(t, err, domain.ErrStorageUnavailable, "the second call neither hangs nor claims damage")
			_, statErr := os.Stat(path)
			assert.ErrorIs(t, statErr, os.ErrNotExist, "no new database is made in place of the one that went away")

			// the disk is back
			require.NoError(t, os.Remove(path+".gone"))
			require.NoError(t, os.WriteFile(path, data, 0o600))
			err = within(t, "the call after the disk is back", func() error {
				_, err := d.Listing()
				return err
			})
			require.NoError(t, err, "the database is opened again and works")
			require.NoError(t, within(t, "Close", db.Close))
		})
	}
}

func TestFaultOnAFileCutShortIsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, d, _ := faultyDesk(t, path)
	err := within(t, "a write", func() error { _, err := d.Seed(5, 1, domain.Actor{}); return err })
	require.ErrorIs(t, err, domain.ErrDatabaseDamaged, "the file reads whole but short: it was cut short")
	assert.Contains(t, err.Error(), "cut short")
	err = within(t, "the next write", func() error { _, err := d.Seed(5, 1, domain.Actor{}); return err })
	require.Error(t, err)
	require.NoError(t, within(t, "Close", db.Close))
}

func TestReopenWaitsForTheDiskToComeBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, d, data := faultyDesk(t, path)
	require.NoError(t, os.Rename(path, path+".gone")) // the disk goes away
	_, err := d.Listing()
	require.ErrorIs(t, err, domain.ErrStorageUnavailable)

	for range 2 { // pressed again while the disk is still away
		err = within(t, "Reopen while the disk is away", db.Reopen)
		require.ErrorIs(t, err, domain.ErrStorageUnavailable)
		assert.NotErrorIs(t, err, domain.ErrDatabaseDamaged)
		assert.Contains(t, err.Error(), "The disk holding "+path+" stopped answering (the database file cannot be reached")
		_, statErr := os.Stat(path)
		assert.ErrorIs(t, statErr, os.ErrNotExist, "no new database is made in place of the one that went away")
	}

	// the disk is back
	require.NoError(t, os.Remove(path+".gone"))
	require.NoError(t, os.WriteFile(path, data, 0o600))
	require.NoError(t, within(t, "Reopen once the disk is back", db.Reopen))
	ls, err := d.Listing()
	require.NoError(t, err, "the database works after Reopen")
	assert.NotZero(t, ls.Len())
	require.NoError(t, within(t, "Close", db.Close))
}
