package main

// On Windows the holder listens on a loopback TCP port: Go's Unix sockets
// fail under wine (WSAEAFNOSUPPORT) and named pipes hang there, so neither
// could be tested. Any local user can reach a loopback port, so the holder
// also makes a secret token and writes port and token to a file in the
// user's own cache folder (%LocalAppData%, closed to other users): a caller
// that can read the file is the same user, and proves it by sending the
// token first on the connection.

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tokenSize is the length of the secret a caller sends first.
const tokenSize = 32

// socketDir is the folder of the port files: ILL Desk's in the user's
// cache folder. create makes it when it is missing.
func socketDir(create bool) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "illdesk", "sockets")
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// socketExt ends the name of a database's port file.
const socketExt = ".port"

// listenHolder starts listening for commands on the database at dbPath,
// which this process holds: a port file there is a crashed holder's, and
// is replaced.
func listenHolder(dbPath string) (net.Listener, error) {
	path, err := socketPath(dbPath, true)
	if err != nil {
		return nil, err
	}
	token := make([]byte, tokenSize)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	content := fmt.Sprintf("%d %s\n", ln.Addr().(*net.TCPAddr).Port, hex.EncodeToString(token))
	if err := writeAtomically(path, content); err != nil {
		ln.Close()
		return nil, err
	}
	return &tokenListener{Listener: ln, path: path, content: content, token: token}, nil
}

// writeAtomically writes content to path through a temporary file renamed
// over it, so that a caller never reads half of it.
func writeAtomically(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// tokenListener accepts connections whose first bytes are its token; the
// check is made on the connection's first read (the holder reads with a
// deadline), so that a silent caller does not hold up other callers.
type tokenListener struct {
	net.Listener
	path, content string
	token         []byte
}

// Accept waits for the next connection; what it reads is the caller's
// only once the token was checked.
func (l *tokenListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tokenConn{Conn: c, token: l.token}, nil
}

// Close stops listening and removes the port file, unless another holder
// has written its own since.
func (l *tokenListener) Close() error {
	if b, err := os.ReadFile(l.path); err == nil && string(b) == l.content {
		os.Remove(l.path)
	}
	return l.Listener.Close()
}

// errWrongToken closes a connection that did not start with the token.
var errWrongToken = errors.New("the connection did not start with the holder's token")

// tokenConn is an accepted connection: its first read checks the token
// and closes the connection when it is not the holder's, before anything
// else is read.
type tokenConn struct {
	net.Conn
	token   []byte
	once    sync.Once
	checked error
}

func (c *tokenConn) Read(p []byte) (int, error) {
	c.once.Do(func() {
		got := make([]byte, len(c.token))
		if _, err := io.ReadFull(c.Conn, got); err != nil {
			c.checked = err
		} else if subtle.ConstantTimeCompare(got, c.token) != 1 {
			c.checked = errWrongToken
		}
		if c.checked != nil {
			c.Conn.Close()
		}
	})
	if c.checked != nil {
		return 0, c.checked
	}
	return c.Conn.Read(p)
}

// dialHolder connects to the process that holds the database at dbPath
// and sends it the token.
func dialHolder(dbPath string) (net.Conn, error) {
	path, err := socketPath(dbPath, false)
	if err != nil {
		return nil, err
	}
	port, token, err := readPortFile(path)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dialTimeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetWriteDeadline(time.Now().Add(dialTimeout))
	if _, err := c.Write(token); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetWriteDeadline(time.Time{})
	return c, nil
}

// readPortFile reads the port and token a holder wrote to path.
func readPortFile(path string) (int, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return 0, nil, fmt.Errorf("%s is not a port file", path)
	}
	port, err := strconv.Atoi(fields[0])
	if err != nil || port <= 0 || port > 65535 {
		return 0, nil, fmt.Errorf("%s is not a port file", path)
	}
	token, err := hex.DecodeString(fields[1])
	if err != nil || len(token) != tokenSize {
		return 0, nil, fmt.Errorf("%s is not a port file", path)
	}
	return port, token, nil
}

// removeStaleSocket removes the port file a crashed holder of the database
// at dbPath left; call it holding the database.
func removeStaleSocket(dbPath string) {
	if path, err := socketPath(dbPath, false); err == nil {
		os.Remove(path)
	}
}
