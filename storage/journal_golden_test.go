//go:build golden

package storage

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// TestMakeGoldenJournals writes testdata/journal/*: databases and the
// journals beside them as the journal writer left them when the process
// ended without closing the database. Run it with -tags golden.
func TestMakeGoldenJournals(t *testing.T) {
	out := filepath.Join("testdata", "journal")
	keep := func(db *DB, name string) {
		dst := filepath.Join(out, name)
		require.NoError(t, os.MkdirAll(dst, 0o755))
		b, err := os.ReadFile(db.path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, "illdesk.db"), b, 0o644))
		j, err := os.ReadFile(journalPathFor(db.path))
		require.NoError(t, err)
		// the writer writes the file a megabyte ahead with zeros: keep it up
		// to the end of the last record in it, whatever its generation
		end := 0
		for end+headerSize <= len(j) {
			n := int(binary.LittleEndian.Uint32(j[end:]))
			if n == 0 || end+headerSize+n > len(j) {
				break
			}
			end += headerSize + n
		}
		require.NoError(t, os.WriteFile(filepath.Join(dst, "illdesk.db-journal"), j[:end], 0o644))
	}
	update := func(db *DB, fn func(domain.Tx) error) { require.NoError(t, db.Update(fn)) }
	req := func(id, ext, barcode string) domain.Request {
		r := domain.Request{ID: id, Side: domain.Lending, Partner: "BL", ExternalID: ext,
			State: domain.Created, Citation: domain.Citation{Title: "Title " + ext}}
		if barcode != "" {
			r.State, r.ItemBarcode = domain.PickRequested, barcode
		}
		return r
	}
	const (
		id1 = "0193a000-0000-7000-8000-000000000001"
		id2 = "0193a000-0000-7000-8000-000000000002"
		id3 = "0193a000-0000-7000-8000-000000000003"
		id4 = "0193a000-0000-7000-8000-000000000004"
	)

	// crashed: three requests, a setting and a record in bbolt; then, in
	// the journal only, settings, a barcode and a new request, a new kind
	// of record, a deleted record, a reindex, and a last setting.
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	update(db, func(tx domain.Tx) error {
		for _, r := range []domain.Request{req(id1, "E-1", ""), req(id2, "E-2", "3900002"), req(id3, "E-3", "")} {
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		if err := tx.PutSetting("kept", "before"); err != nil {
			return err
		}
		return tx.PutRecord("old", "gone", []byte("v"))
	})
	require.NoError(t, db.Close())
	db, err = Open(path)
	require.NoError(t, err)
	update(db, func(tx domain.Tx) error { return tx.PutSetting("kept", "after") })
	update(db, func(tx domain.Tx) error { return tx.PutSetting("new", "1") })
	update(db, func(tx domain.Tx) error { return tx.PutRequest(req(id1, "E-1", "3900001")) })
	update(db, func(tx domain.Tx) error { return tx.PutRequest(req(id4, "E-4", "")) })
	update(db, func(tx domain.Tx) error { return tx.PutRecord("fresh", "id1", []byte("v1")) })
	update(db, func(tx domain.Tx) error { return tx.DeleteRecord("old", "gone") })
	update(db, func(tx domain.Tx) error { return tx.Reindex() })
	update(db, func(tx domain.Tx) error { return tx.PutSetting("last", "1") })
	require.Equal(t, 8, int(db.seq), "every write is in the journal")
	keep(db, "crashed")
	require.NoError(t, db.Close())

	// mixed and stale: five records of one generation (x = v0000 ...
	// v0004), checkpointed at Close; one record of the next generation
	// (x = final) over the first of them. mixed ends there; stale after a
	// backup has checkpointed again, so no record in its journal is of the
	// generation its database holds.
	path = filepath.Join(t.TempDir(), "illdesk.db")
	db, err = Open(path)
	require.NoError(t, err)
	for _, v := range []string{"v0000", "v0001", "v0002", "v0003", "v0004"} {
		update(db, func(tx domain.Tx) error { return tx.PutSetting("x", v) })
	}
	require.NoError(t, db.Close())
	db, err = Open(path)
	require.NoError(t, err)
	update(db, func(tx domain.Tx) error { return tx.PutSetting("x", "final") })
	keep(db, "mixed")
	_, err = db.BackupTo(filepath.Join(t.TempDir(), "backup.db"), false)
	require.NoError(t, err)
	keep(db, "stale")
	require.NoError(t, db.Close())
}
