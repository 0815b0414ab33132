//go:build !linux

package storage

import "os"

// fdatasync saves f to disk (fsync, or FlushFileBuffers on Windows).
func fdatasync(f *os.File) error { return f.Sync() }
