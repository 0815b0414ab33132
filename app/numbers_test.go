package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestNumbers: every request gets a number per side and year, shown
// by show and accepted wherever a request is named.
func TestRequestNumbers(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "EXT-1", "--title", "Journal")
	out := c.ok("borrow", "new", "--title", "A book", "--requester", "Pat Patron", "--pickup", "Main", "--partner", "RAPID")
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f-]{36}\n$`), out, "borrow new prints the id as before")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "EXT-2", "--title", "Journal")

	assert.Equal(t, "L-2026-00001", c.show("EXT-1")["request_number"])
	assert.Equal(t, "L-2026-00002", c.show("EXT-2")["request_number"])
	b := c.show("B-2026-00001")
	assert.Equal(t, "B-2026-00001", b["request_number"])
	assert.Equal(t, "A book", b["title"])
	assert.Equal(t, "EXT-2", c.show("l-2026-2")["external_id"], "typed in any case, without the zeros")

	text := c.ok("show", "L-2026-00001")
	assert.Regexp(t, `(?m)^Request no\.\s+L-2026-00001$`, text)

	c.ok("cancel", "L-2026-00002")
	assert.Equal(t, "cancelled", c.show("EXT-2")["status"])
	code, _, errOut := c.run("show", "L-2026-00009")
	require.Equal(t, 1, code)
	assert.Contains(t, errOut, "No request matches \"L-2026-00009\"")
}
