//go:build !windows

package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHolderLeavesNoSocket(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	path, err := socketPath(c.db, true)
	require.NoError(t, err)

	h := c.hold()
	assert.FileExists(t, path)
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
	crashed := func() { // a holder that died without removing its socket
		ln, err := net.Listen("unix", path)
		require.NoError(t, err)
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		require.NoError(t, ln.Close())
		require.FileExists(t, path)
	}

	crashed()
	assert.Contains(t, c.ok("list"), "12345678", "nobody answers: the command opens the database itself")
	assert.NoFileExists(t, path, "and removes the stale socket")

	crashed()
	c.hold()
	assert.Contains(t, c.ok("list"), "12345678", "a new holder replaced the stale socket and answers")
}

func TestSocketNameIsTheFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "illdesk.db")
	require.NoError(t, os.WriteFile(db, nil, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	require.NoError(t, os.Symlink(db, filepath.Join(dir, "link.db")))
	t.Chdir(dir)
	want := socketName(db)
	for _, p := range []string{"illdesk.db", "./sub/../illdesk.db", filepath.Join(dir, "link.db"), "link.db"} {
		assert.Equal(t, want, socketName(p), p)
	}
	assert.NotEqual(t, want, socketName(filepath.Join(dir, "other.db")))
	assert.Len(t, want, 32, "short enough for a socket path")
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
			path, err := socketPath(c.db, true)
			require.NoError(t, err)
			ln, err := net.Listen("unix", path)
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
