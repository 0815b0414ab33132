package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// waitLimit bounds how long a test waits for another workstation's change:
// reaching it means the change waited for an open transaction.
const waitLimit = 20 * time.Second

// lending records a lending request for each external id at the desk.
func lending(t *testing.T, d *domain.Desk, ids ...string) []domain.Request {
	t.Helper()
	var out []domain.Request
	for _, ext := range ids {
		r, err := d.NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: ext, Citation: domain.Citation{Title: "Journal"}},
			domain.Actor{Station: domain.RSDesk})
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

// TestPostgresChangesToDifferentRequestsDoNotWait holds one workstation's
// change to a request open while another workstation changes a different
// request: the second commits before the first ends.
func TestPostgresChangesToDifferentRequestsDoNotWait(t *testing.T) {
	desks, stores := department(t, 2)
	rs := lending(t, desks[0], "APART-1", "APART-2")
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	other := make(chan error, 1)
	held := stores[0].Update(func(tx domain.Tx) error {
		r, err := tx.Request(rs[0].ID)
		if err != nil {
			return err
		}
		r.InternalNote = "held open"
		if err := tx.PutRequest(r); err != nil {
			return err
		}
		select {
		case err := <-other: // run again after a conflict: the other change is in already
			other <- err // for the assertion below
			return nil
		default:
		}
		go func() {
			_, err := desks[1].Reject(rs[1].ID, domain.Reasons()[0], "", "", domain.Actor{Operator: "ben", Station: domain.RSDesk})
			other <- err
		}()
		select {
		case err := <-other:
			other <- err // for the assertion below, and for a second run
			return nil
		case <-ctx.Done():
			return fmt.Errorf("the other workstation's change waited for this one: %w", ctx.Err())
		}
	})
	require.NoError(t, held)
	require.NoError(t, <-other)
	a, err := desks[1].Find(rs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "held open", a.InternalNote)
	b, err := desks[0].Find(rs[1].ID)
	require.NoError(t, err)
	assert.Equal(t, domain.Rejected, b.State)
}

// TestPostgresSecondChangeToARequestIsRefused holds one workstation's
// rejection of a request open while another workstation rejects it too:
// the second waits, then is refused with who did it.
func TestPostgresSecondChangeToARequestIsRefused(t *testing.T) {
	desks, stores := department(t, 2)
	r := lending(t, desks[0], "SAME-REQ-1")[0]
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	started := make(chan struct{})
	second := make(chan error, 1)
	err := stores[0].Update(func(tx domain.Tx) error {
		cur, err := tx.Request(r.ID)
		if err != nil {
			return err
		}
		if err := cur.Transition(domain.ActReject, domain.Event{At: time.Now(), Actor: "ana", Desk: "rs"}); err != nil {
			return err
		}
		cur.RejectReason = domain.Reasons()[0]
		if err := tx.PutRequest(cur); err != nil {
			return err
		}
		go func() {
			close(started)
			_, err := desks[1].Reject(r.ID, domain.Reasons()[1], "", "", domain.Actor{Operator: "ben", Station: domain.RSDesk})
			second <- err
		}()
		<-started
		select {
		case err := <-second:
			return fmt.Errorf("the second rejection ended while the first was open: %v", err)
		case <-time.After(300 * time.Millisecond): // it waits on the request's row
		case <-ctx.Done():
		}
		return nil
	})
	require.NoError(t, err)
	select {
	case err = <-second:
	case <-ctx.Done():
		t.Fatal("the second rejection did not end after the first committed")
	}
	require.ErrorIs(t, err, domain.ErrIllegalTransition)
	assert.Contains(t, err.Error(), "already closed (Rejected, by ana")
	got, err := desks[1].Find(r.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.Reasons()[0], got.RejectReason, "the first rejection stands")
	require.Len(t, got.History, 2)
}

// TestPostgresNumbersStayGaplessUnderConcurrentCreates records requests
// from four workstations at once, some refused as duplicates after their
// number was drawn: the numbers are unique and leave no gap.
func TestPostgresNumbersStayGaplessUnderConcurrentCreates(t *testing.T) {
	desks, _ := department(t, 4)
	const each = 15
	var wg sync.WaitGroup
	made := make([][]domain.Request, len(desks))
	for i, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				// every third one repeats an id another workstation uses
				ext := fmt.Sprintf("N-%d-%d", i, k)
				if k%3 == 0 {
					ext = fmt.Sprintf("N-SHARED-%d", k)
				}
				r, err := d.NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: ext, Citation: domain.Citation{Title: "T"}},
					domain.Actor{Station: domain.RSDesk})
				if err != nil {
					assert.ErrorIs(t, err, domain.ErrDuplicateExternalID)
					continue
				}
				made[i] = append(made[i], r)
			}
		}()
	}
	wg.Wait()
	var numbers []string
	for _, rs := range made {
		for _, r := range rs {
			numbers = append(numbers, r.RequestNumber)
		}
	}
	shared := (each + 2) / 3
	require.Len(t, numbers, len(desks)*(each-shared)+shared, "one of each shared id is made")
	sort.Strings(numbers)
	series := domain.NumberSeries(domain.Lending, time.Now().Year())
	for i, n := range numbers {
		require.Equal(t, domain.RequestNumber(series, uint64(i+1)), n)
	}
}
