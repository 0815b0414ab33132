package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// Texts of the storage bar; tests and scripts look for them. The shortcut
// is named as the system's keyboard names it (Ctrl+R, ⌘R).
var (
	storageGoneText = "The disk holding the database stopped answering: nothing more can be saved until it is back. " +
		"When it is, press Reopen (" + shortcutText("R") + ") to open the database again; what you have typed stays where it is."
	reopenedText  = "The database is open again; nothing saved before the disk went away was lost. Do again what was not saved."
	stillGoneText = "The disk is still not answering (%s). Press Reopen (" + shortcutText("R") + ") again once it is back; what you have typed stays."
	reopenLabel   = "Reopen  (" + shortcutText("R") + ")"
)

const (
	reopeningText  = "Opening the database again…"
	notOpenedText  = "The database could not be opened again: "
	reopenShortcut = fyne.KeyR
)

// StorageBar is the bar under the scan bar that says the disk holding the
// database stopped answering and offers Reopen: close the database file
// and open it again once the disk is back. It shows at the first refusal
// of kind domain.ErrStorageUnavailable and stays until a Reopen works;
// Reopen touches no field, so what staff typed in the scan bar or in an
// open form is still there afterwards. Without Options.Reopen (a
// department database) it never offers Reopen; it says instead that the
// department database is away while it is (reconnect.go).
type StorageBar struct {
	link
	// reopen closes and opens the database file (Options.Reopen).
	reopen func() error
	// reopened reads the window's list again after a Reopen that worked.
	reopened func()

	bg     *canvas.Rectangle
	text   *widget.RichText
	msg    string
	button *widget.Button
	box    *fyne.Container
	busy   bool
	// the department database that went away (reconnect.go)
	databaseWait
}

func newStorageBar(l link, reopen func() error) *StorageBar {
	b := &StorageBar{link: l, reopen: reopen, bg: canvas.NewRectangle(theme.Color(theme.ColorNameWarning)),
		text: widget.NewRichText(), reopened: func() {}}
	b.text.Wrapping = fyne.TextWrapWord
	b.button = widget.NewButtonWithIcon(reopenLabel, theme.ViewRefreshIcon(), b.Reopen)
	b.button.Importance = widget.HighImportance
	b.box = container.NewStack(b.bg, container.NewPadded(container.NewBorder(nil, nil, nil,
		container.NewCenter(b.button), b.text)))
	b.box.Hide()
	return b
}

func (b *StorageBar) object() fyne.CanvasObject { return b.box }

// refused shows the bar when err says the disk holding the database
// stopped answering, or the department database did not answer, and
// reports whether the bar says it.
func (b *StorageBar) refused(err error) bool {
	if b.waitForDatabase(err) {
		return true
	}
	if b.reopen == nil || !errors.Is(err, domain.ErrStorageUnavailable) {
		return false
	}
	if !b.busy {
		b.say(storageGoneText)
		b.box.Show()
	}
	return true
}

// say puts msg on the bar.
func (b *StorageBar) say(msg string) {
	b.msg = msg
	b.bg.FillColor = theme.Color(theme.ColorNameWarning)
	b.bg.Refresh()
	b.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: msg, Style: widget.RichTextStyle{
		SizeName: theme.SizeNameText, ColorName: theme.ColorNameForegroundOnWarning, TextStyle: fyne.TextStyle{Bold: true}}}}
	b.text.Refresh()
}

// Reopen closes the database file and opens it again, in the background
// (a disk that went away may be slow to say so), then says whether it
// worked: the bar goes and the list is read again, or the bar says why
// not and Reopen can be pressed again. The Reopen button and Ctrl+R run it.
func (b *StorageBar) Reopen() {
	if b.reopen == nil || b.busy {
		return
	}
	b.busy = true
	b.button.Disable()
	b.say(reopeningText)
	b.box.Show()
	b.run(func() {
		err := b.reopen()
		b.do(func() { b.done(err) })
	})
}

// done reports the Reopen's result.
func (b *StorageBar) done(err error) {
	b.busy = false
	b.button.Enable()
	if err != nil {
		b.log(refusalText(err)) // the bar says it
		var ref *domain.Refusal
		if errors.As(err, &ref) && ref.Kind == domain.ErrStorageUnavailable {
			b.say(fmt.Sprintf(stillGoneText, ref.Detail))
		} else {
			b.say(notOpenedText + refusalText(err))
		}
		return
	}
	b.box.Hide()
	b.msg = ""
	b.announce(reopenedText, true, false)
	b.reopened()
}

// Text is what the bar says now; "" when it is hidden.
func (b *StorageBar) Text() string {
	if !b.box.Visible() {
		return ""
	}
	return b.msg
}
