// Package bolt keeps ILL Desk's requests, partners and settings in a
// bbolt database file, and backs it up, checks and restores it.
//
// Layout of the database (schema version 3):
//
//	meta          "schema" → "1"
//	requests      request ID (UUIDv7, so keys sort by creation) → JSON of domain.Request
//	partners      partner code → JSON of domain.Partner
//	idx_external  externalID + "\x00" + partnerCode → request ID
//	idx_barcode   Request.ActiveBarcode() → request ID (only when non-empty)
//	settings      key → value
//	notices       notice ID (UUIDv7, so keys sort by creation) → JSON of domain.Notice
//	summaries     request ID → storage.EncodeSummary of the request's summary
//	idx_number    Request.RequestNumber → request ID (schema 3)
//	numbers       a bucket per number series ("B-2026"), whose bbolt
//	              sequence is the series' last number (schema 3)
//
// A database made before the notices bucket existed gets it when opened.
// A journal an earlier version left beside the file is brought into it
// when opened (see journal.go).
//
// The shipped PDFs of a database at path P are kept in the folder
// VaultDirFor(P) (see storage/vault).
package bolt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// SchemaVersion is the version of the database layout this build writes and
// reads. A database with a larger version is refused with ErrSchemaTooNew.
const SchemaVersion = 3

// lockTimeout bounds how long Open waits for another process's file lock.
const lockTimeout = 1 * time.Second

// unsynced turns off bbolt's syncs. Only the powercut_nosync build sets it
// (nosync_powercut.go), to prove the power-cut test catches lost writes.
var unsynced bool

var (
	bucketMeta        = []byte("meta")
	bucketRequests    = []byte("requests")
	bucketPartners    = []byte("partners")
	bucketIdxExternal = []byte("idx_external")
	bucketIdxBarcode  = []byte("idx_barcode")
	bucketSettings    = []byte("settings")
	bucketNotices     = []byte("notices")
	bucketRecords     = []byte("records")
	// bucketSummaries holds each request's domain.Summary (storage.EncodeSummary),
	// kept in step by PutRequest; the request list reads only these.
	bucketSummaries = []byte("summaries")
	// bucketIdxNumber indexes the requests' numbers; bucketNumbers holds a
	// bucket per number series whose sequence numbers its requests.
	bucketIdxNumber = []byte("idx_number")
	bucketNumbers   = []byte("numbers")

	keySchema = []byte("schema")

	allBuckets = [][]byte{bucketMeta, bucketRequests, bucketPartners, bucketIdxExternal, bucketIdxBarcode, bucketSettings, bucketNotices, bucketRecords, bucketSummaries, bucketIdxNumber, bucketNumbers}
)

// DB is an open ILL Desk database; it implements domain.Store. Only one
// process (or one DB value) may hold a database file open at a time.
type DB struct {
	path string
	// mu is held for reading by each transaction and for writing while
	// bolt is opened again or closed.
	mu     sync.RWMutex
	bolt   *bbolt.DB
	file   *os.File    // bolt's file, kept to let go of it when bolt cannot
	mapped os.FileInfo // what file was when opened, to tell it from another at the path
	closed bool
	// writer admits one write transaction at a time before bbolt's own
	// lock: a writer that faulted may leave bbolt's lock held, and the
	// writers after it must get a refusal rather than wait forever.
	writer chan struct{}
	// broken is set when a fault or a failing disk left bolt unfit to go
	// on; the next transaction opens the file again.
	broken atomic.Bool
	// size is the database's size in bytes as its last transaction saw it:
	// a file found shorter after a fault was cut short.
	size atomic.Int64
}

var _ domain.Store = (*DB)(nil)

// DefaultPath is where the database lives when the user names none: in
// the user's data folder of each system — ~/.local/share/illdesk on Linux
// ($XDG_DATA_HOME), %LocalAppData%\illdesk on Windows (not roamed: the
// file is large), ~/Library/Application Support/illdesk on macOS. A
// database an earlier ILL Desk kept in the configuration folder
// (os.UserConfigDir()/illdesk) is used where it is.
func DefaultPath() (string, error) {
	if cfg, err := os.UserConfigDir(); err == nil {
		legacy := filepath.Join(cfg, "illdesk", "illdesk.db")
		if _, err := os.Stat(legacy); err == nil {
			return legacy, nil
		}
	}
	dir, err := dataDir(runtime.GOOS, os.Getenv)
	if err != nil {
		return "", fmt.Errorf("cannot find your data folder for the database: %w", err)
	}
	return filepath.Join(dir, "illdesk", "illdesk.db"), nil
}

// dataDir is the user's data folder on the system goos.
func dataDir(goos string, getenv func(string) string) (string, error) {
	switch goos {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return d, nil
		}
		return "", errors.New("%LOCALAPPDATA% is not set")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
	default:
		// XDG_DATA_HOME counts only as an absolute path by the rules of
		// goos ("/..."), whichever system runs this.
		if d := getenv("XDG_DATA_HOME"); d != "" && path.IsAbs(d) {
			return d, nil
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".local", "share"), nil
		}
	}
	return "", errors.New("$HOME is not set")
}

// VaultDirFor is the vault directory that belongs to the database at dbPath:
// a directory named "vault" next to the database file.
func VaultDirFor(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "vault")
}

// Open opens the database at path, creating it (and its parent directory,
// mode 0700) when missing. It refuses with a *domain.Refusal when another
// process holds the file (domain.ErrDatabaseLocked, within about a second),
// when a newer ILL Desk wrote it (domain.ErrSchemaTooNew), or when the file
// is not an ILL Desk database (domain.ErrNotADatabase).
func Open(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := storage.MkdirAll(dir); err != nil {
			return nil, storage.SystemError(dir, fmt.Errorf("cannot create the folder for the database %s: %w", path, err))
		}
	}
	if err := lookBeforeOpen(path); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(path)
	bdb, file, err := openBolt(path, nil)
	if err != nil {
		return nil, err
	}
	db := newDB(path, bdb, file)
	if errors.Is(statErr, fs.ErrNotExist) {
		// bbolt created the file: its entry in the folder must last too
		if err := storage.SyncDir(filepath.Dir(path)); err != nil {
			_ = db.Close()
			return nil, storage.SystemError(path, fmt.Errorf("cannot save the folder of %s to disk: %w", path, err))
		}
	}
	// A journal an earlier version left is brought in before the schema is
	// upgraded: it was written against the layout the file has, and a
	// journal refused leaves the file as it was.
	var ok, older bool
	err = db.read(func(btx *bbolt.Tx) error {
		if err := checkSize(path, btx.Size()); err != nil {
			return err
		}
		ok = ready(btx)
		if meta := btx.Bucket(bucketMeta); !ok && meta != nil {
			_, err := schemaOf(meta, path)
			older = err == nil
			return err
		}
		return nil
	})
	if err == nil && older {
		err = db.bringInJournal()
	}
	if err == nil && !ok {
		err = db.write(func(btx *bbolt.Tx) error { return prepare(btx, path) })
	}
	if err == nil && !older {
		err = db.bringInJournal()
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// newDB is the DB of the bbolt database bdb at path, opened from file.
func newDB(path string, bdb *bbolt.DB, file *os.File) *DB {
	db := &DB{bolt: bdb, file: file, path: path, writer: make(chan struct{}, 1)}
	if file != nil {
		db.mapped, _ = file.Stat() // without it, a fault is judged by the file at path alone
	}
	return db
}

// openBolt opens the bbolt file at path with opts (nil: read-write) and
// turns bbolt's errors into refusals: another process holds the file, or
// the file is not a bbolt database. It returns the file bbolt opened too.
func openBolt(path string, opts *bbolt.Options) (*bbolt.DB, *os.File, error) {
	if opts == nil {
		opts = &bbolt.Options{}
	}
	opts.Timeout = lockTimeout
	opts.NoSync, opts.NoGrowSync = unsynced, unsynced
	var file *os.File
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	var bdb *bbolt.DB
	err := (&DB{path: path}).guard(false, func() error {
		var err error
		bdb, err = bbolt.Open(path, 0o600, opts)
		return err
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, nil, &domain.Refusal{Kind: domain.ErrDatabaseLocked, Path: path, Msg: fmt.Sprintf(
				"The database %s is already open in another ILL Desk process.", path)}
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
			if gone := unreachable(path); gone != nil {
				return nil, nil, gone
			}
			return nil, nil, notOurs(path)
		case errors.As(err, new(*domain.Refusal)):
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	return bdb, file, nil
}

// lookBeforeOpen opens an existing, non-empty file read-only first and
// refuses it when it is not a bbolt database or is shorter than its own meta
// page says, before Open opens it for writing. On Windows bbolt's read-write
// open sets the file's length to the size it maps, so it would grow a file
// that is not a database (e.g. --db notes.csv) or a database cut short, with
// zeros, before refusing it; and a database cut short makes bbolt's
// read-write open itself panic (loading the free list), which leaves the
// file open and locked until the process ends. A read-only open changes
// nothing and reads no more than the meta pages.
func lookBeforeOpen(path string) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return nil // a new database: bbolt creates it
	}
	bdb, file, err := openBolt(path, &bbolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	db := newDB(path, bdb, file)
	err = db.read(func(btx *bbolt.Tx) error { return checkSize(path, btx.Size()) })
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot open the database %s: %w", path, cerr)
	}
	return err
}

// unreachable is the refusal for the file at path when the disk holding
// it stops answering as it is read, and nil when it reads: bbolt takes a
// failed read of the file's first page for a file that is not a database,
// which a disk that went away as it opened would otherwise be called.
func unreachable(path string) error {
	f, err := os.Open(path)
	if err == nil {
		_, err = io.ReadFull(f, make([]byte, 4096))
		_ = f.Close()
	}
	if err = storage.SystemError(path, err); errors.Is(err, domain.ErrStorageUnavailable) {
		return err
	}
	return nil
}

// notOurs is the refusal for a file that is not an ILL Desk database.
func notOurs(path string) error {
	return &domain.Refusal{Kind: domain.ErrNotADatabase, Path: path, Msg: fmt.Sprintf(
		"The file %s is not an ILL Desk database.", path)}
}

// schemaOf reads the schema version stored in meta. It refuses a missing or
// unreadable version (notOurs) and one newer than this build reads
// (domain.ErrSchemaTooNew).
func schemaOf(meta *bbolt.Bucket, path string) (int, error) {
	version, err := strconv.Atoi(string(meta.Get(keySchema)))
	if err != nil || version < 1 {
		return 0, notOurs(path)
	}
	if version > SchemaVersion {
		return 0, &domain.Refusal{Kind: domain.ErrSchemaTooNew, Msg: fmt.Sprintf(
			"The database %s was written by a newer ILL Desk (schema %d; this version reads up to %d); upgrade ILL Desk to open it.", path, version, SchemaVersion)}
	}
	return version, nil
}

// prepare checks the schema version and creates the buckets of a new database.
func prepare(btx *bbolt.Tx, path string) error {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = btx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return notOurs(path)
		}
		var err error
		if meta, err = btx.CreateBucket(bucketMeta); err != nil {
			return fmt.Errorf("cannot set up the database %s: %w", path, err)
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return fmt.Errorf("cannot set up the database %s: %w", path, err)
		}
	}
	version, err := schemaOf(meta, path)
	if err != nil {
		return err
	}
	for _, name := range allBuckets {
		if btx.Bucket(name) != nil {
			continue
		}
		if _, err := btx.CreateBucket(name); err != nil {
			return fmt.Errorf("cannot set up the database %s: %w", path, err)
		}
	}
	if version < SchemaVersion {
		if err := migrate(btx, version); err != nil {
			return fmt.Errorf("cannot upgrade the database %s: %w", path, err)
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return fmt.Errorf("cannot upgrade the database %s: %w", path, err)
		}
	}
	return nil
}

// migrate brings a database written with schema version from up to
// SchemaVersion, inside the transaction that opens it.
func migrate(btx *bbolt.Tx, from int) error {
	if from < 2 { // 2: every request has a summary
		t := newTx(btx)
		sums := btx.Bucket(bucketSummaries)
		files := false
		if err := t.ForEachRequest(func(r domain.Request) error {
			files = files || r.ShippedFile != nil
			return sums.Put([]byte(r.ID), storage.EncodeSummary(r.Summary()))
		}); err != nil {
			return err
		}
		if files {
			if err := t.PutSetting(domain.SettingVaultInUse, "yes"); err != nil {
				return err
			}
		}
	}
	if from < 3 { // 3: every request has a number, given in creation order
		t := newTx(btx)
		if err := t.ForEachRequest(func(r domain.Request) error {
			if r.RequestNumber != "" {
				return nil
			}
			if err := domain.AssignNumber(t, &r); err != nil {
				return err
			}
			return t.PutRequest(r)
		}); err != nil {
			return err
		}
	}
	return nil
}

// ready reports whether the database needs no setting up or upgrade, so
// that opening it need not write.
func ready(btx *bbolt.Tx) bool {
	meta := btx.Bucket(bucketMeta)
	if meta == nil || string(meta.Get(keySchema)) != strconv.Itoa(SchemaVersion) {
		return false
	}
	for _, name := range allBuckets {
		if btx.Bucket(name) == nil {
			return false
		}
	}
	return true
}

// Path is the file the database was opened from.
func (db *DB) Path() string { return db.path }

// View runs fn in a read-only transaction. Writes inside it fail.
func (db *DB) View(fn func(domain.Tx) error) error {
	return db.read(func(btx *bbolt.Tx) error { return fn(newTx(btx)) })
}

// Update runs fn in one bbolt read-write transaction: when fn returns nil
// every write is committed atomically and durably (bbolt syncs its commit);
// when it returns an error nothing is.
func (db *DB) Update(fn func(domain.Tx) error) error {
	return db.write(func(btx *bbolt.Tx) error { return fn(newTx(btx)) })
}

// read runs fn in a bbolt read transaction (see guard).
func (db *DB) read(fn func(*bbolt.Tx) error) error {
	return db.run(false, func(b *bbolt.DB) error {
		return b.View(func(btx *bbolt.Tx) error { db.size.Store(btx.Size()); return fn(btx) })
	})
}

// write runs fn in a bbolt write transaction (see guard), one writer at a
// time.
func (db *DB) write(fn func(*bbolt.Tx) error) error {
	db.writer <- struct{}{}
	defer func() { <-db.writer }()
	return db.run(true, func(b *bbolt.DB) error {
		return b.Update(func(btx *bbolt.Tx) error { db.size.Store(btx.Size()); return fn(btx) })
	})
}

// run runs fn on bolt, first opening the file again when a fault left the
// last one unfit to go on.
func (db *DB) run(write bool, fn func(*bbolt.DB) error) error {
	if db.broken.Load() {
		if err := db.reopen(); err != nil {
			return err
		}
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return berrors.ErrDatabaseNotOpen
	}
	return db.guard(write, func() error {
		return fn(db.bolt)
	})
}

// reopen opens the database file again after a fault, once it can be
// reached: a file that is gone is never made anew here.
func (db *DB) reopen() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if !db.broken.Load() || db.closed {
		return nil
	}
	return db.openAgain()
}

// Reopen closes the database file and opens it again: the window's Reopen,
// once the disk that held it stopped answering and is back. A file that
// cannot be reached is refused with domain.ErrStorageUnavailable and left
// closed; Reopen, or the next transaction, tries again. Transactions under
// way finish first; a write a fault left stuck holding bbolt's lock does
// not hold Reopen up (letGo).
func (db *DB) Reopen() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return berrors.ErrDatabaseNotOpen
	}
	db.letGo()
	return db.openAgain()
}

// openAgain opens the file at the database's path in place of the one let
// go of (mu held for writing); it never makes a new one.
func (db *DB) openAgain() error {
	if _, err := os.Stat(db.path); err != nil {
		return storage.Unavailable(db.path, fmt.Sprintf("the database file cannot be reached: %v", err))
	}
	fresh, err := Open(db.path)
	if err != nil {
		return err
	}
	db.bolt, db.file, db.mapped = fresh.bolt, fresh.file, fresh.mapped
	db.broken.Store(false)
	return nil
}

// letGoWait is how long letGo waits for bbolt's own Close.
const letGoWait = 2 * time.Second

// letGo marks bolt unfit to go on and lets go of its file. bbolt's own
// Close unmaps the file (Windows will not delete a mapped file), but it
// waits for bbolt's write lock, which a fault in a write may have left
// held: then only the file is closed, which releases the file's lock, and
// the map stays until the process ends.
func (db *DB) letGo() {
	if db.bolt == nil || !db.broken.CompareAndSwap(false, true) {
		return
	}
	closed := make(chan struct{})
	go func(b *bbolt.DB) {
		_ = b.Close()
		close(closed)
	}(db.bolt)
	select {
	case <-closed:
	case <-time.After(letGoWait):
		if db.file != nil {
			_ = db.file.Close()
		}
	}
}

// Close releases the database file and its lock.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	if db.broken.Load() {
		return nil // letGo released the file already
	}
	return db.bolt.Close()
}
