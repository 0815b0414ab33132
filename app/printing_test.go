package main

import (
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/printtest"
)

// printingCLI is a command line with a lending request picked (12345678),
// another that is not (87654321) and a fake printer with no default.
func printingCLI(t *testing.T) (*cli, *printtest.Printer) {
	c := newCLI(t)
	p := &printtest.Printer{Names: []string{"Office", "Basement"}}
	c.printer = p
	setupLending(c)
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "87654321", "--title", "Unpicked", "--item-barcode", "39000002")
	c.ok("pick", "12345678", "--to", "digitization:Scan Lab")
	return c, p
}

func TestSlipWritesOnePDF(t *testing.T) {
	c, p := printingCLI(t)
	slips := filepath.Join(filepath.Dir(c.db), "work", "slips")
	assert.Equal(t, "Pick slip: "+filepath.Join(slips, "12345678-slip.pdf")+"\n", c.ok("slip", "12345678"))

	c.ok("pick", "87654321", "--to", "rs")
	out := filepath.Join(t.TempDir(), "both.pdf")
	assert.Equal(t, "Pick slips: "+out+"\n", c.ok("slip", "12345678", "87654321", "--out", out))
	pages, err := api.PageCountFile(out)
	require.NoError(t, err)
	assert.Equal(t, 2, pages, "one PDF of two slips")
	assert.Empty(t, p.Jobs(), "nothing printed without --print")
}

func TestSlipPrints(t *testing.T) {
	c, p := printingCLI(t)
	c.ok("pick", "87654321", "--to", "rs")
	c.ok("config", "set", "printer", "Office")
	out := c.ok("slip", "12345678", "87654321", "--print")
	require.Len(t, p.Jobs(), 1, "one job")
	assert.Equal(t, "Office", p.Jobs()[0][0])
	assert.FileExists(t, p.Jobs()[0][1])
	assert.Equal(t, "Pick slips sent to the printer Office as one job: "+p.Jobs()[0][1]+"\n", out)

	c.ok("slip", "12345678", "--printer", "Basement")
	require.Len(t, p.Jobs(), 2)
	assert.Equal(t, "Basement", p.Jobs()[1][0], "--printer prints, on that printer")

	c.ok("config", "set", "printer", "default")
	p.SetDefault("Office")
	c.ok("slip", "12345678", "--print")
	assert.Equal(t, "Office", p.Jobs()[2][0], "the system's default")
}

func TestSlipRefusals(t *testing.T) {
	c, p := printingCLI(t)
	code, _, errOut := c.run("slip", "87654321")
	assert.Equal(t, 1, code)
	assert.Equal(t, "illdesk: No pick slip for request 87654321: it has no pick request.\n", errOut)

	code, _, errOut = c.run("slip", "12345678", "--print")
	assert.Equal(t, 1, code)
	assert.Equal(t, "illdesk: No printer is set and this computer has no default printer. "+
		"Choose one with --printer NAME, or set it with illdesk config set printer NAME.\n", errOut)

	code, _, errOut = c.run("config", "set", "printer", "Nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "There is no printer named Nope on this computer; its printers are Office, Basement.")

	code, _, _ = c.run("slip")
	assert.Equal(t, 2, code, "a slip of nothing is a usage error")
	assert.Empty(t, p.Jobs())
}

func TestPrintingSettings(t *testing.T) {
	c, _ := printingCLI(t)
	show := c.ok("config", "show")
	assert.Contains(t, show, "printer                   (the system's default)\n")
	assert.Contains(t, show, "slip-output               pdf\n")
	assert.Equal(t, "slip-output set.\n", c.ok("config", "set", "slip-output", "print"))
	assert.Equal(t, "printer set.\n", c.ok("config", "set", "printer", "Basement"))
	show = c.ok("config", "show")
	assert.Contains(t, show, "printer                   Basement\n")
	assert.Contains(t, show, "slip-output               print\n")
	code, _, errOut := c.run("config", "set", "slip-output", "paper")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "use print or pdf")
	var _ domain.Printer = (*printtest.Printer)(nil)
}
