package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/storage/bolt"
)

var requestingValue = regexp.MustCompile(`(<ns1:requestingAgencyId>\s*<ns1:agencyIdType[^>]*>ISIL</ns1:agencyIdType>\s*<ns1:agencyIdValue>)OCLC-ABCDE`)

// strangerXML is the standard's sample request as sent by the agency
// ISIL:value, with the request id and a web address for replies.
func strangerXML(t *testing.T, value, id string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "iso18626", "testdata", "samples", "RequestSample1.xml"))
	require.NoError(t, err)
	s := requestingValue.ReplaceAllString(string(raw), "${1}"+value)
	s = strings.Replace(s, ">my123<", ">"+id+"<", 1)
	s = strings.Replace(s, "librarian@address.net", "https://"+strings.ToLower(value)+".example/iso", 1)
	require.Contains(t, s, ">"+value+"<")
	return []byte(s)
}

// receive has the database take in a message from the network, as serve
// does, while no command holds it.
func (c *cli) receive(raw []byte) domain.ImportResult {
	c.t.Helper()
	db, err := bolt.Open(c.db)
	require.NoError(c.t, err)
	defer db.Close()
	cal, err := domain.NewCalendar(time.Local, nil)
	require.NoError(c.t, err)
	d := domain.NewDesk(domain.Config{Store: db, Calendar: cal, Codec: iso18626.Codec{},
		Clock: domain.ClockFunc(func() time.Time { return c.clock })})
	res, conf, err := d.IntakeFrom(raw, domain.Caller{Addr: "127.0.0.1"})
	require.NoError(c.t, err)
	require.Contains(c.t, string(conf), ">OK<")
	return res
}

func TestQuarantineCommands(t *testing.T) {
	c := newCLI(t)
	assert.Contains(t, c.ok("config", "show"), "unknown-agencies          quarantine\n", "the default")
	assert.Equal(t, "No messages from unknown agencies wait.\n", c.ok("quarantine", "list"))
	first := c.receive(strangerXML(t, "DE-NEW", "N-1"))
	c.receive(strangerXML(t, "DE-NEW", "N-2"))
	odd := c.receive(strangerXML(t, "XX-ODD", "O-1"))
	assert.Equal(t, "[]\n", c.ok("partner", "list", "--json"), "no partner is made")
	assert.Equal(t, "[]\n", c.ok("list", "--all", "--json"), "nothing is in the list")

	out := c.ok("quarantine", "list")
	assert.Regexp(t, `(?m)^ID\s+RECEIVED\s+AGENCY\s+WHAT\s+TITLE\s+PROPOSED ADDRESS\s+FROM\s+STATUS$`, out)
	assert.Regexp(t, `(?m)^\S{8}\s+2026-11-20 15:00\s+ISIL:DE-NEW\s+request\s+Something about elephants\s+https://de-new\.example/iso\s+127\.0\.0\.1\s+held$`, out)
	var lines []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("quarantine", "list", "--json")), &lines))
	require.Len(t, lines, 3)
	assert.Equal(t, first.Held, lines[0]["id"])
	assert.Equal(t, "DE-NEW", lines[0]["suggested_code"])
	assert.Equal(t, "https://de-new.example/iso", lines[0]["reply_address"])
	assert.NotContains(t, lines[0], "raw", "the listing leaves the message's bytes out")

	code, _, errOut := c.run("quarantine", "accept", first.Held, "--code", "has space")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "must be 1–32 characters without spaces")
	code, _, errOut = c.run("quarantine", "accept", "nosuchid")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `No held message has the id "nosuchid".`)
	code, _, errOut = c.run("quarantine", "accept")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "usage: illdesk quarantine accept ID [--code CODE]")

	out = c.ok("quarantine", "accept", lines[0]["ref"].(string), "--code", "NEWLIB")
	assert.Contains(t, out, `Accepted "ISIL:DE-NEW" as partner NEWLIB; 2 of 2 held message(s) applied. NEWLIB is a new partner; review its details. Its endpoint is the address the message proposed: "https://de-new.example/iso".`)
	assert.Regexp(t, `(?m)^  \S{8}: New lending request "N-1" from NEWLIB: "Something about elephants"\.$`, out)
	var ps []domain.Partner
	require.NoError(t, json.Unmarshal([]byte(c.ok("partner", "list", "--json")), &ps))
	require.Len(t, ps, 1)
	assert.Equal(t, domain.Partner{Code: "NEWLIB", Name: "DE-NEW", AgencyID: "ISIL:DE-NEW", TurnaroundHours: 24, LoanPeriodDays: 28,
		NeedsReview: true, ISOEndpoint: "https://de-new.example/iso", Delivery: "iso"}, ps[0])
	assert.Contains(t, c.ok("list", "--all"), "N-2")

	out = c.ok("quarantine", "refuse", odd.Held, "--note", "not a library we know")
	assert.Equal(t, "Refused 1 held message(s) from \"ISIL:XX-ODD\"; nothing was sent.\n  "+odd.Held[len(odd.Held)-8:]+": not a library we know\n", out)
	assert.Equal(t, "No messages from unknown agencies wait.\n", c.ok("quarantine", "list"))
	code, _, errOut = c.run("quarantine", "refuse", odd.Held)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "was refused already")

	require.NoError(t, json.Unmarshal([]byte(c.ok("quarantine", "list", "--all", "--json")), &lines))
	var statuses []string
	for _, l := range lines {
		statuses = append(statuses, l["status"].(string))
	}
	assert.Equal(t, []string{"accepted", "accepted", "refused"}, statuses)

	var notes []string
	for _, e := range c.auditJSON("--action", "configure") {
		notes = append(notes, e["ref"].(string)+": "+e["note"].(string))
	}
	assert.Contains(t, notes, "partner NEWLIB: agency_id: (none) → ISIL:DE-NEW; code: (none) → NEWLIB; delivery: (none) → iso; "+
		"iso_endpoint: (none) → https://de-new.example/iso; loan_period_days: (none) → 28; name: (none) → DE-NEW; needs_review: (none) → true; turnaround_hours: (none) → 24")
	assert.Contains(t, notes, "quarantine "+odd.Held[len(odd.Held)-8:]+": agency: (none) → ISIL:XX-ODD; note: (none) → not a library we know; status: held → refused")
}

func TestConfigSetUnknownAgencies(t *testing.T) {
	c := newCLI(t)
	assert.Equal(t, "unknown-agencies set.\n", c.ok("config", "set", "unknown-agencies", "refuse"))
	assert.Contains(t, c.ok("config", "show"), "unknown-agencies          refuse\n")
	code, _, errOut := c.run("config", "set", "unknown-agencies", "ignore")
	assert.Equal(t, 1, code)
	assert.Equal(t, "illdesk: \"ignore\" is not a choice for messages from unknown agencies: use quarantine, accept or refuse.\n", errOut)
	assert.Contains(t, c.ok("config", "show"), "unknown-agencies          refuse\n", "a refused value changes nothing")
	assert.Contains(t, c.ok("audit", "--action", "configure"), "unknown_agencies: quarantine → refuse")

	c.ok("config", "set", "unknown-agencies", "accept")
	res := c.receive(strangerXML(t, "DE-NEW", "N-1"))
	assert.Equal(t, "DE-NEW", res.NewPartner, "accept makes the partner at once, marked for review")
	assert.Contains(t, c.ok("list"), "N-1")
}
