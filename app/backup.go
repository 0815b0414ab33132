package main

import (
	"fmt"
	"os"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/postgres"
)

const backupUsage = "backup [FILE|FOLDER] [--force] | backup --daily"

// errDepartmentBackup answers backup and restore on a department database:
// PostgreSQL is backed up on the server.
var errDepartmentBackup = &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "A department database on PostgreSQL is backed up on its server " +
	"(pg_dump, or your IT team's backups), not from a workstation; illdesk backup and restore work on a workstation's own database."}

// cmdBackup writes a snapshot of the database: to FILE (refused when it
// exists, unless --force), into FOLDER, or, with no argument, into the
// backups folder beside the database. --daily does what the window does at
// start: today's snapshot if there is none, keeping the newest backup-keep.
func (s *dataCommands) cmdBackup(args []string) error {
	fs := newFlags("backup")
	force := fs.Bool("force", false, "replace FILE when it exists")
	daily := fs.Bool("daily", false, "make today's daily snapshot if there is none and delete the oldest beyond backup-keep")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 || (*daily && (len(pos) > 0 || *force)) {
		return usagef("usage: illdesk %s", backupUsage)
	}
	if s.db == nil {
		return errDepartmentBackup
	}
	if *daily {
		return s.backupDaily()
	}
	var path string
	var n int64
	switch {
	case len(pos) == 0:
		path, n, err = bolt.Snapshot(s.db, bolt.BackupDirFor(s.dbPath), s.now())
	case isDir(s.local(pos[0])):
		path, n, err = bolt.Snapshot(s.db, s.local(pos[0]), s.now())
	default:
		path = pos[0]
		if _, serr := os.Lstat(s.local(path)); serr == nil && !*force {
			return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
				"The file %s already exists; choose another name, or add --force to replace it.", path)}
		}
		n, err = s.db.BackupTo(s.local(path), *force)
	}
	if err != nil {
		return err
	}
	s.printf("Backup written to %s (%s).\n", path, domain.HumanBytes(n))
	return nil
}

// backupDaily is `illdesk backup --daily`, for a workstation whose window
// is not opened every day (run it from cron or the task scheduler).
func (s *dataCommands) backupDaily() error {
	keep, err := s.desk.BackupKeep()
	if err != nil {
		return err
	}
	path, made, err := s.dailySnapshot()
	switch {
	case err != nil:
		return err
	case keep == 0:
		s.printf("Daily backups are off (config set backup-keep 0); nothing was written.\n")
	case made:
		s.printf("Today's backup written to %s; the newest %d daily backups are kept.\n", path, keep)
	default:
		s.printf("Today's backup %s was already there; the newest %d daily backups are kept.\n", path, keep)
	}
	return nil
}

// dailySnapshot makes today's snapshot in the backups folder beside the
// database unless it exists, keeping the newest backup-keep of them (none
// are made when it is 0). The window runs it at start.
func (s *session) dailySnapshot() (path string, made bool, err error) {
	keep, err := s.desk.BackupKeep()
	if err != nil {
		return "", false, err
	}
	return bolt.DailySnapshot(s.db, bolt.BackupDirFor(s.dbPath), keep, s.now())
}

// backupNow writes a snapshot into the backups folder beside the database
// and returns its path: the window's "Back up now".
func (s *session) backupNow() (string, error) {
	path, _, err := bolt.Snapshot(s.db, bolt.BackupDirFor(s.dbPath), s.now())
	return path, err
}

// cmdRestore replaces the database with a backup. It runs without opening
// the database (dispatch hands it over first): the database may be damaged,
// and an open one could not be replaced. It needs no sign-in, as copying
// the file by hand would not.
func (s *dataCommands) cmdRestore(args []string) error {
	fs := newFlags("restore")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "restore FILE"); err != nil {
		return err
	}
	if s.demo {
		return usagef("restore works on a real database, not on --demo")
	}
	dbPath, err := s.databasePath()
	if err != nil {
		return err
	}
	if postgres.IsURL(dbPath) {
		return errDepartmentBackup
	}
	if heldByOther(dbPath) {
		return heldElsewhere(dbPath, "close it first, then restore. Nothing was changed.")
	}
	replaced, err := bolt.Restore(pos[0], dbPath)
	if err != nil {
		return err
	}
	s.printf("Restored %s from %s.\n", dbPath, pos[0])
	if replaced != "" {
		s.printf("The database it replaced is kept as %s (restore that file the same way to go back).\n", replaced)
	}
	return nil
}

// databasePath is the database file this session works on: --db,
// ILLDESK_DB, or the default.
func (s *session) databasePath() (string, error) {
	if s.dbPath != "" {
		return s.dbPath, nil
	}
	p, err := bolt.DefaultPath()
	if err != nil {
		return "", fmt.Errorf("no database path: %w; give one with --db", err)
	}
	return p, nil
}

// now is the session's clock.
func (s *session) now() time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	return time.Now()
}

// isDir reports whether path is an existing folder.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
