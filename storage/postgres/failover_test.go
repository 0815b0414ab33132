package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage/postgres"
)

// withHost is rawURL with its host replaced by hosts.
func withHost(t *testing.T, rawURL, hosts string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	u.Host = hosts
	return u.String()
}

// putRequest stores a request with the id in one Update.
func putRequest(pg *postgres.DB, id string) error {
	return pg.Update(func(tx domain.Tx) error {
		return tx.PutRequest(domain.Request{ID: id, Side: domain.Lending, Partner: "RAPID", State: domain.Created,
			ExternalID: id, Created: time.Now()})
	})
}

// stored reports whether the request with the id is in the database, read
// on a connection of its own.
func stored(t *testing.T, rawURL, id string) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), rawURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM requests WHERE id = $1`, id).Scan(&n))
	return n == 1
}

// terminateOthers ends every other connection to the database, as the
// server does to them when it shuts down (57P01), and waits until they
// are gone.
func terminateOthers(t *testing.T, rawURL string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), rawURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	require.NoError(t, err)
}

// TestPostgresMultiHostAddress opens the database through an address that
// names a server that is down first, as a primary that went away, and
// the live one second: pgx connects to the one that accepts writes.
func TestPostgresMultiHostAddress(t *testing.T) {
	base := pgtest.ForTest(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := dead.Addr().String()
	require.NoError(t, dead.Close()) // nothing listens there now
	multi := strings.Replace(withHost(t, base, deadAddr+","+u.Host), "sslmode=disable",
		"sslmode=disable&target_session_attrs=read-write", 1)
	multi = strings.Replace(multi, "illdesk@", "illdesk:secret-pw@", 1)

	pg, err := postgres.Open(context.Background(), multi)
	require.NoError(t, err, "a multi-host address is read as pgx reads it")
	defer pg.Close()
	require.NoError(t, putRequest(pg, "multi-1"))
	assert.True(t, stored(t, base, "multi-1"))

	// every host down: refused, with the address shown without its password
	_, err = postgres.Open(context.Background(), withHost(t, multi, deadAddr+","+deadAddr))
	require.ErrorIs(t, err, domain.ErrDatabaseUnreachable)
	assert.Contains(t, err.Error(), deadAddr+","+deadAddr, "both hosts are named")
	assert.NotContains(t, err.Error(), "secret-pw")
	assert.Contains(t, err.Error(), "nothing was changed")
}

// TestPostgresReconnectsAfterConnectionsEnd ends every connection the
// pool holds, as a server that went away does: the next change is made on
// a new connection, without opening the database again.
func TestPostgresReconnectsAfterConnectionsEnd(t *testing.T) {
	base := pgtest.ForTest(t)
	pg, err := postgres.Open(context.Background(), base)
	require.NoError(t, err)
	defer pg.Close()
	for round := range 3 {
		// a few connections in the pool, used moments ago
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() { assert.NoError(t, putRequest(pg, "before-"+string(rune('a'+round))+string(rune('a'+i)))) })
		}
		wg.Wait()
		terminateOthers(t, base)
		id := "after-" + string(rune('a'+round))
		require.NoError(t, putRequest(pg, id), "round %d", round)
		assert.True(t, stored(t, base, id))
	}
}

// TestPostgresConnectionLostBeforeCommit ends the connection in the middle
// of a change: it is refused as the database being unavailable, and
// nothing of it is stored.
func TestPostgresConnectionLostBeforeCommit(t *testing.T) {
	base := pgtest.ForTest(t)
	pg, err := postgres.Open(context.Background(), base)
	require.NoError(t, err)
	defer pg.Close()
	err = pg.Update(func(tx domain.Tx) error {
		if err := tx.PutRequest(domain.Request{ID: "half-1", Side: domain.Lending, Partner: "RAPID", State: domain.Created,
			ExternalID: "half-1", Created: time.Now()}); err != nil {
			return err
		}
		terminateOthers(t, base)
		return tx.PutRequest(domain.Request{ID: "half-2", Side: domain.Lending, Partner: "RAPID", State: domain.Created,
			ExternalID: "half-2", Created: time.Now()})
	})
	require.ErrorIs(t, err, domain.ErrDatabaseUnreachable)
	assert.Contains(t, err.Error(), "was unavailable")
	assert.Contains(t, err.Error(), "nothing was changed")
	assert.False(t, stored(t, base, "half-1"))
	require.NoError(t, putRequest(pg, "next"), "the next change works")
}

// commitCutter is a TCP proxy in front of the server that, once armed,
// passes the next COMMIT on to the server and then cuts the connection
// before the server's answer comes back: the change is committed, and the
// client cannot know it. With hold, it keeps the next COMMIT and the
// connection instead and answers nothing, as a server that stopped
// answering: the change is not committed, and the client cannot know it
// either.
type commitCutter struct {
	ln     net.Listener
	target string
	hold   bool
	mu     sync.Mutex
	armed  bool
}

func newCommitCutter(t *testing.T, target string) *commitCutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := &commitCutter{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(client)
		}
	}()
	return c
}

func (c *commitCutter) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = true
}

func (c *commitCutter) serve(client net.Conn) {
	server, err := net.Dial("tcp", c.target)
	if err != nil {
		_ = client.Close()
		return
	}
	defer client.Close()
	defer server.Close()
	go func() {
		_, _ = io.Copy(client, server)
		_ = client.Close() // the server hung up: so does the client's side
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			c.mu.Lock()
			cut := c.armed && bytes.Contains(bytes.ToLower(buf[:n]), []byte("commit\x00"))
			if cut {
				c.armed = false
			}
			c.mu.Unlock()
			if cut && c.hold {
				// until the client gives up: it says goodbye, or closes
				_, _ = client.Read(buf)
				return
			}
			if _, err := server.Write(buf[:n]); err != nil {
				return
			}
			if cut {
				// the server has the COMMIT; cut before its answer is read
				_ = client.Close()
				time.Sleep(500 * time.Millisecond)
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestPostgresConnectionLostDuringCommit cuts the connection once COMMIT
// was sent: the outcome is not known, the refusal names the request to read
// again, and reading it shows the change was saved.
func TestPostgresConnectionLostDuringCommit(t *testing.T) {
	base := pgtest.ForTest(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	cutter := newCommitCutter(t, u.Host)
	pg, err := postgres.Open(context.Background(), withHost(t, base, cutter.ln.Addr().String()))
	require.NoError(t, err)
	defer pg.Close()

	cutter.arm()
	err = putRequest(pg, "unsure-1")
	require.ErrorIs(t, err, domain.ErrOutcomeUnknown)
	var ref *domain.Refusal
	require.True(t, errors.As(err, &ref))
	assert.Equal(t, []string{"unsure-1"}, ref.IDs, "the request to read again")
	assert.Contains(t, err.Error(), "not known whether it was saved")
	assert.False(t, errors.Is(err, domain.ErrDatabaseUnreachable), "not the same as nothing changed")

	require.Eventually(t, func() bool { return stored(t, base, "unsure-1") }, 5*time.Second, 50*time.Millisecond,
		"the server had the COMMIT")
	require.NoError(t, pg.View(func(tx domain.Tx) error {
		_, err := tx.Request("unsure-1")
		return err
	}), "the same pool reads it on a new connection")
}

// TestPostgresNoAnswerToCommit sends COMMIT to a server that then answers
// nothing: the change is refused once COMMIT's deadline passes, the outcome
// not known, and the next change works.
func TestPostgresNoAnswerToCommit(t *testing.T) {
	base := pgtest.ForTest(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	holder := newCommitCutter(t, u.Host)
	holder.hold = true
	pg, err := postgres.Open(context.Background(), withHost(t, base, holder.ln.Addr().String()))
	require.NoError(t, err)
	defer pg.Close()
	const bound = 2 * time.Second
	postgres.SetStatementTimeout(pg, bound)

	holder.arm()
	start := time.Now()
	err = putRequest(pg, "unanswered-1")
	took := time.Since(start)
	require.ErrorIs(t, err, domain.ErrOutcomeUnknown)
	var ref *domain.Refusal
	require.True(t, errors.As(err, &ref))
	assert.Equal(t, []string{"unanswered-1"}, ref.IDs, "the request to read again")
	assert.Less(t, took, 3*bound, "refused within about one statement's deadline")
	assert.False(t, stored(t, base, "unanswered-1"), "the server never had the COMMIT")
	require.NoError(t, putRequest(pg, "next"), "the next change works")
}

// TestPostgresWatchAfterALostConnection ends the listening connection, as
// a server that went away does: once it listens again, Watch announces
// everything, since announcements may have been missed meanwhile, and
// goes on announcing changes.
func TestPostgresWatchAfterALostConnection(t *testing.T) {
	base := pgtest.ForTest(t)
	pg, err := postgres.Open(context.Background(), base)
	require.NoError(t, err)
	defer pg.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan []string, 10)
	go pg.Watch(ctx, func(ids []string) { got <- ids })
	time.Sleep(200 * time.Millisecond) // Watch listens on its own connection

	terminateOthers(t, base)
	select {
	case ids := <-got:
		assert.Equal(t, []string{"*"}, ids, "everything, once it listens again")
	case <-time.After(10 * time.Second):
		t.Fatal("nothing announced within 10 s of the connection's end")
	}
	require.NoError(t, putRequest(pg, "heard-1"))
	select {
	case ids := <-got:
		assert.Equal(t, []string{"heard-1"}, ids)
	case <-time.After(2 * time.Second):
		t.Fatal("a change after the reconnect was not heard")
	}
}
