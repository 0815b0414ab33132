package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// dialogHost opens the window's dialogs, one at a time: the one open now
// closes on Escape, and closing it gives the scan bar the focus back.
// Every pane opens its dialogs through it.
type dialogHost struct {
	win     fyne.Window
	current dialog.Dialog // the dialog open now, if any
	focus   func()        // the focus back on the scan bar
	// refused sees every refusal a dialog shows (the storage bar's cue);
	// shortcut is the window's shortcut that works in a dialog's fields
	// too (Reopen).
	refused  func(error)
	shortcut func(fyne.Shortcut) bool
	// files shows the system's file dialogs (filedialog.go); spawn and do
	// run its wait off Fyne's goroutine and the answer back on it;
	// choosing is true while one is open.
	files    fileChooser
	spawn    func(func())
	do       func(func())
	choosing bool
}

// refusal is the sentence a dialog shows for err.
func (h *dialogHost) refusal(err error) string {
	if h.refused != nil {
		h.refused(err)
	}
	return refusalText(err)
}

// escape closes the dialog open now, if any.
func (h *dialogHost) escape() {
	if h.current != nil {
		h.current.Hide()
	}
}

// show shows a dialog as the window's current one: Escape closes it,
// and closing it returns the focus to the scan bar.
func (h *dialogHost) show(d dialog.Dialog, size fyne.Size, focus fyne.Focusable) {
	h.current = d
	d.SetOnClosed(func() {
		h.current = nil
		h.focus()
	})
	if size.Width > 0 {
		// no larger than the window, whose edges would cut it off
		if c := h.win.Canvas().Size(); c.Height > 0 {
			size = fyne.NewSize(min(size.Width, c.Width-16), min(size.Height, c.Height-16))
		}
		d.Resize(size)
	}
	d.Show()
	if focus != nil {
		h.win.Canvas().Focus(focus)
	}
}

// entry is an entry for dialogs that closes the dialog on Escape.
func (h *dialogHost) entry(multiLine bool) *keyEntry {
	e := newKeyEntry()
	e.MultiLine = multiLine
	e.Wrapping = fyne.TextWrapWord
	if !multiLine {
		e.Wrapping = fyne.TextWrapOff
	}
	e.onShortcut = func(s fyne.Shortcut) bool { return h.shortcut != nil && h.shortcut(s) }
	e.onKey = func(k *fyne.KeyEvent) bool {
		if k.Name == fyne.KeyEscape && h.current != nil {
			h.current.Hide()
			return true
		}
		return false
	}
	return e
}

// reject asks for a reason and notes and calls reject until it succeeds.
func (h *dialogHost) reject(title, action string, reject func(reason domain.Reason, note, partnerNote string) error) {
	reasons := domain.Reasons()
	labels := make([]string, len(reasons))
	for i, rs := range reasons {
		labels[i] = rs.Label()
	}
	reason := widget.NewSelect(labels, nil)
	reason.PlaceHolder = "Choose a reason (required)"
	note := h.entry(true)
	note.SetPlaceHolder("Internal note (required for Other)")
	partnerNote := h.entry(true)
	partnerNote.SetPlaceHolder("Note to the borrowing library")
	errLabel := errorLabel()
	form := widget.NewForm(
		widget.NewFormItem("Reason", reason),
		widget.NewFormItem("Internal note", note),
		widget.NewFormItem("To partner", partnerNote))
	var d dialog.Dialog
	submit := widget.NewButton(action, func() {
		var code domain.Reason
		if i := reason.SelectedIndex(); i >= 0 {
			code = reasons[i]
		}
		if err := reject(code, note.Text, partnerNote.Text); err != nil {
			errLabel.SetText(h.refusal(err))
			return
		}
		d.Hide()
	})
	submit.Importance = widget.DangerImportance
	d = dialog.NewCustom(title, "Cancel", container.NewVBox(form, errLabel, submit), h.win)
	h.show(d, fyne.NewSize(560, 420), note)
}

// note asks for one note and calls submit until it succeeds.
func (h *dialogHost) note(title, placeholder, action string, submit func(string) error) {
	note := h.entry(true)
	note.SetPlaceHolder(placeholder)
	note.SetMinRowsVisible(4)
	errLabel := errorLabel()
	var d dialog.Dialog
	b := widget.NewButton(action, func() {
		if err := submit(note.Text); err != nil {
			errLabel.SetText(h.refusal(err))
			return
		}
		d.Hide()
	})
	b.Importance = widget.WarningImportance
	d = dialog.NewCustom(title, "Close", container.NewVBox(note, errLabel, b), h.win)
	h.show(d, fyne.NewSize(520, 320), note)
}

// nonBlank keeps the strings that are not empty.
func nonBlank(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// errorLabel is where a dialog says why its action was refused.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// confirm asks a yes/no question in a dialog whose confirm button has the
// focus, so Return (or Space) confirms and Escape cancels.
func (h *dialogHost) confirm(title, message, confirmText string, onConfirm func()) {
	prev := h.current
	var d dialog.Dialog
	yes := newDefaultButton(confirmText, func() {
		d.Hide()
		onConfirm()
	})
	yes.onEscape = func() { d.Hide() }
	no := widget.NewButton("Cancel", func() { d.Hide() })
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomWithoutButtons(title, container.NewVBox(msg, container.NewGridWithColumns(2, no, yes)), h.win)
	d.SetOnClosed(func() {
		h.current = prev
		if prev == nil {
			h.focus()
		}
	})
	h.current = d
	d.Resize(fyne.NewSize(460, 180))
	d.Show()
	h.win.Canvas().Focus(yes)
}

// defaultButton is a button that Return and Enter press too, for the default
// choice of a dialog; Escape closes the dialog.
type defaultButton struct {
	widget.Button
	onEscape func()
}

func newDefaultButton(label string, tapped func()) *defaultButton {
	b := &defaultButton{}
	b.Text, b.OnTapped, b.Importance = label, tapped, widget.HighImportance
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Return, Enter or Space; Escape cancels.
func (b *defaultButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
	case fyne.KeyEscape:
		if b.onEscape != nil {
			b.onEscape()
		}
	default:
		b.Button.TypedKey(ev)
	}
}
