package bolt

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/vault"
)

// checkedDesk is a desk over a real database and vault with a few
// requests: two borrowed items on the shelf and lending requests.
func checkedDesk(t *testing.T) (*DB, *domain.Desk, []domain.Request) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	vault, err := vault.New(VaultDirFor(path))
	require.NoError(t, err)
	d, err := domain.OpenDesk(domain.Config{Store: db, Vault: vault, Clock: domain.ClockFunc(time.Now),
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
	require.NoError(t, err)
	_, err = d.Seed(50, 1, domain.Actor{})
	require.NoError(t, err)
	rs := domain.Actor{Station: domain.RSDesk}
	var out []domain.Request
	for i, code := range []string{"3900001", "3900002"} {
		r, err := d.NewBorrowing(domain.BorrowingInput{Partner: "RAPID", ExternalID: "B-" + code,
			Citation: domain.Citation{Title: "Book"}, Requester: "Pat", Pickup: "Main Library"}, rs)
		require.NoError(t, err, i)
		res, err := d.Scan(code, r.ID, rs)
		require.NoError(t, err)
		out = append(out, res.Request)
	}
	return db, d, out
}

func TestCheckFindsAndRepairsIndexes(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(btx *bbolt.Tx, rs []domain.Request) error
	}{
		{"barcode entry missing", func(btx *bbolt.Tx, _ []domain.Request) error {
			return btx.Bucket(bucketIdxBarcode).Delete([]byte("3900001"))
		}},
		{"barcode entry dangling", func(btx *bbolt.Tx, _ []domain.Request) error {
			return btx.Bucket(bucketIdxBarcode).Put([]byte("3999999"), []byte("no-such-request"))
		}},
		{"barcode entry points elsewhere", func(btx *bbolt.Tx, rs []domain.Request) error {
			return btx.Bucket(bucketIdxBarcode).Put([]byte("3900001"), []byte(rs[1].ID))
		}},
		{"external id missing", func(btx *bbolt.Tx, _ []domain.Request) error {
			return btx.Bucket(bucketIdxExternal).Delete([]byte("B-3900002" + storage.KeySep + "RAPID"))
		}},
		{"summary missing", func(btx *bbolt.Tx, rs []domain.Request) error {
			return btx.Bucket(bucketSummaries).Delete([]byte(rs[0].ID))
		}},
		{"summary stale", func(btx *bbolt.Tx, rs []domain.Request) error {
			s := rs[0].Summary()
			s.State = domain.Completed
			return btx.Bucket(bucketSummaries).Put([]byte(rs[0].ID), storage.EncodeSummary(s))
		}},
		{"summary of no request", func(btx *bbolt.Tx, rs []domain.Request) error {
			s := rs[0].Summary()
			s.ID = "no-such-request"
			return btx.Bucket(bucketSummaries).Put([]byte(s.ID), storage.EncodeSummary(s))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, d, rs := checkedDesk(t)
			rep, err := d.Check(false, domain.Actor{})
			require.NoError(t, err)
			require.True(t, rep.Sound(), "%+v", rep.Problems)

			require.NoError(t, db.bolt.Update(func(btx *bbolt.Tx) error { return tt.breakIt(btx, rs) }))
			rep, err = d.Check(false, domain.Actor{})
			require.NoError(t, err)
			require.NotEmpty(t, rep.Problems)
			for _, p := range rep.Problems {
				assert.Equal(t, domain.ProblemIndex, p.Kind, p.Detail)
				assert.True(t, p.Repairable)
			}

			rep, err = d.Check(true, domain.Actor{})
			require.NoError(t, err)
			assert.Empty(t, rep.Problems)
			assert.NotEmpty(t, rep.Repaired)
			res, err := d.Scan("3900001", "", domain.Actor{Station: domain.Station{Kind: domain.StationPickup, Name: "Main Library"}})
			require.NoError(t, err, "scanning works again after the repair")
			assert.Equal(t, rs[0].ID, res.Request.ID)
		})
	}
}

func TestCheckReportsDuplicateBarcodes(t *testing.T) {
	db, d, rs := checkedDesk(t)
	// a second request claims the first one's barcode behind the store's back
	other := rs[1]
	other.ItemBarcode = rs[0].ItemBarcode
	require.NoError(t, db.bolt.Update(func(btx *bbolt.Tx) error {
		v, err := json.Marshal(other)
		if err != nil {
			return err
		}
		return btx.Bucket(bucketRequests).Put([]byte(other.ID), v)
	}))
	rep, err := d.Check(true, domain.Actor{})
	require.NoError(t, err)
	var dup []domain.Problem
	for _, p := range rep.Problems {
		if p.Kind == domain.ProblemBarcodeDuplicate {
			dup = append(dup, p)
		}
	}
	require.Len(t, dup, 1, "%+v", rep.Problems)
	assert.Len(t, rep.Problems, 1, "the stale index and summary were repaired; the duplicate needs staff")
	assert.False(t, dup[0].Repairable)
	assert.Contains(t, dup[0].Detail, rs[0].ItemBarcode)
}
