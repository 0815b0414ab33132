package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/iso18626"
)

// setupLoan adds RAPID (ISO 18626 by files: no endpoint) and its request
// R-LOAN for a loan of the book with barcode 39000001.
func setupLoan(c *cli) {
	c.ok("config", "set", "agency-id", "ISIL:US-OURS")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "OCLC:RAPID")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "R-LOAN", "--title", "Silent Spring",
		"--service", "loan", "--item-barcode", "39000001")
}

// borrowerSays imports RAPID's requesting agency message about R-LOAN.
func (c *cli) borrowerSays(action string) string {
	c.t.Helper()
	from, err := iso18626.ParseAgencyID("OCLC:RAPID")
	require.NoError(c.t, err)
	to, err := iso18626.ParseAgencyID("ISIL:US-OURS")
	require.NoError(c.t, err)
	m, err := iso18626.NewRequestingAgencyMessage(iso18626.Header{RequestingAgencyId: from, SupplyingAgencyId: to,
		Timestamp: c.clock.UTC(), RequestingAgencyRequestId: "R-LOAN"}, action, "")
	require.NoError(c.t, err)
	raw, err := iso18626.Marshal(m)
	require.NoError(c.t, err)
	f := filepath.Join(c.t.TempDir(), action+".xml")
	require.NoError(c.t, os.WriteFile(f, raw, 0o600))
	return c.ok("import", f)
}

// outboxSummaries lists the summaries of the messages in the outbox, oldest first.
func (c *cli) outboxSummaries() []string {
	c.t.Helper()
	var list struct {
		Messages []struct {
			Summary string `json:"summary"`
		} `json:"messages"`
	}
	require.NoError(c.t, json.Unmarshal([]byte(c.ok("outbox", "list", "--json")), &list))
	var out []string
	for _, m := range list.Messages {
		out = append(out, m.Summary)
	}
	return out
}

func TestLoanRecallAndRenewAnswer(t *testing.T) {
	c := newCLI(t)
	setupLoan(c)
	v := c.show("R-LOAN")
	assert.Equal(t, "Loan", v["service_type"])

	code, _, errOut := c.run("ship", "R-LOAN", pdf(t, "valid_scan_3pages.pdf"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "asks for a loan of the book, not a copy")

	code, _, errOut = c.run("loan", "R-LOAN", "--due", "2026-13-01")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "not a date")
	code, _, errOut = c.run("loan", "R-LOAN", "--due", "2026-11-01")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not in the future")

	out := c.ok("loan", "R-LOAN", "--item-barcode", "39000002", "--due", "2026-12-31")
	assert.Contains(t, out, "R-LOAN: Loaned to partner — item 39000002, due 2026-12-31\n")
	v = c.show("R-LOAN")
	assert.Equal(t, "loaned_to_partner", v["status"])
	assert.Equal(t, "39000002", v["item_barcode"])
	assert.True(t, strings.HasPrefix(v["due_date"].(string), "2026-12-31"), v["due_date"])
	assert.Equal(t, []string{"Loaned"}, c.outboxSummaries())
	assert.Nil(t, v["time_left_hours"], "the turnaround is met once the book is lent")
	assert.Regexp(t, `(?m)^Time left +due 2026-12-31$`, c.ok("show", "R-LOAN"))

	code, _, errOut = c.run("renew-answer", "R-LOAN", "yes")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "No renewal of R-LOAN waits for an answer.")
	code, _, _ = c.run("renew-answer", "R-LOAN", "maybe")
	assert.Equal(t, 2, code)

	c.ok("partner", "edit", "RAPID", "--renew", "ask", "--renewals", "2")
	c.borrowerSays("Renew")
	assert.Contains(t, c.ok("show", "R-LOAN"), "answer with illdesk renew-answer")
	out = c.ok("renew-answer", "R-LOAN", "yes")
	assert.Contains(t, out, "R-LOAN: renewal granted, due 2027-01-28\n")
	assert.Equal(t, 1.0, c.show("R-LOAN")["renewals"])
	assert.Equal(t, []string{"Loaned", "RenewResponse Loaned"}, c.outboxSummaries(), "the renewal is answered")

	out = c.ok("recall", "R-LOAN", "--note", "needed for a course")
	assert.Contains(t, out, "R-LOAN: Loaned to partner — recalled, due 2027-01-28\n")
	assert.NotEmpty(t, c.show("R-LOAN")["recalled_at"])
	assert.Equal(t, []string{"Loaned", "RenewResponse Loaned", "Recalled"}, c.outboxSummaries())
	code, _, errOut = c.run("recall", "R-LOAN")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already recalled")

	c.borrowerSays("ShippedReturn")
	assert.Equal(t, "return_in_transit", c.show("R-LOAN")["status"])
	out = c.ok("scan", "--desk", "rs", "39000002")
	assert.Contains(t, out, "LoanCompleted sent")
	assert.Equal(t, "returned", c.show("R-LOAN")["status"])
	assert.Equal(t, []string{"Loaned", "RenewResponse Loaned", "Recalled", "LoanCompleted"}, c.outboxSummaries())
}

func TestPartnerEditRenewals(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	partner := func() map[string]any {
		var ps []map[string]any
		require.NoError(t, json.Unmarshal([]byte(c.ok("partner", "list", "--json")), &ps))
		require.Len(t, ps, 1)
		return ps[0]
	}
	p := partner()
	assert.NotContains(t, p, "renewals", "a partner never edited keeps its shape")
	assert.NotContains(t, p, "renew")

	c.ok("partner", "edit", "RAPID", "--renewals", "3", "--renew", "ASK")
	p = partner()
	assert.Equal(t, 3.0, p["renewals"])
	assert.Equal(t, "ask", p["renew"])
	assert.Contains(t, c.ok("audit"), "renew")

	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"--renew", "sometimes"}, 2},
		{[]string{"--renewals", "-1"}, 1},
	} {
		code, _, errOut := c.run(append([]string{"partner", "edit", "RAPID"}, tt.args...)...)
		assert.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
	}
	assert.Equal(t, p, partner(), "bad input changes nothing")
	c.ok("partner", "edit", "RAPID", "--renewals", "0")
	assert.Equal(t, 0.0, partner()["renewals"], "no renewals at all is kept as 0")
}

func TestLendServiceFlag(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	code, _, errOut := c.run("lend", "new", "--partner", "RAPID", "--external-id", "X", "--title", "T", "--service", "book")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "copy, loan or copy-or-loan")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "X", "--title", "T", "--service", "copy-or-loan")
	assert.Equal(t, "CopyOrLoan", c.show("X")["service_type"])
}
