//go:build !windows

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// socketDir is the folder of the sockets: ILL Desk's folder in the user's
// runtime folder ($XDG_RUNTIME_DIR), else a folder of the user's own in
// the temporary folder. Only the same user can connect: the folder is
// theirs and closed to others (0700), which is checked before it is used,
// so that nobody else can put a socket there for commands (and PINs) to
// go to. create makes it when it is missing.
func socketDir(create bool) (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("illdesk-%d", os.Getuid()))
	if rt := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(rt) {
		dir = filepath.Join(rt, "illdesk")
	}
	if create {
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return "", err
		}
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() {
		return "", fmt.Errorf("%s is not a folder of this user's own", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if !create {
			return "", fmt.Errorf("%s is open to other users", dir)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// socketExt ends the name of a database's socket.
const socketExt = ".sock"

// listenHolder starts listening for commands on the database at dbPath,
// which this process holds: a socket there is a crashed holder's.
func listenHolder(dbPath string) (net.Listener, error) {
	path, err := socketPath(dbPath, true)
	if err != nil {
		return nil, err
	}
	removeSocket(path)
	return net.Listen("unix", path)
}

// dialHolder connects to the process that holds the database at dbPath.
func dialHolder(dbPath string) (net.Conn, error) {
	path, err := socketPath(dbPath, false)
	if err != nil {
		return nil, err
	}
	return net.DialTimeout("unix", path, dialTimeout)
}

// removeStaleSocket removes the socket a crashed holder of the database at
// dbPath left; call it holding the database.
func removeStaleSocket(dbPath string) {
	if path, err := socketPath(dbPath, false); err == nil {
		removeSocket(path)
	}
}

// removeSocket removes the socket at path, and nothing else.
func removeSocket(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
}
