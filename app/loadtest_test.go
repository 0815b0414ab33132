package main

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadtestShortRun runs three workstations for three seconds on a
// seeded department database: every action is timed, none fails, and the
// changes are heard by the other workstations.
func TestLoadtestShortRun(t *testing.T) {
	c, _, vault := departmentCLI(t)
	c.ok("seed", "--requests", "3000")
	code, out, errOut := c.run("loadtest", "--workstations", "3", "--duration", "3s", "--seed", "7", "--json")
	require.Equal(t, 0, code, "%s\n%s", out, errOut)

	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	assert.Equal(t, []string{"actions", "duration_s", "visibility_p99_ms", "workstations"}, keys)

	var rep loadReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 3, rep.Workstations)
	assert.GreaterOrEqual(t, rep.DurationS, 2.0)
	var names []string
	total := 0
	for _, a := range rep.Actions {
		names = append(names, a.Action)
		total += a.Count
		assert.Zero(t, a.Errors, a.Action)
		assert.LessOrEqual(t, a.P50Ms, a.P95Ms, a.Action)
		assert.LessOrEqual(t, a.P95Ms, a.P99Ms, a.Action)
	}
	assert.Equal(t, []string{"scan", "receive", "ship", "reject", "list"}, names)
	assert.GreaterOrEqual(t, total, 3, "each workstation acts about once a second")
	require.NotNil(t, rep.VisibilityP99Ms, "the other workstations heard of the changes")

	code, out, _ = c.run("loadtest", "--workstations", "2", "--duration", "1s")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "2 workstations for ")
	assert.Contains(t, out, "action     count    per s   p50 ms")

	okEnv(c, pin("1234"), "--vault", vault, "operator", "add", "ana", "--roles", "fulfillment")
	code, _, errOut = c.run("loadtest", "--workstations", "2", "--duration", "1s")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "this database has operators set up")
}

func TestLoadtestRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, db string
		code     int
		want     string
	}{
		{"a workstation file", "", 1, "The load test needs a department database on PostgreSQL"},
		{"a server elsewhere", "postgres://illdesk@db.library.example/illdesk", 1, "only on a department database on this computer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			if tt.db != "" {
				c.db = tt.db
			}
			code, _, errOut := c.run("loadtest", "--workstations", "2", "--duration", "1s")
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.want)
			assert.Contains(t, errOut, "Nothing was changed.")
			if tt.db == "" {
				_, err := os.Stat(c.db)
				assert.ErrorIs(t, err, os.ErrNotExist, "the file is not even made")
			}
		})
	}
	c := newCLI(t)
	code, _, errOut := c.run("loadtest", "--workstations", "0")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--workstations must be from 1 to 200")
}

// TestLoadPDFIsAbout200KB checks the PDF the load test ships.
func TestLoadPDFIsAbout200KB(t *testing.T) {
	path, err := loadPDF(t.TempDir(), 1)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.InDelta(t, 200_000, st.Size(), 30_000)
}
