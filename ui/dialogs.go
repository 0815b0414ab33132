package ui

import (
	"net/url"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// dialogHost opens the window's dialogs: the one on top closes on Escape,
// Return in its fields runs its main action, and closing the last one gives
// the scan bar the focus back. Every pane opens its dialogs through it, and
// builds their fields with its key-aware widgets (entry, selector, button):
// Fyne hands a key only to the focused widget, so each of them answers
// Escape and Return itself.
type dialogHost struct {
	win     fyne.Window
	current dialog.Dialog // the dialog on top, if any
	// stack are the dialogs open now, the top one last, each with what
	// Return in its fields does (nil: nothing).
	stack []openDialog
	focus func() // the focus back on the scan bar
	// refused sees every refusal a dialog shows and reports whether the
	// storage bar shows it instead (messages.go); shortcut is the window's shortcut that works in a dialog's fields
	// too (Reopen).
	refused  func(error) bool
	shortcut func(fyne.Shortcut) bool
	// files shows the system's file dialogs (filedialog.go); spawn and do
	// run its wait off Fyne's goroutine and the answer back on it;
	// choosing is true while one is open.
	files    fileChooser
	spawn    func(func())
	do       func(func())
	choosing bool
}

// openDialog is one dialog open now and what Return in it does.
type openDialog struct {
	d      dialog.Dialog
	submit func()
}

// notSavedText is what a dialog says when the storage bar says why.
const notSavedText = "Not saved: see the bar at the top of the window."

// refusal is the sentence a dialog shows for err; a disk fault is told
// by the storage bar, which the dialog points to.
func (h *dialogHost) refusal(err error) string {
	if h.refused != nil && h.refused(err) {
		return notSavedText
	}
	return refusalText(err)
}

// escape closes the dialog on top, if any.
func (h *dialogHost) escape() {
	if h.current != nil {
		h.current.Hide()
	}
}

// submit runs the main action of the dialog on top (Return in one of its
// fields). A dialog opened with show has none: Return there does nothing,
// rather than close a dialog whose fields are not saved.
func (h *dialogHost) submit() {
	if n := len(h.stack); n > 0 && h.stack[n-1].submit != nil {
		h.stack[n-1].submit()
	}
}

// push makes d the dialog on top until it is closed; then the one below
// it is on top again, or the scan bar gets the focus back.
func (h *dialogHost) push(d dialog.Dialog, submit func()) {
	h.stack = append(h.stack, openDialog{d: d, submit: submit})
	h.current = d
	d.SetOnClosed(func() {
		h.stack = slices.DeleteFunc(h.stack, func(o openDialog) bool { return o.d == d })
		h.current = nil
		if n := len(h.stack); n > 0 {
			h.current = h.stack[n-1].d
		} else {
			h.focus()
		}
	})
}

// show shows a dialog on top of the window's others, with the focus on
// focus: Escape closes it; Return in its fields does what they say (dialogs
// with a main action are opened with open).
func (h *dialogHost) show(d dialog.Dialog, size fyne.Size, focus fyne.Focusable) {
	h.push(d, nil)
	h.display(d, size, focus)
}

// display sizes d to fit the window, shows it and focuses focus.
func (h *dialogHost) display(d dialog.Dialog, size fyne.Size, focus fyne.Focusable) {
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

// open shows a dialog of body above its buttons: dismiss (Cancel or
// Close) and, unless action is nil, the main action, which Return in the
// dialog's fields runs too. The focus goes to focus, the dialog's first
// required field; with none, to the main button, or to dismiss.
func (h *dialogHost) open(title string, body fyne.CanvasObject, dismiss string, action *defaultButton, size fyne.Size, focus fyne.Focusable) dialog.Dialog {
	var d dialog.Dialog
	closeButton := h.button(dismiss, nil, func() { d.Hide() })
	buttons := []fyne.CanvasObject{closeButton}
	submit := closeButton.press // a dialog that only shows closes
	if action != nil {
		buttons = append(buttons, action)
		submit = action.press
		if focus == nil {
			focus = action
		}
	}
	if focus == nil {
		focus = closeButton
	}
	d = h.place(title, body, buttons, submit, size, focus)
	return d
}

// openTool shows a dialog staff work in (Settings, Statistics, the audit
// log): body above a Close button. Escape closes it from every field, as
// in every dialog; Return in its fields does what they say and never
// closes it, which would lose edits not yet saved.
func (h *dialogHost) openTool(title string, body fyne.CanvasObject, size fyne.Size, focus fyne.Focusable) dialog.Dialog {
	var d dialog.Dialog
	closeButton := h.button("Close", nil, func() { d.Hide() })
	if focus == nil {
		focus = closeButton
	}
	d = h.place(title, body, []fyne.CanvasObject{closeButton}, nil, size, focus)
	return d
}

// place shows body above a row of buttons as the dialog on top, whose
// main action is submit (nil for none).
func (h *dialogHost) place(title string, body fyne.CanvasObject, buttons []fyne.CanvasObject, submit func(), size fyne.Size, focus fyne.Focusable) dialog.Dialog {
	d := dialog.NewCustomWithoutButtons(title,
		container.NewBorder(nil, container.NewCenter(container.NewHBox(buttons...)), nil, nil, body), h.win)
	h.push(d, submit)
	h.display(d, size, focus)
	return d
}

// entry is an entry for dialogs: Escape closes the dialog, Return runs its
// main action, Tab goes on to the next field, also from a note of several
// lines, where Shift+Return starts a new line.
func (h *dialogHost) entry(multiLine bool) *keyEntry {
	e := newKeyEntry()
	e.MultiLine = multiLine
	e.Wrapping = fyne.TextWrapWord
	if !multiLine {
		e.Wrapping = fyne.TextWrapOff
		e.OnSubmitted = func(string) { h.submit() }
	} else {
		e.onReturn = h.submit
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

// selector is a drop-down for dialogs: Escape closes the dialog, Return
// runs its main action, and typing picks the option that starts with
// (or else holds) the letters typed.
func (h *dialogHost) selector(options []string, changed func(string)) *keySelect {
	s := newKeySelect(options, changed)
	s.onEscape, s.onReturn = h.escape, h.submit
	return s
}

// list is a list for dialogs: Escape closes the dialog, Return opens the
// highlighted line.
func (h *dialogHost) list(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{onEscape: h.escape}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// check is a check box for dialogs: Escape closes the dialog.
func (h *dialogHost) check(label string, changed func(bool)) *keyCheck {
	c := &keyCheck{onEscape: h.escape}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// suggest is a field for dialogs that offers options and takes any typed
// value: Escape closes the dialog.
func (h *dialogHost) suggest(options []string) *keySelectEntry {
	e := &keySelectEntry{onEscape: h.escape}
	e.ExtendBaseWidget(e)
	e.SetOptions(options)
	return e
}

// copyButton is a dialog's button that puts text on the clipboard: a
// selectable label would take the focus and lose Escape.
func (h *dialogHost) copyButton(label, text string) *defaultButton {
	return h.button(label, theme.ContentCopyIcon(), func() { fyne.CurrentApp().Clipboard().SetContent(text) })
}

// link is a link for dialogs: Return or Space opens it, Escape closes the
// dialog.
func (h *dialogHost) link(text string, u *url.URL) *keyHyperlink {
	l := &keyHyperlink{onEscape: h.escape}
	l.Text, l.URL = text, u
	l.ExtendBaseWidget(l)
	return l
}

// button is a button for dialogs: Return and Space press it, Escape closes
// the dialog.
func (h *dialogHost) button(label string, icon fyne.Resource, tapped func()) *defaultButton {
	b := newDefaultButton(label, tapped)
	b.Icon, b.Importance, b.onEscape = icon, widget.MediumImportance, h.escape
	return b
}

// reject asks for a reason and notes and calls reject until it succeeds;
// the reason, the one required field, has the focus.
func (h *dialogHost) reject(title, action string, reject func(reason domain.Reason, note, partnerNote string) error) {
	reasons := domain.Reasons()
	labels := make([]string, len(reasons))
	for i, rs := range reasons {
		labels[i] = rs.Label()
	}
	reason := h.selector(labels, nil)
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
	submit := h.button(action, nil, func() {
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
	d = h.open(title, container.NewVBox(form, errLabel), "Cancel", submit, fyne.NewSize(560, 420), reason)
}

// note asks for one note and calls submit until it succeeds.
func (h *dialogHost) note(title, placeholder, action string, submit func(string) error) {
	note := h.entry(true)
	note.SetPlaceHolder(placeholder)
	note.SetMinRowsVisible(4)
	errLabel := errorLabel()
	var d dialog.Dialog
	b := h.button(action, nil, func() {
		if err := submit(note.Text); err != nil {
			errLabel.SetText(h.refusal(err))
			return
		}
		d.Hide()
	})
	b.Importance = widget.WarningImportance
	d = h.open(title, container.NewVBox(note, errLabel), "Close", b, fyne.NewSize(520, 320), note)
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
	var d dialog.Dialog
	yes := h.button(confirmText, nil, func() {
		d.Hide()
		onConfirm()
	})
	yes.Importance = widget.HighImportance
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	d = h.open(title, msg, "Cancel", yes, fyne.NewSize(460, 180), yes)
}

// defaultButton is a button that Return and Enter press too, as a dialog's
// buttons are pressed from the keyboard; Escape closes the dialog.
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

// press runs the button's action as a tap does, but leaves the focus where
// it is (a tap takes it away): a refused form keeps it in its field.
func (b *defaultButton) press() {
	if !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}

// TypedKey presses the button on Return, Enter or Space; Escape cancels.
func (b *defaultButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.press()
	case fyne.KeyEscape:
		if b.onEscape != nil {
			b.onEscape()
		}
	default:
		b.Button.TypedKey(ev)
	}
}
