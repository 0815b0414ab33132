package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync saves f's data to disk, and its metadata only where reading the
// data back needs it (its length), as bbolt syncs its own file.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
