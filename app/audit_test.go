package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// auditCLI makes a database whose trail holds, newest first:
//
//	Sat 10:01  notice      borrowing (BVB)  ILL Desk
//	Sat 10:00  hold_shelf  borrowing        tester at pickup:Main Library
//	Sat 09:30  receive     borrowing        tester
//	Sat 09:05  undo        12345678         Other
//	Sat 09:00  cancel      12345678         tester, a note that looks like a formula
//	Fri 15:00  create      12345678 (RAPID) and the borrowing
//
// and returns the borrowing request's id.
func auditCLI(t *testing.T) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	setupLending(c)
	c.ok("partner", "add", "BVB", "--name", "Bavarian network")
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "Silent Spring", "--requester", "Grace Hopper",
		"--requester-email", "grace@example.edu", "--pickup", "Main Library", "--partner", "BVB"))
	sat := func(hh, mm int) time.Time { return time.Date(2026, 11, 21, hh, mm, 0, 0, time.Local) }
	c.clock = sat(9, 0)
	c.ok("cancel", "12345678", "--note", "=cmd|' /C calc'!A0")
	c.clock = sat(9, 5)
	c.ok("--operator", "Other", "undo", "12345678")
	c.clock = sat(9, 30)
	c.ok("receive", id, "--barcode", "39200001")
	c.clock = sat(10, 0)
	c.ok("scan", "--desk", "pickup:Main Library", "39200001")
	c.clock = sat(10, 0).Add(domain.NoticeGrace)
	assert.Contains(t, c.ok("notices", "send"), "1 sent")
	return c, id
}

// auditJSON runs audit --json with the arguments and returns the entries.
func (c *cli) auditJSON(args ...string) []map[string]any {
	c.t.Helper()
	var es []map[string]any
	require.NoError(c.t, json.Unmarshal([]byte(c.ok(append([]string{"audit", "--json"}, args...)...)), &es))
	return es
}

func auditColumn(es []map[string]any, key string) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e[key].(string))
	}
	return out
}

func TestAuditTable(t *testing.T) {
	c, id := auditCLI(t)
	out := c.ok("audit")
	rows := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, rows, 10, out) // header, 7 request entries, 2 partners added
	for _, col := range []string{"TIME", "REF", "ACTION", "FROM → TO", "OPERATOR", "DESK", "NOTE"} {
		assert.Contains(t, rows[0], col)
	}
	ref := id[len(id)-8:]
	want := [][]string{
		{"2026-11-21 10:01", ref, "Patron notice", "on_hold_shelf", "ILL Desk", "mail", "grace@example.edu"},
		{"2026-11-21 10:00", ref, "Put on hold shelf", "received → on_hold_shelf", "tester", "pickup:Main Library"},
		{"2026-11-21 09:30", ref, "Received", "created → received", "tester", "rs", "39200001"},
		{"2026-11-21 09:05", "12345678", "Undone", "cancelled → created", "Other", "rs", "Undid “Cancelled”"},
		{"2026-11-21 09:00", "12345678", "Cancelled", "created → cancelled", "tester", "rs", "=cmd|' /C calc'!A0"},
	}
	for i, cells := range want {
		for _, cell := range cells {
			assert.Contains(t, rows[i+1], cell, "row %d", i+1)
		}
	}
	for _, row := range rows[6:] {
		assert.Contains(t, row, "2026-11-20 15:00")
		if strings.Contains(row, "partner ") {
			assert.Contains(t, row, "Settings changed", "adding a partner is audited too")
			continue
		}
		assert.Contains(t, row, "→ created")
		assert.Contains(t, row, "Created")
	}

	assert.Equal(t, "No audit entries match.\n", c.ok("audit", "--operator", "nobody"))
}

func TestAuditJSON(t *testing.T) {
	c, id := auditCLI(t)
	es := c.auditJSON()
	require.Len(t, es, 9)
	assert.Equal(t, []string{"notice", "hold_shelf", "receive", "undo", "cancel", "configure", "configure", "create", "create"}, auditColumn(es, "action"))

	undo := es[3]
	keys := []string{}
	for k := range undo {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"at", "request_id", "ref", "external_id", "side", "partner", "action", "action_label",
		"from", "to", "operator", "desk", "note"}, keys)
	assert.Equal(t, "12345678", undo["ref"])
	assert.Equal(t, "12345678", undo["external_id"])
	assert.Equal(t, "lending", undo["side"])
	assert.Equal(t, "RAPID", undo["partner"])
	assert.Equal(t, "Undone", undo["action_label"])
	assert.Equal(t, "cancelled", undo["from"])
	assert.Equal(t, "created", undo["to"])
	assert.Equal(t, "Other", undo["operator"])
	assert.Equal(t, "rs", undo["desk"])
	when, err := time.Parse(time.RFC3339, undo["at"].(string))
	require.NoError(t, err)
	assert.True(t, when.Equal(time.Date(2026, 11, 21, 9, 5, 0, 0, time.Local)), "at %s", when)

	notice := es[0]
	assert.Equal(t, id, notice["request_id"])
	assert.Equal(t, id[len(id)-8:], notice["ref"])
	assert.Equal(t, "", notice["external_id"])
	assert.Equal(t, "borrowing", notice["side"])
	assert.Equal(t, "BVB", notice["partner"])

	assert.Equal(t, "[]\n", c.ok("audit", "--json", "--partner", "NYPL"), "an empty list, not null")
}

func TestAuditFilters(t *testing.T) {
	c, id := auditCLI(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"12345678"}, []string{"undo", "cancel", "create"}},
		{[]string{id[len(id)-8:]}, []string{"notice", "hold_shelf", "receive", "create"}},
		{[]string{"--operator", "OTHER"}, []string{"undo"}},
		{[]string{"--operator", "ill desk"}, []string{"notice"}},
		{[]string{"--since", "2026-11-21"}, []string{"notice", "hold_shelf", "receive", "undo", "cancel"}},
		{[]string{"--until", "2026-11-20"}, []string{"configure", "configure", "create", "create"}},
		{[]string{"--since", "2026-11-20", "--until", "2026-11-20"}, []string{"configure", "configure", "create", "create"}},
		{[]string{"--since", "2026-11-22"}, []string{}},
		{[]string{"--until", "2026-11-19"}, []string{}},
		{[]string{"--since", time.Date(2026, 11, 21, 9, 30, 0, 0, time.Local).Format(time.RFC3339)}, []string{"notice", "hold_shelf", "receive"}},
		{[]string{"--until", time.Date(2026, 11, 21, 9, 30, 0, 0, time.Local).Format(time.RFC3339), "--since", "2026-11-21"}, []string{"receive", "undo", "cancel"}},
		{[]string{"--action", "undo"}, []string{"undo"}},
		{[]string{"--action", "Put on hold shelf"}, []string{"hold_shelf"}},
		{[]string{"--partner", "bvb"}, []string{"notice", "hold_shelf", "receive", "configure", "create"}},
		{[]string{"--action", "configure"}, []string{"configure", "configure"}},
		{[]string{"12345678", "--partner", "RAPID", "--operator", "tester", "--action", "cancel"}, []string{"cancel"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			assert.Equal(t, tt.want, auditColumn(c.auditJSON(tt.args...), "action"))
		})
	}
}

func TestAuditCSVFile(t *testing.T) {
	c, _ := auditCLI(t)
	path := filepath.Join(t.TempDir(), "audit.csv")
	assert.Equal(t, "Wrote 3 audit entries to "+path+".\n", c.ok("audit", "12345678", "--csv", path))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"time", "request", "external_id", "side", "partner", "action", "from", "to", "operator", "desk", "note"}, rows[0])
	assert.Equal(t, []string{"12345678", "lending", "RAPID", "undo", "cancelled", "created", "Other", "rs"}, rows[1][2:10])
	assert.Equal(t, "'=cmd|' /C calc'!A0", rows[2][10], "the formula is defused")
	at, err := time.Parse(time.RFC3339, rows[2][0])
	require.NoError(t, err)
	assert.True(t, at.Equal(time.Date(2026, 11, 21, 9, 0, 0, 0, time.Local)))

	// - writes to standard output
	out := c.ok("audit", "--csv", "-", "--action", "undo")
	assert.True(t, strings.HasPrefix(out, "time,request,external_id,side,partner,action,from,to,operator,desk,note\n"), out)
	assert.Equal(t, 2, strings.Count(out, "\n"))
}

func TestAuditUsageErrors(t *testing.T) {
	c, _ := auditCLI(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--since", "21/11/2026"}, []string{"--since", `"21/11/2026" is not a date`, "YYYY-MM-DD", "RFC 3339"}},
		{[]string{"--until", "yesterday"}, []string{"--until", `"yesterday" is not a date`}},
		{[]string{"--since", "2026-02-30"}, []string{"--since", "is not a date"}},
		{[]string{"--since", "2026-11-22", "--until", "2026-11-21"}, []string{"--since 2026-11-22 is after --until 2026-11-21"}},
		{[]string{"--action", "shelve"}, []string{"--action", "hold_shelf"}},
		{[]string{"--json", "--csv", "x.csv"}, []string{"either --json or --csv"}},
		{[]string{"12345678", "extra"}, []string{"usage: illdesk audit"}},
		{[]string{"--bogus"}, []string{"audit"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := c.run(append([]string{"audit"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			for _, w := range tt.want {
				assert.Contains(t, errOut, w)
			}
		})
	}
}

func TestAuditUnknownRef(t *testing.T) {
	c, _ := auditCLI(t)
	code, out, errOut := c.run("audit", "NOPE-42")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "illdesk: No request matches \"NOPE-42\": check the external identifier or request id.\n", errOut)
}
