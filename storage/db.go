// Package storage keeps ILL Desk's requests, partners and settings in a
// bbolt database file, and shipped PDFs in a vault directory beside it.
//
// Layout of the database (schema version 1):
//
//	meta          "schema" → "1"
//	requests      request ID (UUIDv7, so keys sort by creation) → JSON of domain.Request
//	partners      partner code → JSON of domain.Partner
//	idx_external  externalID + "\x00" + partnerCode → request ID
//	idx_barcode   Request.ActiveBarcode() → request ID (only when non-empty)
//	settings      key → value
//	notices       notice ID (UUIDv7, so keys sort by creation) → JSON of domain.Notice
//
// A database made before the notices bucket existed gets it when opened.
// The meta bucket also holds "journal": the generation of the journal
// records that follow what the buckets hold (see journal.go).
//
// Beside the database file at path P, P + "-journal" holds the writes
// committed since the last checkpoint; Open brings them into the file.
//
// The vault for a database at path P is the directory
// filepath.Join(filepath.Dir(P), "vault"); see VaultDirFor.
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/illdesk/illdesk/domain"
)

// SchemaVersion is the version of the database layout this build writes and
// reads. A database with a larger version is refused with ErrSchemaTooNew.
const SchemaVersion = 2

// lockTimeout bounds how long Open waits for another process's file lock.
const lockTimeout = 1 * time.Second

var (
	bucketMeta        = []byte("meta")
	bucketRequests    = []byte("requests")
	bucketPartners    = []byte("partners")
	bucketIdxExternal = []byte("idx_external")
	bucketIdxBarcode  = []byte("idx_barcode")
	bucketSettings    = []byte("settings")
	bucketNotices     = []byte("notices")
	bucketRecords     = []byte("records")
	// bucketSummaries holds each request's domain.Summary (encodeSummary),
	// kept in step by PutRequest; the request list reads only these.
	bucketSummaries = []byte("summaries")

	keySchema = []byte("schema")

	allBuckets = [][]byte{bucketMeta, bucketRequests, bucketPartners, bucketIdxExternal, bucketIdxBarcode, bucketSettings, bucketNotices, bucketRecords, bucketSummaries}
)

// DB is an open ILL Desk database; it implements domain.Store. Only one
// process (or one DB value) may hold a database file open at a time.
//
// A write is durable once its journal record is synced, and bbolt gets it
// at the next checkpoint (see overlay.go): when the overlay holds more than
// checkpointKeys keys or checkpointBytes bytes, before a backup or a copy,
// when the database is closed, and when it is opened after a crash.
type DB struct {
	bolt *bolt.DB
	path string

	// mu orders writes and checkpoints; reads take the overlay as it is
	// and need no lock.
	mu      sync.Mutex
	over    atomic.Pointer[overlay]
	journal *journal // nil once closed
	gen     uint64   // generation of the journal's records (keyJournal)
	seq     uint64   // number of the journal's last record
}

// A checkpoint comes once the overlay holds this many keys or bytes. A scan
// changes three or four keys, so most scans write only their journal
// record, and the checkpoint that brings a few dozen scans into bbolt
// writes each B+tree page they share once.
const (
	checkpointKeys  = 256
	checkpointBytes = 512 << 10
)

// A commit that changes more than this many keys or bytes (seeding,
// reindexing, an import) goes into bbolt at once, as a checkpoint, rather
// than through the journal and the overlay.
const (
	directKeys  = 1024
	directBytes = 1 << 20
)

// keyJournal in the meta bucket is the generation of the journal records
// that follow what bbolt holds: 8 bytes, little-endian.
var keyJournal = []byte("journal")

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
		return "", fmt.Errorf("cannot find your data folder for the database: %w; give one with --db", err)
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
// is not an ILL Desk database (domain.ErrInvalidInput).
func Open(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, storageError(dir, fmt.Errorf("cannot create the folder for the database %s: %w", path, err))
		}
	}
	if err := lookBeforeOpen(path); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, nil)
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path}
	var ok bool
	err = db.guard(func() error {
		return bdb.View(func(btx *bolt.Tx) error {
			if err := checkSize(path, btx.Size()); err != nil {
				return err
			}
			ok = ready(btx)
			return nil
		})
	})
	if err == nil && !ok {
		err = db.guard(func() error { return bdb.Update(func(btx *bolt.Tx) error { return prepare(btx, path) }) })
	}
	if err == nil {
		err = db.replay()
	}
	if err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// replay opens the journal and brings into bbolt the writes it holds that
// bbolt does not: those committed since the last checkpoint before the
// process ended without closing the database.
func (db *DB) replay() error {
	var gen uint64
	err := db.guard(func() error {
		return db.bolt.View(func(btx *bolt.Tx) error {
			if v := btx.Bucket(bucketMeta).Get(keyJournal); len(v) == 8 {
				gen = binary.LittleEndian.Uint64(v)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	j, recs, err := openJournal(journalPathFor(db.path), gen)
	if err != nil {
		return storageError(db.path, err)
	}
	over := &overlay{layers: layers{}}
	for _, rec := range recs {
		ls, err := decodeLayers(rec)
		if err != nil {
			_ = j.close()
			return damagedDB(db.path, err.Error())
		}
		over = over.with(ls)
	}
	db.journal, db.gen = j, gen
	db.over.Store(over)
	if len(recs) == 0 && gen != 0 {
		return nil // nothing to bring in: the next record starts the journal again
	}
	if err := db.checkpoint(nil); err != nil {
		db.journal = nil
		_ = j.close()
		return err
	}
	return nil
}

// checkpoint writes the overlay, with the changes in also (nil for none),
// into bbolt in one transaction, together with a new journal generation,
// then empties the overlay and has the journal start again. Hold db.mu, or
// be Open. When it fails, the overlay and the journal are as they were.
func (db *DB) checkpoint(also layers) error {
	over := db.over.Load()
	if len(also) > 0 {
		over = over.with(also)
	}
	var gen uint64
	for gen == 0 {
		gen = rand.Uint64()
	}
	err := db.guard(func() error {
		return db.bolt.Update(func(btx *bolt.Tx) error {
			if err := applyLayers(btx, over.layers); err != nil {
				return err
			}
			return btx.Bucket(bucketMeta).Put(keyJournal, binary.LittleEndian.AppendUint64(nil, gen))
		})
	})
	if err != nil {
		return err
	}
	// bbolt has the writes now: readers that take the empty overlay from
	// here on find them there.
	db.over.Store(&overlay{layers: layers{}})
	db.gen, db.seq = gen, 0
	db.journal.restart()
	return nil
}

// applyLayers makes the changes in ls in bbolt, parents before the buckets
// of records inside them.
func applyLayers(btx *bolt.Tx, ls layers) error {
	paths := make([]string, 0, len(ls))
	for p := range ls {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		l := ls[p]
		parent, name, nested := strings.Cut(p, pathSep)
		var b *bolt.Bucket
		var err error
		switch {
		case !nested && l.emptied:
			if err = btx.DeleteBucket([]byte(parent)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return err
			}
			b, err = btx.CreateBucket([]byte(parent))
		case !nested:
			b, err = btx.CreateBucketIfNotExists([]byte(parent))
		default:
			var pb *bolt.Bucket
			if pb, err = btx.CreateBucketIfNotExists([]byte(parent)); err == nil {
				if l.emptied {
					if err = pb.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
						return err
					}
				}
				b, err = pb.CreateBucketIfNotExists([]byte(name))
			}
		}
		if err != nil {
			return err
		}
		b.FillPercent = fillPercent
		for _, c := range l.sortedChanges() {
			if c.val == nil {
				err = b.Delete([]byte(c.key))
			} else {
				err = b.Put([]byte(c.key), c.val)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// openBolt opens the bbolt file at path with opts (nil: read-write) and
// turns bbolt's errors into refusals: another process holds the file, or
// the file is not a bbolt database.
func openBolt(path string, opts *bolt.Options) (*bolt.DB, error) {
	if opts == nil {
		opts = &bolt.Options{}
	}
	opts.Timeout = lockTimeout
	var bdb *bolt.DB
	err := (&DB{path: path}).guard(func() error {
		var err error
		bdb, err = bolt.Open(path, 0o600, opts)
		return err
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, &domain.Refusal{Kind: domain.ErrDatabaseLocked, Msg: fmt.Sprintf(
				"The database %s is already open in another ILL Desk window; close that window first, or start with --db to use another database.", path)}
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
			return nil, notOurs(path)
		case errors.As(err, new(*domain.Refusal)):
			return nil, err
		}
		return nil, fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	return bdb, nil
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
	bdb, err := openBolt(path, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	db := &DB{bolt: bdb, path: path}
	err = db.guard(func() error {
		return bdb.View(func(btx *bolt.Tx) error { return checkSize(path, btx.Size()) })
	})
	if cerr := bdb.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot open the database %s: %w", path, cerr)
	}
	return err
}

// notOurs is the refusal for a file that is not an ILL Desk database.
func notOurs(path string) error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
		"The file %s is not an ILL Desk database; choose another file with --db, or move this one away.", path)}
}

// schemaOf reads the schema version stored in meta. It refuses a missing or
// unreadable version (notOurs) and one newer than this build reads
// (domain.ErrSchemaTooNew).
func schemaOf(meta *bolt.Bucket, path string) (int, error) {
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
func prepare(btx *bolt.Tx, path string) error {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = btx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
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
func migrate(btx *bolt.Tx, from int) error {
	if from < 2 { // 2: every request has a summary
		t := &tx{btx: btx, over: &overlay{}, own: layers{}}
		sums := btx.Bucket(bucketSummaries)
		files := false
		if err := t.ForEachRequest(func(r domain.Request) error {
			files = files || r.ShippedFile != nil
			return sums.Put([]byte(r.ID), encodeSummary(r.Summary()))
		}); err != nil {
			return err
		}
		if files {
			if err := t.PutSetting(domain.SettingVaultInUse, "yes"); err != nil {
				return err
			}
		}
		return applyLayers(btx, t.own)
	}
	return nil
}

// ready reports whether the database needs no setting up or upgrade, so
// that opening it need not write.
func ready(btx *bolt.Tx) bool {
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
	// The overlay first, then bbolt's transaction: a checkpoint commits to
	// bbolt before it empties the overlay, so whichever overlay a read
	// takes, bbolt's pages it reads hold the rest.
	over := db.over.Load()
	return db.guard(func() error {
		return db.bolt.View(func(btx *bolt.Tx) error { return fn(&tx{btx: btx, over: over}) })
	})
}

// Update runs fn in a read-write transaction: when fn returns nil every
// write is committed atomically and durably; when it returns an error
// nothing is. Writes wait for one another; reads do not wait for writes.
func (db *DB) Update(fn func(domain.Tx) error) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.journal == nil {
		return storageError(db.path, berrors.ErrDatabaseNotOpen)
	}
	t := &tx{over: db.over.Load(), own: layers{}}
	err := db.guard(func() error {
		return db.bolt.View(func(btx *bolt.Tx) error { t.btx = btx; return fn(t) })
	})
	if err != nil || len(t.own) == 0 {
		return err
	}
	if n, size := t.own.size(); n > directKeys || size > directBytes {
		return db.checkpoint(t.own)
	}
	if err := db.journal.appendRecord(db.gen, db.seq+1, encodeLayers(t.own)); err != nil {
		return storageError(db.path, err)
	}
	db.seq++
	next := t.over.with(t.own)
	db.over.Store(next)
	if next.keys > checkpointKeys || next.bytes > checkpointBytes {
		// The write is committed whatever becomes of this: a checkpoint
		// that fails is tried again after the next write, and at Close.
		_ = db.checkpoint(nil)
	}
	return nil
}

// settle brings the overlay into bbolt, for what reads bbolt's file whole
// (a backup, a copy to the department database). Hold db.mu.
func (db *DB) settle() error {
	if db.journal == nil {
		return storageError(db.path, berrors.ErrDatabaseNotOpen)
	}
	if len(db.over.Load().layers) == 0 {
		return nil
	}
	return db.checkpoint(nil)
}

// Close brings the journal's writes into bbolt and releases the database
// file and its lock.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.journal == nil {
		return db.bolt.Close()
	}
	err := db.settle()
	if cerr := db.journal.close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot close the journal of %s: %w", db.path, cerr)
	}
	db.journal = nil
	if berr := db.bolt.Close(); err == nil {
		err = berr
	}
	return err
}
