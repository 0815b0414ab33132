package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/vault"
)

// TestMain stops the PostgreSQL server the tests started.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// department opens n workstations' desks on one fresh PostgreSQL database,
// each with its own connection pool, as separate workstations have.
func department(t *testing.T, n int) ([]*domain.Desk, []*postgres.DB) {
	t.Helper()
	url := pgtest.ForTest(t)
	vault, err := vault.New(filepath.Join(t.TempDir(), "vault"))
	require.NoError(t, err)
	var desks []*domain.Desk
	var stores []*postgres.DB
	for range n {
		pg, err := postgres.Open(context.Background(), url)
		require.NoError(t, err)
		t.Cleanup(func() { _ = pg.Close() })
		d, err := domain.OpenDesk(domain.Config{Store: pg, Vault: vault, Clock: domain.ClockFunc(time.Now),
			NewID: func() string { return uuid.Must(uuid.NewV7()).String() }})
		require.NoError(t, err)
		desks, stores = append(desks, d), append(stores, pg)
	}
	_, err = desks[0].AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL"})
	require.NoError(t, err)
	return desks, stores
}

func TestPostgresOneOfTwoWorkstationsWins(t *testing.T) {
	desks, _ := department(t, 2)
	ana := domain.Actor{Operator: "ana", Station: domain.RSDesk}
	ben := domain.Actor{Operator: "ben", Station: domain.RSDesk}
	for round := range 20 {
		r, err := desks[0].NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: fmt.Sprintf("R-%d", round),
			Citation: domain.Citation{Title: "Journal"}}, ana)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []domain.Actor{ana, ben} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = desks[i].Reject(r.ID, domain.Reasons()[i], "", "", who)
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, domain.ErrIllegalTransition, "round %d workstation %d", round, i)
			assert.Contains(t, err.Error(), "already closed (Rejected, by ", "the loser is told who did it")
		}
		require.Equal(t, 1, won, "round %d: exactly one rejection lands", round)
		got, err := desks[1].Find(r.ID)
		require.NoError(t, err)
		require.Len(t, got.History, 2, "one rejection in the history")
	}
}

func TestPostgresBarcodesAndExternalIDsUniqueAcrossWorkstations(t *testing.T) {
	desks, _ := department(t, 4)
	rs := domain.Actor{Station: domain.RSDesk}
	// four workstations record the same partner request at the same moment
	var wg sync.WaitGroup
	errs := make([]error, len(desks))
	for i, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: "SAME-1", Citation: domain.Citation{Title: "T"}}, rs)
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		if err == nil {
			created++
		} else {
			require.ErrorIs(t, err, domain.ErrDuplicateExternalID)
		}
	}
	require.Equal(t, 1, created)

	// four borrowed items received with one barcode at the same moment
	var ids []string
	for i := range desks {
		r, err := desks[0].NewBorrowing(domain.BorrowingInput{Partner: "RAPID", Citation: domain.Citation{Title: "Book"},
			Requester: fmt.Sprintf("Patron %d", i), Pickup: "Main"}, rs)
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	for i, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.Receive(ids[i], "39000099", rs)
		}()
	}
	wg.Wait()
	received := 0
	for _, err := range errs {
		if err == nil {
			received++
		} else {
			require.ErrorIs(t, err, domain.ErrBarcodeInUse)
		}
	}
	require.Equal(t, 1, received)
	rep, err := desks[0].Check(false, domain.Actor{})
	require.NoError(t, err)
	assert.True(t, rep.Sound(), "%+v", rep.Problems)
}

func TestPostgresChangesAreAnnounced(t *testing.T) {
	desks, stores := department(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan []string, 10)
	go stores[1].Watch(ctx, func(ids []string) { got <- ids })
	// Watch listens on its own connection; give it a moment to start
	time.Sleep(200 * time.Millisecond)

	r, err := desks[0].NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: "LIVE-1", Citation: domain.Citation{Title: "T"}},
		domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	select {
	case ids := <-got:
		assert.Contains(t, ids, r.ID, "the announcement names the request")
	case <-time.After(time.Second):
		t.Fatal("the other workstation heard nothing within a second")
	}
	// a refused change announces nothing
	_, err = desks[0].NewLending(domain.LendingInput{Partner: "RAPID", ExternalID: "LIVE-1", Citation: domain.Citation{Title: "T"}},
		domain.Actor{Station: domain.RSDesk})
	require.Error(t, err)
	select {
	case ids := <-got:
		t.Fatalf("a refused change was announced: %v", ids)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestPostgresLargeChangesAreAnnouncedAsEverything(t *testing.T) {
	desks, stores := department(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan []string, 10)
	go stores[1].Watch(ctx, func(ids []string) { got <- ids })
	time.Sleep(200 * time.Millisecond) // Watch listens on its own connection

	// seeding writes its requests in large transactions
	_, err := desks[0].Seed(150, 1, domain.Actor{})
	require.NoError(t, err)
	select {
	case ids := <-got:
		assert.Equal(t, []string{"*"}, ids, "more requests than an announcement names: everything")
	case <-time.After(2 * time.Second):
		t.Fatal("the other workstation heard nothing within 2 s")
	}
}

func TestPostgresRefusals(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://nobody:secret-pw@127.0.0.1:1/none?connect_timeout=2")
	require.ErrorIs(t, err, domain.ErrDatabaseUnreachable)
	assert.NotContains(t, err.Error(), "secret-pw", "the password is never shown")
	assert.Contains(t, err.Error(), "cannot be reached")

	_, err = postgres.Open(context.Background(), "postgres://%zz")
	var ref *domain.Refusal
	require.True(t, errors.As(err, &ref), "%v", err)
}

// TestPostgresNumbersTheRequestsOfSchema1 opens a department database set
// up before requests had numbers: they get theirs, in creation order.
func TestPostgresNumbersTheRequestsOfSchema1(t *testing.T) {
	url := pgtest.ForTest(t)
	require.NoError(t, postgres.SetUpSchema(context.Background(), url, 1))
	created := []time.Time{time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	var ids []string
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	for i, side := range []domain.Side{domain.Borrowing, domain.Borrowing, domain.Lending, domain.Borrowing} {
		id := uuid.Must(uuid.NewV7()).String()
		ids = append(ids, id)
		r := domain.Request{ID: id, Side: side, Partner: "RAPID", State: domain.Created, Created: created[min(i, 1)]}
		v, err := json.Marshal(r)
		require.NoError(t, err)
		_, err = conn.Exec(context.Background(), `INSERT INTO requests (id, data, summary, external_id, partner)
			VALUES ($1, $2, $3, '', $4)`, id, v, storage.EncodeSummary(r.Summary()), r.Partner)
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close(context.Background()))

	pg, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer pg.Close()
	want := []string{"B-2025-00001", "B-2026-00001", "L-2026-00001", "B-2026-00002"}
	require.NoError(t, pg.Update(func(tx domain.Tx) error {
		for i, id := range ids {
			r, err := tx.Request(id)
			if err != nil {
				return err
			}
			assert.Equal(t, want[i], r.RequestNumber)
			found, ok, err := tx.RequestByNumber(want[i])
			if err != nil {
				return err
			}
			assert.True(t, ok)
			assert.Equal(t, id, found.ID)
		}
		n, err := tx.NextRequestNumber("B-2026")
		assert.Equal(t, uint64(3), n, "a new request goes on from the numbered ones")
		return err
	}))
}

func TestPostgresOnThisComputer(t *testing.T) {
	for url, want := range map[string]bool{
		"postgres://illdesk@127.0.0.1:5432/db":               true,
		"postgres://illdesk@localhost/db":                    true,
		"postgres://illdesk@[::1]:5432/db":                   true,
		"postgres://illdesk@127.0.0.1,localhost/db":          true,
		"postgres://illdesk@db.library.example/db":           false,
		"postgres://illdesk@127.0.0.1,db.library.example/db": false,
		"postgres://%zz":                                     false,
	} {
		assert.Equal(t, want, postgres.OnThisComputer(url), url)
	}
}
