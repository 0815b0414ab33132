// Package folder gives the desk the local file system: it implements
// domain.Folders with package os, for the work folder the desk writes PDFs
// into, the scan folder it watches and the files staff drop on it.
package folder

import (
	"errors"
	"io"
	"os"

	"github.com/illdesk/illdesk/domain"
)

// OS is domain.Folders on the operating system's file system.
type OS struct{}

var _ domain.Folders = OS{}

// MakeDir creates dir and its missing parents with mode 0700.
func (OS) MakeDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// IsDir reports whether path is an existing folder, following symbolic links.
func (OS) IsDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// Head reads the first n bytes of the file at path.
func (OS) Head(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	got, err := io.ReadFull(f, head)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // a file shorter than n
	}
	return head[:got], err
}

// Files lists the names of dir's entries that are not folders, in name
// order; a symbolic link counts as a file, as os.ReadDir reports it.
func (OS) Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
