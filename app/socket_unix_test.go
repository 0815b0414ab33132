//go:build !windows

package main

import (
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
