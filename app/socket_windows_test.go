package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// On Windows commands are not forwarded yet: while a window holds the
// database they are refused as before, and the window says nothing of it.
func TestHeldDatabaseRefusesCommandsOnWindows(t *testing.T) {
	c := newCLI(t)
	setupLending(c)
	h := c.hold()
	code, out, errOut := c.run("list")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "already open in another ILL Desk window")
	assert.Empty(t, h.log.String())
}
