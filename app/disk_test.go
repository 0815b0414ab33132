package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/internal/tmpfstest"
)

// onDisk is a cli whose database (and so its vault, work and backups
// folders) is on a real small disk of its own.
func onDisk(t *testing.T) (*cli, string) {
	disk := tmpfstest.Mount(t, "8m")
	return &cli{t: t, db: filepath.Join(disk, "illdesk.db"), clock: fixedNow}, disk
}

// noRuntimeText fails when stderr shows a Go runtime message, not a sentence.
func noRuntimeText(t *testing.T, stderr string) {
	t.Helper()
	for _, s := range []string{"goroutine", "panic", "runtime error", "fatal error", "damaged"} {
		assert.NotContains(t, stderr, s)
	}
}

func TestAFullDiskIsRefusedClearlyAndWorksOnceFreed(t *testing.T) {
	c, disk := onDisk(t)
	setupLending(c)
	scan := pdf(t, "valid_scan_3pages.pdf")
	filler := tmpfstest.Fill(t, disk)

	before := c.ok("list", "--all", "--json")
	for _, args := range [][]string{{"ship", "12345678", scan}, {"backup"}, {"seed", "--requests", "3000"}} {
		code, out, errOut := c.run(args...)
		require.Equal(t, 1, code, "illdesk %v on a full disk: %s", args, out)
		t.Logf("illdesk %v: %s", args, errOut)
		assert.Contains(t, errOut, "The disk is full: free space on the disk holding ")
		assert.Contains(t, errOut, "the last change was not saved.")
		noRuntimeText(t, errOut)
	}
	assert.Equal(t, before, c.ok("list", "--all", "--json"), "the refused commands changed nothing")
	assert.Contains(t, c.ok("check"), "sound", "nothing is half-written in the database")
	vault, _ := os.ReadDir(filepath.Join(disk, "vault"))
	assert.Empty(t, vault, "no file is left half-written in the vault")
	backups, _ := os.ReadDir(filepath.Join(disk, "backups"))
	assert.Empty(t, backups, "no backup is left half-written")

	require.NoError(t, os.Remove(filler))
	assert.Contains(t, c.ok("check"), "sound")
	c.ok("ship", "12345678", scan)
	assert.Equal(t, "shipped_digitally", c.show("12345678")["status"])
	c.ok("backup")
}

func TestAReadOnlyDiskIsRefusedClearlyAndChangesNothing(t *testing.T) {
	c, disk := onDisk(t)
	setupLending(c)
	before := c.ok("list", "--all", "--json")
	tmpfstest.ReadOnly(t, disk, true)

	for _, args := range [][]string{
		{"lend", "new", "--partner", "RAPID", "--external-id", "777", "--title", "Not saved"},
		{"ship", "12345678", pdf(t, "valid_scan_3pages.pdf")},
		{"backup"},
	} {
		code, out, errOut := c.run(args...)
		require.Equal(t, 1, code, "illdesk %v on a read-only disk: %s", args, out)
		t.Logf("illdesk %v: %s", args, errOut)
		assert.Contains(t, errOut, "ILL Desk may not write to "+disk)
		assert.Contains(t, errOut, "read-only")
		assert.Contains(t, errOut, "nothing was saved")
		noRuntimeText(t, errOut)
	}

	tmpfstest.ReadOnly(t, disk, false)
	assert.Equal(t, before, c.ok("list", "--all", "--json"), "nothing changed")
	assert.Contains(t, c.ok("check"), "sound")
}
