package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScanCheckoutWithPatronID: scan at the pickup desk checks out as
// scripts rely on, and with --patron-id only to the request's patron.
func TestScanCheckoutWithPatronID(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "BVB", "--name", "Bavarian network")
	id := strings.TrimSpace(c.ok("borrow", "new", "--title", "Silent Spring", "--requester", "Grace Hopper",
		"--pickup", "Main Library", "--partner", "BVB", "--patron-id", "P-7"))
	c.ok("receive", id, "--barcode", "39200001")
	c.ok("scan", "--desk", "pickup:Main Library", "39200001")

	code, _, errOut := c.run("scan", "--desk", "pickup:Main Library", "--patron-id", "P-8", "39200001")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "39200001 is on hold for Grace Hopper, not for patron P-8; nothing changed.")
	assert.Equal(t, "on_hold_shelf", c.show(id)["status"], "nothing changed")
	assert.Contains(t, c.ok("scan", "--desk", "pickup:Main Library", "--patron-id", "p-7", "39200001"), "checked out to Grace Hopper")
	assert.Equal(t, "loaned", c.show(id)["status"])

	// a request without a patron id: --patron-id has nothing to match
	other := strings.TrimSpace(c.ok("borrow", "new", "--title", "Cosmos", "--requester", "Vera Rubin",
		"--pickup", "Main Library", "--partner", "BVB"))
	c.ok("receive", other, "--barcode", "39200002")
	c.ok("scan", "--desk", "pickup:Main Library", "39200002")
	code, _, errOut = c.run("scan", "--desk", "pickup:Main Library", "--patron-id", "P-7", "39200002")
	require.Equal(t, 1, code)
	assert.Contains(t, errOut, "no patron id to match P-7")
	assert.Contains(t, c.ok("scan", "--desk", "pickup:Main Library", "39200002"), "checked out to Vera Rubin",
		"without --patron-id the check-out goes on as before")
}
