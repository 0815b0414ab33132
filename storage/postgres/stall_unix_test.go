//go:build unix

package postgres

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
)

// serverPIDs are the processes of the server at rawURL: the postmaster and
// every process pg_stat_activity lists but the one serving this query.
func serverPIDs(t *testing.T, rawURL string) []int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var dir string
	require.NoError(t, conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dir))
	head, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	require.NoError(t, err)
	postmaster, err := strconv.Atoi(strings.SplitN(string(head), "\n", 2)[0])
	require.NoError(t, err)
	pids := []int{postmaster}
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()`)
	require.NoError(t, err)
	others, err := pgx.CollectRows(rows, pgx.RowTo[int])
	require.NoError(t, err)
	return append(pids, others...)
}

// signal sends sig to every process in pids.
func signal(t *testing.T, pids []int, sig syscall.Signal) {
	t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("cannot send %v to %d: %v", sig, pid, err)
		}
	}
}

// putStalled stores a request with the id in one Update, returning how long
// it took.
func putStalled(pg *DB, id string) (time.Duration, error) {
	start := time.Now()
	err := pg.Update(func(tx domain.Tx) error {
		return tx.PutRequest(domain.Request{ID: id, Side: domain.Lending, Partner: "RAPID", State: domain.Created,
			ExternalID: id, Created: time.Now()})
	})
	return time.Since(start), err
}

// TestPostgresServerStopsAnswering stops every process of a server of its
// own (SIGSTOP), as when the server hangs or its host freezes without
// closing connections: a change, whether it finds the server stopped or
// the server stops in its middle, and a read are refused within their
// statements' deadline, nothing changed, and once the server runs again the
// next change works.
func TestPostgresServerStopsAnswering(t *testing.T) {
	srv, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNoServer) {
		t.Skip(pgtest.SkipMessage)
	}
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.Stop()) })
	rawURL, err := srv.NewDatabase("stall")
	require.NoError(t, err)
	pg, err := Open(context.Background(), rawURL)
	require.NoError(t, err)
	defer pg.Close()
	const bound = 2 * time.Second
	pg.stmtTimeout = bound
	// a change, then a pause long enough for the pool to ping its
	// connection before handing it out again
	_, err = putStalled(pg, "before")
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		pause time.Duration // before the change, once the server is stopped
		midst bool          // the server stops after the change's first write
	}{
		{"stopped before, pooled connection fresh", 0, false},
		{"stopped before, pooled connection pinged", 1500 * time.Millisecond, false},
		{"stopped in the midst", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pids []int
			freeze := func() {
				pids = serverPIDs(t, rawURL)
				signal(t, pids, syscall.SIGSTOP)
			}
			t.Cleanup(func() { signal(t, pids, syscall.SIGCONT) })
			if !tc.midst {
				freeze()
			}
			time.Sleep(tc.pause)
			start := time.Now()
			err := pg.Update(func(tx domain.Tx) error {
				if err := tx.PutRequest(domain.Request{ID: "stalled-1", Side: domain.Lending, Partner: "RAPID",
					State: domain.Created, ExternalID: "stalled-1", Created: time.Now()}); err != nil {
					return err
				}
				if tc.midst {
					freeze()
				}
				return tx.PutRequest(domain.Request{ID: "stalled-2", Side: domain.Lending, Partner: "RAPID",
					State: domain.Created, ExternalID: "stalled-2", Created: time.Now()})
			})
			took := time.Since(start)
			require.ErrorIs(t, err, domain.ErrDatabaseUnreachable)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Less(t, took, 3*bound, "refused within about one statement's deadline")
			if !tc.midst {
				start = time.Now()
				err = pg.View(func(tx domain.Tx) error { _, err := tx.Request("before"); return err })
				require.ErrorIs(t, err, domain.ErrDatabaseUnreachable)
				assert.Less(t, time.Since(start), 3*bound)
			}

			signal(t, pids, syscall.SIGCONT)
			_, err = putStalled(pg, "after-"+strings.ReplaceAll(tc.name, " ", "-"))
			require.NoError(t, err, "the next change works")
			err = pg.View(func(tx domain.Tx) error {
				for _, id := range []string{"stalled-1", "stalled-2"} {
					if _, err := tx.Request(id); !errors.Is(err, domain.ErrNotFound) {
						return errors.Join(errors.New(id+" is stored"), err)
					}
				}
				return nil
			})
			assert.NoError(t, err, "nothing of the refused change is stored")
		})
	}
}
