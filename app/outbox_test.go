package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/storage/bolt"
)

// outboxJSON is outbox list --json's messages.
func (c *cli) outboxJSON() []map[string]any {
	c.t.Helper()
	var v struct {
		Messages []map[string]any `json:"messages"`
	}
	require.NoError(c.t, json.Unmarshal([]byte(c.ok("outbox", "list", "--json")), &v))
	return v.Messages
}

// refusedID rejects R-1 with the partner refusing it and returns the id
// of the refused Unfilled message.
func refusedID(t *testing.T, c *cli, p *isoPartner) string {
	t.Helper()
	p.Refuse("R-1")
	out := c.ok("reject", "R-1", "--reason", "NotHeld")
	assert.Contains(t, out, "  message Unfilled to RAPID: refused: the partner answered ERROR: UnrecognisedDataValue: refused by the test\n")
	msgs := c.outboxJSON()
	require.Len(t, msgs, 1)
	assert.Equal(t, "refused", msgs[0]["status"])
	assert.Equal(t, "request", msgs[0]["hold"])
	assert.Equal(t, "refused: the partner answered ERROR: UnrecognisedDataValue: refused by the test", msgs[0]["why"])
	assert.Nil(t, msgs[0]["body"], "no body in the listing")
	return msgs[0]["id"].(string)
}

func TestOutboxResendDropMarkSent(t *testing.T) {
	tests := []struct {
		args     func(id string) []string
		out      string // a line of the command's output
		status   string // in outbox list --json afterwards
		received []string
	}{
		{args: func(id string) []string { return []string{"outbox", "resend", id} },
			out: `(?m)^  message \S+ Unfilled to RAPID: sent http://127\.0\.0\.1:\d+/iso$`, status: "sent", received: []string{"R-1 Unfilled"}},
		{args: func(id string) []string { return []string{"outbox", "drop", id, "--note", "phoned them"} },
			out: `(?m)^  message \S+ Unfilled to RAPID: dropped phoned them$`, status: "dropped"},
		{args: func(id string) []string { return []string{"outbox", "mark-sent", id, "--note", "emailed"} },
			out: `(?m)^  message \S+ Unfilled to RAPID: sent marked as sent$`, status: "sent"},
	}
	for _, tt := range tests {
		t.Run(tt.args("ID")[1], func(t *testing.T) {
			c := newCLI(t)
			p := newISOPartner(t)
			withISOPartner(c, p, "R-1")
			id := refusedID(t, c, p)
			p.Refuse("")
			out := c.ok(tt.args(id)...)
			assert.Regexp(t, regexp.MustCompile(tt.out), out)
			assert.Equal(t, tt.status, c.outboxJSON()[0]["status"])
			assert.Equal(t, tt.received, p.Received())
			assert.Contains(t, c.ok("outbox", "send"), "Everything due was sent.")
			code, _, errOut := c.run(tt.args(id)...)
			assert.Equal(t, 1, code, "only an unsent message: %s", errOut)
			assert.Contains(t, errOut, "only a pending, retrying or refused message")
		})
	}
	t.Run("bad input", func(t *testing.T) {
		c := newCLI(t)
		p := newISOPartner(t)
		withISOPartner(c, p, "R-1")
		id := refusedID(t, c, p)
		for _, args := range [][]string{{"outbox", "drop", id}, {"outbox", "resend", "nothing-such"}, {"outbox", "resend"}} {
			code, _, _ := c.run(args...)
			assert.NotEqual(t, 0, code, "%v", args)
		}
		assert.Equal(t, "refused", c.outboxJSON()[0]["status"], "bad input changes nothing")
	})
}

func TestOutboxSendNamesWhatFailed(t *testing.T) {
	c := newCLI(t)
	var down atomic.Bool
	down.Store(true)
	partner := &isotest.Partner{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		partner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	withISOPartner(c, &isoPartner{srv, partner}, "R-1")
	c.ok("reject", "R-1", "--reason", "NotHeld")
	msgs := c.outboxJSON()
	require.Len(t, msgs, 1)
	assert.Equal(t, "retrying", msgs[0]["status"])
	assert.Regexp(t, `answered 503 Service Unavailable: maintenance; next try at`, msgs[0]["why"])

	c.clock = c.clock.Add(time.Minute)
	code, out, errOut := c.run("outbox", "send")
	assert.Equal(t, 1, code)
	assert.NotContains(t, out, "Everything due was sent.")
	assert.Regexp(t, `message \S+ \(Unfilled of R-1 to RAPID\): retrying: .*503`, errOut)

	down.Store(false)
	c.clock = c.clock.Add(2 * time.Minute)
	assert.Contains(t, c.ok("outbox", "send"), "Everything due was sent.")
	assert.Equal(t, []string{"R-1 Unfilled"}, partner.Received())
}

// A message another process (a window, illdesk serve) claimed and is
// posting is listed as being sent, and outbox send passes it over without
// calling it a failure; once the claim lapses, it is sent here.
func TestOutboxSendPassesOverAMessageSentElsewhere(t *testing.T) {
	c := newCLI(t)
	var down atomic.Bool
	down.Store(true)
	partner := &isotest.Partner{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		partner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	withISOPartner(c, &isoPartner{srv, partner}, "R-1")
	c.ok("reject", "R-1", "--reason", "NotHeld")
	down.Store(false)
	c.clock = c.clock.Add(time.Minute)
	until := c.clock.Add(90 * time.Second)
	db, err := bolt.Open(c.db)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		var msgs []domain.OutboxMessage
		if err := tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error { msgs = append(msgs, m); return nil }); err != nil {
			return err
		}
		msgs[0].Lease = domain.Lease{Holder: "another-window", Until: until}
		return tx.PutOutboxMessage(msgs[0])
	}))
	require.NoError(t, db.Close())

	claimed := "being sent now (claimed until " + until.Local().Format("2006-01-02 15:04:05") + ")"
	msgs := c.outboxJSON()
	require.Len(t, msgs, 1)
	assert.Equal(t, "retrying", msgs[0]["status"])
	assert.Equal(t, claimed, msgs[0]["why"])
	out := c.ok("outbox", "send")
	assert.Regexp(t, `(?m)^message \S+ \(Unfilled of R-1 to RAPID\): `+regexp.QuoteMeta(claimed)+`$`, out)
	assert.Contains(t, out, "Everything due was sent.")
	assert.Empty(t, partner.Received(), "the other process posts it")

	c.clock = until
	assert.Contains(t, c.ok("outbox", "send"), "Everything due was sent.")
	assert.Equal(t, []string{"R-1 Unfilled"}, partner.Received(), "the lapsed claim holds it no longer")
	assert.Equal(t, "sent", c.outboxJSON()[0]["status"])
}

func TestCredentialRefusalWaitsForAPartnerEdit(t *testing.T) {
	c := newCLI(t)
	var refuse atomic.Bool
	refuse.Store(true)
	partner := &isotest.Partner{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() {
			http.Error(w, "token expired", http.StatusUnauthorized)
			return
		}
		partner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	withISOPartner(c, &isoPartner{srv, partner}, "R-1", "R-2")
	c.ok("reject", "R-1", "--reason", "NotHeld")
	c.ok("reject", "R-2", "--reason", "NotHeld")
	msgs := c.outboxJSON()
	require.Len(t, msgs, 2)
	assert.Equal(t, "partner", msgs[0]["hold"])
	assert.Equal(t, "pending", msgs[1]["status"])
	assert.Contains(t, msgs[1]["why"], "check the partner's settings")

	refuse.Store(false)
	c.ok("partner", "edit", "RAPID", "--name", "RapidILL")
	assert.Equal(t, []string{"R-1 Unfilled", "R-2 Unfilled"}, partner.Received(), "a partner edit lets its messages go")
}

func TestCancelWithdrawsUnsentMessages(t *testing.T) {
	c := newCLI(t)
	p := newISOPartner(t)
	withISOPartner(c, p, "R-1")
	p.Refuse("R-1")
	c.ok("import", statusRequestFile(t, "R-1"))
	c.ok("cancel", "R-1")
	var got []string
	for _, m := range c.outboxJSON() {
		got = append(got, m["summary"].(string)+": "+m["status"].(string)+" "+str(m["note"]))
	}
	assert.Equal(t, []string{"StatusRequestResponse RequestReceived: dropped withdrawn: request cancelled",
		"CancelResponse Cancelled: refused "}, got)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// statusRequestFile is a file holding RAPID's StatusRequest about ext.
func statusRequestFile(t *testing.T, ext string) string {
	t.Helper()
	raw, err := iso18626.Codec{}.Encode(domain.Outgoing{Kind: domain.KindRequesting, Action: "StatusRequest",
		From: "OCLC:RAPID", To: "ISIL:US-OURS", RequestingRequestID: ext, Timestamp: fixedNow})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "status.xml")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return path
}

func TestRetryBackoffFromTheEnvironment(t *testing.T) {
	for value, want := range map[string]time.Duration{"": 0, "2s": 2 * time.Second, "soon": 0, "-1s": 0, "0": 0} {
		got := retryBackoff(func(k string) string {
			if k == envRetryBackoff {
				return value
			}
			return ""
		})
		assert.Equal(t, want, got, "%q", value)
	}
	assert.Zero(t, retryBackoff(nil))
}

// A notice another process claimed is listed as Sending, and notices send
// leaves it to that process until the claim lapses.
func TestNoticesListShowsANoticeSentElsewhere(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "NYPL", "--name", "NYPL")
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "Silent Spring", "--requester", "Grace Hopper",
		"--requester-email", "grace@example.edu", "--pickup", "Main Library", "--partner", "NYPL"))
	c.ok("receive", id, "--barcode", "39200001")
	c.ok("scan", "--desk", "pickup:Main Library", "39200001")
	c.clock = c.clock.Add(domain.NoticeGrace)
	until := c.clock.Add(3 * time.Minute)
	db, err := bolt.Open(c.db)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		ns, err := tx.Notices()
		if err != nil {
			return err
		}
		ns[0].Lease = domain.Lease{Holder: "another-window", Until: until}
		return tx.PutNotice(ns[0])
	}))
	require.NoError(t, db.Close())

	assert.Regexp(t, `grace@example\.edu\s+Sending\s+0\s+claimed until `+regexp.QuoteMeta(until.Local().Format("2006-01-02 15:04:05")),
		c.ok("notices", "list"))
	assert.Contains(t, c.ok("notices", "send"), "0 sent, 0 failed")
	c.clock = until
	assert.Contains(t, c.ok("notices", "send"), "1 sent")
	assert.Regexp(t, `grace@example\.edu\s+Sent\s+1`, c.ok("notices", "list"))
}
