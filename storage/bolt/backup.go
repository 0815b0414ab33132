package bolt

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// Backups are whole database files: a consistent snapshot taken in one read
// transaction, so staff keep working while it is written. They hold patron
// names and emails, so they are created with mode 0600. The shipped PDFs in
// the vault are not part of them.
//
// Daily snapshots go to BackupDirFor(dbPath) and are named
// illdesk-YYYY-MM-DD.db; "Back up now" snapshots go to the same folder as
// illdesk-YYYY-MM-DD-HHMMSS.db and are never deleted by ILL Desk.

// restoreLockTimeout bounds how long Restore waits for another process's
// lock on the database before saying it is open elsewhere.
const restoreLockTimeout = 300 * time.Millisecond

// dailyName matches the name of a daily snapshot; only files named so are
// ever deleted by DailySnapshot.
var dailyName = regexp.MustCompile(`^illdesk-(\d{4}-\d{2}-\d{2})\.db$`)

// BackupDirFor is the folder the snapshots of the database at dbPath go to:
// a folder named "backups" next to the database file.
func BackupDirFor(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "backups")
}

// Backup writes a consistent snapshot of the whole database to w, taken in a
// read transaction (writes go on meanwhile and are not in it), and returns
// the number of bytes written.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	ew := &errWriter{w: w}
	err := db.read(func(btx *bbolt.Tx) error {
		var err error
		n, err = btx.WriteTo(ew)
		return err
	})
	if ew.err != nil {
		err = ew.err // bbolt words it without wrapping: a full disk would not show
	}
	if err != nil {
		return n, fmt.Errorf("cannot write the backup of %s: %w", db.path, err)
	}
	return n, nil
}

// errWriter keeps the first error of writing to w.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// BackupTo writes a snapshot of the database (see Backup) to the file path
// and returns its size. The file appears whole or not at all: it is written
// to a temporary file in the same folder, fsynced, then renamed into place
// (mode 0600) and the folder fsynced. An existing file is refused
// (domain.ErrInvalidInput) unless replace is true; the database file itself
// is always refused.
func (db *DB) BackupTo(path string, replace bool) (int64, error) {
	if sameFile(path, db.path) {
		return 0, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"%s is the database itself; write the backup to another file.", path)}
	}
	n, err := writeAtomic(path, replace, db.Backup)
	return n, storage.SystemError(filepath.Dir(path), err)
}

// Snapshot writes a snapshot of the database into the folder dir (created
// when missing, mode 0700) as illdesk-YYYY-MM-DD-HHMMSS.db after now, with a
// "-2", "-3", ... suffix when that name is taken, and returns its path and
// size. DailySnapshot never deletes these.
func Snapshot(db *DB, dir string, now time.Time) (string, int64, error) {
	if err := storage.MkdirAll(dir); err != nil {
		return "", 0, fmt.Errorf("cannot create the backup folder %s: %w", dir, err)
	}
	stem := "illdesk-" + now.Format("2006-01-02-150405")
	for i := 1; i <= 100; i++ {
		name := stem + ".db"
		if i > 1 {
			name = stem + "-" + strconv.Itoa(i) + ".db"
		}
		path := filepath.Join(dir, name)
		n, err := db.BackupTo(path, false)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return path, n, err
	}
	return "", 0, fmt.Errorf("the backup folder %s already holds 100 snapshots named %s; remove some first", dir, stem)
}

// DailySnapshot makes today's snapshot of the database in dir, named
// illdesk-YYYY-MM-DD.db after now's date, unless a file of that name is
// there already (made reports which), then deletes the oldest daily
// snapshots so that only keep remain, today's always among them. Only files
// named like a daily snapshot are ever deleted. keep ≤ 0 turns daily
// snapshots off: nothing is written or deleted and path is "".
func DailySnapshot(db *DB, dir string, keep int, now time.Time) (path string, made bool, err error) {
	if keep <= 0 {
		return "", false, nil
	}
	if err := storage.MkdirAll(dir); err != nil {
		return "", false, fmt.Errorf("cannot create the backup folder %s: %w", dir, err)
	}
	today := "illdesk-" + now.Format("2006-01-02") + ".db"
	path = filepath.Join(dir, today)
	switch _, err := os.Lstat(path); {
	case errors.Is(err, fs.ErrNotExist):
		_, err := db.BackupTo(path, false)
		switch {
		case errors.Is(err, fs.ErrExist): // made meanwhile by another window
		case err != nil:
			return path, false, err
		default:
			made = true
		}
	case err != nil:
		return path, false, fmt.Errorf("cannot look for today's backup %s: %w", path, err)
	}
	return path, made, pruneDaily(dir, today, keep)
}

// pruneDaily deletes the oldest daily snapshots in dir beyond the newest
// keep, never the one named today.
func pruneDaily(dir, today string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read the backup folder %s: %w", dir, err)
	}
	var old []string
	for _, e := range entries {
		m := dailyName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() || e.Name() == today {
			continue
		}
		if _, err := time.Parse("2006-01-02", m[1]); err != nil {
			continue
		}
		old = append(old, e.Name())
	}
	slices.Sort(old) // the date in the name sorts oldest first
	var first error
	for len(old) > keep-1 {
		if err := os.Remove(filepath.Join(dir, old[0])); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = fmt.Errorf("cannot delete the old backup %s: %w", filepath.Join(dir, old[0]), err)
		}
		old = old[1:]
	}
	return first
}

// VerifyBackup checks that the file at path is a whole ILL Desk database of
// a schema this build reads: it is opened read-only, its length is checked
// against what its pages need, and every bucket, key and value is read once
// before bbolt's own consistency check (tx.Check) runs. A file that fails is
// refused with a *domain.Refusal saying what to do; the file is never
// changed.
func VerifyBackup(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"There is no file %s; check the name of the backup (daily snapshots are in the backups folder beside the database).", path)}
	case err != nil:
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"The backup %s cannot be read (%v); check the file and its permissions.", path, err)}
	case !fi.Mode().IsRegular():
		return notABackup(path)
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return &domain.Refusal{Kind: domain.ErrBackupInUse, Path: path, Msg: fmt.Sprintf(
			"%s is a database open in ILL Desk right now, not a backup.", path)}
	}
	if err != nil {
		return notABackup(path)
	}
	defer bdb.Close()
	return bdb.View(func(btx *bbolt.Tx) error { return verifyTx(btx, path, fi.Size()) })
}

// verifyTx is VerifyBackup's look inside the file, of size bytes. bbolt
// panics on some damaged pages, and a page that points outside the file
// makes it read unmapped memory; both are turned into a refusal here
// instead of ending the program. (tx.Check recovers its own panics but runs
// in a goroutine of its own, where a fault could not be caught: it runs
// last, once every page has been read here.)
func verifyTx(btx *bbolt.Tx, path string, size int64) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, fmt.Sprintf("reading it failed: %v", r))
		}
	}()
	if need := btx.Size(); size < need {
		return damaged(path, fmt.Sprintf("it is cut off: %d of its %d bytes are there", size, need))
	}
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		return notABackup(path)
	}
	if _, err := schemaOf(meta, path); err != nil {
		if errors.Is(err, domain.ErrSchemaTooNew) {
			return err
		}
		return notABackup(path)
	}
	if err := readAll(btx); err != nil {
		return damaged(path, err.Error())
	}
	var first error
	for err := range btx.Check() { // drained to the end: the check runs in its own goroutine
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return damaged(path, first.Error())
	}
	return nil
}

// readAll reads every key and value of every bucket once, so that a damaged
// page shows before tx.Check walks the file.
func readAll(btx *bbolt.Tx) error {
	h := crc32.NewIEEE()
	var walk func(b *bbolt.Bucket) error
	walk = func(b *bbolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			_, _ = h.Write(k)
			if v == nil {
				if child := b.Bucket(k); child != nil {
					return walk(child)
				}
				return nil
			}
			_, _ = h.Write(v)
			return nil
		})
	}
	return btx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		_, _ = h.Write(name)
		return walk(b)
	})
}

func notABackup(path string) error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
		"The file %s is not an ILL Desk backup (or it is too damaged to read); choose another backup file — daily snapshots are in the backups folder beside the database.", path)}
}

func damaged(path, why string) error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
		"The backup %s is damaged (%s); choose another backup file, e.g. an earlier daily snapshot.", path, why)}
}

// Restore replaces the database at dbPath with the backup file. It verifies
// the backup first (VerifyBackup) and refuses while the database is open in
// a window or another command (domain.ErrDatabaseInUse); a refusal changes
// nothing. The database it replaces is kept beside it as
// dbPath + ".replaced-YYYYMMDD-HHMMSS" (never deleted; its path is
// returned, or "" when there was no database). The backup is copied into
// place atomically: a temporary file in the database's folder is written,
// fsynced and renamed over dbPath (mode 0600), then the folder is fsynced.
// A journal an earlier version left beside the database goes with the
// database it replaces.
func Restore(backup, dbPath string) (replacedPath string, err error) {
	defer func() { err = storage.SystemError(filepath.Dir(dbPath), err) }()
	if err := VerifyBackup(backup); err != nil {
		return "", err
	}
	if sameFile(backup, dbPath) {
		return "", &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"%s is the database itself; choose a backup file to restore.", backup)}
	}
	if err := notInUse(dbPath); err != nil {
		return "", err
	}
	dir := filepath.Dir(dbPath)
	if err := storage.MkdirAll(dir); err != nil {
		return "", fmt.Errorf("cannot create the folder for the database %s: %w", dbPath, err)
	}
	tmp, err := copyToTemp(backup, dir)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := notInUse(dbPath); err != nil { // opened while the copy was written
		return "", err
	}
	if _, err := os.Lstat(dbPath); err == nil {
		if replacedPath, err = keepReplaced(dbPath, time.Now()); err != nil {
			return "", err
		}
	}
	// A journal holds writes of the database being replaced, which a crash
	// may have left out of its file: it goes with that database, never to
	// be brought into the backup when it is opened.
	journal := journalPathFor(dbPath)
	movedJournal := false
	if _, err := os.Lstat(journal); err == nil {
		if replacedPath == "" {
			err = os.Remove(journal)
		} else {
			err = os.Rename(journal, journalPathFor(replacedPath))
			movedJournal = err == nil
		}
		if err != nil {
			if replacedPath != "" {
				_ = os.Remove(replacedPath)
			}
			return "", fmt.Errorf("cannot move the journal of %s aside (nothing was changed): %w", dbPath, err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		if movedJournal {
			_ = os.Rename(journalPathFor(replacedPath), journal)
		}
		if replacedPath != "" {
			_ = os.Remove(replacedPath) // the old database is still in place
		}
		return "", fmt.Errorf("cannot put the backup in place of %s (nothing was changed): %w", dbPath, err)
	}
	if err := storage.SyncDir(dir); err != nil {
		return replacedPath, fmt.Errorf("the backup was restored to %s but its folder could not be saved to disk: %w", dbPath, err)
	}
	return replacedPath, nil
}

// notInUse refuses while another process (or this one) holds the database
// at dbPath open. A missing or unreadable database is not in use.
func notInUse(dbPath string) error {
	bdb, err := bbolt.Open(dbPath, 0o600, &bbolt.Options{ReadOnly: true, Timeout: restoreLockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return &domain.Refusal{Kind: domain.ErrDatabaseInUse, Path: dbPath, Msg: fmt.Sprintf(
			"The database %s is open in ILL Desk; nothing was changed.", dbPath)}
	}
	if err != nil {
		return nil // missing or damaged: it is replaced (and kept)
	}
	return bdb.Close()
}

// copyToTemp copies src into a new temporary file (mode 0600) in dir,
// fsynced and closed, and returns its path.
func copyToTemp(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("cannot read the backup %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, ".illdesk-restore-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write in the database folder %s: %w", dir, err)
	}
	if err := fill(out, func(w io.Writer) (int64, error) { return io.Copy(w, in) }); err != nil {
		_ = os.Remove(out.Name())
		return "", fmt.Errorf("cannot copy the backup %s: %w", src, err)
	}
	return out.Name(), nil
}

// keepReplaced keeps the database at dbPath under a new name,
// dbPath.replaced-YYYYMMDD-HHMMSS (with "-2", ... when taken): a hard link
// where the file system has them, otherwise an fsynced copy.
func keepReplaced(dbPath string, now time.Time) (string, error) {
	stem := dbPath + ".replaced-" + now.Format("20060102-150405")
	for i := 1; i <= 100; i++ {
		name := stem
		if i > 1 {
			name = stem + "-" + strconv.Itoa(i)
		}
		if _, err := os.Lstat(name); err == nil {
			continue
		}
		if err := os.Link(dbPath, name); err != nil {
			tmp, err := copyToTemp(dbPath, filepath.Dir(dbPath))
			if err != nil {
				return "", fmt.Errorf("cannot keep a copy of the database being replaced (nothing was changed): %w", err)
			}
			if err := os.Rename(tmp, name); err != nil {
				_ = os.Remove(tmp)
				return "", fmt.Errorf("cannot keep a copy of the database being replaced (nothing was changed): %w", err)
			}
		}
		if err := storage.SyncDir(filepath.Dir(dbPath)); err != nil {
			_ = os.Remove(name)
			return "", fmt.Errorf("cannot keep the database being replaced (nothing was changed): %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("there are already 100 databases named %s*; move some away first", stem)
}

// writeAtomic creates the file path (mode 0600) from write through a
// temporary file in the same folder: written, fsynced, closed, then moved
// into place, and the folder fsynced. Unless replace is true an existing
// file is never overwritten: the refusal then wraps fs.ErrExist. On failure
// nothing is left behind.
func writeAtomic(path string, replace bool, write func(io.Writer) (int64, error)) (int64, error) {
	exists := func() error {
		return &existsRefusal{domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"The file %s already exists; choose another name so it is not overwritten.", path)}}
	}
	if _, err := os.Lstat(path); err == nil && !replace {
		return 0, exists()
	}
	dir := filepath.Dir(path)
	out, err := os.CreateTemp(dir, ".illdesk-backup-*.tmp")
	if err != nil {
		return 0, fmt.Errorf("cannot write a backup in the folder %s: %w", dir, err)
	}
	tmp := out.Name()
	var n int64
	if err := fill(out, func(w io.Writer) (int64, error) {
		var err error
		n, err = write(w)
		return n, err
	}); err != nil {
		_ = os.Remove(tmp)
		return 0, err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		_ = os.Remove(tmp)
		return 0, exists()
	} else if err != nil { // no hard links here (e.g. FAT): check, then rename
		if _, serr := os.Lstat(path); serr == nil {
			_ = os.Remove(tmp)
			return 0, exists()
		}
		err = os.Rename(tmp, path)
	} else {
		err = os.Remove(tmp)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("cannot save the backup as %s: %w", path, err)
	}
	if err := storage.SyncDir(dir); err != nil {
		return n, fmt.Errorf("cannot save the folder %s to disk: %w", dir, err)
	}
	return n, nil
}

// existsRefusal is the refusal for a file that already exists; it matches
// both domain.ErrInvalidInput and fs.ErrExist.
type existsRefusal struct{ domain.Refusal }

// Is reports whether target is fs.ErrExist (the Refusal covers its kind).
func (e *existsRefusal) Is(target error) bool { return target == fs.ErrExist }

// Unwrap returns the embedded refusal, so errors.As finds a *domain.Refusal.
func (e *existsRefusal) Unwrap() error { return &e.Refusal }

// fill writes an open file through write, sets mode 0600, fsyncs and
// closes it. The file is closed whatever happens.
func fill(f *os.File, write func(io.Writer) (int64, error)) error {
	if _, err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
