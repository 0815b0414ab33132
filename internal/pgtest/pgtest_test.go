package pgtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	if os.Getenv(hideServerEnv) != "" { // see TestPgtestSkipsWithoutServer
		libDirs = filepath.Join(os.Getenv(hideServerEnv), "*", "bin")
		os.Setenv("PATH", os.Getenv(hideServerEnv))
	}
	os.Exit(Main(m))
}

// hideServerEnv names an empty directory that stands in for PATH and
// /usr/lib/postgresql, so that the test binary finds no server.
const hideServerEnv = "PGTEST_TEST_HIDE_SERVER"

// start starts a server of the test's own, skipping when PostgreSQL is not installed.
func start(t *testing.T) *Server {
	t.Helper()
	begin := time.Now()
	srv, err := Start()
	if errors.Is(err, ErrNoServer) {
		t.Skip(SkipMessage)
	}
	require.NoError(t, err)
	t.Logf("started PostgreSQL from %s on port %d in %v", srv.bin, srv.port, time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// query connects to url and returns the first column of the single row of sql.
func query(t *testing.T, url, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var v string
	require.NoError(t, conn.QueryRow(ctx, sql).Scan(&v))
	return v
}

func TestPgtestServerLifecycle(t *testing.T) {
	srv := start(t)

	a, err := srv.NewDatabase("alpha")
	require.NoError(t, err)
	b, err := srv.NewDatabase("Beta Two") // quoted as an identifier
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.True(t, strings.HasPrefix(a, "postgres://"+Superuser+"@127.0.0.1:"), a)

	assert.Equal(t, "alpha", query(t, a, "SELECT current_database()"))
	assert.Equal(t, "Beta Two", query(t, b, "SELECT current_database()"))
	assert.Equal(t, Superuser, query(t, a, "SELECT current_user"))
	assert.Equal(t, "UTF8", query(t, a, "SHOW server_encoding"))
	assert.Equal(t, "C", query(t, a, "SELECT datcollate FROM pg_database WHERE datname = current_database()"))
	assert.Equal(t, "off", query(t, a, "SHOW fsync"))
	assert.Equal(t, "0", query(t, a, "SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'"), "a fresh database is empty")

	// the databases are separate
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE TABLE only_in_alpha (id int)")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	assert.Equal(t, "0", query(t, b, "SELECT count(*)::text FROM pg_tables WHERE tablename = 'only_in_alpha'"))

	_, err = srv.NewDatabase("alpha")
	assert.Error(t, err, "a database name is taken once")
	_, err = srv.NewDatabase("")
	assert.Error(t, err)

	dir := srv.dir
	require.NoError(t, srv.Stop())
	assert.NoDirExists(t, dir)
	_, err = pgx.Connect(ctx, a)
	assert.Error(t, err, "the server is gone")
	require.NoError(t, srv.Stop(), "stopping twice is harmless")
}

func TestPgtestReaperStopsAnAbandonedServer(t *testing.T) {
	srv := start(t)
	if srv.reaper == nil {
		t.Skip("no reaper on this platform")
	}
	url := srv.URL("postgres")
	pid := filepath.Join(srv.dataDir(), "postmaster.pid")
	require.FileExists(t, pid)

	// as if the test binary had died: the reaper's pipe closes
	srv.stopReaper()
	assert.NoDirExists(t, srv.dir, "the reaper removed the cluster")
	_, err := pgx.Connect(context.Background(), url)
	assert.Error(t, err, "the reaper stopped the server")
}

func TestPgtestForTest(t *testing.T) {
	a := ForTest(t)
	b := ForTest(t)
	assert.NotEqual(t, a, b, "every call gets a database of its own")
	name := query(t, a, "SELECT current_database()")
	assert.True(t, strings.HasPrefix(name, "t_testpgtestfortest_"), name)

	t.Run("a/sub test: with odd names", func(t *testing.T) {
		url := ForTest(t)
		name := query(t, url, "SELECT current_database()")
		assert.True(t, strings.HasPrefix(name, "t_testpgtestfortest_a_sub_test_with_odd_names_"), name)
	})
}

func TestPgtestSkipsWithoutServer(t *testing.T) {
	empty := t.TempDir()
	old := libDirs
	libDirs = filepath.Join(empty, "*", "bin")
	t.Cleanup(func() { libDirs = old })
	t.Setenv("PATH", empty)
	_, err := Start()
	require.ErrorIs(t, err, ErrNoServer)
	assert.Contains(t, err.Error(), "initdb, pg_ctl")

	// ForTest skips, in a test binary that finds no server
	cmd := exec.Command(os.Args[0], "-test.run=^TestPgtestForTest$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), hideServerEnv+"="+empty)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "--- SKIP: TestPgtestForTest")
	assert.Contains(t, string(out), SkipMessage)
}

func TestPgtestDatabaseName(t *testing.T) {
	long := databaseName(strings.Repeat("TestVeryLong/", 20))
	assert.LessOrEqual(t, len(long), 63)
	assert.Regexp(t, `^t_[a-z0-9_]+_[0-9]+$`, long)
	assert.NotEqual(t, databaseName("TestX"), databaseName("TestX"))
	assert.Regexp(t, `^t_test_a_b_[0-9]+$`, databaseName("Test/a -- b/"))
}

func TestPgtestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"15", "9.6", 1},
		{"9.6", "15", -1},
		{"16", "15", 1},
		{"15", "15", 0},
		{"9.6", "9.5", 1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, compareVersions(tt.a, tt.b), "%s vs %s", tt.a, tt.b)
	}
}
