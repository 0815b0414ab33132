package main

// While a window or `illdesk serve` holds a workstation's database (bbolt
// allows one process at a time), other illdesk commands on that database
// are carried out by that process: the command sends its arguments, its
// folder, the environment the command line reads and, on demand, its
// standard input over a local socket (a Unix socket, socket_unix.go; on
// Windows a loopback TCP port with a secret, socket_windows.go); the
// holder runs the same command code on the database it has open and sends
// back what the command wrote and its exit status. The socket is never on
// the network, and only the same user can use it.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/postgres"
)

// exitStatus is the exit status of a command the holder ran; run returns
// it as it is, the holder having written why already.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// forwardedEnv are the environment variables the command line reads: a
// forwarded command sees the caller's, never the holder's.
var forwardedEnv = []string{"ILLDESK_DB", "ILLDESK_PIN", "ILLDESK_NEW_PIN", "ILLDESK_VAULT"}

// forwardRequest is the first message on a connection: the command line to run.
type forwardRequest struct {
	Args []string          `json:"args"`
	Dir  string            `json:"dir"`
	Env  map[string]string `json:"env"`
	// Stdin is whether the caller has a standard input the command may read.
	Stdin bool `json:"stdin"`
}

// frame is one message from the holder to the caller; one field is set.
type frame struct {
	// Accepted says the holder runs the command; before it, a closed
	// connection means the holder is closing and the caller opens the
	// database itself.
	Accepted bool   `json:"accepted,omitempty"`
	Stdout   []byte `json:"stdout,omitempty"`
	Stderr   []byte `json:"stderr,omitempty"`
	// ReadStdin asks for up to this many bytes of the caller's standard
	// input, answered with a stdinChunk: input is read only when the
	// command reads it, so a command that reads none never waits on a
	// terminal.
	ReadStdin int  `json:"read_stdin,omitempty"`
	Exit      *int `json:"exit,omitempty"`
}

// stdinChunk is the caller's answer to ReadStdin.
type stdinChunk struct {
	Data []byte `json:"data,omitempty"`
	EOF  bool   `json:"eof,omitempty"`
	Err  string `json:"err,omitempty"`
}

const (
	// dialTimeout bounds connecting to a holder that does not accept.
	dialTimeout = 2 * time.Second
	// requestTimeout bounds how long a holder waits for the command line
	// after a connection is made.
	requestTimeout = 10 * time.Second
	// maxStdinChunk is the most standard input one ReadStdin asks for.
	maxStdinChunk = 64 << 10
)

// forward has the process that holds the session's database run the
// command line args, when one does, and reports whether it did; err is
// then the command's exit status. A second serve is refused instead.
// Demo and department (PostgreSQL) databases are never forwarded: the one
// is private to its process, the other open to many.
func (s *session) forward(cmd string, args []string) (bool, error) {
	if s.held != nil || s.demo {
		return false, nil
	}
	path, err := s.databasePath()
	if err != nil || postgres.IsURL(path) {
		return false, nil
	}
	c, err := dialHolder(path)
	if err != nil { // nobody holds it, or it crashed: open it as always
		return false, nil
	}
	defer c.Close()
	if cmd == "serve" {
		return true, heldElsewhere(path, "a second serve on it is refused. Stop that one first; a window receives partner messages itself (config set listen ADDR).")
	}
	dir := s.dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return false, nil
		}
	}
	req := forwardRequest{Args: args, Dir: dir, Env: map[string]string{}, Stdin: s.stdin != nil}
	for _, k := range forwardedEnv {
		if v := s.getenv(k); v != "" {
			req.Env[k] = v
		}
	}
	enc, dec := json.NewEncoder(c), json.NewDecoder(c)
	if err := enc.Encode(req); err != nil {
		return false, nil
	}
	accepted := false
	for {
		var f frame
		if err := dec.Decode(&f); err != nil {
			if !accepted { // the holder is closing and releases the database
				return false, nil
			}
			return true, fmt.Errorf("the ILL Desk that has %s open stopped before the command finished (%v); "+
				"check whether it was done before running it again", path, err)
		}
		switch {
		case f.Accepted:
			accepted = true
		case f.Exit != nil:
			return true, exitStatus(*f.Exit)
		case f.ReadStdin > 0:
			if err := enc.Encode(readChunk(s.stdin, f.ReadStdin)); err != nil {
				return true, fmt.Errorf("cannot pass standard input to the ILL Desk that has %s open: %w", path, err)
			}
		default:
			s.stdout.Write(f.Stdout)
			s.stderr.Write(f.Stderr)
		}
	}
}

// readChunk reads what the holder asked for from in.
func readChunk(in io.Reader, n int) stdinChunk {
	if in == nil {
		return stdinChunk{EOF: true}
	}
	buf := make([]byte, min(n, maxStdinChunk))
	k, err := in.Read(buf)
	c := stdinChunk{Data: buf[:k]}
	switch {
	case errors.Is(err, io.EOF):
		c.EOF = true
	case err != nil:
		c.Err = err.Error()
	}
	return c
}

// heldElsewhere refuses what cannot be done while a running ILL Desk holds
// the database at path; then says what to do.
func heldElsewhere(path, then string) error {
	return &domain.Refusal{Kind: domain.ErrDatabaseLocked, Msg: fmt.Sprintf(
		"The database %s is open in a running ILL Desk (window or serve); %s", path, then)}
}

// heldByOther reports whether a running ILL Desk answers for the database at path.
func heldByOther(path string) bool {
	c, err := dialHolder(path)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// holder runs the command lines other processes send for the database a
// window or serve holds open.
type holder struct {
	s       *session
	ln      net.Listener
	changed func()

	mu      sync.Mutex
	closing bool
	idle    map[net.Conn]bool // connected, command line not yet read
	running sync.WaitGroup
}

// hold starts serving other processes' commands on the session's
// workstation database until stop is called; changed, when set, is called
// after a command that changed something. Where no socket can be made the
// commands are refused as before, and the reason is written to stderr.
func (s *session) hold(changed func()) (stop func()) {
	if s.db == nil || s.demo {
		return func() {}
	}
	ln, err := listenHolder(s.dbPath)
	if err != nil {
		fmt.Fprintf(s.stderr, "illdesk: other illdesk commands on this database will be refused while it is open here: %v\n", err)
		return func() {}
	}
	h := &holder{s: s, ln: ln, changed: changed, idle: map[net.Conn]bool{}}
	go h.accept()
	return h.stop
}

func (h *holder) accept() {
	for {
		c, err := h.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // e.g. out of file descriptors: try again shortly
			time.Sleep(100 * time.Millisecond)
			continue
		}
		h.mu.Lock()
		if h.closing {
			c.Close()
		} else {
			h.idle[c] = true
		}
		h.mu.Unlock()
		go h.serve(c)
	}
}

// stop stops taking commands (removing the socket), drops connections that
// have not sent one, and waits for the running ones: the database is
// closed after it.
func (h *holder) stop() {
	h.mu.Lock()
	h.closing = true
	for c := range h.idle {
		c.Close()
	}
	h.mu.Unlock()
	h.ln.Close()
	h.running.Wait()
}

// serve runs one forwarded command line.
func (h *holder) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(requestTimeout))
	dec := json.NewDecoder(c)
	var req forwardRequest
	err := dec.Decode(&req)
	h.mu.Lock()
	delete(h.idle, c)
	closing := h.closing
	if err == nil && !closing {
		h.running.Add(1)
	}
	h.mu.Unlock()
	if err != nil || closing { // a probe (heldByOther), or too late
		return
	}
	defer h.running.Done()
	_ = c.SetReadDeadline(time.Time{})
	w := &frameWriter{enc: json.NewEncoder(c)}
	if w.send(frame{Accepted: true}) != nil {
		return
	}
	e := env{stdout: stream{w, false}, stderr: stream{w, true}, clock: h.s.clock, dir: req.Dir, held: h.s,
		getenv: func(k string) string { return req.Env[k] }}
	if req.Stdin {
		e.stdin = &remoteStdin{w: w, dec: dec}
	}
	before := h.s.changes.n.Load()
	code := runForwarded(req.Args, e)
	if h.changed != nil && h.s.changes.n.Load() != before {
		h.changed()
	}
	_ = w.send(frame{Exit: &code})
}

// runForwarded is run, for holders: set in init, as run reaches the
// commands, and serve among them starts a holder.
var runForwarded func([]string, env) int

func init() { runForwarded = run }

// useHeld has a forwarded command work on the holder's open database.
func (s *session) useHeld() {
	h := s.held
	s.dbPath, s.db, s.desk = h.dbPath, h.db, h.desk
	if abs, err := filepath.Abs(h.dbPath); err == nil {
		s.dbPath = abs // the caller's folder is not the holder's
	}
	s.store = keepOpen{h.store}
}

// local is a path from the command line as the caller means it: relative
// to the caller's folder.
func (s *session) local(path string) string {
	if s.dir == "" || path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(s.dir, path)
}

// keepOpen is the holder's store lent to a forwarded command: the command
// ending does not close it.
type keepOpen struct{ domain.Store }

// Close leaves the store open for its holder.
func (keepOpen) Close() error { return nil }

// countingStore counts the changes saved through it.
type countingStore struct {
	domain.Store
	n atomic.Uint64
}

// Update runs fn in a read-write transaction and counts it when it is saved.
func (c *countingStore) Update(fn func(domain.Tx) error) error {
	err := c.Store.Update(fn)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// frameWriter sends frames to the caller, one at a time.
type frameWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

func (w *frameWriter) send(f frame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.enc.Encode(f)
	}
	return w.err
}

// stream is the caller's stdout or stderr.
type stream struct {
	w      *frameWriter
	stderr bool
}

func (s stream) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	f := frame{Stdout: b}
	if s.stderr {
		f = frame{Stderr: b}
	}
	if err := s.w.send(f); err != nil {
		return 0, err
	}
	return len(p), nil
}

// remoteStdin is the caller's standard input, read on demand.
type remoteStdin struct {
	w   *frameWriter
	dec *json.Decoder
	eof bool
}

func (r *remoteStdin) Read(p []byte) (int, error) {
	if r.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := r.w.send(frame{ReadStdin: min(len(p), maxStdinChunk)}); err != nil {
		return 0, err
	}
	var c stdinChunk
	if err := r.dec.Decode(&c); err != nil {
		return 0, err
	}
	if c.Err != "" {
		return 0, errors.New(c.Err)
	}
	n := copy(p, c.Data)
	if c.EOF {
		r.eof = true
		if n == 0 {
			return 0, io.EOF
		}
	}
	return n, nil
}

// socketPath is where the socket (on Windows, the port file) of the
// database at dbPath is, in socketDir.
func socketPath(dbPath string, create bool) (string, error) {
	dir, err := socketDir(create)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, socketName(dbPath)+socketExt), nil
}

// socketName names the socket of the database at path: a hash of its
// absolute, cleaned path with symbolic links resolved, so that every way of
// naming the file finds the one socket, whatever the path's length (a
// Unix socket's own path may not be much longer than 100 bytes).
func socketName(path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		p = filepath.Clean(path)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:16])
}
