package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/storage/postgres"
)

// countingPartner confirms every message as a partner's endpoint would,
// after a moment's work, and remembers each one it was sent.
type countingPartner struct {
	isotest.Partner
}

func (p *countingPartner) Post(ctx context.Context, to domain.Destination, body []byte) ([]byte, error) {
	time.Sleep(2 * time.Millisecond) // let the other workstation reach the same message meanwhile
	return p.Partner.Post(ctx, to, body)
}

// TestPostgresDispatchersSendEachMessageOnce queues partner messages on a
// department database and has two workstations' dispatchers, each on its
// own connection, send them at the same time to one partner: each message
// reaches the partner exactly once.
func TestPostgresDispatchersSendEachMessageOnce(t *testing.T) {
	url := pgtest.ForTest(t)
	partner := &countingPartner{}
	var desks []*domain.Desk
	for range 2 {
		pg, err := postgres.Open(context.Background(), url)
		require.NoError(t, err)
		t.Cleanup(func() { _ = pg.Close() })
		d, err := domain.OpenDesk(domain.Config{Store: pg, Clock: domain.ClockFunc(time.Now), Codec: iso18626.Codec{},
			Transport: partner, NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
		require.NoError(t, err)
		desks = append(desks, d)
	}
	require.NoError(t, desks[0].SetAgencyID("ISIL:US-OURS"))
	_, err := desks[0].AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL", AgencyID: "OCLC:RAPID", ISOEndpoint: "http://127.0.0.1:1/iso"})
	require.NoError(t, err)
	const n = 24
	var want []string
	for i := range n {
		ext := fmt.Sprintf("PG-%02d", i)
		r := lending(t, desks[0], ext)[0]
		_, err := desks[0].Reject(r.ID, domain.Reasons()[0], "", "", domain.Actor{Operator: "ana", Station: domain.RSDesk})
		require.NoError(t, err)
		want = append(want, ext+" Unfilled")
	}

	sent := make([]int, len(desks))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 3 { // a pass may leave what the other is sending; later passes find it sent
				rep, err := d.Dispatcher().SendDue(context.Background())
				if !assert.NoError(t, err) {
					return
				}
				assert.Zero(t, rep.Failed)
				sent[i] += rep.Sent
			}
		}()
	}
	close(start)
	wg.Wait()

	got := partner.Received()
	slices.Sort(got)
	assert.Equal(t, want, got, "each message reached the partner once")
	assert.Equal(t, n, sent[0]+sent[1], "each message was counted sent by one workstation")
	msgs, err := desks[1].Outbox("")
	require.NoError(t, err)
	require.Len(t, msgs, n)
	for _, m := range msgs {
		assert.Equal(t, domain.MessageSent, m.Status, m.Ref)
		assert.Equal(t, 1, m.Attempts, m.Ref)
		assert.Zero(t, m.Lease, m.Ref)
	}
	t.Logf("sent by each workstation: %v", sent)
}
