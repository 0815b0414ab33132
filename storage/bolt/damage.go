package bolt

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// guard runs fn, a bbolt transaction, so that a damaged database file gives
// a refusal saying what to do rather than a crash: bbolt panics on pages it
// cannot make sense of, and a file cut short faults when its mapped memory
// is read (SetPanicOnFault turns that fault into a panic of this goroutine).
// Panics raised outside bbolt are our own bugs and are not hidden.
func (db *DB) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if !fromDamage(p, string(debug.Stack())) {
			panic(p)
		}
		err = damagedDB(db.path, fmt.Sprint(p))
	}()
	return storage.SystemError(db.path, fn())
}

// fromDamage reports whether a recovered panic comes from reading a
// damaged file: a memory fault, or a panic raised inside bbolt.
func fromDamage(p any, stack string) bool {
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
