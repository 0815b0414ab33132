// Package tmpfstest gives tests a real small disk: a tmpfs mounted in a
// test's temporary folder, which they can fill up or make read-only, to see
// what staff see when the disk holding the database is full or read-only.
// It needs Linux and root (as CI runs); elsewhere the tests skip, saying so.
package tmpfstest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Fill writes a file into dir until the disk holding it is full, and
// returns its path: removing the file frees the space again.
func Fill(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("cannot create the filler file: %v", err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return path
		}
	}
}
