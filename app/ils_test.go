package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/ncipstub"
)

// TestPatronsFromTheILS looks patrons up in the stand-in ILS: the
// connection test, patron lookup, and borrow new --patron-id.
func TestPatronsFromTheILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	ils.Key = "the-key"
	c := newCLI(t)
	key := map[string]string{"ILLDESK_NCIP_KEY": "the-key"}
	run := func(args ...string) (int, string, string) { return c.runWith(key, nil, "", args...) }

	code, _, errOut := run("config", "test", "ncip")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "config set ncip-url")
	code, out, _ := run("config", "show")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "ncip-timeout              5s\n")

	for _, kv := range [][2]string{{"ncip-url", ils.URL}, {"ncip-from-agency", "ILLDESK"}, {"ncip-to-agency", "MAIN"},
		{"ncip-profile", "ILL Desk"}, {"ncip-timeout", "3s"}} {
		code, out, errOut = run("config", "set", kv[0], kv[1])
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, kv[0]+" set.\n", out)
	}
	code, out, _ = run("config", "show")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "ncip-url                  "+ils.URL+"\n")
	assert.Contains(t, out, "ncip-timeout              3s\n")
	code, out, errOut = run("config", "test", "ncip")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "answered a LookupUser")

	code, out, errOut = run("patron", "lookup", "--json", "P100")
	require.Equal(t, 0, code, errOut)
	var u map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &u))
	assert.Equal(t, map[string]any{"id": "P100", "name": "Ada Lovelace", "email": "ada@example.edu", "blocked": false, "problems": []any{}}, u)
	code, out, _ = run("patron", "lookup", "P200")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Blocked  Excessive Fines\n")
	code, _, errOut = run("patron", "lookup", "NOBODY")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Unknown User")

	setupLending(c)
	borrow := func(extra ...string) (int, string, string) {
		return run(append([]string{"borrow", "new", "--title", "A book", "--pickup", "Main Library", "--partner", "RAPID"}, extra...)...)
	}
	code, out, errOut = borrow("--patron-id", "P100")
	require.Equal(t, 0, code, errOut)
	v := c.show(strings.TrimSpace(out))
	assert.Equal(t, "Ada Lovelace", v["requester"])
	assert.Equal(t, "ada@example.edu", v["requester_email"])
	code, out, errOut = borrow("--patron-id", "P100", "--requester", "A. Lovelace")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "A. Lovelace", c.show(strings.TrimSpace(out))["requester"], "what staff typed stays")

	code, _, errOut = borrow("--patron-id", "P200")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Excessive Fines")
	code, _, errOut = borrow("--patron-id", "P200", "--allow-blocked")
	assert.Equal(t, 0, code, errOut)
	code, _, errOut = borrow("--patron-id", "NOBODY", "--requester", "Someone")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Unknown User: NOBODY")
	assert.True(t, slices.Contains(ils.Calls(), "LookupUser"))

	// an ILS that cannot be reached does not stop the desk
	ils.Close()
	code, out, errOut = borrow("--patron-id", "P100", "--requester", "Ada Lovelace")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "the patron was not looked up: could not reach")
	assert.Equal(t, "Ada Lovelace", c.show(strings.TrimSpace(out))["requester"])
	code, _, errOut = run("config", "test", "ncip")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "did not answer as expected")

	// the key never reaches the audit log; settings are audited
	code, out, _ = run("audit", "--action", "configure")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "ncip_url")
	assert.NotContains(t, out, "the-key")

	code, _, errOut = run("config", "set", "ncip-timeout", "soon")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ncip-timeout takes a duration")
	code, _, errOut = run("config", "set", "ncip-url", "http://ils.example.edu/ncip")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "plain http")
}

// TestBorrowingStepsCallTheILS takes a borrowed book through receive and
// the pickup desk with ncip-steps on: the stand-in ILS sees AcceptItem,
// CheckOutItem and CheckInItem in order, and its Problem refuses a scan
// with its words.
func TestBorrowingStepsCallTheILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	c := newCLI(t)
	for _, kv := range [][2]string{{"ncip-url", ils.URL}, {"ncip-from-agency", "ILLDESK"}, {"ncip-to-agency", "MAIN"},
		{"ncip-steps", "accept,checkout,checkin"}, {"ncip-unreachable", "refuse"}, {"ncip-pickup-codes", "Main Library=MAIN"}} {
		c.ok("config", "set", kv[0], kv[1])
	}
	out := c.ok("config", "show")
	assert.Contains(t, out, "ncip-steps                accept,checkout,checkin\n")
	assert.Contains(t, out, "ncip-unreachable          refuse\n")
	assert.Contains(t, out, "ncip-pickup-codes         Main Library=MAIN\n")
	code, _, errOut := c.run("config", "set", "ncip-unreachable", "later")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ncip-unreachable takes refuse")

	c.ok("partner", "add", "LOCAL", "--name", "Neighbour library")
	borrow := func(patron string) string {
		return strings.TrimSpace(c.ok("borrow", "new", "--partner", "LOCAL", "--title", "A book", "--requester", "Ada Lovelace",
			"--pickup", "Main Library", "--patron-id", patron))
	}
	id := borrow("P100")
	c.ok("receive", id, "--barcode", "39200001")
	for range 3 {
		c.ok("scan", "--desk", "pickup:Main Library", "39200001")
	}
	assert.Equal(t, "returned_by_patron", c.show(id)["status"])
	var steps []string
	for _, call := range ils.Calls() {
		if call != "LookupUser" {
			steps = append(steps, call)
		}
	}
	assert.Equal(t, []string{"AcceptItem", "CheckOutItem", "CheckInItem"}, steps)
	assert.Empty(t, ils.Errors())
	it, ok := ils.Item("39200001")
	assert.True(t, ok && it.Temporary && it.Loaned == "")

	// the ILS's Problem refuses the checkout of a patron it has blocked
	out = c.ok("borrow", "new", "--partner", "LOCAL", "--title", "A book", "--requester", "Blaise Pascal",
		"--pickup", "Main Library", "--patron-id", "P200", "--allow-blocked")
	id = strings.TrimSpace(out)
	c.ok("receive", id, "--barcode", "39200002")
	c.ok("scan", "--desk", "pickup:Main Library", "39200002")
	code, _, errOut = c.run("scan", "--desk", "pickup:Main Library", "39200002")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "The ILS refused, so nothing was changed: CheckOutItem: User Blocked: User Blocked: P200 (UserIdentifierValue P200)")
	assert.Equal(t, "on_hold_shelf", c.show(id)["status"], "nothing changed")

	// an ILS that does not answer refuses the step, saying how to go on
	ils.Close()
	code, _, errOut = c.run("scan", "--desk", "pickup:Main Library", "39200002")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "The ILS at "+ils.URL+" did not answer: ")
	assert.Contains(t, errOut, "nothing was changed. Try again, take the step out of ncip-steps to go on without the ILS, or set ncip-unreachable queue.")
	assert.Equal(t, "on_hold_shelf", c.show(id)["status"])
	c.ok("config", "set", "ncip-steps", "accept,checkin")
	c.ok("scan", "--desk", "pickup:Main Library", "39200002")
	assert.Equal(t, "loaned", c.show(id)["status"], "a step left out goes on without the ILS")
}

// TestLentBookCallsTheILS lends a book to a partner with its ILL patron
// record set and the lending steps on: the stand-in ILS checks it out to
// the partner, looks it up when it is scanned back in, and checks it in.
func TestLentBookCallsTheILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	c := newCLI(t)
	for _, kv := range [][2]string{{"ncip-url", ils.URL}, {"ncip-from-agency", "ILLDESK"}, {"ncip-to-agency", "MAIN"},
		{"ncip-steps", "lend-checkout,lend-checkin,lookup-item"}} {
		c.ok("config", "set", kv[0], kv[1])
	}
	assert.Contains(t, c.ok("config", "show"), "ncip-steps                lend-checkout,lend-checkin,lookup-item\n")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	assert.NotContains(t, c.ok("partner", "list"), "ILS PATRON", "no column while no partner has a record")
	c.ok("partner", "edit", "RAPID", "--ils-patron-id", "ILL-RAPID")
	assert.Regexp(t, `(?m)^RAPID .*  ILL-RAPID$`, c.ok("partner", "list"))
	var partners []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("partner", "list", "--json")), &partners))
	require.Len(t, partners, 1)
	assert.Equal(t, "ILL-RAPID", partners[0]["ils_patron_id"])

	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "R-LOAN", "--title", "Middlemarch", "--service", "loan",
		"--item-barcode", "39001000000017")
	out := c.ok("loan", "R-LOAN")
	assert.NotContains(t, out, "The ILS was not told")
	it, _ := ils.Item("39001000000017")
	assert.Equal(t, "ILL-RAPID", it.Loaned)
	out = c.ok("scan", "--desk", "rs", "39001000000017")
	assert.Contains(t, out, "The ILS has item 39001000000017 as “Middlemarch”.")
	assert.Equal(t, "returned", c.show("R-LOAN")["status"])
	it, _ = ils.Item("39001000000017")
	assert.Empty(t, it.Loaned)
	assert.Equal(t, []string{"CheckOutItem", "LookupItem", "CheckInItem"}, ils.Calls())

	// a partner without an ILL patron record is lent without the ILS, and staff are told
	c.ok("partner", "edit", "RAPID", "--ils-patron-id", "")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "R-LOAN-2", "--title", "Middlemarch", "--service", "loan",
		"--item-barcode", "39001000000017")
	out = c.ok("loan", "R-LOAN-2")
	assert.Contains(t, out, "The ILS was not told of this loan: partner RAPID has no ILS patron id")
	assert.Equal(t, "loaned_to_partner", c.show("R-LOAN-2")["status"])
	assert.Len(t, ils.Calls(), 3)
}

// TestPatronNoticesSetting shows who sends the pickup notice: ILL Desk
// until the accept step has the ILS place the hold, or as set.
func TestPatronNoticesSetting(t *testing.T) {
	c := newCLI(t)
	assert.Contains(t, c.ok("config", "show"), "patron-notices            ours\n")
	c.ok("config", "set", "ncip-url", "https://ils.example.edu/ncip")
	c.ok("config", "set", "ncip-steps", "accept")
	assert.Contains(t, c.ok("config", "show"), "patron-notices            ils\n")
	assert.Equal(t, "patron-notices set.\n", c.ok("config", "set", "patron-notices", "ours"))
	assert.Contains(t, c.ok("config", "show"), "patron-notices            ours\n")
	code, _, errOut := c.run("config", "set", "patron-notices", "both")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "patron-notices takes ours")
}

// TestILSQueue takes a borrowed book through every ILS step with the
// stand-in: DeleteItem goes after the completing scan. Then, with the ILS
// down and ncip-unreachable queue, a receipt goes ahead and its AcceptItem
// waits in the queue, shown by ils queue list and outbox send, until the
// ILS is back.
func TestILSQueue(t *testing.T) {
	ils := ncipstub.ForTest(t)
	c := newCLI(t)
	for _, kv := range [][2]string{{"ncip-url", ils.URL}, {"ncip-steps", "accept,checkout,checkin,delete"},
		{"ncip-unreachable", "queue"}, {"ncip-pickup-codes", "Main Library=MAIN"}} {
		c.ok("config", "set", kv[0], kv[1])
	}
	assert.Contains(t, c.ok("config", "show"), "ncip-unreachable          queue\n")
	c.ok("partner", "add", "LOCAL", "--name", "Neighbour library")
	borrow := func() string {
		return strings.TrimSpace(c.ok("borrow", "new", "--partner", "LOCAL", "--title", "A book", "--requester", "Ada Lovelace",
			"--pickup", "Main Library", "--patron-id", "P100"))
	}
	id := borrow()
	c.ok("receive", id, "--barcode", "39200001")
	for range 3 {
		c.ok("scan", "--desk", "pickup:Main Library", "39200001")
	}
	c.ok("scan", "--desk", "rs", "39200001")
	assert.Equal(t, "completed", c.show(id)["status"])
	var steps []string
	for _, call := range ils.Calls() {
		if call != "LookupUser" {
			steps = append(steps, call)
		}
	}
	assert.Equal(t, []string{"AcceptItem", "CheckOutItem", "CheckInItem", "DeleteItem"}, steps)
	_, ok := ils.Item("39200001")
	assert.False(t, ok, "the temporary item is deleted")

	down := ncipstub.ForTest(t)
	down.Close()
	c.ok("config", "set", "ncip-url", down.URL)
	id = borrow()
	out := c.ok("receive", id, "--barcode", "39200002")
	assert.Contains(t, out, ": Received")
	assert.Contains(t, out, "ILS call AcceptItem of item 39200002: retrying could not reach "+down.URL)
	var listed struct {
		Calls []domain.ILSCall `json:"calls"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("ils", "queue", "list", "--json")), &listed))
	require.Len(t, listed.Calls, 2)
	assert.Equal(t, []string{"DeleteItem", "sent", "AcceptItem", "retrying"},
		[]string{listed.Calls[0].Call, listed.Calls[0].Status, listed.Calls[1].Call, listed.Calls[1].Status})
	c.clock = c.clock.Add(2 * time.Minute)
	code, _, errOut := c.run("outbox", "send")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "AcceptItem of item 39200002 (")
	assert.Contains(t, errOut, "retrying: could not reach "+down.URL)
	assert.Contains(t, errOut, "1 call to the ILS not made (named above); they wait in the queue (illdesk ils queue list)")

	c.ok("config", "set", "ncip-url", ils.URL)
	out = c.ok("ils", "queue", "retry", listed.Calls[1].ID)
	assert.Contains(t, out, "AcceptItem of item 39200002")
	assert.Contains(t, out, ": sent")
	it, ok := ils.Item("39200002")
	assert.True(t, ok && it.Temporary, "the queued AcceptItem made the temporary item")
	assert.Contains(t, c.ok("ils", "queue", "list"), "AcceptItem  39200002  sent")
	assert.Len(t, strings.Split(strings.TrimSpace(c.ok("ils", "queue", "list", "--all")), "\n"), 6, "a header and five calls")

	code, _, errOut = c.run("ils", "queue", "drop", listed.Calls[1].ID, "--note", "done by hand")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "only a pending, retrying or refused ILS call can be retried or dropped")
	code, _, _ = c.run("ils", "queue")
	assert.Equal(t, 2, code)
}
