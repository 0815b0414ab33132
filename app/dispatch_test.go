package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
)

// isoPartner is a partner's ISO 18626 endpoint served on 127.0.0.1.
type isoPartner struct {
	*httptest.Server
	*isotest.Partner
}

func newISOPartner(t *testing.T) *isoPartner {
	p := &isotest.Partner{}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return &isoPartner{s, p}
}

// withISOPartner sets up RAPID as a partner exchanging ISO 18626 messages
// with the server, and a lending request for each external id.
func withISOPartner(c *cli, p *isoPartner, exts ...string) {
	c.ok("config", "set", "agency-id", "ISIL:US-OURS")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "OCLC:RAPID", "--iso-endpoint", p.URL+"/iso")
	for _, ext := range exts {
		c.ok("lend", "new", "--partner", "RAPID", "--external-id", ext, "--title", "Journal of Testing")
	}
}

func TestCommandsSendWhatTheyQueued(t *testing.T) {
	statusRequest := func(t *testing.T) string {
		raw, err := iso18626.Codec{}.Encode(domain.Outgoing{Kind: domain.KindRequesting, Action: "StatusRequest",
			From: "OCLC:RAPID", To: "ISIL:US-OURS", RequestingRequestID: "R-1", Timestamp: fixedNow})
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "status.xml")
		require.NoError(t, os.WriteFile(path, raw, 0o600))
		return path
	}
	tests := []struct {
		name    string
		args    func(t *testing.T) []string
		sent    string
		outLine string // the line the command prints about the message; "" for none
	}{
		{"reject", func(*testing.T) []string { return []string{"reject", "R-1", "--reason", "NotHeld"} }, "R-1 Unfilled",
			`(?m)^R-1: Rejected.*\n  message Unfilled to RAPID: sent http://127\.0\.0\.1:\d+/iso$`},
		{"bad citation", func(*testing.T) []string { return []string{"bad-citation", "R-1", "--partner-note", "Which volume?"} }, "R-1 RetryPossible",
			`(?m)^  message RetryPossible to RAPID: sent http://127\.0\.0\.1:\d+/iso$`},
		{"cancel", func(*testing.T) []string { return []string{"cancel", "R-1"} }, "R-1 Cancelled",
			`(?m)^  message CancelResponse Cancelled to RAPID: sent http://127\.0\.0\.1:\d+/iso$`},
		{"import of a message that is answered", func(t *testing.T) []string { return []string{"import", statusRequest(t)} }, "R-1 RequestReceived", ""},
		{"ship", func(t *testing.T) []string { return []string{"ship", "R-1", pdf(t, "valid_scan_3pages.pdf")} }, "R-1 CopyCompleted",
			`(?m)^  message CopyCompleted to RAPID: sent http://127\.0\.0\.1:\d+/iso$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			p := newISOPartner(t)
			withISOPartner(c, p, "R-1")
			out := c.ok(tt.args(t)...)
			assert.Equal(t, []string{tt.sent}, p.Received(), "sent before the command returned")
			if tt.outLine != "" {
				assert.Regexp(t, regexp.MustCompile(tt.outLine), out)
			}
			assert.Regexp(t, `R-1 +RAPID +message .* +sent +1 +http://127\.0\.0\.1`, c.ok("outbox", "list"))
		})
	}
}

func TestCommandsSendInOrderPerRequest(t *testing.T) {
	c := newCLI(t)
	p := newISOPartner(t)
	withISOPartner(c, p, "R-1", "R-2")
	p.Refuse("R-1")
	c.ok("reject", "R-1", "--reason", "NotHeld")
	c.ok("reject", "R-2", "--reason", "NotHeld")
	assert.Equal(t, []string{"R-2 Unfilled"}, p.Received(), "R-1's refusal does not hold up R-2's message to the same partner")
	list := c.ok("outbox", "list")
	assert.Regexp(t, `R-1 +RAPID +message Unfilled +refused +1 +refused: the partner answered ERROR: UnrecognisedDataValue: refused by the test`, list)
	assert.Regexp(t, `R-2 +RAPID +message Unfilled +sent +1`, list)

	p.Refuse("")
	c.clock = c.clock.Add(time.Hour)
	code, _, errOut := c.run("outbox", "send")
	assert.Equal(t, 1, code, "a refused message waits for staff")
	assert.Regexp(t, `(?m)^message \S+ \(Unfilled of R-1 to RAPID\): refused: the partner answered ERROR: UnrecognisedDataValue: refused by the test$`, errOut)
	assert.Equal(t, []string{"R-2 Unfilled"}, p.Received(), "a refused message is not sent again by itself")
	c.ok("list") // a command that queues nothing sends nothing
	assert.Len(t, p.Received(), 1)
}
