// Package zebratest starts a throwaway SRU server for tests: Index Data's
// Zebra (zebraidx, zebrasrv; Debian's idzebra-2.0 package), indexing the
// MARCXML records under testdata/records with the Bath and Dublin Core
// indexes of testdata/pqf.properties and serving SRU 1.2 and 2.0 on
// 127.0.0.1 on a free port. It is an ordinary package so that the tests of
// several packages can share it; nothing outside tests uses it.
//
//	func TestSomething(t *testing.T) {
//		base := zebratest.ForTest(t) // skips the test when Zebra is not installed
//		// base is http://127.0.0.1:PORT/Default
//	}
//
// scripts/zebra.sh starts the same server from a shell.
package zebratest

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ErrNoServer means Zebra's programs (zebraidx and zebrasrv) were not found.
var ErrNoServer = errors.New("Index Data's Zebra (zebraidx, zebrasrv) not found: apt-get install idzebra-2.0 yaz")

//go:embed testdata
var files embed.FS

// Server is a running zebrasrv over a temporary directory.
type Server struct {
	// URL is the SRU base address: http://127.0.0.1:PORT/Default.
	URL string
	dir string
	cmd *exec.Cmd
}

// startTimeout bounds the wait for zebrasrv to accept connections.
const startTimeout = 20 * time.Second

// Start copies the configuration and records into dir, indexes them and
// starts zebrasrv on 127.0.0.1 on a free port. Stop it when done.
func Start(dir string) (*Server, error) {
	idx, err1 := exec.LookPath("zebraidx")
	srv, err2 := exec.LookPath("zebrasrv")
	if err1 != nil || err2 != nil {
		return nil, ErrNoServer
	}
	sub, err := fs.Sub(files, "testdata")
	if err != nil {
		return nil, err
	}
	if err := os.CopyFS(dir, sub); err != nil {
		return nil, err
	}
	for _, args := range [][]string{{"-c", "zebra.cfg", "init"}, {"-c", "zebra.cfg", "update", "records"}} {
		cmd := exec.Command(idx, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("zebraidx %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(srv, "-f", "yazgfs.xml", "-l", "zebrasrv.log", "tcp:"+addr)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("zebrasrv: %w", err)
	}
	s := &Server{URL: "http://" + addr + "/Default", dir: dir, cmd: cmd}
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("zebrasrv did not listen on %s within %s:\n%s", addr, startTimeout, s.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends the server.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (s *Server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "zebrasrv.log"))
	return string(b)
}

// ForTest starts a server for the test and stops it when the test ends;
// it skips the test, saying why, when Zebra is not installed.
func ForTest(t testing.TB) string {
	t.Helper()
	s, err := Start(t.TempDir())
	if errors.Is(err, ErrNoServer) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s.URL
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
