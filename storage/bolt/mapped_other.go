//go:build !linux

package bolt

import bbolt "go.etcd.io/bbolt"

// releaseMapped does nothing on other systems; they, like Linux, reclaim
// such clean file pages when memory runs short.
func releaseMapped(*bbolt.Tx) {}
