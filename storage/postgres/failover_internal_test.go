package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestLostConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		lost bool
	}{
		{"connection closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), true},
		{"end of stream", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"standby now", &pgconn.PgError{Code: "25006", Message: "cannot execute UPDATE in a read-only transaction"}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"statement cancelled", &pgconn.PgError{Code: "57014"}, false},
		{"lock timeout", &pgconn.PgError{Code: "55P03"}, false},
		{"other", errors.New("storage: decode request"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.lost, lostConnection(tc.err))
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://illdesk:pw@db.example/illdesk", "postgres://illdesk:xxxxx@db.example/illdesk"},
		{"postgres://illdesk:pw@127.0.0.1:5432,127.0.0.1:5433/illdesk?target_session_attrs=read-write",
			"postgres://illdesk:xxxxx@127.0.0.1:5432,127.0.0.1:5433/illdesk?target_session_attrs=read-write"},
		{"postgresql://illdesk:pw@h1,h2/illdesk", "postgresql://illdesk:xxxxx@h1,h2/illdesk"},
		// net/url refuses several bracketed hosts; pgx reads them
		{"postgres://illdesk:pw@[::1]:5432,[::1]:5433/illdesk", "postgres://illdesk:xxxxx@[::1]:5432,[::1]:5433/illdesk"},
		{"postgres://illdesk:p%zz@h1/illdesk", "postgres://illdesk:xxxxx@h1/illdesk"},
		{"postgres://illdesk@h1,h2/illdesk", "postgres://illdesk@h1,h2/illdesk"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, redact(tc.in))
		})
	}
}
