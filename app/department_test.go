package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/internal/pgtest"
)

// departmentCLI runs illdesk on a department database with a shared vault.
func departmentCLI(t *testing.T) (c *cli, url, vault string) {
	t.Helper()
	url = pgtest.ForTest(t)
	vault = filepath.Join(t.TempDir(), "shared-vault")
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // this workstation's work folder
	return &cli{t: t, db: url, clock: fixedNow, global: []string{"--vault", vault}}, url, vault
}

func TestDepartmentDatabaseCommands(t *testing.T) {
	c, url, vault := departmentCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "Journal")
	c.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))
	assert.FileExists(t, filepath.Join(vault, "12345678.pdf"), "shipped files go to the shared folder")
	assert.Equal(t, "shipped_digitally", c.show("12345678")["status"])
	assert.Contains(t, c.ok("check"), "The database is sound: 1 requests, 1 files in the vault.")

	code, _, errOut := c.run("backup")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "backed up on its server")

	c.global = nil
	code, _, errOut = c.run("list")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--vault PATH, or ILLDESK_VAULT")
	_ = url
}

func TestMigrateWorkstationToDepartment(t *testing.T) {
	ws := newCLI(t)
	ws.ok("partner", "add", "RAPID", "--name", "RapidILL")
	ws.ok("lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "Journal")
	ws.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))
	ws.ok("borrow", "new", "--title", "A book", "--requester", "Pat Patron", "--pickup", "Main", "--partner", "RAPID")
	ws.ok("seed", "--requests", "500")
	before := ws.ok("list", "--all", "--json")

	dept, url, vault := departmentCLI(t)
	out := dept.ok("migrate", "--from", ws.db, "--to", url, "--vault", vault, "--json")
	var res migrateResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, 502, res.Copied.Requests)
	assert.Equal(t, 502, res.FromRequests)
	assert.Equal(t, 502, res.ToRequests, "the counts match")
	assert.True(t, res.FromSound)
	assert.True(t, res.ToSound, "check passes on both sides")
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, before, dept.ok("list", "--all", "--json"), "nothing lost: the same requests, field for field")

	code, _, errOut := dept.run("migrate", "--from", ws.db, "--to", url, "--vault", vault)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "moved before. Nothing was copied.")
	assert.Contains(t, dept.ok("check"), "502 requests")
}

// TestTwoWorkstationProcesses runs two illdesk processes against one
// department database at the same moment, each rejecting the same request:
// exactly one succeeds and the other is told who did it.
func TestTwoWorkstationProcesses(t *testing.T) {
	c, url, vault := departmentCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	for round := range 10 {
		ext := fmt.Sprintf("TWO-%d", round)
		c.ok("lend", "new", "--partner", "RAPID", "--external-id", ext, "--title", "Journal")
		var wg sync.WaitGroup
		outs := make([]string, 2)
		codes := make([]int, 2)
		for i, who := range []string{"ana", "ben"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "--db", url, "--vault", vault, "--operator", who, "reject", ext, "--reason", "NotHeld")
				cmd.Env = append(os.Environ(), childEnv+"=1")
				b, err := cmd.CombinedOutput()
				outs[i] = string(b)
				if ee, ok := err.(*exec.ExitError); ok {
					codes[i] = ee.ExitCode()
				}
			}()
		}
		wg.Wait()
		require.ElementsMatch(t, []int{0, 1}, codes, "round %d: one wins, one is refused: %q", round, outs)
		loser := outs[0]
		if codes[1] == 1 {
			loser = outs[1]
		}
		assert.True(t, strings.Contains(loser, "already closed (Rejected, by ana") || strings.Contains(loser, "already closed (Rejected, by ben"), loser)
	}
}
