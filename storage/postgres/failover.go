package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/illdesk/illdesk/domain"
)

// A department database may have a standby that takes over when its
// primary goes away: the address then names both servers, as pgx reads it
// (postgres://USER@HOST1:PORT1,HOST2:PORT2/DB?target_session_attrs=read-write),
// and pgx connects to whichever of them accepts writes. The pool lets go
// of a connection that broke and makes new ones from the address, so after
// the standby is promoted the next transaction finds it without a restart.
// pgxpool's defaults suit this: it pings a connection idle for more than a
// second before handing it out, so most dead ones are dropped there, and
// begin lets go of the rest; its periodic health check (every minute) and
// connections' maximum lifetime (an hour) play no part.
// What staff are told depends on when the connection broke: before COMMIT
// was sent, nothing was changed (domain.ErrDatabaseUnreachable); while
// COMMIT was under way, nobody knows (domain.ErrOutcomeUnknown).

// beginAttempts is how many pooled connections a transaction tries before
// it gives up: after the server went away the pool may still hold
// connections that have not yet noticed, and the pool checks only those
// idle for more than a second before handing them out.
const beginAttempts = 4

// begin acquires a pooled connection that works and starts a transaction
// on it, letting go of connections the pool handed out that turn out to be
// broken. prepare, when not nil, runs on each connection first (the
// session lock a change running alone takes); a connection that fails
// after it is closed, so that no lock stays with the pool. It does not try
// again after a failure to connect: that took its own timeout already.
func (p *DB) begin(ctx context.Context, opts pgx.TxOptions, prepare func(*pgxpool.Conn) error) (*pgxpool.Conn, pgx.Tx, error) {
	var ce *pgconn.ConnectError
	for attempt := 1; ; attempt++ {
		conn, err := p.pool.Acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		prepared := false
		if prepare != nil {
			err = prepare(conn)
			prepared = err == nil
		}
		var tx pgx.Tx
		if err == nil {
			if tx, err = conn.BeginTx(ctx, opts); err == nil {
				return conn, tx, nil
			}
		}
		if prepared {
			_ = conn.Conn().Close(ctx) // the server lets the session's lock go with it
		}
		conn.Release()
		if attempt == beginAttempts || !lostConnection(err) || errors.As(err, &ce) {
			return nil, nil, err
		}
	}
}

// commit commits tx and says what became of the change when it did not
// commit: refused with nothing changed when COMMIT never left or the
// server answered it with an error (the transaction is rolled back), not
// known when the connection broke after COMMIT was sent. touched names the
// requests the change touched.
//
// pgx's SafeToRetry cannot tell the two apart here: when the connection
// breaks while COMMIT's answer is awaited, pgx reports "conn closed",
// which it marks safe to retry. So a connection closed before Commit is
// called means COMMIT never left, and one that breaks during it means
// nobody knows, unless nothing at all was written (a write error that is
// safe to retry and is not that "conn closed").
func (p *DB) commit(ctx context.Context, tx pgx.Tx, touched []string) error {
	if tx.Conn().IsClosed() {
		return p.fail(pgconn.ErrConnClosed)
	}
	err := tx.Commit(ctx)
	var pe *pgconn.PgError
	switch {
	case err == nil, pgconn.SafeToRetry(err) && !errors.Is(err, pgconn.ErrConnClosed):
		return p.fail(err)
	case errors.As(err, &pe) && !lostConnection(err):
		return p.fail(err)
	case errors.Is(err, pgx.ErrTxCommitRollback), errors.Is(err, pgx.ErrTxClosed):
		return p.fail(err)
	}
	ids := make([]string, 0, len(touched))
	for _, id := range touched {
		if id != "*" {
			ids = append(ids, id)
		}
	}
	reason := pgReason(err)
	return &domain.Refusal{Kind: domain.ErrOutcomeUnknown, Detail: reason, IDs: ids, Msg: fmt.Sprintf(
		"The connection to the department database %s broke while the change was being saved (%s): it is not known whether it was saved.", p.url, reason)}
}

// fail turns a lost connection into a sentence for staff; any other error
// is returned as it is.
func (p *DB) fail(err error) error {
	var ref *domain.Refusal
	if err == nil || errors.As(err, &ref) || !lostConnection(err) {
		return err
	}
	return &domain.Refusal{Kind: domain.ErrDatabaseUnreachable, Detail: pgReason(err), Msg: fmt.Sprintf(
		"The department database %s was unavailable (%s); nothing was changed. ILL Desk connects again by itself: try again in a moment.", p.url, pgReason(err))}
}

// lostConnection reports whether err says the connection to the server
// broke or could not be made, or that the server no longer takes this
// work (shutting down, or a standby now): the transaction it was part of is
// gone, and another connection may succeed.
func lostConnection(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection_exception
			strings.HasPrefix(pe.Code, "57P"), // admin_shutdown, crash_shutdown, cannot_connect_now, …
			pe.Code == "25006":                // read_only_sql_transaction: the server is a standby now
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded)
}

// userInfo matches the user and password of a postgres:// address, up to
// the @ before its hosts.
var userInfo = regexp.MustCompile(`^(postgres(?:ql)?://[^:@/]*):[^@/]*@`)

// redact is the address without its password, for messages. net/url reads
// most multi-host addresses, but not every one pgx accepts (several
// bracketed IPv6 hosts); those lose their password here all the same.
func redact(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Redacted()
	}
	return userInfo.ReplaceAllString(rawURL, "${1}:xxxxx@")
}
