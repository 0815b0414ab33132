package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/folder"
	"github.com/illdesk/illdesk/internal/printtest"
	"github.com/illdesk/illdesk/pdf"
)

var _ domain.Printer = (*printtest.Printer)(nil)

// printingFixture is a fixture whose desk prints on a fake printer that
// knows Office and Basement and has no default, with two lending requests
// whose items can be picked, A and B.
func printingFixture(t *testing.T) (*fixture, *printtest.Printer) {
	f := newFixture(t)
	p := &printtest.Printer{Names: []string{"Office", "Basement"}}
	f.desk = domain.NewDesk(domain.Config{Store: f.store, Clock: f.clock, Calendar: f.desk.Calendar(),
		Documents: pdf.Documents{}, WorkDir: filepath.Join(f.dir, "work"), Folders: folder.OS{}, Printer: p})
	f.partner("RAPID", 24)
	f.lending("RAPID", "A", func(in *domain.LendingInput) { in.ItemBarcode = "39000001" })
	f.lending("RAPID", "B", func(in *domain.LendingInput) { in.ItemBarcode = "39000002" })
	return f, p
}

var scanLabDesk = domain.Station{Kind: domain.StationDigitization, Name: "Scan Lab"}

func TestSlipsFollowSlipOutput(t *testing.T) {
	f, p := printingFixture(t)
	mw := f.open()
	a, b := mustFind(t, f.desk, "A"), mustFind(t, f.desk, "B")

	mw.list.SelectRequest(a.ID)
	mw.details.Pick(scanLabDesk, "")
	mw.Wait()
	assert.FileExists(t, filepath.Join(f.dir, "work", "slips", "A-slip.pdf"), "pdf: the slip is opened as a PDF")
	assert.Empty(t, p.Jobs(), "pdf: nothing printed")

	require.NoError(t, mw.settingsDialog.SavePrinting("Office", domain.SlipOutputPrint))
	mw.details.ReprintSlip()
	mw.Wait()
	require.Len(t, p.Jobs(), 1)
	assert.Equal(t, [2]string{"Office", filepath.Join(f.dir, "work", "slips", "A-slip.pdf")}, p.Jobs()[0])
	assert.Equal(t, "Pick slip sent to the printer Office.", mw.status.Text())

	mw.list.MarkRequest(b.ID, true)
	require.NoError(t, mw.batch.PickMarked(scanLabDesk))
	mw.Wait()
	require.Len(t, p.Jobs(), 2, "picking prints the slip")
	mw.list.MarkRequest(a.ID, true)
	mw.list.MarkRequest(b.ID, true)
	mw.batch.PrintMarkedSlips()
	mw.Wait()
	require.Len(t, p.Jobs(), 3, "the marked requests' slips are one job")
	assert.Contains(t, filepath.Base(p.Jobs()[2][1]), "slips-")
	assert.Equal(t, "2 pick slips sent to the printer Office.", mw.status.Text())
}

func TestSlipsWithoutPrinter(t *testing.T) {
	f, p := printingFixture(t)
	_, err := f.desk.Pick("A", scanLabDesk, "", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	require.NoError(t, mw.settingsDialog.SavePrinting(systemDefault, domain.SlipOutputPrint))
	mw.list.SelectRequest(mustFind(t, f.desk, "A").ID)
	mw.details.ReprintSlip()
	mw.Wait()
	assert.Empty(t, p.Jobs())
	assert.Equal(t, "No printer is set and this computer has no default printer. Choose a printer in Settings, on the Printing tab.",
		mw.status.Text())
}

func TestPrintingSettings(t *testing.T) {
	f, _ := printingFixture(t)
	mw := f.open()
	mw.settingsDialog.ShowSettings()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())

	choice := widget.NewSelect([]string{systemDefault}, nil)
	mw.settingsDialog.LoadPrinters(choice)
	mw.Wait()
	assert.Equal(t, []string{systemDefault, "Office", "Basement"}, choice.Options, "the system's printers are offered")

	require.ErrorIs(t, mw.settingsDialog.SavePrinting("Nowhere", domain.SlipOutputPrint), domain.ErrPrinterNotFound)
	require.NoError(t, mw.settingsDialog.SavePrinting("Basement", domain.SlipOutputPrint))
	ps, err := f.desk.PrintSettings()
	require.NoError(t, err)
	assert.Equal(t, domain.PrintSettings{Printer: "Basement", SlipOutput: domain.SlipOutputPrint}, ps)
	require.NoError(t, mw.settingsDialog.SavePrinting(systemDefault, domain.SlipOutputPDF))
	ps, err = f.desk.PrintSettings()
	require.NoError(t, err)
	assert.Equal(t, domain.PrintSettings{Printer: "", SlipOutput: domain.SlipOutputPDF}, ps)
}
