// Package storage holds what ILL Desk's stores share: the compact encoding
// of request summaries, the refusals both stores give in the same words,
// the decoding of stored JSON, and the turning of system errors into
// refusals. The stores themselves are its sub-packages: bolt (the bbolt
// file), postgres (a department database) and vault (the shipped files);
// storagetest checks that a store keeps the promises of domain.Store.
package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/illdesk/illdesk/domain"
)

// SystemError turns the system errors of a full disk, a folder that
// cannot be written, or a disk that stopped answering (path names the file
// or folder) into refusals of kind domain.ErrDiskFull,
// domain.ErrNotWritable or domain.ErrStorageUnavailable; other errors pass
// as they are.
func SystemError(path string, err error) error {
	var ref *domain.Refusal
	switch {
	case err == nil || errors.As(err, &ref):
		return err
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return &domain.Refusal{Kind: domain.ErrDiskFull, Path: path, Msg: fmt.Sprintf(
			"The disk is full: free space on the disk holding %s; the last change was not saved.", path)}
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return &domain.Refusal{Kind: domain.ErrNotWritable, Path: path, Msg: fmt.Sprintf(
			"ILL Desk may not write to %s (the folder is read-only or you lack permission), so nothing was saved.", path)}
	case unavailable(err):
		return Unavailable(path, err.Error())
	}
	return err
}

// unavailable reports whether err says the disk or file system stopped
// answering rather than refused a write. A FUSE file system whose process
// went away answers ENOTCONN, and ECONNABORTED to a file opened before.
func unavailable(err error) bool {
	for _, e := range []error{syscall.EIO, syscall.ENOTCONN, syscall.ECONNABORTED, syscall.ENXIO, syscall.ENODEV, syscall.ESTALE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Unavailable is the refusal for a disk that stopped answering while path
// was used; detail says what the system reported.
func Unavailable(path, detail string) error {
	return &domain.Refusal{Kind: domain.ErrStorageUnavailable, Path: path, Detail: detail, Msg: fmt.Sprintf(
		"The disk holding %s stopped answering (%s); this change was not saved. Nothing else was lost; try again when the disk is back.", path, detail)}
}

// MkdirAll creates the folder dir and its missing parents (mode 0700),
// syncing the folder that holds each new one so that the new entry lasts
// a power cut.
func MkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	return SyncDir(filepath.Dir(dir))
}

// SyncDir makes new entries of the directory dir durable. Windows does not
// support fsync on a directory, so it is skipped there.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
