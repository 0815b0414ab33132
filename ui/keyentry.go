package ui

import (
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

// TypedKey offers navigation keys to the window first.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape, fyne.KeyUp, fyne.KeyDown, fyne.KeyPageUp, fyne.KeyPageDown:
		if e.onKey != nil && e.onKey(k) {
			return
		}
	}
	e.Entry.TypedKey(k)
}

// FocusGained tells onFocus, after the Entry's own handling.
func (e *keyEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}
