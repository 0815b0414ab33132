package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"github.com/ncruces/zenity"
)

// fileChooser asks which file to open, or where to save one, with the
// system's own dialog: the one staff know, with their bookmarks, recent
// files and network places, which Fyne's dialog lacks. A chooser that
// cannot show one returns an error, and the window shows Fyne's instead.
type fileChooser interface {
	// OpenFile asks for one file ending in one of exts; "" when the
	// person cancelled.
	OpenFile(title string, exts []string) (string, error)
	// SaveFile asks where to save a file, name suggested; "" when the
	// person cancelled.
	SaveFile(title, name string) (string, error)
}

// errNoSystemDialog is a chooser's answer where the system has no file
// dialog to show (Linux without zenity, qarma or matedialog).
var errNoSystemDialog = errors.New("no system file dialog")

// systemFiles is the system's file dialogs, through zenity: the common
// dialogs on Windows, AppleScript on macOS, the zenity program (GTK) on
// Linux and the BSDs.
type systemFiles struct{}

// OpenFile shows the system's Open dialog.
func (systemFiles) OpenFile(title string, exts []string) (string, error) {
	if !zenity.IsAvailable() {
		return "", errNoSystemDialog
	}
	patterns := make([]string, len(exts))
	for i, e := range exts {
		patterns[i] = "*" + e
	}
	kind := "Files"
	if slices.Equal(exts, scanExts) {
		kind = "Scans"
	}
	path, err := zenity.SelectFile(zenity.Title(title),
		zenity.FileFilter{Name: kind + " (" + strings.Join(patterns, " ") + ")", Patterns: patterns, CaseFold: true})
	return chosen(path, err)
}

// SaveFile shows the system's Save dialog, which asks before replacing a file.
func (systemFiles) SaveFile(title, name string) (string, error) {
	if !zenity.IsAvailable() {
		return "", errNoSystemDialog
	}
	path, err := zenity.SelectFileSave(zenity.Title(title), zenity.Filename(name), zenity.ConfirmOverwrite(),
		zenity.FileFilter{Name: "CSV files", Patterns: []string{"*" + filepath.Ext(name)}, CaseFold: true})
	return chosen(path, err)
}

// chosen is a zenity dialog's answer as a fileChooser gives it: a cancel
// is no path and no error; any other failure (the program missing or
// unable to open a window) means there is no system dialog.
func chosen(path string, err error) (string, error) {
	switch {
	case errors.Is(err, zenity.ErrCanceled):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("%w: %v", errNoSystemDialog, err)
	}
	return path, nil
}

// scanExts are the files a scan may be: a PDF, or page images.
var scanExts = []string{".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}

// openFile asks for one file with the system's dialog, or Fyne's where
// there is none, and calls pick with its path. The system's dialog waits
// for its answer off Fyne's goroutine, so the window keeps drawing; while
// it is open a second one is not opened.
func (h *dialogHost) openFile(title string, exts []string, pick func(string)) {
	h.choose(func() (string, error) { return h.files.OpenFile(title, exts) }, pick, func() {
		fyneOpenFile(h.win, exts, pick)
	})
}

// saveFile asks where to save a file named like name, with the system's
// dialog or Fyne's, and has write write it there (as Fyne's save dialog
// calls it: a nil writer when the person cancelled).
func (h *dialogHost) saveFile(title, name string, write func(fyne.URIWriteCloser, error)) {
	h.choose(func() (string, error) { return h.files.SaveFile(title, name) }, func(path string) {
		write(storage.Writer(storage.NewFileURI(path)))
	}, func() {
		d := dialog.NewFileSave(write, h.win)
		d.SetFileName(name)
		d.Show()
		d.Resize(fileDialogSize)
	})
}

// choose runs ask (a system dialog) off Fyne's goroutine, then on it has
// use take the path, or fallback show Fyne's dialog when there was no
// system dialog.
func (h *dialogHost) choose(ask func() (string, error), use func(string), fallback func()) {
	if h.choosing {
		return
	}
	h.choosing = true
	h.spawn(func() {
		path, err := ask()
		h.do(func() {
			h.choosing = false
			switch {
			case err != nil:
				fallback()
			case path != "":
				use(filepath.Clean(path))
			}
		})
	})
}

// fileDialogSize is the size of Fyne's file dialogs, set once shown: a
// FileDialog resized before it is shown dereferences its missing window.
var fileDialogSize = fyne.NewSize(900, 600)

// fyneOpenFile is Fyne's Open dialog, for where the system has none.
func fyneOpenFile(w fyne.Window, exts []string, pick func(string)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		pick(filepath.Clean(path))
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter(exts)) // ignoring case
	d.Show()
	d.Resize(fileDialogSize)
}
