// Package pgtest starts a throwaway PostgreSQL server for tests: a fresh
// cluster in a temporary directory, listening on 127.0.0.1 on a free port,
// with trust authentication and fsync off. It is an ordinary package so that
// the tests of several packages can share it; nothing outside tests uses it.
//
// Most tests want ForTest, which starts one server per test binary on first
// use and hands each test a fresh, empty database; the package's TestMain
// must then call Main so that the server is stopped after the tests:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		url := pgtest.ForTest(t) // skips the test when PostgreSQL is not installed
//		...
//	}
//
// The server binaries (initdb, pg_ctl) are looked up on PATH, then under
// /usr/lib/postgresql/VERSION/bin, newest version first — where Debian's
// postgresql package installs them. PostgreSQL refuses to run as root, so
// when the tests run as root the server runs as the "postgres" system user
// (which that package creates), or as "nobody" when there is none.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoServer means PostgreSQL's server binaries (initdb and pg_ctl) were
// not found; Start returns an error wrapping it.
var ErrNoServer = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found")

// Superuser is the name of the superuser the cluster is created with; every
// URL the package hands out connects as this user, without a password.
const Superuser = "illdesk"

// libDirs is where distributions install PostgreSQL's versioned server
// binaries when they are not on PATH (Debian and Ubuntu: postgresql-NN); a
// variable so that the tests can pretend PostgreSQL is not installed.
var libDirs = "/usr/lib/postgresql/*/bin"

// Timeouts for the server's commands; a healthy cluster needs a second or two.
const (
	commandTimeout = 2 * time.Minute
	pgCtlWait      = 60 // seconds pg_ctl waits for the server to start or stop
	connectTimeout = 30 * time.Second
)

// Server is a running PostgreSQL cluster in a temporary directory, owned by
// the test binary that started it. Stop it when done.
type Server struct {
	bin  string // directory holding initdb and pg_ctl
	dir  string // the temporary directory: data/, the log and the socket
	port int
	run  runAs

	// reaper stops the server should the test binary die without Stop; it
	// waits for end of file on reaperPipe, whose write end only we hold.
	reaper     *exec.Cmd
	reaperPipe *os.File

	stopOnce sync.Once
	stopErr  error
}

// Start creates a new cluster in a temporary directory (initdb: trust
// authentication, UTF8, locale C, superuser Superuser) and starts it with
// pg_ctl on 127.0.0.1 on a free TCP port, with its unix socket in the
// temporary directory and fsync off, returning once it accepts connections.
// It returns an error wrapping ErrNoServer when the binaries are not
// installed. When the process runs as root, the cluster is created and run
// by the "postgres" user, or "nobody" when there is none.
func Start() (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	run, err := unprivileged()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: cannot create the cluster's directory: %w", err)
	}
	s := &Server{bin: bin, dir: dir, run: run}
	if err := s.start(); err != nil {
		s.stopReaper()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// start runs initdb and pg_ctl start in s.dir, retrying with another port
// when the free port found was taken before the server could bind it.
func (s *Server) start() error {
	if err := s.run.own(s.dir); err != nil {
		return fmt.Errorf("pgtest: cannot hand %s to the %s user: %w", s.dir, s.run.name, err)
	}
	if out, err := s.command("initdb", "-D", s.dataDir(), "-U", Superuser, "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("pgtest: initdb failed%s: %w\n%s", s.run.as(), err, out)
	}
	if err := s.startReaper(); err != nil {
		return fmt.Errorf("pgtest: cannot start the process that stops the server after the tests: %w", err)
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.port, err = freePort(); err != nil {
			return err
		}
		opts := strings.Join([]string{
			"-p", strconv.Itoa(s.port),
			"-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories=" + shellQuote(s.dir),
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
		}, " ")
		var out []byte
		out, err = s.command("pg_ctl", "-D", s.dataDir(), "-l", s.logFile(), "-w", "-t", strconv.Itoa(pgCtlWait), "-o", opts, "start")
		if err == nil {
			break
		}
		log := s.logTail()
		err = fmt.Errorf("pgtest: pg_ctl start failed%s: %w\n%s\nserver log:\n%s", s.run.as(), err, out, log)
		if !strings.Contains(log, "could not bind") && !strings.Contains(log, "already in use") {
			return err
		}
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		_ = s.Stop()
		return fmt.Errorf("pgtest: the server started but does not accept connections: %w", err)
	}
	return nil
}

// URL is the postgres:// URL of the named database on the server, for the
// superuser.
func (s *Server) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// NewDatabase creates a fresh, empty database (from template0, UTF8) named
// name and returns its postgres:// URL. The name is used as given (quoted
// as an identifier); it must not name an existing database.
func (s *Server) NewDatabase(name string) (string, error) {
	if name == "" || len(name) > 63 {
		return "", fmt.Errorf("pgtest: a database name has 1 to 63 bytes, not %d (%q)", len(name), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: cannot connect to create database %s: %w", name, err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", fmt.Errorf("pgtest: cannot create database %s: %w", name, err)
	}
	return s.URL(name), nil
}

// Stop shuts the server down (pg_ctl stop -m fast) and removes its
// temporary directory. Calling it again returns the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		out, err := s.command("pg_ctl", "-D", s.dataDir(), "-m", "fast", "-w", "-t", strconv.Itoa(pgCtlWait), "stop")
		if err != nil {
			s.stopErr = fmt.Errorf("pgtest: pg_ctl stop failed: %w\n%s\nserver log:\n%s", err, out, s.logTail())
		}
		s.stopReaper()
		if err := os.RemoveAll(s.dir); err != nil {
			s.stopErr = errors.Join(s.stopErr, fmt.Errorf("pgtest: cannot remove %s: %w", s.dir, err))
		}
	})
	return s.stopErr
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *Server) logFile() string { return filepath.Join(s.dir, "server.log") }

// logTail is the end of the server's log, to explain a failure.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logFile())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// command runs one of the server binaries in the cluster's directory, as
// the unprivileged user when we are root, and returns its combined output.
func (s *Server) command(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = s.run.attr
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// serverEnv is our environment without the PG* variables, which would point
// the commands at another cluster, and with messages in English.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// findBinaries returns the directory of initdb and pg_ctl: PATH first, then
// the newest /usr/lib/postgresql/VERSION/bin that has both.
func findBinaries() (string, error) {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(initdb)
		if isExecutable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(libDirs)
	slices.SortFunc(dirs, func(a, b string) int { // newest version first
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("pgtest: %w on PATH or in %s", ErrNoServer, libDirs)
}

// compareVersions orders version directory names such as "9.6" and "15"
// numerically, part by part.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// freePort asks the kernel for a free TCP port on 127.0.0.1. Another
// process may take it before the server binds it; start then retries.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: cannot find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// shellQuote quotes s for the shell that pg_ctl starts the server through.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
