package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
