package bolt

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// testdata/links.db was written by the code of commit 358d239, before
// download links had tokens: a program opened a new database with Open and
// domain.OpenDesk (clock fixed at 2026-12-01 10:00 UTC, ids
// 0193a000-0000-7000-8000-00000000000N, the iso18626 codec), set our agency
// id ISIL:US-OURS and the public address https://ill.example.edu, added
// the partner BORROW (ISIL:US-BORROW, files by link), created its lending
// request OLD-1 and shipped valid_scan_3pages.pdf for it: the delivery
// ...000002 of OLD-1.pdf, whose link is /files/<that id>.
//
// It checks that the database opens unchanged, that this version records
// when it first opened it, and that the old link works until 30 days after
// that and not after.
func TestLinksOfTheVersionBeforeTokens(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "links.db"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "illdesk.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	db, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	const id = "0193a000-0000-7000-8000-000000000002"
	shipped := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	require.NoError(t, db.View(func(tx domain.Tx) error {
		dl, ok, err := tx.Delivery(id)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, domain.Delivery{ID: id, RequestID: "0193a000-0000-7000-8000-000000000001", Ref: "OLD-1",
			Partner: "BORROW", Method: domain.DeliveryISO, File: "OLD-1.pdf", Created: shipped, Status: domain.DeliveryAvailable,
			NextTry: shipped, Where: "https://ill.example.edu/files/" + id}, dl)
		var link bool
		require.NoError(t, tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error {
			link = link || m.Summary == "CopyCompleted" && assert.Contains(t, string(m.Body), "https://ill.example.edu/files/"+id)
			return nil
		}))
		assert.True(t, link, "the partner was sent the link by id")
		n := 0
		require.NoError(t, tx.(storage.Records).Records(storage.KindLinkTokens, func(string, []byte) error { n++; return nil }))
		assert.Zero(t, n, "no token index yet")
		return nil
	}))

	upgraded := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	now := upgraded
	d, err := domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(func() time.Time { return now })})
	require.NoError(t, err)
	for _, tc := range []struct {
		at    time.Time
		works bool
	}{
		{upgraded, true},
		{upgraded.Add(domain.LegacyLinkGrace - time.Second), true},
		{upgraded.Add(domain.LegacyLinkGrace), false},
	} {
		now = tc.at
		dl, err := d.DeliveryFile(id)
		if tc.works {
			require.NoError(t, err, "at %v", tc.at)
			assert.Equal(t, "OLD-1.pdf", dl.File)
		} else {
			assert.ErrorIs(t, err, domain.ErrLinkRefused, "at %v", tc.at)
		}
	}

	// opened again later, the upgrade keeps its first time
	_, err = domain.OpenDesk(domain.Config{Store: db, Clock: domain.ClockFunc(func() time.Time { return now })})
	require.NoError(t, err)
	require.NoError(t, db.View(func(tx domain.Tx) error {
		since, err := tx.Setting(domain.SettingLinksSince)
		assert.Equal(t, "2026-12-07T09:00:00Z", since)
		return err
	}))
}
