package tmpfstest

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Mount mounts a tmpfs of size (e.g. "4m") on a new folder in the test's
// temporary folder and returns the folder; it is unmounted when the test
// ends. The test skips when this process may not mount one (not root).
func Mount(t testing.TB, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	MountAt(t, dir, size)
	return dir
}

// MountAt mounts a tmpfs of size on the existing folder dir, as Mount does.
func MountAt(t testing.TB, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (CI runs as root)")
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	// detached, so that a file a failing test left open does not keep it
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
}

// ReadOnly remounts the tmpfs at dir (from Mount) read-only, or writable
// again when ro is false. A tmpfs with a file open for writing cannot be
// made read-only: close the database first.
func ReadOnly(t testing.TB, dir string, ro bool) {
	t.Helper()
	flags := uintptr(unix.MS_REMOUNT)
	if ro {
		flags |= unix.MS_RDONLY
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", flags, ""); err != nil {
		t.Fatalf("cannot remount %s (read-only %v): %v", dir, ro, err)
	}
}
