package bolt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// guard runs fn, a bbolt transaction (write: one that may write), so that
// a damaged file or a failing disk gives a refusal rather than a crash:
// bbolt panics on pages it cannot make sense of, and reading the mapped file
// faults when the file was cut short or the disk stopped answering
// (SetPanicOnFault turns that fault into a panic of this goroutine). A panic
// bbolt raised itself about a page is damage; a fault is damage only when
// a look at the file confirms it (faultError). A fault in a write, or a
// write the disk failed, leaves bbolt unfit to go on (its write lock may be
// held, or what it holds in memory may differ from the disk): letGo, and
// the next transaction opens the file again. Panics raised outside bbolt
// are our own bugs and are not hidden.
func (db *DB) guard(write bool, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if !fromBolt(p, string(debug.Stack())) {
			panic(p)
		}
		// the file's mapping is suspect whatever the transaction: the
		// next one opens the file again
		db.letGo()
		if _, fault := p.(runtime.Error); fault {
			err = db.faultError(fmt.Sprint(p))
			return
		}
		err = damagedDB(db.path, fmt.Sprint(p))
	}()
	err = storage.SystemError(db.path, fn())
	if write && errors.Is(err, domain.ErrStorageUnavailable) {
		db.letGo()
	}
	return err
}

// faultError is the refusal for a fault while reading the mapped database
// file: the file at the database's path is read through. A file that
// cannot be opened or read, or is no longer the one that was mapped, is on
// a disk that stopped answering (or was moved away); one shorter than its
// last transaction saw was cut short; one that reads whole faulted on what
// is in it, and is damaged. The runtime's words for the fault (detail)
// go only into a report of damage: to staff whose disk went away
// "invalid memory address" says nothing but alarm.
func (db *DB) faultError(detail string) error {
	path, need := db.path, db.size.Load()
	const failed = "reading the database file failed"
	f, err := os.Open(path)
	if err != nil {
		return storage.Unavailable(path, fmt.Sprintf("%s; the file cannot be opened: %v", failed, err))
	}
	defer f.Close()
	if db.mapped != nil {
		if fi, err := f.Stat(); err != nil || !os.SameFile(fi, db.mapped) {
			return storage.Unavailable(path, failed+"; the file is no longer the one that was open")
		}
	}
	n, err := io.Copy(io.Discard, f)
	if err != nil {
		return storage.Unavailable(path, fmt.Sprintf("%s; the file cannot be read: %v", failed, err))
	}
	if n < need {
		return damagedDB(path, fmt.Sprintf("the file is %d bytes but should be at least %d: it was cut short", n, need))
	}
	return damagedDB(path, detail)
}

// fromBolt reports whether a recovered panic comes from reading the
// file: a memory fault, or a panic raised inside bbolt.
func fromBolt(p any, stack string) bool {
	if _, ok := p.(interface{ Addr() uintptr }); ok {
		return true // a fault reading the mapped file
	}
	// the first frame after the panic call tells where it was raised
	_, after, ok := strings.Cut(stack, "panic(")
	if !ok {
		return false
	}
	lines := strings.Split(after, "\n")
	for i := 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "/") || strings.HasPrefix(l, "runtime.") || strings.HasPrefix(l, "panic(") {
			continue // file:line lines, and the runtime's own frames
		}
		return strings.HasPrefix(l, "go.etcd.io/bbolt")
	}
	return false
}

// damagedDB is the refusal for a database file that cannot be read.
func damagedDB(path, detail string) error {
	return &domain.Refusal{Kind: domain.ErrDatabaseDamaged, Path: path, Detail: detail, Msg: fmt.Sprintf(
		"The database %s is damaged (%s). Nothing more was changed.", path, detail)}
}

// checkSize refuses a database file shorter than its own meta page says:
// a file cut short (a copy interrupted, a disk error) would fault when read.
func checkSize(path string, size int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() < size {
		return damagedDB(path, fmt.Sprintf("the file is %d bytes but should be at least %d: it was cut short", fi.Size(), size))
	}
	return nil
}
