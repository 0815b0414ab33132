package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/tmpfstest"
)

// shipReady opens the window on f with request R-1 selected and its scan
// checked, ready to ship.
func shipReady(t *testing.T, f *fixture) *MainWindow {
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	mw.drop.AddFiles([]string{pdfPath("valid_scan_3pages.pdf")})
	mw.Wait()
	require.False(t, mw.drop.ship.Disabled())
	return mw
}

func TestShipOnAFullDiskIsRefusedClearlyAndWorksOnceFreed(t *testing.T) {
	disk := tmpfstest.Mount(t, "8m")
	f := newFixtureIn(t, disk)
	mw := shipReady(t, f)
	filler := tmpfstest.Fill(t, disk)

	mw.drop.ShipSelected()
	mw.Wait()
	assert.Contains(t, mw.status.Text(), "The disk is full: free space on the disk holding ")
	assert.Contains(t, mw.status.Text(), "the last change was not saved.")
	assert.NotContains(t, mw.status.Text(), "damaged")
	assert.Equal(t, domain.Created, f.state("R-1"))
	files, _ := os.ReadDir(filepath.Join(disk, "vault"))
	assert.Empty(t, files, "no file is left half-written in the vault")

	require.NoError(t, os.Remove(filler))
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.ShippedDigitally, f.state("R-1"), mw.status.Text())
}

func TestShipToAReadOnlyVaultIsRefusedClearlyAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	vaultDir := filepath.Join(dir, "vault")
	require.NoError(t, os.Mkdir(vaultDir, 0o700))
	tmpfstest.MountAt(t, vaultDir, "4m")
	f := newFixtureIn(t, dir)
	mw := shipReady(t, f)
	tmpfstest.ReadOnly(t, vaultDir, true)

	mw.drop.ShipSelected()
	mw.Wait()
	assert.Contains(t, mw.status.Text(), "ILL Desk may not write to "+vaultDir+" (the folder is read-only")
	assert.Contains(t, mw.status.Text(), "nothing was saved")
	assert.Equal(t, domain.Created, f.state("R-1"))

	tmpfstest.ReadOnly(t, vaultDir, false)
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.ShippedDigitally, f.state("R-1"), mw.status.Text())
}
