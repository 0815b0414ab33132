package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/illdesk/illdesk/domain"
)

// privateSockets gives the test a runtime folder (Unix) and a cache folder
// (Windows, %LocalAppData%) of its own, short enough for a socket path, so
// that tests do not meet each other's sockets.
func privateSockets(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "ills")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("LocalAppData", dir)
}

// heldDB is a database held open as a window or serve holds it.
type heldDB struct {
	s       *session
	changed chan struct{}
	log     bytes.Buffer // what the holder writes to its stderr
	// release stops serving and closes the database, as closing the window does.
	release func()
}

// hold opens the CLI's database as a window or serve does and serves other
// processes' commands on it until release or the end of the test.
func (c *cli) hold() *heldDB {
	c.t.Helper()
	h := &heldDB{changed: make(chan struct{}, 64)}
	h.s = &session{env: env{stdout: io.Discard, stderr: &h.log, getenv: func(string) string { return "" },
		clock: domain.ClockFunc(func() time.Time { return c.clock })}, dbPath: c.db, operator: "window-op"}
	require.NoError(c.t, h.s.open())
	stop := h.s.hold(func() { h.changed <- struct{}{} })
	var once sync.Once
	h.release = func() {
		once.Do(func() {
			stop()
			h.s.store.Close()
		})
	}
	c.t.Cleanup(h.release)
	return h
}

// runWith runs one command line with the CLI's database and clock and the
// environment and standard input given.
func (c *cli) runWith(vars map[string]string, stdin io.Reader, dir string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] },
		clock: domain.ClockFunc(func() time.Time { return c.clock }), dir: dir}
	if stdin != nil {
		e.stdin = stdin
	}
	code := run(append([]string{"--db", c.db}, args...), e)
	return code, out.String(), errOut.String()
}

// noChange fails when the holder saw a change.
func (h *heldDB) noChange(t *testing.T, what string) {
	t.Helper()
	select {
	case <-h.changed:
		t.Errorf("%s: the window was told something changed", what)
	default:
	}
}

// sawChange fails unless the holder saw a change; it is told before the
// command's exit status is sent back.
func (h *heldDB) sawChange(t *testing.T, what string) {
	t.Helper()
	select {
	case <-h.changed:
	default:
		t.Errorf("%s: the window was not told of the change", what)
	}
}

func TestForwardedCommandsAnswerAsAlone(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	commands := [][]string{
		{"list", "--json"},
		{"list"},
		{"show", "--json", "12345678"},
		{"show", "12345678"},
		{"partner", "list", "--json"},
		{"config", "show"},
		{"audit", "--json"},
		{"stats", "--json"},
		{"check"},
		{"show", "NOSUCHREQUEST"}, // refused: exit 1
		{"list", "--bogus"},       // not understood: exit 2
		{"lend"},
		{"scan", "--desk", "rs", "NOSUCHCODE"},
	}
	type result struct {
		code     int
		out, err string
	}
	alone := make([]result, len(commands))
	for i, args := range commands {
		code, out, errOut := c.run(args...)
		alone[i] = result{code, out, errOut}
	}
	h := c.hold()
	for i, args := range commands {
		code, out, errOut := c.run(args...)
		assert.Equal(t, alone[i], result{code, out, errOut}, "illdesk %v run by the window", args)
	}
	assert.Contains(t, alone[9].err, "illdesk: ", "a refusal is worded as alone")
	assert.Equal(t, 1, alone[9].code)
	assert.Equal(t, 2, alone[10].code)
	h.noChange(t, "looking")
	assert.Empty(t, h.log.String())
}

func TestForwardedChangesShowInTheWindow(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	h := c.hold()

	code, out, errOut := c.run("lend", "new", "--partner", "RAPID", "--external-id", "E-1", "--title", "Forwarded",
		"--item-barcode", "39000001", "--format", "physical")
	require.Equal(t, 0, code, errOut)
	h.sawChange(t, "lend new")
	id := strings.TrimSpace(out)
	v := c.show(id)
	assert.Equal(t, "Forwarded", v["title"])
	h.noChange(t, "show")

	// the window's own desk sees it too
	r, err := h.s.desk.Find("E-1")
	require.NoError(t, err)
	assert.Equal(t, id, r.ID)

	code, _, errOut = c.run("lend", "new", "--partner", "RAPID", "--external-id", "E-1", "--title", "Twice")
	assert.Equal(t, 1, code, "a refused change exits 1")
	assert.Contains(t, errOut, "E-1")
	h.noChange(t, "a refused lend new")

	c.ok("holiday", "add", "2026-12-24")
	h.sawChange(t, "holiday add")
	assert.Contains(t, h.s.desk.Calendar().Holidays(), "2026-12-24", "the window's desk counts deadlines with the new holiday")
}

func TestForwardedPathsAreTheCallers(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	h := c.hold()
	caller := t.TempDir() // not this process's folder: the holder must read the caller's
	raw, err := os.ReadFile(pdf(t, "valid_scan_3pages.pdf"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(caller, "scan.pdf"), raw, 0o600))

	run := func(args ...string) (int, string, string) {
		return c.runWith(nil, nil, caller, append([]string{"--operator", "tester"}, args...)...)
	}
	code, out, errOut := run("pick", "12345678", "--to", "digitization:Scan Lab")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Pick slip: ")
	h.sawChange(t, "pick")
	code, out, errOut = run("scan", "--desk", "digitization:Scan Lab", "39000001")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "arrived")
	h.sawChange(t, "scan")
	code, out, errOut = run("ship", "12345678", "scan.pdf")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "12345678: Shipped Digitally — 12345678.pdf, 3 pages")
	h.sawChange(t, "ship")

	code, out, errOut = run("backup", "copy.db")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Backup written to copy.db")
	assert.FileExists(t, filepath.Join(caller, "copy.db"), "the backup is written in the caller's folder")
	h.noChange(t, "backup")

	code, out, errOut = run("audit", "--csv", "trail.csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "trail.csv")
	assert.FileExists(t, filepath.Join(caller, "trail.csv"))
}

func TestForwardedStdin(t *testing.T) {
	privateSockets(t)
	keyring.MockInit()
	c := newCLI(t)
	mailSet := []string{"mail", "set", "--host", "smtp.example.edu", "--user", "ill", "--password-stdin", "--from", "ILL <ill@example.edu>"}
	aloneCode, aloneOut, aloneErr := c.runWith(nil, nil, "", mailSet...) // no standard input at all
	require.Equal(t, 2, aloneCode)

	c.hold()
	code, out, errOut := c.runWith(nil, nil, "", mailSet...)
	assert.Equal(t, []any{aloneCode, aloneOut, aloneErr}, []any{code, out, errOut}, "without standard input, as alone")

	code, out, errOut = c.runWith(nil, strings.NewReader("s3cret-pass\n"), "", mailSet...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Mail settings saved.\n", out)
	stored, err := keyring.Get("ILL Desk", "smtp:ill@smtp.example.edu")
	require.NoError(t, err)
	assert.Equal(t, "s3cret-pass", stored)

	code, _, errOut = c.runWith(nil, strings.NewReader(""), "", mailSet...)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no password on standard input")
}

func TestForwardedOperatorIsTheCallers(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	pin := map[string]string{"ILLDESK_PIN": "4321"}
	code, _, errOut := c.runWith(pin, nil, "", "operator", "add", "ana", "--roles", "fulfillment,requests")
	require.Equal(t, 0, code, errOut)

	lend := func(ext string) []string {
		return []string{"lend", "new", "--partner", "RAPID", "--external-id", ext, "--title", "T"}
	}
	refusals := []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"nobody signed in", pin, lend("X-1")},
		{"wrong PIN", map[string]string{"ILLDESK_PIN": "0000"}, append([]string{"--operator", "ana"}, lend("X-1")...)},
		{"unknown operator", pin, append([]string{"--operator", "bob"}, lend("X-1")...)},
	}
	alone := map[string][]any{}
	for _, r := range refusals {
		code, out, errOut := c.runWith(r.vars, nil, "", r.args...)
		require.Equal(t, 1, code, r.name)
		alone[r.name] = []any{code, out, errOut}
	}

	h := c.hold()
	h.s.operator = "window-op" // the window's signed-in operator is never the caller's
	for _, r := range refusals {
		code, out, errOut := c.runWith(r.vars, nil, "", r.args...)
		assert.Equal(t, alone[r.name], []any{code, out, errOut}, r.name)
	}
	h.noChange(t, "refusals")

	code, out, errOut := c.runWith(pin, nil, "", append([]string{"--operator", "ana"}, lend("X-2")...)...)
	require.Equal(t, 0, code, errOut)
	code, out, errOut = c.runWith(nil, nil, "", "show", "--json", strings.TrimSpace(out))
	require.Equal(t, 0, code, errOut)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	hist := v["history"].([]any)
	assert.Equal(t, "ana", hist[0].(map[string]any)["actor"])
}

func TestHeldDatabaseRefusals(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	backup := filepath.Join(t.TempDir(), "b.db")
	c.ok("backup", backup)
	before, err := os.ReadFile(c.db)
	require.NoError(t, err)

	h := c.hold()
	code, out, errOut := c.run("restore", backup)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "illdesk: The database "+c.db+" is open in a running ILL Desk (window or serve); close it first, then restore. Nothing was changed.\n", errOut)

	code, _, errOut = c.run("migrate", "--from", c.db, "--to", "postgres://illdesk@127.0.0.1:1/illdesk", "--vault", t.TempDir())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "is open in a running ILL Desk (window or serve); close it first, then migrate.")

	code, out, errOut = c.run("serve", "--listen", "127.0.0.1:0")
	assert.Equal(t, 1, code)
	assert.Empty(t, out, "the second serve does not listen")
	assert.Contains(t, errOut, "a second serve on it is refused")
	h.noChange(t, "refusals")

	after, err := os.ReadFile(c.db)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing changed")
}

// A holder that goes away before it accepted a command (it is closing) lets
// the command open the database itself; one that goes away after leaves the
// command refused, as it may have been done.
func TestHolderGoingAway(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accepted bool
		code     int
		out, err string
	}{
		{"before accepting", false, 0, "12345678", ""},
		{"after accepting", true, 1, "", "stopped before the command finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			privateSockets(t)
			c := newCLI(t)
			setupLending(c)
			ln, err := listenHolder(c.db) // a holder that only reads the command line
			require.NoError(t, err)
			defer ln.Close()
			go func() {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				var req forwardRequest
				if json.NewDecoder(conn).Decode(&req) == nil && tc.accepted {
					_ = json.NewEncoder(conn).Encode(frame{Accepted: true})
				}
			}()
			code, out, errOut := c.run("list")
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, out, tc.out)
			assert.Contains(t, errOut, tc.err)
		})
	}
}

func TestHolderLeavesNoSocket(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	path, err := socketPath(c.db, true)
	require.NoError(t, err)

	h := c.hold()
	assert.FileExists(t, path)
	assert.Contains(t, c.ok("list"), "12345678", "the window runs the command")
	h.release()
	assert.NoFileExists(t, path, "the socket goes when the database is closed")
	assert.Contains(t, c.ok("list"), "12345678", "a command then opens the database itself")
}

func TestStaleSocketIsRecovered(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	path, err := socketPath(c.db, true)
	require.NoError(t, err)

	crashHolder(t, path)
	assert.Contains(t, c.ok("list"), "12345678", "nobody answers: the command opens the database itself")
	assert.NoFileExists(t, path, "and removes the stale socket")

	crashHolder(t, path)
	c.hold()
	assert.Contains(t, c.ok("list"), "12345678", "a new holder replaced the stale socket and answers")
}
