package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// Importer is File → Import…: partners' ISO 18626 messages and history
// .csv files taken in as illdesk import takes them, with the same summary.
type Importer struct {
	link
	desk importDesk
	// imported reloads the list once an import has stored something.
	imported func()
}

// importDesk is what the importer asks of the desk.
type importDesk interface {
	Import(files []domain.ImportFile, by domain.Actor) (domain.ImportSummary, error)
}

// importExts are the files Import offers: partner messages and history files.
var importExts = []string{".xml", ".csv"}

// ShowImport asks for the file to import with the window's file dialog.
func (im *Importer) ShowImport() {
	im.dialogs.openFile("Import a partner message or a history file", importExts, im.ImportFile)
}

// ImportFile imports the file at path off Fyne's goroutine, with a progress
// bar meanwhile, then shows what it did.
func (im *Importer) ImportFile(path string) {
	bar := widget.NewProgressBarInfinite()
	wait := dialog.NewCustomWithoutButtons("Importing…",
		container.NewVBox(widget.NewLabel(filepath.Base(path)), bar), im.dialogs.win)
	im.dialogs.show(wait, fyne.NewSize(420, 140), nil)
	im.run(func() {
		f := domain.ImportFile{Name: path}
		f.Data, f.ReadErr = os.ReadFile(path)
		sum, err := im.desk.Import([]domain.ImportFile{f}, im.actor())
		im.do(func() {
			bar.Stop()
			wait.Hide()
			im.Imported(sum, err)
		})
	})
}

// Imported shows an import's summary in a dialog, headed by what it did
// (the log has the headline too; the status line does not repeat it), and
// reloads the list when something was stored.
func (im *Importer) Imported(sum domain.ImportSummary, err error) {
	if err != nil {
		im.fail(err)
		return
	}
	head, body := importSummaryText(sum)
	im.log(head)
	if sum.Refused() < len(sum.Files) {
		im.imported()
	}
	t := widget.NewLabel(body)
	t.Wrapping = fyne.TextWrapWord
	// a refusal's lines can be copied
	copyRow := container.NewHBox(im.dialogs.copyButton("Copy the summary", head+"\n"+body))
	im.dialogs.open(head, container.NewBorder(nil, copyRow, nil, nil, container.NewVScroll(t)), "Close", nil, fyne.NewSize(640, 420), nil)
}

// importSummaryText words an import's summary: a headline, then what each
// file created or changed, or why it was refused with nothing stored.
func importSummaryText(sum domain.ImportSummary) (head, body string) {
	var lines []string
	for _, f := range sum.Files {
		name := filepath.Base(f.Name)
		switch {
		case f.Err != nil && f.History != nil:
			lines = append(lines, fmt.Sprintf("%s was refused: %s", name, refusalText(f.Err)))
		case f.Err != nil:
			lines = append(lines, fmt.Sprintf("%s was refused, and nothing of it stored: %s", name, refusalText(f.Err)))
		default:
			lines = append(lines, name+": "+f.Outcome())
		}
	}
	refused := sum.Refused()
	switch {
	case refused == 0:
		head = "Imported " + domain.Count(len(sum.Files), "file", "files")
	case refused == len(sum.Files):
		head = "Nothing imported"
	default:
		head = fmt.Sprintf("Imported %d of %d files", len(sum.Files)-refused, len(sum.Files))
	}
	return head, strings.Join(lines, "\n\n")
}
