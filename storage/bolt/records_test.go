package bolt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// testdata/records.db was written by the code of commit 76db1ad, before
// outgoing messages, deliveries, received messages, operators and
// configuration changes had typed methods on the store port: a program
// opened a new database with Open and domain.OpenDesk (clock fixed at
// 2026-12-01 10:00 UTC, request ids 0193a000-0000-7000-8000-00000000000N,
// the iso18626 codec) and then
//   - set our agency id to ISIL:US-OURS (a configuration change);
//   - took in an ISO 18626 Request from the unknown agency ISIL:DE-12 for
//     "Journal of Things" (partner DE-12, lending request DE12-0001 and the
//     received message);
//   - placed a borrowing request for "Borrowed Book" with DE-12 for Ada
//     Patron (the outgoing Request message);
//   - put a delivery of DE12-0001.pdf by email, id ...000099, as that
//     code's putDelivery stored it;
//   - added the operator Grace (fulfillment, PIN 2468; a configuration
//     change).
//
// It checks that a database of that version opens and reads back whole.
func TestDatabaseOfTheRecordsVersionReadsBack(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "records.db"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "illdesk.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	db, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	const lending, borrowing = "0193a000-0000-7000-8000-000000000001", "0193a000-0000-7000-8000-000000000002"
	require.NoError(t, db.View(func(tx domain.Tx) error {
		p, err := tx.Partner("DE-12")
		require.NoError(t, err)
		assert.Equal(t, "ISIL:DE-12", p.AgencyID)
		r, err := tx.Request(lending)
		require.NoError(t, err)
		assert.Equal(t, "DE12-0001", r.ExternalID)
		assert.Equal(t, "Journal of Things", r.Title)
		r, err = tx.Request(borrowing)
		require.NoError(t, err)
		assert.Equal(t, "Ada Patron", r.Requester)

		var msgs []domain.OutboxMessage
		require.NoError(t, tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error { msgs = append(msgs, m); return nil }))
		require.Len(t, msgs, 1)
		m := msgs[0]
		assert.Equal(t, borrowing, m.RequestID)
		assert.Equal(t, "DE-12", m.Partner)
		assert.Equal(t, domain.KindRequest, m.Kind)
		assert.Equal(t, "Request", m.Summary)
		assert.Equal(t, domain.MessagePending, m.Status)
		assert.True(t, m.Created.Equal(at) && m.NextTry.Equal(at), "%v %v", m.Created, m.NextTry)
		assert.Contains(t, string(m.Body), "Borrowed Book")
		again, ok, err := tx.OutboxMessage(m.ID)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, m, again)

		dl, ok, err := tx.Delivery("0193a000-0000-7000-8000-000000000099")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, domain.Delivery{ID: "0193a000-0000-7000-8000-000000000099", RequestID: lending, Ref: "DE12-0001",
			Partner: "DE-12", Method: domain.DeliveryEmail, Target: "ill@example.de", File: "DE12-0001.pdf",
			Created: at, Status: domain.DeliveryPending, NextTry: at}, dl)

		var keys []string
		require.NoError(t, tx.(storage.Records).Records(storage.KindSeenMessages, func(id string, _ []byte) error { keys = append(keys, id); return nil }))
		require.Len(t, keys, 1)
		seen, ok, err := tx.SeenMessage(keys[0])
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, domain.ImportResult{Kind: domain.KindRequest, Request: lending, Ref: "DE12-0001",
			Outcome: seen.Result.Outcome, NewPartner: "DE-12"}, seen.Result)
		assert.NotEmpty(t, seen.Result.Outcome)
		assert.Contains(t, string(seen.Confirmation), "DE12-0001")
		assert.True(t, seen.At.Equal(at))

		var ops []domain.Operator
		require.NoError(t, tx.ForEachOperator(func(o domain.Operator) error { ops = append(ops, o); return nil }))
		require.Len(t, ops, 1)
		assert.Equal(t, "Grace", ops[0].Name)
		assert.Equal(t, []domain.Role{domain.RoleFulfillment}, ops[0].Roles)
		assert.True(t, strings.HasPrefix(ops[0].PINHash, "pbkdf2-sha256$"), "the PIN hash is read back: %q", ops[0].PINHash)

		var changes []domain.ConfigChange
		require.NoError(t, tx.ForEachConfigChange(func(c domain.ConfigChange) error { changes = append(changes, c); return nil }))
		require.Len(t, changes, 2)
		assert.Equal(t, "agency id", changes[0].What)
		assert.Equal(t, []string{"agency_id: (none) → ISIL:US-OURS"}, changes[0].Changes)
		assert.Equal(t, "operator Grace", changes[1].What)
		assert.True(t, changes[1].At.Equal(at))
		return nil
	}))
}
