package ui

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/ncruces/zenity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFiles answers the file dialogs as a person would have.
type fakeFiles struct {
	path  string
	err   error
	asked []string // each dialog's title
	exts  []string // the last Open dialog's
	name  string   // the last Save dialog's suggested name
}

func (f *fakeFiles) OpenFile(title string, exts []string) (string, error) {
	f.asked, f.exts = append(f.asked, title), exts
	return f.path, f.err
}

func (f *fakeFiles) SaveFile(title, name string) (string, error) {
	f.asked, f.name = append(f.asked, title), name
	return f.path, f.err
}

func TestBrowseUsesTheSystemFileDialog(t *testing.T) {
	scan, err := filepath.Abs(pdfPath("valid_scan_3pages.pdf"))
	require.NoError(t, err)
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)

	cases := []struct {
		name     string
		answer   fakeFiles
		files    []string
		fyneOpen bool // Fyne's own dialog shows instead
	}{
		{"cancelled", fakeFiles{}, nil, false},
		{"chosen", fakeFiles{path: scan}, []string{scan}, false},
		{"no system dialog", fakeFiles{err: errNoSystemDialog}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mw.drop.files = nil
			files := c.answer
			mw.dialogs.files = &files
			mw.drop.BrowseFiles()
			mw.Wait()
			assert.Equal(t, []string{"Add a scan"}, files.asked)
			assert.Equal(t, scanExts, files.exts)
			assert.Equal(t, c.files, mw.drop.files)
			assert.Equal(t, c.fyneOpen, mw.Window().Canvas().Overlays().Top() != nil, "Fyne's Open dialog")
			for o := mw.Window().Canvas().Overlays(); o.Top() != nil; {
				o.Remove(o.Top())
			}
		})
	}
}

func TestOneFileDialogAtATime(t *testing.T) {
	mw := newFixture(t).open()
	files := &fakeFiles{}
	mw.dialogs.files = files
	var waiting []func()
	mw.dialogs.spawn = func(fn func()) { waiting = append(waiting, fn) } // the dialog stays open
	mw.drop.BrowseFiles()
	mw.drop.BrowseFiles()
	require.Len(t, waiting, 1, "a second click while the dialog is open asks nothing")
	waiting[0]()
	mw.drop.BrowseFiles()
	assert.Len(t, waiting, 2, "once answered, Browse asks again")
}

func TestExportSavesWhereTheSystemDialogSays(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	out := filepath.Join(t.TempDir(), "audit.csv")
	files := &fakeFiles{path: out}
	mw.dialogs.files = files

	mw.auditLog.ShowAudit()
	test.Tap(buttonIn(t, mw.Window().Canvas().Overlays().Top(), "Export CSV…"))
	assert.Equal(t, []string{"Export the audit log"}, files.asked)
	assert.Equal(t, "illdesk-audit.csv", files.name)
	csv, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(csv), "R-1", "the entries written there")
	assert.Contains(t, dialogText(mw), "written to "+out)
}

func TestSaveFallsBackToFynesDialog(t *testing.T) {
	mw := newFixture(t).open()
	mw.dialogs.files = &fakeFiles{err: errNoSystemDialog}
	called := false
	mw.dialogs.saveFile("Export", "x.csv", func(fyne.URIWriteCloser, error) { called = true })
	top := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, top, "Fyne's Save dialog")
	assert.False(t, called, "nothing written before a place is chosen")
}

func TestNoSystemDialogWithoutZenity(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Windows and macOS always have their own dialogs")
	}
	t.Setenv("PATH", t.TempDir()) // no zenity, qarma or matedialog
	_, err := systemFiles{}.OpenFile("Add a scan", scanExts)
	assert.ErrorIs(t, err, errNoSystemDialog)
	_, err = systemFiles{}.SaveFile("Export", "x.csv")
	assert.ErrorIs(t, err, errNoSystemDialog)
}

func TestChosen(t *testing.T) {
	for _, c := range []struct {
		name     string
		path     string
		err      error
		want     string
		noDialog bool
	}{
		{"chosen", "/home/ill/scan.pdf", nil, "/home/ill/scan.pdf", false},
		{"cancelled", "", zenity.ErrCanceled, "", false},
		{"failed", "", errors.New("exec: \"zenity\": executable file not found in $PATH"), "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := chosen(c.path, c.err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.noDialog, errors.Is(err, errNoSystemDialog))
			if !c.noDialog {
				assert.NoError(t, err)
			}
		})
	}
}
