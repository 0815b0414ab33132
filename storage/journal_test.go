package storage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
)

// crashCopy copies the open database at db and its journal into a new
// folder, as they would be on disk if the process ended now without
// closing it, and returns the copy's path.
func crashCopy(t *testing.T, db *DB) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "illdesk.db")
	for _, p := range [][2]string{{db.path, dst}, {journalPathFor(db.path), journalPathFor(dst)}} {
		b, err := os.ReadFile(p[0])
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p[1], b, 0o600))
	}
	return dst
}

// setting writes key = value in its own transaction.
func setting(t *testing.T, db *DB, key, value string) {
	t.Helper()
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting(key, value) }))
}

// settingsOf reads every setting of the database file at path, opening it.
func settingsOf(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := Open(path)
	require.NoError(t, err)
	defer db.Close()
	return settings(t, db)
}

// settings reads every setting of an open database.
func settings(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, db.View(func(dt domain.Tx) error {
		b, err := dt.(*tx).bucket(bucketSettings)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error { out[string(k)] = string(v); return nil })
	}))
	return out
}

// inBbolt reads a setting from bbolt's pages alone, without the overlay.
func inBbolt(t *testing.T, db *DB, key string) string {
	t.Helper()
	var v string
	require.NoError(t, db.bolt.View(func(btx *bolt.Tx) error {
		v = string(btx.Bucket(bucketSettings).Get([]byte(key)))
		return nil
	}))
	return v
}

func TestAWriteSurvivesACrashThroughTheJournal(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "R", 5)
	setting(t, db, "a", "1")
	setting(t, db, "b", "2")
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("a", "") }))
	assert.Empty(t, inBbolt(t, db, "b"), "the writes are in the journal, not yet in bbolt")

	crashed := crashCopy(t, db)
	got := settingsOf(t, crashed)
	assert.Equal(t, "2", got["b"])
	assert.Equal(t, "", got["a"])
	reqs, sums := counts(t, crashed)
	assert.Equal(t, 5, reqs)
	assert.Equal(t, 5, sums)

	again, err := Open(crashed)
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, "2", inBbolt(t, again, "b"), "opening brought the journal's writes into bbolt")
}

func TestReplayStopsAtARecordCutShort(t *testing.T) {
	db := openTemp(t)
	setting(t, db, "first", "1")
	setting(t, db, "second", "2")
	off := db.journal.off
	setting(t, db, "third", "3")
	end := db.journal.off

	for _, tt := range []struct {
		name  string
		spoil func(j []byte)
	}{
		{"cut short", func(j []byte) { clear(j[end-5 : end]) }},
		{"a byte changed", func(j []byte) { j[end-1] ^= 0x40 }},
		{"never written", func(j []byte) { clear(j[off:end]) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			crashed := crashCopy(t, db)
			j, err := os.ReadFile(journalPathFor(crashed))
			require.NoError(t, err)
			tt.spoil(j)
			require.NoError(t, os.WriteFile(journalPathFor(crashed), j, 0o600))
			assert.Equal(t, map[string]string{"first": "1", "second": "2"}, settingsOf(t, crashed),
				"a torn record is not replayed, nor anything after it")
		})
	}
}

func TestOldRecordsAreNotReplayed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	for i := range 5 { // five records of the first generation
		setting(t, db, "x", "v"+strconv.Itoa(i))
	}
	require.NoError(t, db.Close()) // a checkpoint: x = v4, and a new generation

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	setting(t, db, "x", "new") // overwrites the first record; the other four stay in the file
	setting(t, db, "y", "1")
	crashed := crashCopy(t, db)
	got := settingsOf(t, crashed)
	assert.Equal(t, "new", got["x"], "records of the generation before are not replayed")
	assert.Equal(t, "1", got["y"])
}

func TestCheckpointsBringWritesIntoBbolt(t *testing.T) {
	db := openTemp(t)
	for i := range checkpointKeys + 1 {
		setting(t, db, fmt.Sprintf("k%04d", i), "v")
	}
	assert.Less(t, db.over.Load().keys, checkpointKeys, "a checkpoint emptied the overlay")
	assert.Equal(t, "v", inBbolt(t, db, "k0000"))

	// a commit larger than the journal takes goes to bbolt at once
	off := db.journal.off
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		for i := range directKeys + 1 {
			if err := tx.PutSetting(fmt.Sprintf("big%05d", i), "v"); err != nil {
				return err
			}
		}
		return nil
	}))
	assert.Zero(t, db.over.Load().keys)
	assert.Equal(t, "v", inBbolt(t, db, "big01024"))
	assert.LessOrEqual(t, db.journal.off, off, "nothing of it went to the journal")

	// a transaction that fails writes nothing anywhere
	off = db.journal.off
	require.Error(t, db.Update(func(tx domain.Tx) error {
		require.NoError(t, tx.PutSetting("lost", "v"))
		return fmt.Errorf("refused")
	}))
	assert.Equal(t, off, db.journal.off)
	assert.NotContains(t, settings(t, db), "lost")
}

func TestRestoreSetsACrashedJournalAside(t *testing.T) {
	db := openTemp(t)
	lendings(t, db, "AT-BACKUP", 2)
	backup := filepath.Join(t.TempDir(), "backup.db")
	_, err := db.BackupTo(backup, false)
	require.NoError(t, err)
	lendings(t, db, "AFTER", 3) // in the journal only when the process ends
	crashed := crashCopy(t, db)

	replaced, err := Restore(backup, crashed)
	require.NoError(t, err)
	reqs, _ := counts(t, crashed)
	assert.Equal(t, 2, reqs, "the journal's writes are not taken for the backup's")
	reqs, _ = counts(t, replaced)
	assert.Equal(t, 5, reqs, "the replaced database keeps them, with its journal beside it")
}

// TestOverlayReadsLikeOneStore makes random writes through every layer a
// read merges — bbolt's pages, the overlay of committed writes, and the
// transaction's own — and compares every way of reading a bucket with a
// plain map after each step.
func TestOverlayReadsLikeOneStore(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 18626))
			db := openTemp(t)
			committed := map[string]string{}
			for round := range 40 {
				model := maps(committed)
				err := db.Update(func(dt domain.Tx) error {
					b, err := dt.(*tx).bucket(bucketSettings)
					if err != nil {
						return err
					}
					for range rnd.IntN(8) {
						k := fmt.Sprintf("k%02d", rnd.IntN(30))
						if rnd.IntN(25) == 0 { // emptied, as Reindex empties the indexes
							dt.(*tx).own[string(bucketSettings)] = &layer{emptied: true}
							clear(model)
						} else if rnd.IntN(3) == 0 {
							require.NoError(t, b.Delete([]byte(k)))
							delete(model, k)
						} else {
							v := strconv.Itoa(rnd.IntN(1000))
							require.NoError(t, b.Put([]byte(k), []byte(v)))
							model[k] = v
						}
						sameAsModel(t, b, model, rnd)
					}
					return nil
				})
				require.NoError(t, err)
				committed = model
				require.NoError(t, db.View(func(dt domain.Tx) error {
					b, err := dt.(*tx).bucket(bucketSettings)
					require.NoError(t, err)
					sameAsModel(t, b, committed, rnd)
					return nil
				}))
				if round%7 == 6 {
					db.mu.Lock()
					require.NoError(t, db.checkpoint(nil))
					db.mu.Unlock()
				}
			}
		})
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sameAsModel requires b to read as model does: Get, ForEach, a Seek and
// walking on, and KeyN.
func sameAsModel(t *testing.T, b *lbucket, model map[string]string, rnd *rand.Rand) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i := range 30 {
		k := fmt.Sprintf("k%02d", i)
		v, ok := model[k]
		got := b.Get([]byte(k))
		require.Equal(t, ok, got != nil, "Get %s", k)
		if ok {
			require.Equal(t, v, string(got), "Get %s", k)
		}
	}
	var walked []string
	require.NoError(t, b.ForEach(func(k, v []byte) error {
		require.Equal(t, model[string(k)], string(v))
		walked = append(walked, string(k))
		return nil
	}))
	require.Equal(t, keys, append([]string{}, walked...), "ForEach")
	seek := fmt.Sprintf("k%02d", rnd.IntN(31))
	var fromSeek []string
	c := b.Cursor()
	for k, _ := c.Seek([]byte(seek)); k != nil; k, _ = c.Next() {
		fromSeek = append(fromSeek, string(k))
	}
	i, _ := slices.BinarySearch(keys, seek)
	require.Equal(t, keys[i:], append([]string{}, fromSeek...), "Seek %s", seek)
	require.Equal(t, len(keys), b.KeyN(), "KeyN")
}

func TestJournalRecordsRoundTrip(t *testing.T) {
	ls := layers{"summaries": {emptied: true}}
	for path, kvs := range map[string][]change{
		"settings":                {{key: "a", val: []byte("1")}, {key: "b", val: nil}, {key: "c", val: []byte{}}},
		"records" + pathSep + "x": {{key: "id", val: []byte("v")}},
	} {
		l := &layer{}
		for _, c := range kvs {
			l.set([]byte(c.key), c.val)
		}
		ls[path] = l
	}
	enc := encodeLayers(ls)
	got, err := decodeLayers(enc)
	require.NoError(t, err)
	require.Len(t, got, len(ls))
	for path, l := range ls {
		require.Contains(t, got, path)
		assert.Equal(t, l.emptied, got[path].emptied, path)
		assert.Equal(t, l.sortedChanges(), got[path].sortedChanges(), path)
	}
	for n := range len(enc) {
		if _, err := decodeLayers(enc[:n]); err == nil {
			t.Errorf("a record cut to %d of %d bytes decodes", n, len(enc))
		}
	}
	_, err = decodeLayers(append(bytes.Clone(enc), 0))
	assert.Error(t, err, "trailing bytes")
}
