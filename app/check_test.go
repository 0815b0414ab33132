package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestCheckCommand(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "Journal")
	c.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))

	out := c.ok("check")
	assert.Contains(t, out, "The database is sound: 1 requests, 1 files in the vault.")

	// a crash between storing a scan and recording the shipment leaves an orphan
	orphan := filepath.Join(filepath.Dir(c.db), "vault", "99999999.pdf")
	require.NoError(t, os.WriteFile(orphan, []byte("%PDF-1.7 partial"), 0o600))
	code, out, errOut := c.run("check", "--json")
	assert.Equal(t, 1, code)
	var rep domain.CheckReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Problems, 1)
	assert.Equal(t, domain.ProblemVaultOrphan, rep.Problems[0].Kind)
	assert.Equal(t, "99999999.pdf", rep.Problems[0].File)
	assert.Contains(t, errOut, "1 problem(s) found")
	assert.Contains(t, errOut, "check --repair")

	out = c.ok("check", "--repair")
	assert.Contains(t, out, "repaired")
	assert.NoFileExists(t, orphan)
	assert.Contains(t, c.ok("check", "--json"), `"problems": []`)

	// the shipped file changed on disk: reported, not repairable
	shipped := filepath.Join(filepath.Dir(c.db), "vault", "12345678.pdf")
	require.NoError(t, os.WriteFile(shipped, []byte("%PDF-1.7 other"), 0o600))
	code, out, _ = c.run("check", "--repair")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, string(domain.ProblemVaultMismatch))

	code, _, errOut = c.run("check", "extra")
	assert.Equal(t, 2, code, errOut)
}

func TestOutboxExportIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are POSIX")
	}
	c := newCLI(t)
	c.ok("partner", "add", "UMICH", "--name", "Michigan", "--agency-id", "ISIL:US-MIU") // no endpoint: messages go out as files
	c.ok("borrow", "new", "--partner", "UMICH", "--title", "A book", "--requester", "Pat Patron", "--pickup", "Main")
	dir := filepath.Join(t.TempDir(), "export")
	assert.Contains(t, c.ok("outbox", "export", dir), "1 messages written")
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the folder of messages naming patrons")
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	info, err = os.Stat(files[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestMissingVaultIsRefused(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "Journal")
	vault := filepath.Join(filepath.Dir(c.db), "vault")
	require.NoError(t, os.RemoveAll(vault))
	c.ok("list") // nothing was ever shipped: the folder is simply made again
	require.DirExists(t, vault)

	c.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))
	require.NoError(t, os.Rename(vault, vault+".moved"))
	code, _, errOut := c.run("list")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "vault folder "+vault+", which holds the PDFs already shipped, is missing")
	assert.NoDirExists(t, vault, "no empty vault is made in its place")

	require.NoError(t, os.Rename(vault+".moved", vault))
	assert.Contains(t, c.ok("check"), "sound")
}
