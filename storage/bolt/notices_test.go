package bolt

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
)

func notices(t *testing.T, db *DB) []domain.Notice {
	t.Helper()
	var ns []domain.Notice
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		ns, err = tx.Notices()
		return err
	}))
	return ns
}

func TestNoticesRoundTrip(t *testing.T) {
	db := openTemp(t)
	assert.Empty(t, notices(t, db))

	at := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	first := domain.Notice{ID: newID(t), RequestID: newID(t), Ref: "BVB-77", Kind: domain.NoticeReadyForPickup,
		To: "ada@example.edu", ToName: "Ada Lovelace", Subject: "Ready for pickup: Zürich", Body: "Grüezi Ada,\nbis Montag.\n",
		Created: at, Status: domain.NoticeQueued, NextTry: at}
	second := first
	second.ID = newID(t)
	second.To = "bob@example.edu"
	second.Status, second.Attempts, second.LastError = domain.NoticeFailed, 3, "connection refused"
	second.NextTry = at.Add(4 * time.Minute)
	second.Where = "smtp:mail.example.edu"
	require.Less(t, first.ID, second.ID, "UUIDv7 ids sort by creation")

	// put out of order: the listing still follows creation
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		if err := tx.PutNotice(second); err != nil {
			return err
		}
		return tx.PutNotice(first)
	}))
	assert.Equal(t, []domain.Notice{first, second}, notices(t, db))

	// replace
	first.Status, first.Attempts, first.SentAt, first.NextTry = domain.NoticeSent, 1, at.Add(time.Minute), time.Time{}
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutNotice(first) }))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		got, err := tx.Notice(first.ID)
		require.NoError(t, err)
		assert.Equal(t, first, got)
		return nil
	}))

	// delete, twice
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		if err := tx.DeleteNotice(second.ID); err != nil {
			return err
		}
		return tx.DeleteNotice(second.ID)
	}))
	assert.Equal(t, []domain.Notice{first}, notices(t, db))

	err := db.View(func(tx domain.Tx) error {
		_, err := tx.Notice(second.ID)
		return err
	})
	require.ErrorIs(t, err, domain.ErrNotFound)
	var ref *domain.Refusal
	require.ErrorAs(t, err, &ref)
	assert.Contains(t, ref.Msg, second.ID)
}

func TestNoticeRefusals(t *testing.T) {
	db := openTemp(t)
	err := db.Update(func(tx domain.Tx) error { return tx.PutNotice(domain.Notice{To: "a@example.edu"}) })
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	err = db.View(func(tx domain.Tx) error { return tx.PutNotice(domain.Notice{ID: newID(t)}) })
	require.Error(t, err, "a read-only transaction cannot write")
	err = db.View(func(tx domain.Tx) error {
		_, err := tx.Notice("")
		return err
	})
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.Empty(t, notices(t, db))
}

func TestNoticeRollsBackWithItsTransaction(t *testing.T) {
	db := openTemp(t)
	boom := errors.New("boom")
	err := db.Update(func(tx domain.Tx) error {
		require.NoError(t, tx.PutNotice(domain.Notice{ID: newID(t), Status: domain.NoticeQueued}))
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, notices(t, db))
}

func TestOlderDatabaseGetsTheNoticesBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E1", State: domain.Created}
	put(t, db, r)
	require.NoError(t, db.Close())

	// as written by a build without notices
	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bbolt.Tx) error { return btx.DeleteBucket(bucketNotices) }))
	require.NoError(t, raw.Close())

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	assert.Empty(t, notices(t, db))
	assert.Equal(t, r.ID, get(t, db, r.ID).ID)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutNotice(domain.Notice{ID: newID(t)}) }))
	assert.Len(t, notices(t, db), 1)
}

type recordingMailer struct{ sent []domain.Notice }

func (m *recordingMailer) Send(n domain.Notice) (string, error) {
	m.sent = append(m.sent, n)
	return "smtp:mail.example.edu", nil
}

// The hold-shelf scan and its notice are written together in bbolt, and
// delivery records the outcome on the notice and in the history.
func TestDeskQueuesAndDeliversNoticesInBolt(t *testing.T) {
	db := openTemp(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	desk := domain.NewDesk(domain.Config{Store: db, Clock: domain.ClockFunc(func() time.Time { return now })})
	_, err := desk.AddPartner(domain.Partner{Code: "BVB", Name: "Bavarian network"})
	require.NoError(t, err)
	b, err := desk.NewBorrowing(domain.BorrowingInput{Partner: "BVB", ExternalID: "BVB-1", Citation: domain.Citation{Title: "Zürich"},
		Requester: "Ada Lovelace", RequesterEmail: "ada@example.edu", Pickup: "Main Library"}, domain.Actor{})
	require.NoError(t, err)
	_, err = desk.Receive(b.ID, "39001234", domain.Actor{})
	require.NoError(t, err)
	res, err := desk.Scan("39001234", "", domain.Actor{Station: domain.Station{Kind: domain.StationPickup, Name: "Main Library"}})
	require.NoError(t, err)
	require.Equal(t, domain.OnHoldShelf, res.Request.State)
	assert.Equal(t, "Hold until 2026-11-30; ready-for-pickup notice queued for ada@example.edu", res.Request.History[len(res.Request.History)-1].Note)

	ns := notices(t, db)
	require.Len(t, ns, 1)
	assert.Equal(t, b.ID, ns[0].RequestID)
	assert.Contains(t, ns[0].Body, "Monday 30 November 2026")

	now = now.Add(domain.NoticeGrace) // past the grace period for undoing the scan
	m := &recordingMailer{}
	sent, failed, err := desk.DeliverNotices(m)
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)
	assert.Equal(t, domain.NoticeSent, notices(t, db)[0].Status)
	r := get(t, db, b.ID)
	assert.Equal(t, domain.ActNotice, r.History[len(r.History)-1].Action)
	assert.Equal(t, "39001234", r.ActiveBarcode(), "the notice event keeps the barcode index intact")
	got, ok := byBarcode(t, db, "39001234")
	require.True(t, ok)
	assert.Equal(t, b.ID, got.ID)
}
