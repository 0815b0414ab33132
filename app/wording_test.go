package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/bolt"
)

func TestStoreRefusalsSayWhatToDoOnTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	backup := filepath.Join(t.TempDir(), "backup.db")
	c.ok("backup", backup)
	notADB := filepath.Join(t.TempDir(), "notes.csv")
	require.NoError(t, os.WriteFile(notADB, []byte("a,b\n1,2\n"), 0o600))

	held, err := bolt.Open(c.db)
	require.NoError(t, err)
	defer held.Close()
	tests := []struct {
		name string
		cli  *cli
		args []string
		says string
	}{
		{"the database open elsewhere", c, []string{"list"}, "The database " + c.db +
			" is already open in another ILL Desk window; close that window first, or start with --db to use another database."},
		{"restoring over it", c, []string{"restore", backup}, "The database " + c.db +
			" is open in an ILL Desk window or another illdesk command; close it first, then restore again. Nothing was changed."},
		{"a file that is not a database", &cli{t: t, db: notADB, clock: fixedNow}, []string{"list"}, "The file " + notADB +
			" is not an ILL Desk database; choose another file with --db, or move this one away."},
		{"restoring the open database as a backup", &cli{t: t, db: filepath.Join(t.TempDir(), "other.db"), clock: fixedNow},
			[]string{"restore", c.db}, c.db + " is a database open in ILL Desk right now, not a backup; choose a backup file, or close that window first."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := tt.cli.run(tt.args...)
			assert.Equal(t, 1, code)
			assert.Equal(t, "illdesk: "+tt.says+"\n", errOut)
		})
	}
}

func TestStoreRefusalsWordedForTheCommandLine(t *testing.T) {
	db := filepath.Join("x", "illdesk.db")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a damaged database", &domain.Refusal{Kind: domain.ErrDatabaseDamaged, Path: db, Detail: "page 7",
			Msg: "The database " + db + " is damaged (page 7). Nothing more was changed."},
			"The database " + db + " is damaged (page 7). Nothing more was changed. Restore the latest backup with illdesk restore FILE " +
				"(daily backups are in " + filepath.Join("x", "backups") + "); the damaged file is kept beside it."},
		{"a damaged value", storage.DamagedValue("request", "0193", errors.New("unexpected end")),
			"The stored request 0193 is damaged (unexpected end). Run illdesk check to see what else is; " +
				"restore the latest backup with illdesk restore FILE."},
		{"a folder it may not write", storage.SystemError(db, &fs.PathError{Op: "open", Path: db, Err: syscall.EACCES}),
			"ILL Desk may not write to " + db + " (the folder is read-only or you lack permission), so nothing was saved. " +
				"Give your account write access to the folder, or start with --db to use a folder you can write to."},
		{"a full disk", storage.SystemError(db, &fs.PathError{Op: "write", Path: db, Err: syscall.ENOSPC}),
			"The disk is full: free space on the disk holding " + db + "; the last change was not saved."},
		{"a disk that stopped answering", storage.SystemError(db, &fs.PathError{Op: "write", Path: db, Err: syscall.EIO}),
			"The disk holding " + db + " stopped answering (write " + db + ": input/output error); this change was not saved. " +
				"Nothing else was lost; try again when the disk is back."},
		{"the vault missing", &domain.Refusal{Kind: domain.ErrVaultMissing, Path: "v",
			Msg: "The vault folder v, which holds the PDFs already shipped, is missing."},
			"The vault folder v, which holds the PDFs already shipped, is missing. Reconnect the drive or put the folder back " +
				"(from your file backup), then start ILL Desk again. To go on without those files, create the empty folder; " +
				"illdesk check then lists every file that is missing."},
		{"wrapped, its context kept", fmt.Errorf("import row 3: %w", storage.DamagedValue("partner", "BL", errors.New("bad"))),
			"import row 3: The stored partner BL is damaged (bad). Run illdesk check to see what else is; " +
				"restore the latest backup with illdesk restore FILE."},
		{"a change whose outcome is not known", &domain.Refusal{Kind: domain.ErrOutcomeUnknown, IDs: []string{"0193"},
			Msg: "The connection broke while the change was being saved: it is not known whether it was saved."},
			"The connection broke while the change was being saved: it is not known whether it was saved. " +
				"Once the database answers, look with illdesk show 0193 whether it was, before doing it again."},
		{"one of several requests", &domain.Refusal{Kind: domain.ErrOutcomeUnknown, IDs: []string{"0193", "0194"}, Msg: "Not known."},
			"Not known. Once the database answers, look with illdesk show whether it was (requests 0193, 0194), before doing it again."},
		{"of no request", &domain.Refusal{Kind: domain.ErrOutcomeUnknown, Msg: "Not known."},
			"Not known. Once the database answers, look with illdesk list whether it was, before doing it again."},
		{"the department database unavailable", &domain.Refusal{Kind: domain.ErrDatabaseUnreachable,
			Msg: "The department database postgres://h1,h2/d was unavailable (conn closed); nothing was changed."},
			"The department database postgres://h1,h2/d was unavailable (conn closed); nothing was changed."},
		{"a refusal that says it all", &domain.Refusal{Kind: domain.ErrDiskFull, Msg: "The disk is full."}, "The disk is full."},
		{"another error", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, worded(tt.err))
		})
	}
}
