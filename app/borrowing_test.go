package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
)

// setupLenders adds two lenders speaking ISO 18626 (at an address where
// nobody listens: what is sent stays in the outbox).
func setupLenders(c *cli) {
	c.ok("config", "set", "agency-id", "ISIL:US-OURS")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "ISIL:US-RAPID", "--iso-endpoint", "http://127.0.0.1:1/")
	c.ok("partner", "add", "BVB", "--name", "Bavarian network", "--agency-id", "ISIL:DE-BVB", "--iso-endpoint", "http://127.0.0.1:1/")
	c.ok("partner", "add", "LOCAL", "--name", "Neighbour library")
}

// lenderSays imports a lender's supplying agency message about attempt id.
func (c *cli) lenderSays(agency, id, reason, status string, opts iso18626.SupplyOptions) string {
	c.t.Helper()
	from, err := iso18626.ParseAgencyID(agency)
	require.NoError(c.t, err)
	us, err := iso18626.ParseAgencyID("ISIL:US-OURS")
	require.NoError(c.t, err)
	m, err := iso18626.NewSupplyingAgencyMessage(iso18626.Header{SupplyingAgencyId: from, RequestingAgencyId: us,
		Timestamp: c.clock.UTC().Truncate(time.Second), RequestingAgencyRequestId: id, SupplyingAgencyRequestId: "S-" + id},
		reason, status, opts)
	require.NoError(c.t, err)
	raw, err := iso18626.Marshal(m)
	require.NoError(c.t, err)
	validateXSD(c.t, raw)
	f := filepath.Join(c.t.TempDir(), status+".xml")
	require.NoError(c.t, os.WriteFile(f, raw, 0o600))
	c.clock = c.clock.Add(time.Minute) // each message is news
	return c.ok("import", f)
}

// validateXSD checks a message against the ISO 18626 1.2 schema with
// xmllint where there is one (not under wine), as the iso18626 tests do.
func validateXSD(t *testing.T, raw []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return
	}
	f := filepath.Join(t.TempDir(), "message.xml")
	require.NoError(t, os.WriteFile(f, raw, 0o600))
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema",
		filepath.Join("..", "iso18626", "testdata", "xsd", "ISO-18626-v1_2.xsd"), f).CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, raw)
}

func lenders(v map[string]any) []map[string]any {
	var out []map[string]any
	for _, l := range v["lenders"].([]any) {
		out = append(out, l.(map[string]any))
	}
	return out
}

func TestBorrowFromARotaOfLenders(t *testing.T) {
	c := newCLI(t)
	setupLenders(c)
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--partner", "BVB", "--title", "Silent Spring",
		"--requester", "Grace Hopper", "--requester-email", "grace@example.edu", "--pickup", "Main",
		"--note", "staff only", "--partner-note", "please hurry", "--patron-id", "P-7", "--need-before", "2026-12-24"))
	v := c.show(id)
	assert.Equal(t, "created", v["status"])
	assert.Equal(t, "RAPID", v["partner"])
	assert.Equal(t, "RAPID", v["current_lender"])
	assert.Equal(t, "Loan", v["service_type"], "no article nor pages: a loan")
	assert.Equal(t, "staff only", v["internal_note"])
	assert.Equal(t, "please hurry", v["partner_note"])
	assert.Equal(t, []map[string]any{{"partner": "RAPID", "request_id": id + "-1", "outcome": "sent"}}, lenders(v))

	out := c.lenderSays("ISIL:US-RAPID", id+"-1", "RequestResponse", "Unfilled", iso18626.SupplyOptions{ReasonUnfilled: "NotHeld"})
	assert.Contains(t, out, "Requested from BVB")
	v = c.show(id)
	assert.Equal(t, "requested", v["status"])
	assert.Equal(t, "Requested from BVB", v["status_label"])
	assert.Equal(t, "BVB", v["partner"])
	assert.Equal(t, "BVB", v["current_lender"])
	ls := lenders(v)
	require.Len(t, ls, 2)
	assert.Equal(t, "Unfilled", ls[0]["outcome"])
	assert.Equal(t, map[string]any{"partner": "BVB", "request_id": id + "-2", "outcome": "sent"}, ls[1])

	due := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	c.lenderSays("ISIL:DE-BVB", id+"-2", "RequestResponse", "Loaned",
		iso18626.SupplyOptions{DueDate: due, Delivery: &iso18626.DeliveryInfo{DateSent: due.AddDate(0, -1, 0), ItemId: "BVB-0042"}})
	v = c.show(id)
	assert.Equal(t, "shipped_to_us", v["status"])
	assert.Equal(t, "BVB-0042", v["lender_item_id"])
	got, err := time.Parse(time.RFC3339, v["lender_due_date"].(string))
	require.NoError(t, err)
	assert.True(t, got.Equal(due))
	assert.Nil(t, v["due_date"], "the patron's due date is ours")
	// a late answer from the first lender changes nothing
	assert.Contains(t, c.lenderSays("ISIL:US-RAPID", id+"-1", "StatusChange", "Loaned", iso18626.SupplyOptions{}), "earlier attempt")
	assert.Equal(t, "shipped_to_us", c.show(id)["status"])

	assert.Contains(t, c.ok("scan", "--desk", "rs", "BVB-0042"), "BVB-0042")
	assert.Equal(t, "received", c.show(id)["status"])
	assert.Contains(t, c.ok("renew", id), "Received")
	assert.Contains(t, c.ok("status-request", id), "Received")
	c.lenderSays("ISIL:DE-BVB", id+"-2", "StatusChange", "Recalled", iso18626.SupplyOptions{})
	v = c.show(id)
	assert.Equal(t, []any{"recalled"}, v["flags"])
	assert.Contains(t, c.ok("notices", "list"), "grace@example.edu")

	c.ok("scan", "--desk", "pickup:Main", "BVB-0042")
	c.ok("scan", "--desk", "pickup:Main", "BVB-0042")
	c.ok("scan", "--desk", "pickup:Main", "BVB-0042")
	assert.Contains(t, c.ok("scan", "--desk", "rs", "BVB-0042"), "BVB-0042")
	assert.Equal(t, "returned_to_lender", c.show(id)["status"])
	c.lenderSays("ISIL:DE-BVB", id+"-2", "StatusChange", "LoanCompleted", iso18626.SupplyOptions{})
	assert.Equal(t, "completed", c.show(id)["status"])
}

func TestBorrowNewFlags(t *testing.T) {
	c := newCLI(t)
	setupLenders(c)
	tests := []struct {
		name    string
		args    []string
		service string
	}{
		{"article: a copy", []string{"--article-title", "On tests"}, "Copy"},
		{"pages: a copy", []string{"--pages", "3-9"}, "Copy"},
		{"book: a loan", nil, "Loan"},
		{"chosen", []string{"--pages", "3-9", "--service", "loan"}, "Loan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := strings.TrimSpace(c.ok(append([]string{"borrow", "new", "--partner", "RAPID", "--title", "T",
				"--requester", "Pat", "--pickup", "Main"}, tt.args...)...))
			assert.Equal(t, tt.service, c.show(id)["service_type"])
		})
	}
	refusals := []struct {
		name string
		args []string
		code int
	}{
		{"rota with a lender without endpoint", []string{"--partner", "RAPID", "--partner", "LOCAL"}, 1},
		{"unknown service", []string{"--partner", "RAPID", "--service", "scan"}, 1},
		{"bad date", []string{"--partner", "RAPID", "--need-before", "soon"}, 2},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := c.run(append([]string{"borrow", "new", "--title", "T", "--requester", "Pat", "--pickup", "Main"}, tt.args...)...)
			assert.Equal(t, tt.code, code, errOut)
		})
	}
	// a single lender without an endpoint keeps the in-hand flow
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "LOCAL", "--title", "T", "--requester", "Pat", "--pickup", "Main"))
	v := c.show(id)
	assert.Nil(t, v["lenders"])
	assert.Nil(t, v["current_lender"])
	c.ok("receive", id, "--barcode", "39200001")
}

func TestCancelResendAndCloseASentRequest(t *testing.T) {
	c := newCLI(t)
	setupLenders(c)
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--title", "T", "--volume", "1",
		"--requester", "Pat", "--pickup", "Main"))
	c.lenderSays("ISIL:US-RAPID", id+"-1", "RequestResponse", "RetryPossible",
		iso18626.SupplyOptions{ReasonRetry: "NotFoundAsCited", Note: "which volume?"})
	v := c.show(id)
	assert.Equal(t, "retry_possible", v["status"])
	assert.Contains(t, c.ok("show", id), "NotFoundAsCited: which volume?")

	assert.Contains(t, c.ok("resend", id, "--volume", "2"), "Requested from RAPID")
	v = c.show(id)
	assert.Equal(t, "2", v["volume"])
	ls := lenders(v)
	require.Len(t, ls, 2)
	assert.Equal(t, id+"-2", ls[1]["request_id"])

	out := c.ok("cancel", id, "--note", "found elsewhere")
	assert.Contains(t, out, "Requested from RAPID", "the lender decides")
	c.lenderSays("ISIL:US-RAPID", id+"-2", "CancelResponse", "WillSupply", iso18626.SupplyOptions{AnswerYesNo: "N"})
	assert.Equal(t, "requested", c.show(id)["status"], "a refused cancel changes nothing")

	code, _, errOut := c.run("close", id)
	assert.Equal(t, 1, code, "a note is needed")
	assert.Contains(t, errOut, "note")
	assert.Contains(t, c.ok("close", id, "--note", "never came"), "Request completed")
	assert.Equal(t, "completed", c.show(id)["status"])

	other := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--title", "T", "--requester", "Pat", "--pickup", "Main"))
	c.ok("cancel", other)
	c.lenderSays("ISIL:US-RAPID", other+"-1", "CancelResponse", "Cancelled", iso18626.SupplyOptions{AnswerYesNo: "Y"})
	assert.Equal(t, "cancelled", c.show(other)["status"])

	for _, args := range [][]string{{"renew"}, {"status-request"}, {"resend"}, {"close", "--note", "x"}} {
		code, _, _ := c.run(args...)
		assert.Equal(t, 2, code, "%v without a request is a usage error", args)
	}
}

func TestBorrowingSettings(t *testing.T) {
	c := newCLI(t)
	c.ok("config", "set", "pickup-locations", "Main,Branch")
	c.ok("config", "set", "library-name", "Our Library")
	c.ok("config", "set", "library-email", "ill@our.example")
	c.ok("config", "set", "pickup-address", "Main=1 Main St, Springfield")
	c.ok("config", "set", "send-patron-id", "on")
	c.ok("config", "set", "copy-delivery", "link")
	out := c.ok("config", "show")
	for _, want := range []string{"library-name              Our Library", "library-email             ill@our.example",
		"send-patron-id            on", "copy-delivery             link", "pickup-address Main       1 Main St, Springfield"} {
		assert.Contains(t, out, want)
	}
	for _, bad := range [][]string{{"send-patron-id", "yes"}, {"pickup-address", "no equals sign"}, {"library-email", "nobody"}, {"copy-delivery", "fax"}} {
		code, _, _ := c.run(append([]string{"config", "set"}, bad...)...)
		assert.Equal(t, 1, code, "%v", bad)
	}
}

func TestRequestConfirmedByTheLenderIsRequested(t *testing.T) {
	lender := &isotest.Partner{}
	srv := httptest.NewServer(lender)
	t.Cleanup(srv.Close)
	c := newCLI(t)
	c.ok("config", "set", "agency-id", "ISIL:US-OURS")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "ISIL:US-RAPID", "--iso-endpoint", srv.URL+"/")
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--article-title", "On tests", "--title", "Journal",
		"--requester", "Pat", "--pickup", "Main"))
	v := c.show(id)
	assert.Equal(t, "requested", v["status"], "the Request went out with the command and was confirmed OK")
	assert.Equal(t, "requested", lenders(v)[0]["outcome"])
	assert.Equal(t, []string{id + "-1 "}, lender.Received())
}

// TestEveryLenderMessageThroughImport feeds each supplying agency status
// and reason, as schema-valid XML, to a request sent to one lender and
// checks what show --json says after it.
func TestEveryLenderMessageThroughImport(t *testing.T) {
	due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	type msg struct {
		reason, status string
		opts           iso18626.SupplyOptions
	}
	loaned := msg{"RequestResponse", "Loaned", iso18626.SupplyOptions{DueDate: due, Delivery: &iso18626.DeliveryInfo{ItemId: "L-1"}}}
	tests := []struct {
		name    string
		before  []msg
		msg     msg
		status  string
		outcome string
		flags   []any
		check   func(t *testing.T, c *cli, v map[string]any)
	}{
		{name: "RequestReceived", msg: msg{"RequestResponse", "RequestReceived", iso18626.SupplyOptions{}}, status: "requested", outcome: "requested"},
		{name: "ExpectToSupply", msg: msg{"RequestResponse", "ExpectToSupply", iso18626.SupplyOptions{}}, status: "will_supply", outcome: "ExpectToSupply"},
		{name: "WillSupply", msg: msg{"StatusChange", "WillSupply", iso18626.SupplyOptions{}}, status: "will_supply", outcome: "WillSupply"},
		{name: "Loaned", msg: loaned, status: "shipped_to_us", outcome: "Loaned",
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Equal(t, "L-1", v["lender_item_id"])
				assert.Equal(t, "2027-02-01T00:00:00Z", v["lender_due_date"])
			}},
		{name: "Overdue", before: []msg{loaned}, msg: msg{"StatusChange", "Overdue", iso18626.SupplyOptions{}},
			status: "shipped_to_us", outcome: "Loaned", flags: []any{"overdue"}},
		{name: "Recalled", before: []msg{loaned}, msg: msg{"StatusChange", "Recalled", iso18626.SupplyOptions{}},
			status: "shipped_to_us", outcome: "Loaned", flags: []any{"recalled"},
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Contains(t, c.ok("notices", "list"), "pat@example.edu")
				assert.Contains(t, c.ok("list"), "Shipped to us — recalled")
			}},
		{name: "RetryPossible", msg: msg{"RequestResponse", "RetryPossible", iso18626.SupplyOptions{ReasonRetry: "NotFoundAsCited", Note: "which year?"}},
			status: "retry_possible", outcome: "RetryPossible"},
		{name: "Unfilled by the only lender", msg: msg{"RequestResponse", "Unfilled", iso18626.SupplyOptions{ReasonUnfilled: "NotHeld"}},
			status: "unfilled", outcome: "Unfilled",
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Contains(t, c.ok("notices", "list"), "pat@example.edu")
			}},
		{name: "CopyCompleted", msg: msg{"RequestResponse", "CopyCompleted", iso18626.SupplyOptions{}}, status: "copy_received", outcome: "CopyCompleted"},
		{name: "LoanCompleted", before: []msg{loaned}, msg: msg{"StatusChange", "LoanCompleted", iso18626.SupplyOptions{}}, status: "completed", outcome: "LoanCompleted"},
		{name: "CompletedWithoutReturn", before: []msg{loaned}, msg: msg{"StatusChange", "CompletedWithoutReturn", iso18626.SupplyOptions{}},
			status: "completed", outcome: "CompletedWithoutReturn"},
		{name: "Cancelled", msg: msg{"StatusChange", "Cancelled", iso18626.SupplyOptions{}}, status: "cancelled", outcome: "Cancelled"},
		{name: "CancelResponse yes", msg: msg{"CancelResponse", "Cancelled", iso18626.SupplyOptions{AnswerYesNo: "Y"}}, status: "cancelled", outcome: "Cancelled"},
		{name: "CancelResponse no", msg: msg{"CancelResponse", "WillSupply", iso18626.SupplyOptions{AnswerYesNo: "N"}}, status: "requested", outcome: "requested"},
		{name: "RenewResponse yes", before: []msg{loaned},
			msg:    msg{"RenewResponse", "Loaned", iso18626.SupplyOptions{AnswerYesNo: "Y", DueDate: due.AddDate(0, 0, 14)}},
			status: "shipped_to_us", outcome: "Loaned",
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Equal(t, "2027-02-15T00:00:00Z", v["lender_due_date"])
			}},
		{name: "RenewResponse no", before: []msg{loaned}, msg: msg{"RenewResponse", "Loaned", iso18626.SupplyOptions{AnswerYesNo: "N"}},
			status: "shipped_to_us", outcome: "Loaned",
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Equal(t, "2027-02-01T00:00:00Z", v["lender_due_date"])
			}},
		{name: "StatusRequestResponse", msg: msg{"StatusRequestResponse", "WillSupply", iso18626.SupplyOptions{}}, status: "will_supply", outcome: "WillSupply"},
		{name: "Notification", msg: msg{"Notification", "RequestReceived", iso18626.SupplyOptions{Note: "hello"}}, status: "created", outcome: "sent",
			check: func(t *testing.T, c *cli, v map[string]any) {
				assert.Contains(t, c.ok("show", v["id"].(string)), "hello")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			setupLenders(c)
			id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--title", "T",
				"--requester", "Pat", "--requester-email", "pat@example.edu", "--pickup", "Main"))
			for _, m := range tt.before {
				c.lenderSays("ISIL:US-RAPID", id+"-1", m.reason, m.status, m.opts)
			}
			c.lenderSays("ISIL:US-RAPID", id+"-1", tt.msg.reason, tt.msg.status, tt.msg.opts)
			v := c.show(id)
			assert.Equal(t, tt.status, v["status"])
			assert.Equal(t, tt.outcome, lenders(v)[0]["outcome"])
			assert.Equal(t, tt.flags, nilIfEmpty(v["flags"]))
			if tt.check != nil {
				tt.check(t, c, v)
			}
			// the same message again (a new timestamp) changes nothing
			c.lenderSays("ISIL:US-RAPID", id+"-1", tt.msg.reason, tt.msg.status, tt.msg.opts)
			again := c.show(id)
			for _, k := range []string{"status", "lenders", "flags", "lender_due_date"} {
				assert.Equal(t, v[k], again[k], k)
			}
		})
	}
}

func nilIfEmpty(v any) []any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		return l
	}
	return nil
}

// TestCopyFromALenderReachesThePatron: the CopyCompleted's link is
// fetched when the message is taken in, the PDF stored and emailed to the
// patron (as an .eml in the outbox without SMTP), and the request
// completed.
func TestCopyFromALenderReachesThePatron(t *testing.T) {
	file, err := os.ReadFile(pdf(t, "valid_scan_3pages.pdf"))
	require.NoError(t, err)
	lender := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(file) }))
	t.Cleanup(lender.Close)
	c := newCLI(t)
	setupLenders(c)
	c.ok("config", "set", "allow-plain-http", "on")
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--title", "Journal", "--article-title", "On tests",
		"--requester", "Pat", "--requester-email", "pat@example.edu", "--pickup", "Main"))
	var d iso18626.DeliveryInfo
	require.NoError(t, d.SetURL(lender.URL+"/f/secret"))
	out := c.lenderSays("ISIL:US-RAPID", id+"-1", "RequestResponse", "CopyCompleted", iso18626.SupplyOptions{Delivery: &d})
	assert.Contains(t, out, "Copy received")
	v := c.show(id)
	assert.Equal(t, "completed", v["status"])
	assert.Equal(t, float64(3), v["shipped_file"].(map[string]any)["pages"])
	shown := c.ok("show", id)
	assert.Equal(t, 1, strings.Count(shown, lender.URL+"/f/secret"), "the link is said once")
	assert.Contains(t, shown, "sent to pat@example.edu as an attachment")
	assert.Contains(t, shown, "Copy delivered to the patron")
	c.ok("check") // the copy in the vault is the request's
}

func TestAttachCopyCommand(t *testing.T) {
	c := newCLI(t)
	setupLenders(c)
	id := strings.TrimSpace(c.ok("borrow", "new", "--partner", "RAPID", "--title", "Journal", "--pages", "1-3",
		"--requester", "Pat", "--requester-email", "pat@example.edu", "--pickup", "Main"))
	code, _, errOut := c.run("attach-copy", id, pdf(t, "valid_scan_3pages.pdf"))
	assert.Equal(t, 1, code, "not before CopyCompleted")
	assert.Contains(t, errOut, "CopyCompleted")
	c.lenderSays("ISIL:US-RAPID", id+"-1", "RequestResponse", "CopyCompleted", iso18626.SupplyOptions{})
	code, _, _ = c.run("attach-copy", id, pdf(t, "not_pdf_text.pdf"))
	assert.Equal(t, 1, code, "a file that fails preflight is refused")
	assert.Contains(t, c.ok("attach-copy", id, pdf(t, "valid_scan_3pages.pdf")), "delivered")
	assert.Equal(t, "completed", c.show(id)["status"])
	code, _, _ = c.run("attach-copy", id)
	assert.Equal(t, 2, code)
}
