package bolt

import (
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/storagetest"
)

// summaries reads every stored summary.
func summaries(t *testing.T, db *DB) []domain.Summary {
	t.Helper()
	var out []domain.Summary
	require.NoError(t, db.View(func(tx domain.Tx) error {
		return tx.ForEachSummary(func(s domain.Summary) error { out = append(out, s); return nil })
	}))
	return out
}

func TestSummariesFollowRequests(t *testing.T) {
	db := openTemp(t)
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := domain.Request{ID: newID(t), Side: domain.Lending, ExternalID: "R-1", Partner: "RAPID", State: domain.Created,
		Citation: domain.Citation{Title: "Nature"}, Created: created, Deadline: created.Add(24 * time.Hour),
		History: []domain.Event{{At: created, To: domain.Created, Action: domain.ActCreate}}}
	b := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BVB", State: domain.Created,
		Citation: domain.Citation{Title: "A book"}, Requester: "Ada", Pickup: "Main", Created: created}
	put(t, db, a, b)
	countIs := func(want int) {
		t.Helper()
		require.NoError(t, db.View(func(tx domain.Tx) error {
			n, err := tx.RequestCount()
			assert.Equal(t, want, n)
			return err
		}))
	}
	countIs(2)
	got := summaries(t, db)
	require.Len(t, got, 2)
	storagetest.SameSummary(t, a.Summary(), got[0])
	storagetest.SameSummary(t, b.Summary(), got[1])

	// a change to the request changes its summary in the same transaction
	a.State, a.ItemBarcode = domain.PickRequested, "39000"
	a.History = append(a.History, domain.Event{At: created.Add(time.Hour), From: domain.Created, To: domain.PickRequested, Action: domain.ActPick})
	put(t, db, a)
	countIs(2)
	got = summaries(t, db)
	require.Len(t, got, 2)
	assert.Equal(t, domain.PickRequested, got[0].State)
	assert.True(t, got[0].Since.Equal(created.Add(time.Hour)), "since the pick")
	storagetest.SameSummary(t, a.Summary(), got[0])

	// a refused put changes no summary
	c := b
	c.ID, c.ExternalID, c.Partner, c.Side = newID(t), "R-1", "RAPID", domain.Lending
	require.Error(t, db.Update(func(tx domain.Tx) error { return tx.PutRequest(c) }))
	assert.Len(t, summaries(t, db), 2)
	countIs(2)
}

func TestOpenUpgradesSchema1WithSummaries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var rs []domain.Request
	for i := range 3 {
		r := domain.Request{ID: newID(t), Side: domain.Lending, ExternalID: string(rune('A' + i)), Partner: "RAPID",
			State: domain.Created, Citation: domain.Citation{Title: "T"}, Created: created}
		rs = append(rs, r)
	}
	put(t, db, rs...)
	require.NoError(t, db.Close())

	// make it a schema 1 database: no summaries bucket
	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bbolt.Tx) error {
		if err := btx.DeleteBucket(bucketSummaries); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	}))
	require.NoError(t, raw.Close())

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	got := summaries(t, db)
	require.Len(t, got, 3)
	for i, r := range rs {
		r.RequestNumber = domain.RequestNumber("L-2026", uint64(i+1)) // schema 3 numbers them
		storagetest.SameSummary(t, r.Summary(), got[i])
	}
	require.NoError(t, db.bolt.View(func(btx *bbolt.Tx) error {
		assert.Equal(t, strconv.Itoa(SchemaVersion), string(btx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}))
}

func TestOpenNumbersTheRequestsOfSchema2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	y2025 := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	y2026 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	var rs []domain.Request
	for i, r := range []struct {
		side    domain.Side
		created time.Time
	}{{domain.Lending, y2025}, {domain.Borrowing, y2026}, {domain.Lending, y2026}, {domain.Borrowing, y2026}, {domain.Lending, y2025}} {
		rs = append(rs, domain.Request{ID: newID(t), Side: r.side, ExternalID: strconv.Itoa(i), Partner: "RAPID",
			State: domain.Created, Citation: domain.Citation{Title: "T"}, Created: r.created})
	}
	put(t, db, rs...)
	require.NoError(t, db.Close())

	// make it a schema 2 database: no numbers
	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketIdxNumber, bucketNumbers} {
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, []byte("2"))
	}))
	require.NoError(t, raw.Close())

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	want := []string{"L-2025-00001", "B-2026-00001", "L-2026-00001", "B-2026-00002", "L-2025-00002"}
	for i, r := range rs {
		got, err := readRequest(db, r.ID)
		require.NoError(t, err)
		assert.Equal(t, want[i], got.RequestNumber, "in creation order, per side and year")
		assert.Equal(t, want[i], summaries(t, db)[i].RequestNumber)
	}
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		found, ok, err := tx.RequestByNumber("B-2026-00002")
		assert.True(t, ok)
		assert.Equal(t, rs[3].ID, found.ID)
		n, err2 := tx.NextRequestNumber("L-2026")
		assert.Equal(t, uint64(2), n, "a new request goes on from the numbered ones")
		return errors.Join(err, err2)
	}))
}

// readRequest reads a request by id.
func readRequest(db *DB, id string) (r domain.Request, err error) {
	err = db.View(func(tx domain.Tx) error {
		r, err = tx.Request(id)
		return err
	})
	return r, err
}
