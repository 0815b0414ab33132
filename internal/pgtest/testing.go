package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// SkipMessage is why ForTest skips a test on a machine without PostgreSQL.
const SkipMessage = "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package to run the PostgreSQL store tests"

// shared is the one server of a test binary, started by the first ForTest
// and stopped by Main. A mutex rather than a sync.Once guards it, so that
// Main's stop waits for a start in progress instead of racing it.
var shared struct {
	mu      sync.Mutex
	started bool // Start was called (srv or err is set)
	stopped bool // Main stopped it; no new start
	srv     *Server
	err     error
	took    time.Duration
}

// inMain is set while Main runs the tests, so ForTest can refuse to start a
// server that nothing would stop.
var inMain atomic.Bool

// dbSeq makes the database names ForTest chooses unique within the binary.
var dbSeq atomic.Int64

// ForTest returns the URL of a fresh, empty database for the test, on the
// test binary's shared server, which it starts on first use. The database is
// named after the test. It skips the test (SkipMessage) when PostgreSQL's
// server binaries are not installed, and fails it when the server cannot be
// started. The package's TestMain must call Main, which stops the server
// after the tests.
func ForTest(t testing.TB) string {
	t.Helper()
	if !inMain.Load() {
		t.Fatal("pgtest.ForTest needs the package's TestMain to run the tests with pgtest.Main, " +
			"which stops the shared PostgreSQL server afterwards: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	srv, took, first, err := sharedServer()
	if errors.Is(err, ErrNoServer) {
		t.Skip(SkipMessage)
	}
	if err != nil {
		t.Fatalf("cannot start the shared PostgreSQL server: %v", err)
	}
	if first {
		t.Logf("pgtest: started PostgreSQL on %s in %v", srv.URL(""), took.Round(time.Millisecond))
	}
	url, err := srv.NewDatabase(databaseName(t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// sharedServer starts the shared server unless it was started already;
// first reports whether this call started it.
func sharedServer() (srv *Server, took time.Duration, first bool, err error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started, first = true, true
		if shared.stopped {
			shared.err = errors.New("pgtest: the tests are over; the shared server was stopped")
		} else {
			begin := time.Now()
			shared.srv, shared.err = Start()
			shared.took = time.Since(begin)
		}
	}
	return shared.srv, shared.took, first, shared.err
}

// stopShared stops the shared server if one was started; later ForTest
// calls fail rather than start another.
func stopShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.stopped = true
	if shared.srv == nil {
		return nil
	}
	srv := shared.srv
	shared.srv, shared.err = nil, errors.New("pgtest: the shared server was stopped")
	return srv.Stop()
}

// Main runs the tests (m.Run) and then stops the shared server if ForTest
// started one, so that no postgres process outlives the test binary; it
// returns the exit code for os.Exit. An interrupt or SIGTERM while the
// tests run also stops the server before the binary exits. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	inMain.Store(true)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			fmt.Fprintf(os.Stderr, "pgtest: %v: stopping the PostgreSQL server\n", sig)
			if err := stopShared(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
			os.Exit(2)
		case <-done:
		}
	}()

	code := m.Run()

	close(done)
	signal.Stop(signals)
	inMain.Store(false)
	if err := stopShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// databaseName makes a database name from a test name: lower case letters,
// digits and underscores, at most 63 bytes, made unique by a sequence number.
func databaseName(test string) string {
	var b strings.Builder
	under := true // no leading underscore after the prefix
	for _, r := range strings.ToLower(test) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	name := strings.TrimSuffix(b.String(), "_")
	if len(name) > 48 {
		name = name[:48]
	}
	return fmt.Sprintf("t_%s_%d", name, dbSeq.Add(1))
}
