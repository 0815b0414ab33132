package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func historyFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "domain", "testdata", name)
	_, err := os.Stat(p)
	require.NoError(t, err)
	return p
}

func historyPartners(c *cli) {
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--turnaround-hours", "24")
	c.ok("partner", "add", "BVB", "--name", "Bavarian network", "--turnaround-hours", "48")
}

func TestImportHistoryCSV(t *testing.T) {
	c := newCLI(t)
	historyPartners(c)
	file := historyFile(t, "history_good.csv")
	out := c.ok("import", file)
	assert.Equal(t, "Imported 8 past requests (6 closed, 2 open) from "+file+".\n", out)

	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("list", "--all", "--json")), &list))
	states := map[string]string{}
	for _, r := range list {
		key := r["external_id"].(string)
		if key == "" {
			key = r["title"].(string)
		}
		states[key] = r["status"].(string)
		hist := r["history"].([]any)
		require.NotEmpty(t, hist)
		assert.Equal(t, "history import", hist[0].(map[string]any)["actor"])
	}
	assert.Equal(t, map[string]string{
		"L-1": "shipped_digitally", "L-2": "rejected", "L-3": "bad_citation", "L-4": "cancelled",
		"L-5": "created", "B-1": "completed", "Never Came": "cancelled", "B-2": "created",
	}, states)

	v := c.show("L-2")
	assert.Equal(t, "NotHeld", v["reject_reason"])
	assert.True(t, strings.HasPrefix(v["created"].(string), "2026-02-02T00:00:00"), v["created"])
	assert.NotNil(t, v["deadline"])

	// The same file again: every line with an external id is a duplicate.
	code, out, errOut := c.run("import", file)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "line 2: Partner RAPID already has request L-1")
}

func TestImportHistoryCSVJSON(t *testing.T) {
	c := newCLI(t)
	historyPartners(c)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("import", "--json", historyFile(t, "history_good.csv"))), &res))
	assert.Equal(t, true, res["ok"])
	assert.EqualValues(t, 8, res["imported"])
	assert.EqualValues(t, 6, res["closed"])
	assert.EqualValues(t, 2, res["open"])
}

func TestImportHistoryBadCSVStoresNothing(t *testing.T) {
	c := newCLI(t)
	historyPartners(c)
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "EXIST-1", "--title", "Already here")
	before := c.ok("list", "--all", "--json")

	code, out, errOut := c.run("import", historyFile(t, "history_bad.csv"))
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "Nothing was imported: 8 lines of the history file have problems")
	for _, line := range []string{
		`line 1: Unknown column "notes"`,
		`line 3: The created date "2026-02-30" is not a date`,
		`line 4: "lost" is not a final state`,
		"line 5: A rejected request needs its ISO 18626 reason",
		"line 6: The request was closed (2026-02-03) before it was created (2026-02-10).",
		`line 7: No partner has the code "ZZZ"`,
		"line 8: Partner RAPID's request G-1 is already on line 2 of this file.",
		"line 9: Partner RAPID already has request EXIST-1",
	} {
		assert.Contains(t, errOut, "\n"+line)
	}
	assert.NotContains(t, errOut, "line 2:")
	assert.Equal(t, before, c.ok("list", "--all", "--json"), "nothing stored")

	code, out, _ = c.run("import", "--json", historyFile(t, "history_bad.csv"))
	assert.Equal(t, 1, code)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, false, res["ok"])
	assert.Len(t, res["problems"], 8)
	assert.Equal(t, before, c.ok("list", "--all", "--json"))
}

func TestImportHistoryCSVUsage(t *testing.T) {
	c := newCLI(t)
	code, _, errOut := c.run("import", historyFile(t, "history_good.csv"), "msg.xml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "on its own")
	code, _, errOut = c.run("import", filepath.Join(t.TempDir(), "missing.csv"))
	assert.Equal(t, 1, code)
	assert.True(t, strings.Contains(errOut, "cannot read"), errOut)
}
