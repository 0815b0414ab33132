package main

import (
	"bytes"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// TestDepartmentDatabaseOnTwoHosts names a primary that is down and the
// live server in one address, as for a standby that took over, in --db
// and in ILLDESK_DB: the commands work on the live one.
func TestDepartmentDatabaseOnTwoHosts(t *testing.T) {
	c, base, vault := departmentCLI(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing answers there now
	two := func(hosts string) string {
		v := *u
		v.Host, v.User = hosts, url.UserPassword(u.User.Username(), "secret-pw")
		return v.String() + "&target_session_attrs=read-write"
	}

	c.db = two(down + "," + u.Host)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "TWO-1", "--title", "Journal")

	var out, errOut bytes.Buffer
	code := run([]string{"--vault", vault, "show", "TWO-1"}, env{stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if k == "ILLDESK_DB" {
				return c.db
			}
			return ""
		},
		clock: domain.ClockFunc(func() time.Time { return fixedNow })})
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "TWO-1", "ILLDESK_DB reads the same address")

	c.db = two(down + "," + down)
	code, _, msg := c.run("list")
	assert.Equal(t, 1, code)
	assert.Contains(t, msg, "cannot be reached")
	assert.Contains(t, msg, "nothing was changed")
	assert.Contains(t, msg, down+","+down, "the address as given")
	assert.False(t, strings.Contains(msg, "secret-pw"), "without its password")
}
