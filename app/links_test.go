package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
)

// shippedByLink ships R-1 to RAPID, which takes files by download link.
func shippedByLink(t *testing.T) (*cli, string) {
	c := newCLI(t)
	c.ok("config", "set", "public-url", "http://127.0.0.1:8626")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--delivery", "iso")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "R-1", "--title", "Journal of Testing")
	return c, c.ok("ship", "R-1", pdf(t, "valid_scan_3pages.pdf"))
}

func TestShipShowsWhereTheLinkPointsWithoutItsToken(t *testing.T) {
	_, out := shippedByLink(t)
	assert.Regexp(t, `(?m)^  file R-1\.pdf by iso: available http://127\.0\.0\.1:8626/files/… \(until \d{4}-\d\d-\d\d\)$`, out)
}

func TestLinkRevoke(t *testing.T) {
	c, _ := shippedByLink(t)
	assert.Equal(t, "R-1: the download link of R-1.pdf for RAPID is revoked.\n", c.ok("link", "revoke", "R-1"))
	history := c.show("R-1")["history"].([]any)
	last := history[len(history)-1].(map[string]any)
	assert.Equal(t, "link", last["action"])
	assert.Equal(t, "Download link revoked: R-1.pdf", last["note"])
	assert.Equal(t, "tester", last["actor"])
	assert.Equal(t, []string{"link"}, auditColumn(c.auditJSON("--action", "link"), "action"), "the audit trail has it")

	assert.Equal(t, "R-1 has no download link that still works; nothing was revoked.\n", c.ok("link", "revoke", "R-1"))
	assert.Regexp(t, `(?m)^\S+ +R-1 +RAPID +file R-1\.pdf by iso +revoked +0 +http://127\.0\.0\.1:8626/files/…`, c.ok("outbox", "list"))

	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"link"}, 2, "usage: illdesk link revoke REF"},
		{[]string{"link", "revoke"}, 2, "usage: illdesk link revoke REF"},
		{[]string{"link", "list", "R-1"}, 2, "usage: illdesk link revoke REF"},
		{[]string{"link", "revoke", "NOPE-4040"}, 1, "NOPE-4040"},
	} {
		code, out, errOut := c.run(tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Empty(t, out)
		assert.Contains(t, errOut, tc.err)
	}
}

func TestConfigLinkDays(t *testing.T) {
	c := newCLI(t)
	assert.Contains(t, c.ok("config", "show"), "\nlink-days                 30\n", "the default")
	assert.Equal(t, "link-days set.\n", c.ok("config", "set", "link-days", "7"))
	assert.Contains(t, c.ok("config", "show"), "\nlink-days                 7\n")
	es := c.auditJSON("--action", "configure")
	require.NotEmpty(t, es)
	assert.Equal(t, "download links", es[0]["ref"])
	assert.Equal(t, "link_days: 30 → 7", es[0]["note"])

	for _, tc := range []struct {
		value string
		code  int
		err   string
	}{
		{"0", 1, "Download links must work for 1 to 3650 days"},
		{"5000", 1, "Download links must work for 1 to 3650 days"},
		{"a month", 2, "config set link-days takes a whole number of days"},
	} {
		code, _, errOut := c.run("config", "set", "link-days", tc.value)
		assert.Equal(t, tc.code, code, tc.value)
		assert.Contains(t, errOut, tc.err, tc.value)
	}
	assert.Contains(t, c.ok("config", "show"), "\nlink-days                 7\n", "a refused value changes nothing")
}

func TestConfigPublicURL(t *testing.T) {
	c := newCLI(t)
	for _, u := range []string{"https://ill.example.edu", "http://127.0.0.1:8626", "http://localhost:8626", "http://[::1]:8626"} {
		assert.Equal(t, "public-url set.\n", c.ok("config", "set", "public-url", u), u)
	}
	for _, u := range []string{"http://ill.example.edu", "http://192.0.2.7:8626", "ill.example.edu"} {
		code, _, errOut := c.run("config", "set", "public-url", u)
		assert.Equal(t, 1, code, u)
		assert.Regexp(t, regexp.MustCompile(`^illdesk: The public address "[^"]+" must (use|be an) https://`), errOut, u)
	}
	assert.Regexp(t, `(?m)^public-url                http://\[::1\]:8626$`, c.ok("config", "show"), "a refused value changes nothing")

	// a value set before https was required still makes links, and config show says so
	db, err := bolt.Open(c.db)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting(domain.SettingPublicURL, "http://ill.example.edu") }))
	require.NoError(t, db.Close())
	assert.Contains(t, c.ok("config", "show"), "public-url                http://ill.example.edu  (not https: download links sent with it can be read on the way; set an https:// address)\n")
}
