package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is a one-line Entry that passes the window's shortcuts on instead
// of swallowing them (a focused Entry receives every shortcut), hands Escape
// and the arrow keys to the window, and keeps the Entry's own editing
// shortcuts. The scan bar and the search field are keyEntries.
type keyEntry struct {
	widget.Entry
	// onShortcut handles a window shortcut; it reports false for shortcuts
	// the window does not own, which then go to the Entry.
	onShortcut func(fyne.Shortcut) bool
	// onKey handles Escape, Up, Down, Page Up and Page Down; it reports
	// false to let the Entry have the key.
	onKey func(*fyne.KeyEvent) bool
	// onFocus is told when the entry gets the keyboard focus, so that a
	// long form can scroll it into sight.
	onFocus func()
	// onReturn, in an entry of several lines, runs on Return (the dialog's
	// main action); Shift+Return starts a new line. shift is held now.
	onReturn func()
	shift    bool
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut offers desktop shortcuts to the window first.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*desktop.CustomShortcut); ok && e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey offers navigation keys to the window first; Return in an entry
// of several lines runs onReturn unless Shift is held.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape, fyne.KeyUp, fyne.KeyDown, fyne.KeyPageUp, fyne.KeyPageDown:
		if e.onKey != nil && e.onKey(k) {
			return
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.MultiLine && !e.shift && e.onReturn != nil {
			e.onReturn()
			return
		}
	}
	e.Entry.TypedKey(k)
}

// AcceptsTab is false, also for several lines, so Tab goes on to the next
// field instead of into the text.
func (e *keyEntry) AcceptsTab() bool { return false }

// KeyDown notes Shift, for Shift+Return.
func (e *keyEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp notes Shift let go.
func (e *keyEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// FocusGained tells onFocus, after the Entry's own handling.
func (e *keyEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}

// keySelect is a drop-down that answers the keys as a dialog's fields do:
// Escape (onEscape) and Return (onReturn) go to the dialog, and letters typed
// pick the first option that starts with them, or else holds them, as in the
// system's own lists. A pause of a second starts the letters afresh.
type keySelect struct {
	widget.Select
	onEscape, onReturn func()
	typed              string
	typedAt            time.Time
}

func newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey hands Escape and Return to the dialog; the others open or move
// the drop-down as Select does, but for Space while letters are typed,
// which is one of them ("not a").
func (s *keySelect) TypedKey(k *fyne.KeyEvent) {
	switch {
	case k.Name == fyne.KeyEscape && s.onEscape != nil:
		s.onEscape()
	case (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && s.onReturn != nil:
		s.onReturn()
	case k.Name == fyne.KeySpace && s.typing():
	default:
		s.Select.TypedKey(k)
	}
}

// typing reports whether letters typed a moment ago are still being added to.
func (s *keySelect) typing() bool {
	return s.typed != "" && time.Since(s.typedAt) <= time.Second
}

// TypedRune picks the option the letters typed so far lead to; a letter
// that leads nowhere with the ones before it starts afresh.
func (s *keySelect) TypedRune(r rune) {
	if !s.typing() {
		s.typed = ""
	}
	s.typedAt = time.Now()
	for _, q := range []string{s.typed + string(r), string(r)} {
		if i := optionFor(s.Options, q); i >= 0 {
			s.typed = q
			if i != s.SelectedIndex() {
				s.SetSelectedIndex(i)
			}
			return
		}
	}
}

// optionFor is the index of the first option that starts with q, ignoring
// case, or else of the first that holds q; -1 for none.
func optionFor(options []string, q string) int {
	q = strings.ToLower(q)
	if i := slices.IndexFunc(options, func(o string) bool { return strings.HasPrefix(strings.ToLower(o), q) }); i >= 0 {
		return i
	}
	return slices.IndexFunc(options, func(o string) bool { return strings.Contains(strings.ToLower(o), q) })
}

// keyList is a list for dialogs: Escape (onEscape) closes the dialog, and
// Return opens the highlighted line as Space does.
type keyList struct {
	widget.List
	onEscape func()
}

// TypedKey hands Escape to the dialog and takes Return for Space.
func (l *keyList) TypedKey(k *fyne.KeyEvent) { dialogKey(k, l.onEscape, true, l.List.TypedKey) }

// keyHyperlink is a link for dialogs: Escape (onEscape) closes the dialog,
// and Return opens the link as Space does.
type keyHyperlink struct {
	widget.Hyperlink
	onEscape func()
}

// TypedKey hands Escape to the dialog and takes Return for Space.
func (l *keyHyperlink) TypedKey(k *fyne.KeyEvent) {
	dialogKey(k, l.onEscape, true, l.Hyperlink.TypedKey)
}

// keyCheck is a check box for dialogs: Escape (onEscape) closes the dialog;
// Space ticks it, as Check does.
type keyCheck struct {
	widget.Check
	onEscape func()
}

// TypedKey hands Escape to the dialog.
func (c *keyCheck) TypedKey(k *fyne.KeyEvent) { dialogKey(k, c.onEscape, false, c.Check.TypedKey) }

// keySelectEntry is a field with suggestions for dialogs: Escape
// (onEscape) closes the dialog; staff may type a value the suggestions lack.
type keySelectEntry struct {
	widget.SelectEntry
	onEscape func()
}

// TypedKey hands Escape to the dialog.
func (e *keySelectEntry) TypedKey(k *fyne.KeyEvent) {
	dialogKey(k, e.onEscape, false, e.SelectEntry.TypedKey)
}

// dialogKey is how a dialog's widget takes a key: Escape goes to onEscape
// (closing the dialog), Return is Space when returnIsSpace (it opens or
// ticks what Space does), and other keys go to the widget's own typed.
func dialogKey(k *fyne.KeyEvent, onEscape func(), returnIsSpace bool, typed func(*fyne.KeyEvent)) {
	switch {
	case k.Name == fyne.KeyEscape:
		if onEscape != nil {
			onEscape()
		}
	case returnIsSpace && (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter):
		typed(&fyne.KeyEvent{Name: fyne.KeySpace})
	default:
		typed(k)
	}
}
