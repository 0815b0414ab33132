package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashHolder leaves a port file at path as a holder that died without
// removing it does: its port is closed.
func crashHolder(t *testing.T, path string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	token := hex.EncodeToString(make([]byte, tokenSize))
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf("%d %s\n", port, token)), 0o600))
}

// Anyone on the machine can connect to the holder's port: a connection
// that does not start with the token from the user's own port file is
// closed before its command line is read, and nothing runs.
func TestHolderRefusesAWrongToken(t *testing.T) {
	privateSockets(t)
	c := newCLI(t)
	setupLending(c)
	h := c.hold()
	path, err := socketPath(c.db, false)
	require.NoError(t, err)
	port, token, err := readPortFile(path)
	require.NoError(t, err)
	wrong := append([]byte(nil), token...)
	wrong[0] ^= 1
	req, err := json.Marshal(forwardRequest{Args: []string{"--db", c.db, "holiday", "add", "2026-12-24"}, Dir: t.TempDir()})
	require.NoError(t, err)

	for name, first := range map[string][]byte{
		"a wrong token": append(wrong, req...),
		"no token":      req,
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Write(append(first, '\n'))
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			n, err := conn.Read(make([]byte, 1))
			assert.Zero(t, n, "the holder answers nothing")
			assert.Error(t, err, "and closes the connection")
			var ne net.Error
			if errors.As(err, &ne) {
				assert.False(t, ne.Timeout(), "closed at once, not left open")
			}
		})
	}
	h.noChange(t, "wrong tokens")
	assert.NotContains(t, h.s.desk.Calendar().Holidays(), "2026-12-24", "nothing ran")
	assert.Contains(t, c.ok("list"), "12345678", "the holder still serves the right token")
}
