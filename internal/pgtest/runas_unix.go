//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// runAs is who runs the server's commands: the current user, or, when that
// is root (which initdb and postgres refuse), an unprivileged system user.
type runAs struct {
	attr     *syscall.SysProcAttr // nil: the current user
	name     string
	uid, gid int
}

// unprivilegedUsers are the users the server runs as when we are root, in
// order of preference: Debian's postgresql package creates "postgres".
var unprivilegedUsers = []string{"postgres", "nobody"}

// unprivileged is the current user, or the first of unprivilegedUsers that
// exists when the process runs as root.
func unprivileged() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{}, nil
	}
	for _, name := range unprivilegedUsers {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err := errors.Join(err1, err2); err != nil {
			return runAs{}, fmt.Errorf("pgtest: cannot read the ids of the %s user: %w", name, err)
		}
		cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
		return runAs{attr: &syscall.SysProcAttr{Credential: cred}, name: name, uid: uid, gid: gid}, nil
	}
	return runAs{}, fmt.Errorf("pgtest: running as root, and PostgreSQL refuses to: neither the postgres nor the nobody user exists to run it as")
}

// own gives dir to the user the commands run as, so initdb can fill it.
func (r runAs) own(dir string) error {
	if r.attr == nil {
		return nil
	}
	return os.Chown(dir, r.uid, r.gid)
}

// as names the user in error messages, when it is not the current one.
func (r runAs) as() string {
	if r.attr == nil {
		return ""
	}
	return " (run as the " + r.name + " user)"
}

// reaperScript waits for end of file on its standard input, then stops the
// server at once and removes its directory. $0 is pg_ctl, $1 the data
// directory, $2 the cluster's temporary directory.
const reaperScript = `while read -r line; do :; done; "$0" -D "$1" -m immediate -w stop >/dev/null 2>&1; rm -rf "$2"`

// startReaper starts a shell, as the server's user and in its own process
// group (so a terminal's interrupt does not kill it), that stops the server
// when the test binary dies without calling Stop — a panicking test, a test
// timeout, a kill: the kernel then closes the pipe whose write end only this
// process holds, and the shell reads end of file.
func (s *Server) startReaper() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", reaperScript, filepath.Join(s.bin, "pg_ctl"), s.dataDir(), s.dir)
	cmd.Stdin = r
	cmd.Dir = s.dir
	cmd.Env = serverEnv()
	attr := &syscall.SysProcAttr{Setpgid: true}
	if s.run.attr != nil {
		attr.Credential = s.run.attr.Credential
	}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		w.Close()
		return err
	}
	s.reaper, s.reaperPipe = cmd, w
	return nil
}

// stopReaper lets the reaper finish (it finds the server stopped already)
// and waits for it.
func (s *Server) stopReaper() {
	if s.reaper == nil {
		return
	}
	_ = s.reaperPipe.Close()
	_ = s.reaper.Wait()
	s.reaper = nil
}
