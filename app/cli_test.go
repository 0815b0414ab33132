package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/illdesk/illdesk/domain"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is a Friday afternoon, so deadlines cross a weekend.
var fixedNow = time.Date(2026, 11, 20, 15, 0, 0, 0, time.Local)

// cli runs illdesk commands in-process against one database.
type cli struct {
	t     *testing.T
	db    string
	clock time.Time
	// global are more options put before every command (e.g. --vault).
	global []string
	// printer, when set, stands in for the system's printing.
	printer domain.Printer
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, db: filepath.Join(t.TempDir(), "illdesk.db"), clock: fixedNow}
}

// run executes one command line and returns exit code, stdout and stderr.
func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(append(append([]string{"--db", c.db, "--operator", "tester"}, c.global...), args...), env{
		stdout: &out, stderr: &errOut,
		getenv:  func(string) string { return "" },
		clock:   domain.ClockFunc(func() time.Time { return c.clock }),
		printer: c.printer,
		openWindow: func(*session) error {
			out.WriteString("window opened\n")
			return nil
		},
	})
	return code, out.String(), errOut.String()
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(args...)
	require.Equal(c.t, 0, code, "illdesk %v: %s", args, errOut)
	return out
}

func (c *cli) show(ref string) map[string]any {
	c.t.Helper()
	var v map[string]any
	require.NoError(c.t, json.Unmarshal([]byte(c.ok("show", "--json", ref)), &v))
	return v
}

func pdf(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "pdf", "preflight", "testdata", "pdf", name)
	_, err := os.Stat(p)
	require.NoError(t, err)
	return p
}

func setupLending(c *cli) {
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--turnaround-hours", "24", "--email", "r@example.org")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "Journal of Testing",
		"--article-title", "On tests", "--volume", "7", "--number", "2", "--year", "2020", "--pages", "1-3",
		"--format", "physical", "--location", "Stacks", "--call-number", "Z1 .T4", "--item-barcode", "39000001",
		"--eresource", "JSTOR=https://www.jstor.org/")
}

func TestLendingLifeCycle(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	v := c.show("12345678")
	assert.Equal(t, "created", v["status"])
	assert.Equal(t, "Created Lending Request", v["status_label"])
	// Friday 15:00 + 24 business hours = Monday 15:00.
	deadline, err := time.Parse(time.RFC3339, v["deadline"].(string))
	require.NoError(t, err)
	assert.True(t, deadline.Equal(fixedNow.AddDate(0, 0, 3)), "deadline %s", deadline)

	out := c.ok("pick", "12345678", "--to", "digitization:Scan Lab")
	assert.Contains(t, out, "Pick slip: ")
	assert.FileExists(t, filepath.Join(filepath.Dir(c.db), "work", "slips", "12345678-slip.pdf"))
	assert.Contains(t, c.ok("scan", "--desk", "digitization:Scan Lab", "39000001"), "arrived")
	assert.Equal(t, "item_at_desk", c.show("12345678")["status"])

	out = c.ok("ship", "12345678", pdf(t, "valid_scan_3pages.pdf"))
	assert.Contains(t, out, "Shipped Digitally")
	v = c.show("12345678")
	assert.Equal(t, "shipped_digitally", v["status"])
	f := v["shipped_file"].(map[string]any)
	assert.Equal(t, "12345678.pdf", f["name"])
	assert.EqualValues(t, 3, f["pages"])
	assert.Len(t, f["sha256"], 64)
	stored, err := os.ReadFile(filepath.Join(filepath.Dir(c.db), "vault", "12345678.pdf"))
	require.NoError(t, err)
	orig, err := os.ReadFile(pdf(t, "valid_scan_3pages.pdf"))
	require.NoError(t, err)
	assert.Equal(t, orig, stored)
	hist := v["history"].([]any)
	require.Len(t, hist, 4)
	last := hist[3].(map[string]any)
	assert.Equal(t, "ship", last["action"])
	assert.Equal(t, "tester", last["actor"])
	assert.Equal(t, "rs", last["desk"])

	assert.Contains(t, c.ok("list", "--all", "--status", "shipped_digitally"), "12345678")
	assert.NotContains(t, c.ok("list"), "12345678", "a shipped request is off the active list")
}

func TestListNamesEachRequestByItsOwnID(t *testing.T) {
	c := newCLI(t) // a fixed clock: every id starts with the same timestamp
	c.ok("partner", "add", "NYPL", "--name", "New York Public Library")
	var ids []string
	for _, title := range []string{"Silent Spring", "The Sea Around Us"} {
		ids = append(ids, strings.TrimSpace(c.ok("borrow", "new", "--title", title, "--requester", "Grace Hopper",
			"--pickup", "Main Library", "--partner", "NYPL")))
	}
	out := c.ok("list")
	for _, id := range ids {
		short := id[len(id)-8:]
		assert.Regexp(t, `(?m)^-\s+`+short+`\s`, out)
		assert.Equal(t, id, c.show(short)["id"], "the listed id names the request")
	}
}

func TestBorrowingLifeCycle(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "NYPL", "--name", "New York Public Library", "--loan-days", "21")
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "Silent Spring", "--requester", "Grace Hopper",
		"--requester-email", "grace@example.edu", "--pickup", "Main Library", "--partner", "NYPL"))
	c.ok("receive", id, "--barcode", "39200001")
	steps := []struct{ desk, status string }{
		{"pickup:Main Library", "on_hold_shelf"},
		{"pickup:Main Library", "loaned"},
		{"pickup:Science Library", "returned_by_patron"},
		{"rs", "completed"},
	}
	for _, s := range steps {
		c.clock = c.clock.Add(24 * time.Hour)
		c.ok("scan", "--desk", s.desk, "39200001")
		assert.Equal(t, s.status, c.show(id)["status"], "after scan at %s", s.desk)
	}
	v := c.show(id)
	assert.Equal(t, "Grace Hopper", v["requester"])
	assert.Equal(t, "Main Library", v["pickup"])
	assert.Len(t, v["history"], 7, "six transitions and the ready-for-pickup notice")
	// The barcode is free again for another request.
	id2 := strings.TrimSpace(c.ok("borrow", "new", "--title", "Cosmos", "--requester", "Vera Rubin",
		"--pickup", "Main Library", "--partner", "NYPL"))
	c.ok("receive", id2, "--barcode", "39200001")
}

// TestRefusalsChangeNothing checks that each refused command exits 1 with a
// sentence on stderr and leaves the request exactly as it was.
func TestRefusalsChangeNothing(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	c.ok("partner", "add", "NYPL", "--name", "NYPL")
	bid := strings.TrimSpace(c.ok("borrow", "new", "--title", "Beloved", "--requester", "Tim", "--pickup", "Main Library", "--partner", "NYPL"))
	other := strings.TrimSpace(c.ok("borrow", "new", "--title", "Walden", "--requester", "Don", "--pickup", "Main Library", "--partner", "NYPL"))
	c.ok("receive", other, "--barcode", "39200099")

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"reject without reason", []string{"reject", "12345678"}, "reason is required"},
		{"reject unknown reason", []string{"reject", "12345678", "--reason", "Bored"}, "not a reject reason"},
		{"reject Other without note", []string{"reject", "12345678", "--reason", "Other"}, "needs a note"},
		{"bad citation without note", []string{"bad-citation", "12345678"}, "needs a note"},
		{"ship rejected file", []string{"ship", "12345678", pdf(t, "truncated_60pct.pdf")}, "cut off"},
		{"ship needs confirmation", []string{"ship", "12345678", pdf(t, "javascript_openaction.pdf")}, "--accept-warnings"},
		{"ship missing file", []string{"ship", "12345678", "/nonexistent/scan.pdf"}, ""},
		{"receive a lending request", []string{"receive", "12345678", "--barcode", "1"}, "does not apply"},
		{"pick to a pickup desk", []string{"pick", "12345678", "--to", "pickup:Main Library"}, "RS desk or a named digitization"},
		{"unknown ref", []string{"show", "nope-nope"}, "No request matches"},
		{"duplicate external id", []string{"lend", "new", "--partner", "RAPID", "--external-id", "12345678", "--title", "X"}, "already has request"},
		{"unknown partner", []string{"lend", "new", "--partner", "ZZZ", "--external-id", "1", "--title", "X"}, "add the partner first"},
		{"missing title", []string{"lend", "new", "--partner", "RAPID", "--external-id", "2"}, "needs a title"},
		{"barcode in use", []string{"receive", bid, "--barcode", "39200099"}, "already on request"},
		{"barcode with space", []string{"receive", bid, "--barcode", "39 2"}, "space"},
		{"unknown scan", []string{"scan", "--desk", "rs", "0000"}, "nothing changed"},
		{"scan at wrong desk", []string{"scan", "--desk", "pickup:Science Library", "39200099"}, "Main Library"},
		{"cancel a received borrowing", []string{"cancel", other}, "not possible"},
		{"partner exists", []string{"partner", "add", "RAPID", "--name", "again"}, "already exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := []string{c.ok("show", "--json", "12345678"), c.ok("show", "--json", bid), c.ok("show", "--json", other), c.ok("list", "--json", "--all"), c.ok("partner", "list", "--json")}
			code, out, errOut := c.run(tc.args...)
			assert.Equal(t, 1, code, "stdout %q stderr %q", out, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.Regexp(t, `illdesk: [A-Z0-9"“].*[.)a-z]\n`, errOut, "a sentence")
			after := []string{c.ok("show", "--json", "12345678"), c.ok("show", "--json", bid), c.ok("show", "--json", other), c.ok("list", "--json", "--all"), c.ok("partner", "list", "--json")}
			assert.Equal(t, before, after)
		})
	}
	vault, _ := os.ReadDir(filepath.Join(filepath.Dir(c.db), "vault"))
	assert.Empty(t, vault, "no file left in the vault by refused shipments")
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"show"},
		{"list", "--side", "sideways"},
		{"list", "--status", "lost"},
		{"lend", "new", "--format", "vinyl"},
		{"pick", "X"},
		{"ship", "X"},
		{"scan", "--desk", "rs"},
		{"--desk", "attic"},
		{"partner", "add", "X", "--turnaround-hours", "soon"},
		{"preflight"},
	} {
		code, _, errOut := c.run(args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.NotEmpty(t, errOut)
	}
}

func TestAmbiguousRefListsCandidates(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "A", "--name", "A")
	c.ok("partner", "add", "B", "--name", "B")
	c.ok("lend", "new", "--partner", "A", "--external-id", "777", "--title", "One")
	c.ok("lend", "new", "--partner", "B", "--external-id", "777", "--title", "Two")
	code, _, errOut := c.run("show", "777")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "matches 2 requests")
	assert.Contains(t, errOut, "(A, lending")
	assert.Contains(t, errOut, "(B, lending")
}

func TestPreflightCommand(t *testing.T) {
	c := newCLI(t)
	code, out, _ := c.run("preflight", "--json", pdf(t, "valid_text_1page.pdf"), pdf(t, "empty.pdf"))
	assert.Equal(t, 1, code, "a rejected file makes preflight exit 1")
	var reps []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &reps))
	require.Len(t, reps, 2)
	assert.Equal(t, "accept", reps[0]["verdict"])
	assert.EqualValues(t, 1, reps[0]["pages"])
	assert.Equal(t, "reject", reps[1]["verdict"])
	assert.Equal(t, "empty", reps[1]["reason"])
	for _, k := range []string{"file", "verdict", "reason", "pages", "bytes", "message"} {
		assert.Contains(t, reps[0], k)
	}
	code, out, _ = c.run("preflight", pdf(t, "valid_text_1page.pdf"))
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "accept")
}

func TestNoCommandOpensWindow(t *testing.T) {
	c := newCLI(t)
	assert.Equal(t, "window opened\n", c.ok())
}

func TestDemoData(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"--demo", "list", "--json", "--all"}, env{stdout: &out, stderr: &errOut,
		getenv: func(string) string { return "" }})
	require.Equal(t, 0, code, errOut.String())
	var rs []map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &rs))
	assert.GreaterOrEqual(t, len(rs), 35)
	states := map[string]bool{}
	for _, r := range rs {
		states[r["side"].(string)+"/"+r["status"].(string)] = true
	}
	for _, want := range []string{"lending/created", "lending/pick_requested", "lending/item_at_desk", "lending/shipped_digitally",
		"lending/rejected", "lending/bad_citation", "borrowing/created", "borrowing/received", "borrowing/on_hold_shelf",
		"borrowing/loaned", "borrowing/completed"} {
		assert.True(t, states[want], "demo has a %s request", want)
	}
}

// TestShowJSONGolden pins the JSON shape scripts depend on.
func TestShowJSONGolden(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	c.ok("reject", "12345678", "--reason", "notonshelf", "--note", "Shelf checked twice", "--partner-note", "Missing from shelf")
	got := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).
		ReplaceAllString(c.ok("show", "--json", "12345678"), "ID")
	got = strings.ReplaceAll(got, fixedNow.Format(time.RFC3339), "NOW")
	got = strings.ReplaceAll(got, fixedNow.AddDate(0, 0, 3).Format(time.RFC3339), "DEADLINE")
	golden := filepath.Join("testdata", "show_rejected.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

func TestHolidaysStopTheClock(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("holiday", "add", "2026-11-23")
	assert.Equal(t, "2026-11-23\n", c.ok("holiday", "list"))
	code, _, errOut := c.run("holiday", "add", "23/11/2026")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "YYYY-MM-DD")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "H1", "--title", "T")
	deadline, err := time.Parse(time.RFC3339, c.show("H1")["deadline"].(string))
	require.NoError(t, err)
	// Friday 15:00 + 24 business hours, Monday a holiday: Tuesday 15:00.
	assert.True(t, deadline.Equal(fixedNow.AddDate(0, 0, 4)), "deadline %s", deadline)
	c.ok("holiday", "remove", "2026-11-23")
	assert.Empty(t, c.ok("holiday", "list"))
}

func TestConfig(t *testing.T) {
	c := newCLI(t)
	folder := t.TempDir()
	c.ok("config", "set", "catalogue-url", "https://search.example.edu/discovery/search?query=any,contains,{title}")
	c.ok("config", "set", "scan-folder", folder)
	c.ok("config", "set", "digitization-departments", "Scan Lab, Annex Scanning")
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("config", "show", "--json")), &got))
	assert.Equal(t, folder, got["scan_folder"])
	assert.Equal(t, []any{"Scan Lab", "Annex Scanning"}, got["digitization_departments"])

	code, _, errOut := c.run("config", "set", "catalogue-url", "search.example.edu")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "http")
	code, _, _ = c.run("config", "set", "colour", "blue")
	assert.Equal(t, 2, code)
	require.NoError(t, json.Unmarshal([]byte(c.ok("config", "show", "--json")), &got))
	assert.Contains(t, got["catalogue_url"], "{title}", "a refused setting changes nothing")
}

func TestUndo(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	c.ok("reject", "12345678", "--reason", "NotHeld")
	assert.Contains(t, c.ok("undo", "12345678"), "Created Lending Request")
	code, _, errOut := c.run("undo", "12345678")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already undone")
}

func TestHoldShelfNoticeGoesToTheOutbox(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "NYPL", "--name", "NYPL")
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "Silent Spring", "--requester", "Grace Hopper",
		"--requester-email", "grace@example.edu", "--pickup", "Main Library", "--partner", "NYPL"))
	c.ok("receive", id, "--barcode", "39200001")
	assert.Contains(t, c.ok("scan", "--desk", "pickup:Main Library", "39200001"), "Grace Hopper will be notified")
	c.clock = c.clock.Add(domain.NoticeGrace) // the notice waits a minute so a wrong scan can be undone
	assert.Contains(t, c.ok("notices", "send"), "1 sent")

	outbox, err := filepath.Glob(filepath.Join(filepath.Dir(c.db), "work", "outbox", "*.eml"))
	require.NoError(t, err)
	require.Len(t, outbox, 1, "without SMTP the notice is written to the outbox")
	eml, err := os.ReadFile(outbox[0])
	require.NoError(t, err)
	assert.Contains(t, string(eml), "grace@example.edu")
	assert.Contains(t, string(eml), "Main Library")

	var ns []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("notices", "list", "--json")), &ns))
	require.Len(t, ns, 1)
	assert.Equal(t, "sent", ns[0]["status"])
	v := c.show(id)
	hist := v["history"].([]any)
	assert.Equal(t, "notice", hist[len(hist)-1].(map[string]any)["action"])
}

func TestMailSettings(t *testing.T) {
	keyring.MockInit() // the system keyring, in memory
	c := newCLI(t)
	assert.Contains(t, c.ok("mail", "show"), "outbox")
	var out, errOut bytes.Buffer
	code := run([]string{"--db", c.db, "mail", "set", "--host", "smtp.example.edu", "--user", "ill", "--password-stdin", "--from", "ILL <ill@example.edu>"},
		env{stdout: &out, stderr: &errOut, stdin: strings.NewReader("s3cret-pass\n"), getenv: func(string) string { return "" }})
	require.Equal(t, 0, code, errOut.String())
	shown := c.ok("mail", "show")
	assert.Contains(t, shown, "smtp.example.edu")
	assert.NotContains(t, shown, "s3cret-pass", "the password is never printed")
	stored, err := keyring.Get("ILL Desk", "smtp:ill@smtp.example.edu")
	require.NoError(t, err)
	assert.Equal(t, "s3cret-pass", stored, "the password is in the system keyring")
	raw, err := os.ReadFile(c.db)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "s3cret-pass", "and never in the database file")

	code, _, errOut2 := c.run("mail", "set", "--host", "smtp.example.edu", "--from", "not an address")
	assert.Equal(t, 1, code)
	assert.NotEmpty(t, errOut2)
	assert.Contains(t, c.ok("mail", "show"), "ill@example.edu", "a refused change keeps the settings")
}

func TestBarcodePattern(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "NYPL", "--name", "NYPL")
	c.ok("config", "set", "barcode-pattern", `^392\d{8}$`)
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "T", "--requester", "R", "--pickup", "Main Library", "--partner", "NYPL"))
	code, _, errOut := c.run("receive", id, "--barcode", "ABC123")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not a valid item barcode")
	c.ok("receive", id, "--barcode", "39200000001")
	code, _, _ = c.run("config", "set", "barcode-pattern", "([")
	assert.Equal(t, 1, code, "a broken pattern is refused")
}

func TestOperatorNameDropsTheWindowsDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ana", "ana"},
		{`LIBRARY\ana`, "ana"},
		{`VM\root`, "root"},
		{`LIBRARY\`, "staff"},
		{"", "staff"},
		{" ana ", "ana"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, operatorName(tt.in), "%q", tt.in)
	}
}

func TestLendNewServiceAndNeedBefore(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--turnaround-hours", "24")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "NB-1", "--title", "T", "--service", "loan", "--need-before", "2026-03-02")
	v := c.show("NB-1")
	assert.Equal(t, "Loan", v["service_type"])
	assert.Contains(t, v["needed_by"], "2026-03-02")
	for _, args := range [][]string{
		{"--service", "scan"},
		{"--need-before", "soon"},
	} {
		code, _, errOut := c.run(append([]string{"lend", "new", "--partner", "RAPID", "--external-id", "NB-2", "--title", "T"}, args...)...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
	}
	code, _, _ := c.run("show", "NB-2")
	assert.NotEqual(t, 0, code, "nothing was stored")
}
