package bolt

import (
	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseMapped hands the database's mapped pages back to the system's file
// cache after a pass over every request or summary. Such a pass touches
// every page of a bucket, and the window keeps its own copy of what it read,
// so without this the pages would count in its resident memory until the
// kernel needs them back: about 25 MB for 100,000 summaries. Reads that follow fault them in again from the
// cache. It runs inside btx, so bbolt cannot remap the file meanwhile; the
// mapping is read-only, so nothing in it is lost. Errors are ignored: the
// pages then simply stay resident.
func releaseMapped(btx *bbolt.Tx) {
	info := btx.DB().Info()
	if info == nil || info.Data == 0 || btx.Size() <= 0 {
		return
	}
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, info.Data, uintptr(btx.Size()), unix.MADV_DONTNEED)
}
