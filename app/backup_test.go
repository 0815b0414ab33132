package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/storage/bolt"
)

// state is what the database says, as the command line shows it.
func (c *cli) state() string {
	c.t.Helper()
	return c.ok("list", "--all", "--json") + c.ok("partner", "list", "--json") + c.ok("config", "show", "--json")
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	c.ok("borrow", "new", "--title", "A book", "--requester", "Pat Patron", "--requester-email", "pat@example.edu",
		"--pickup", "Main Library", "--partner", "RAPID")
	atBackup := c.state()
	backup := filepath.Join(t.TempDir(), "before.db")

	out := c.ok("backup", backup)
	assert.Regexp(t, `^Backup written to .*before\.db \(\d+(\.\d+)? [kKM]B\)\.\n$`, out)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(backup)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	// Work goes on after the backup.
	c.ok("reject", "12345678", "--reason", "NotHeld")
	c.ok("partner", "add", "NEWP", "--name", "New partner")
	c.ok("config", "set", "pickup-locations", "Science Library")
	afterBackup := c.state()
	require.NotEqual(t, atBackup, afterBackup)

	out = c.ok("restore", backup)
	assert.Contains(t, out, "Restored "+c.db+" from "+backup+".")
	m := regexp.MustCompile(`kept as (\S+) \(`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	replaced := m[1]
	assert.Regexp(t, `illdesk\.db\.replaced-\d{8}-\d{6}$`, replaced)

	assert.Equal(t, atBackup, c.state(), "the data is what it was at the backup")
	assert.Contains(t, c.ok("check"), "The database is sound", "a restored database passes check")
	old := &cli{t: t, db: replaced, clock: c.clock}
	assert.Equal(t, afterBackup, old.state(), "the replaced database is kept whole")
}

func TestBackupTargets(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	target := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, os.WriteFile(target, []byte("someone's file"), 0o600))

	code, _, errOut := c.run("backup", target)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already exists")
	assert.Contains(t, errOut, "--force")
	got, _ := os.ReadFile(target)
	assert.Equal(t, "someone's file", string(got), "nothing is overwritten")

	assert.Contains(t, c.ok("backup", target, "--force"), "Backup written to "+target)
	require.NoError(t, bolt.VerifyBackup(target))

	code, _, errOut = c.run("backup", c.db, "--force")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "database itself")

	// No file: the backups folder beside the database; a folder: into it.
	out := c.ok("backup")
	assert.Contains(t, out, filepath.Join(filepath.Dir(c.db), "backups", "illdesk-2026-11-20-150000.db"))
	folder := t.TempDir()
	out = c.ok("backup", folder)
	assert.Contains(t, out, filepath.Join(folder, "illdesk-2026-11-20-150000.db"))

	for _, args := range [][]string{{"backup", "a.db", "b.db"}, {"backup", "--daily", "a.db"}, {"backup", "--colour"}} {
		code, _, _ := c.run(args...)
		assert.Equal(t, 2, code, "%v", args)
	}
}

func TestBackupDailyAndKeepSetting(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	dir := filepath.Join(filepath.Dir(c.db), "backups")
	today := filepath.Join(dir, "illdesk-2026-11-20.db")

	assert.Contains(t, c.ok("config", "show"), "backup-keep               14")
	assert.Equal(t, "Today's backup written to "+today+"; the newest 14 daily backups are kept.\n", c.ok("backup", "--daily"))
	assert.Contains(t, c.ok("backup", "--daily"), "was already there")

	for day := 21; day <= 25; day++ {
		c.clock = c.clock.AddDate(0, 0, 1)
		c.ok("backup", "--daily")
	}
	c.ok("config", "set", "backup-keep", "2")
	c.clock = c.clock.AddDate(0, 0, 1)
	c.ok("backup", "--daily")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"illdesk-2026-11-25.db", "illdesk-2026-11-26.db"}, names)

	c.ok("config", "set", "backup-keep", "0")
	c.clock = c.clock.AddDate(0, 0, 1)
	assert.Contains(t, c.ok("backup", "--daily"), "Daily backups are off")
	entries, _ = os.ReadDir(dir)
	assert.Len(t, entries, 2, "nothing made, nothing deleted")

	code, _, errOut := c.run("config", "set", "backup-keep", "-3")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "from 0 (none)")
	code, _, _ = c.run("config", "set", "backup-keep", "lots")
	assert.Equal(t, 2, code)
	assert.Contains(t, c.ok("config", "show"), "backup-keep               0", "a refused value changes nothing")

	audit := c.ok("audit", "--action", "configure")
	assert.Contains(t, audit, "backup_keep: 14 → 2")
	assert.Contains(t, audit, "backup_keep: 2 → 0")
}

func TestRestoreRefusals(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	good := filepath.Join(t.TempDir(), "good.db")
	c.ok("backup", good)
	bad := filepath.Join(t.TempDir(), "bad.db")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Repeat("not a database\n", 500)), 0o600))
	before := c.state()
	folderBefore := func() []string {
		entries, err := os.ReadDir(filepath.Dir(c.db))
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	listed := folderBefore()

	code, _, errOut := c.run("restore", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not an ILL Desk backup")

	db, err := bolt.Open(c.db) // a window has the database open
	require.NoError(t, err)
	code, _, errOut = c.run("restore", good)
	require.NoError(t, db.Close())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "close it first")

	code, _, _ = c.run("restore")
	assert.Equal(t, 2, code)
	code, _, _ = c.run("--demo", "restore", good)
	assert.Equal(t, 2, code)

	assert.Equal(t, before, c.state(), "a refused restore changes nothing")
	assert.Equal(t, listed, folderBefore(), "and leaves nothing beside the database")
}

func TestRestoreNeedsNoReadableDatabase(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	good := filepath.Join(t.TempDir(), "good.db")
	c.ok("backup", good)
	want := c.state()
	require.NoError(t, os.WriteFile(c.db, []byte("scrambled by a disk failure"), 0o600))
	code, _, _ := c.run("list")
	require.Equal(t, 1, code, "the damaged database cannot be opened")

	out := c.ok("restore", good)
	assert.Contains(t, out, "kept as")
	assert.Equal(t, want, c.state())
}
