//go:build !linux

package tmpfstest

import "testing"

// Mount skips the test: a tmpfs is mounted on Linux only.
func Mount(t testing.TB, size string) string {
	t.Helper()
	t.Skip("a tmpfs can be mounted on Linux only")
	return ""
}

// MountAt skips the test: a tmpfs is mounted on Linux only.
func MountAt(t testing.TB, dir, size string) {
	t.Helper()
	t.Skip("a tmpfs can be mounted on Linux only")
}

// ReadOnly is not reached: Mount skipped the test.
func ReadOnly(t testing.TB, dir string, ro bool) {
	t.Helper()
	t.Skip("a tmpfs can be mounted on Linux only")
}
