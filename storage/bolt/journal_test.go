package bolt

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// The databases and journals under testdata/journal were made by the
// journal writer of the version before this one (journal_golden_test.go,
// run with -tags golden, in the commit that added them; removed with the
// writer), each as the files were when the process ended without closing
// the database:
//
//	crashed  three requests, setting kept=before and record old/gone in
//	         bbolt; in the journal only, one record each: kept=after,
//	         new=1, barcode 3900001 for E-1, request E-4, record
//	         fresh/id1=v1, record old/gone deleted, a reindex, last=1
//	mixed    x=v0004 in bbolt; the journal's first record (x=final) is of
//	         its generation, the four after it (x=v0001..v0004) of the one
//	         before
//	stale    x=final in bbolt; no record in the journal is of its generation
//
// The writer wrote the file a megabyte ahead with zeros; the copies here
// end with the last record.

const (
	goldenID1 = "0193a000-0000-7000-8000-000000000001"
	goldenID2 = "0193a000-0000-7000-8000-000000000002"
	goldenID4 = "0193a000-0000-7000-8000-000000000004"
)

// golden copies testdata/journal/name into a new folder, with the journal
// changed by spoil (nil: as it is), and returns the database's path.
func golden(t *testing.T, name string, spoil func([]byte) []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "illdesk.db")
	for src, dst := range map[string]string{"illdesk.db": path, "illdesk.db-journal": journalPathFor(path)} {
		b, err := os.ReadFile(filepath.Join("testdata", "journal", name, src))
		require.NoError(t, err)
		if spoil != nil && src == "illdesk.db-journal" {
			b = spoil(b)
		}
		require.NoError(t, os.WriteFile(dst, b, 0o600))
	}
	return path
}

// settings reads every setting of an open database.
func settings(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, db.bolt.View(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketSettings).ForEach(func(k, v []byte) error { out[string(k)] = string(v); return nil })
	}))
	return out
}

// openGolden opens the database at path and requires its journal to be
// gone, and the generation with it.
func openGolden(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = os.Stat(journalPathFor(path))
	assert.ErrorIs(t, err, fs.ErrNotExist, "the journal is removed once brought in")
	require.NoError(t, db.bolt.View(func(btx *bbolt.Tx) error {
		assert.Nil(t, btx.Bucket(bucketMeta).Get(keyJournal), "the journal's generation is removed with it")
		return nil
	}))
	return db
}

// lastRecord is where the last record of the journal j starts and ends.
func lastRecord(j []byte) (start, end int) {
	for end+headerSize <= len(j) {
		n := int(binary.LittleEndian.Uint32(j[end:]))
		if n == 0 || end+headerSize+n > len(j) {
			break
		}
		start, end = end, end+headerSize+n
	}
	return start, end
}

func TestOpenBringsInACrashedJournal(t *testing.T) {
	for _, tt := range []struct {
		name  string
		spoil func([]byte) []byte
	}{
		{"as found", nil},
		{"with the zeros written ahead", func(j []byte) []byte { return append(j, make([]byte, 1<<20-len(j))...) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := golden(t, "crashed", tt.spoil)
			db := openGolden(t, path)
			assert.Equal(t, map[string]string{"kept": "after", "new": "1", "last": "1"}, settings(t, db))
			r, ok := byBarcode(t, db, "3900001")
			require.True(t, ok, "the barcode the journal gave E-1 finds it")
			assert.Equal(t, goldenID1, r.ID)
			r, ok = byBarcode(t, db, "3900002")
			require.True(t, ok)
			assert.Equal(t, goldenID2, r.ID)
			assert.Equal(t, []string{goldenID4}, ids(byExternal(t, db, "E-4")), "the request made in the journal")
			require.NoError(t, db.View(func(tx domain.Tx) error {
				n, err := tx.RequestCount()
				assert.Equal(t, 4, n)
				if err != nil {
					return err
				}
				v, ok, err := tx.(storage.Records).Record("fresh", "id1")
				assert.True(t, ok)
				assert.Equal(t, "v1", string(v))
				if err != nil {
					return err
				}
				_, ok, err = tx.(storage.Records).Record("old", "gone")
				assert.False(t, ok, "the record the journal deleted")
				if err != nil {
					return err
				}
				assert.NoError(t, tx.Verify())
				return nil
			}))
			require.NoError(t, db.Close())

			again := openGolden(t, path)
			assert.Equal(t, "1", settings(t, again)["last"], "reopening finds the same")
		})
	}
}

func TestOpenStopsAtATornJournalRecord(t *testing.T) {
	for _, tt := range []struct {
		name  string
		spoil func(j []byte) []byte
	}{
		{"cut short", func(j []byte) []byte { _, end := lastRecord(j); return j[:end-5] }},
		{"a byte changed", func(j []byte) []byte { _, end := lastRecord(j); j[end-1] ^= 0x40; return j }},
		{"never written", func(j []byte) []byte { start, end := lastRecord(j); clear(j[start:end]); return j }},
		{"a record after it", func(j []byte) []byte {
			start, end := lastRecord(j)
			// the last record again, numbered as the next: the one before it
			// is torn, so this one does not follow either
			next := bytes.Clone(j[start:end])
			binary.LittleEndian.PutUint64(next[16:], binary.LittleEndian.Uint64(next[16:])+1)
			j[end-1] ^= 0x40
			return append(j, next...)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openGolden(t, golden(t, "crashed", tt.spoil))
			assert.Equal(t, map[string]string{"kept": "after", "new": "1"}, settings(t, db),
				"the records before the torn one are brought in, it and what follows are not")
		})
	}
}

func TestOpenSkipsJournalRecordsOfAnotherGeneration(t *testing.T) {
	for _, name := range []string{"mixed", "stale"} {
		t.Run(name, func(t *testing.T) {
			db := openGolden(t, golden(t, name, nil))
			assert.Equal(t, map[string]string{"x": "final"}, settings(t, db),
				"records of an older generation were in bbolt before: none is brought in again")
		})
	}
}

func TestOpenRefusesAJournalRecordItCannotRead(t *testing.T) {
	path := golden(t, "crashed", func(j []byte) []byte {
		// a record that follows, with a payload that is not changes
		rec := make([]byte, headerSize+3)
		start, end := lastRecord(j)
		copy(rec[8:16], j[start+8:start+16])
		binary.LittleEndian.PutUint32(rec[0:], 3)
		binary.LittleEndian.PutUint64(rec[16:], binary.LittleEndian.Uint64(j[start+16:])+1)
		copy(rec[headerSize:], []byte{1, 5, 'x'})
		binary.LittleEndian.PutUint32(rec[4:], crc32.Checksum(rec[8:], castagnoli))
		return append(j[:end], rec...)
	})
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = Open(path)
	refusal(t, err, domain.ErrDatabaseDamaged)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "nothing of the journal was brought in")
	_, err = os.Stat(journalPathFor(path))
	assert.NoError(t, err, "the journal is kept")
}

func TestRestoreSetsACrashedJournalAside(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "AT-BACKUP", 2)
	backup := filepath.Join(t.TempDir(), "backup.db")
	_, err := db.BackupTo(backup, false)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	crashed := golden(t, "crashed", nil)

	replaced, err := Restore(backup, crashed)
	require.NoError(t, err)
	_, err = os.Stat(journalPathFor(replaced))
	require.NoError(t, err, "the journal went with the database it belongs to")
	reqs, _ := counts(t, crashed)
	assert.Equal(t, 2, reqs, "the journal's writes are not brought into the backup")
	reqs, _ = counts(t, replaced)
	assert.Equal(t, 4, reqs, "the replaced database gets them when opened")
}
