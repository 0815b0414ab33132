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

// crashHolder leaves a socket at path as a holder that died without
// removing it does.
func crashHolder(t *testing.T, path string) {
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, ln.Close())
	require.FileExists(t, path)
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
