package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// windowShortcut is one of the window's keyboard shortcuts: the window
// registers it, the menu shows it beside its item and Help lists it, all
// from windowShortcuts, so the three cannot disagree.
type windowShortcut struct {
	key  fyne.KeyName // with the system's shortcut modifier (Ctrl, ⌘)
	what string       // for Help → Keyboard shortcuts
	run  func(*MainWindow)
	// inDialogs: it works in a dialog's fields too; the others wait until
	// the dialog is closed.
	inDialogs bool
	// shift: the shortcut is held with Shift too (Ctrl+Shift+N).
	shift bool
}

// windowShortcuts are the shortcuts the window owns; they work while the
// scan bar, the search field or the list has the focus.
var windowShortcuts = []windowShortcut{
	{key: fyne.KeyReturn, what: "Ship the checked scan of the selected request", run: (*MainWindow).ShipSelected},
	{key: fyne.KeyEnter, what: "Ship the checked scan (keypad Enter)", run: (*MainWindow).ShipSelected},
	{key: fyne.KeyF, what: "Find: put the cursor in the search field", run: (*MainWindow).FocusSearch},
	{key: fyne.KeyN, what: "New borrowing request", run: (*MainWindow).NewBorrowing},
	{key: fyne.KeyN, shift: true, what: "New lending request", run: (*MainWindow).NewLending},
	{key: reopenShortcut, what: "Reopen the database after its disk came back", run: (*MainWindow).Reopen, inDialogs: true},
	{key: fyne.KeyQ, what: "Quit ILL Desk", run: (*MainWindow).Quit},
}

// shortcut is the Fyne shortcut of sc.
func (sc windowShortcut) shortcut() *desktop.CustomShortcut {
	mod := fyne.KeyModifierShortcutDefault
	if sc.shift {
		mod |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: sc.key, Modifier: mod}
}

// label names sc as the system's keyboard does, for Help and the hints.
func (sc windowShortcut) label() string {
	if sc.shift {
		return shortcutText("Shift+" + keyLabel(sc.key))
	}
	return shortcutText(keyLabel(sc.key))
}

// windowKey is a key the window handles on its own, without a modifier.
type windowKey struct {
	key  fyne.KeyName
	what string
	run  func(*MainWindow)
}

// windowKeys are the keys handleNavKey handles: the scan bar and the
// search field pass them on, and Help lists them.
var windowKeys = []windowKey{
	{fyne.KeyEscape, "Close the dialog, back to the scan bar", func(m *MainWindow) { m.dialogs.escape(); m.FocusScanBar() }},
	{fyne.KeyUp, "Previous request in the list", func(m *MainWindow) { m.list.view.MoveSelection(-1) }},
	{fyne.KeyDown, "Next request in the list", func(m *MainWindow) { m.list.view.MoveSelection(1) }},
	{fyne.KeyPageUp, "Ten requests up", func(m *MainWindow) { m.list.view.MoveSelection(-10) }},
	{fyne.KeyPageDown, "Ten requests down", func(m *MainWindow) { m.list.view.MoveSelection(10) }},
}

// shortcutFor is the entry of windowShortcuts for key, held with Shift
// too when shift.
func shortcutFor(key fyne.KeyName, shift bool) *desktop.CustomShortcut {
	for _, sc := range windowShortcuts {
		if sc.key == key && sc.shift == shift {
			return sc.shortcut()
		}
	}
	panic("ui: no window shortcut for " + string(key))
}

// buildMenu puts the menu bar on the window. Each item calls the handler
// the top bar's button or the shortcut calls.
func (m *MainWindow) buildMenu(backup bool) {
	item := func(label string, key fyne.KeyName, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, m.unlessDialog(fn))
		if key != "" {
			it.Shortcut = shortcutFor(key, false)
		}
		return it
	}
	newLending := item("New lending request…", "", m.NewLending)
	newLending.Shortcut = shortcutFor(fyne.KeyN, true)
	file := fyne.NewMenu("File", item("New borrowing request…", fyne.KeyN, m.NewBorrowing), newLending,
		item("Import…", "", m.importer.ShowImport))
	if backup {
		file.Items = append(file.Items, item("Back up now", "", m.backup.BackUpNow))
	}
	quit := item("Quit", fyne.KeyQ, m.Quit)
	quit.IsQuit = true
	file.Items = append(file.Items, fyne.NewMenuItemSeparator(), quit)

	// Undo has no Ctrl+Z: Fyne gives a menu's shortcuts precedence over the
	// focused field, and the text fields keep Ctrl+Z for their own text.
	edit := fyne.NewMenu("Edit",
		item("Undo the last change", "", m.scan.UndoLastScan),
		item("Find", fyne.KeyF, m.FocusSearch))
	view := fyne.NewMenu("View",
		item("Needs attention…", "", m.attention.ShowAttention),
		item("Statistics…", "", m.stats.ShowStats),
		item("Audit log…", "", m.auditLog.ShowAudit),
		fyne.NewMenuItemSeparator(),
		item("Refresh", "", m.Refresh))
	m.deskMenu = fyne.NewMenu("Desk")
	tools := fyne.NewMenu("Tools",
		item("Settings…", "", m.settingsDialog.ShowSettings),
		item("Add partner…", "", m.AddPartner))
	help := fyne.NewMenu("Help",
		item("Keyboard shortcuts", "", m.ShowShortcuts),
		item("About ILL Desk", "", m.ShowAbout))
	m.win.SetMainMenu(fyne.NewMainMenu(file, edit, view, m.deskMenu, tools, help))
	m.fillDeskMenu()
}

// fillDeskMenu lists the desks this workstation may stand at, the current
// one ticked, and signing in; it follows the desk selector's list.
func (m *MainWindow) fillDeskMenu() {
	if m.deskMenu == nil {
		return
	}
	m.deskMenu.Items = nil
	for _, st := range m.scan.Stations() {
		it := fyne.NewMenuItem(st.Label(), m.unlessDialog(func() { m.SetStation(st) }))
		it.Checked = st.Same(m.scan.Station())
		m.deskMenu.Items = append(m.deskMenu.Items, it)
	}
	m.deskMenu.Items = append(m.deskMenu.Items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Sign in / switch operator…", m.unlessDialog(m.signin.ShowSignIn)))
	m.deskMenu.Refresh()
}

// unlessDialog runs fn only while no dialog or pop-up is open: Fyne runs
// a menu item's shortcut even from a dialog's field, where the window's
// shortcuts have never acted (a second form over the first, the search
// field focused behind a dialog, a scan shipped while a note is typed).
func (m *MainWindow) unlessDialog(fn func()) func() {
	return func() {
		if m.win.Canvas().Overlays().Top() != nil {
			return
		}
		fn()
	}
}

// NewBorrowing opens the form for a new borrowing request (Ctrl+N).
func (m *MainWindow) NewBorrowing() { m.borrowing.ShowNewBorrowing() }

// NewLending opens the form for a new lending request (Ctrl+Shift+N).
func (m *MainWindow) NewLending() { m.lending.ShowNewLending() }

// AddPartner opens the form for a new partner library and reloads the list
// once one is added.
func (m *MainWindow) AddPartner() { m.borrowing.ShowAddPartner(func(domain.Partner) { m.Refresh() }) }

// Quit closes the window, and with it ILL Desk, as closing it by its frame
// does.
func (m *MainWindow) Quit() { m.win.Close() }

// shortcutLines are Help's lines: each window shortcut and key with what it does.
func shortcutLines() [][2]string {
	var lines [][2]string
	for _, sc := range windowShortcuts {
		lines = append(lines, [2]string{sc.label(), sc.what})
	}
	for _, k := range windowKeys {
		lines = append(lines, [2]string{keyLabel(k.key), k.what})
	}
	return lines
}

// keyLabel is how a keyboard labels key.
func keyLabel(key fyne.KeyName) string {
	switch key {
	case fyne.KeyReturn:
		return "Enter"
	case fyne.KeyEnter:
		return "Enter (keypad)"
	case fyne.KeyEscape:
		return "Esc"
	case fyne.KeyPageUp:
		return "Page Up"
	case fyne.KeyPageDown:
		return "Page Down"
	}
	return string(key)
}

// ShowShortcuts lists every window shortcut and key (Help → Keyboard shortcuts).
func (m *MainWindow) ShowShortcuts() {
	var rows []fyne.CanvasObject
	for _, l := range shortcutLines() {
		rows = append(rows, widget.NewLabelWithStyle(l[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), widget.NewLabel(l[1]))
	}
	note := widget.NewLabel("Text fields keep their own editing keys (Ctrl+Z, Ctrl+C, Ctrl+V, …). " +
		"Return on an empty scan bar opens the highlighted request.")
	note.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(nil, note, nil, nil, container.NewVScroll(container.New(layout.NewFormLayout(), rows...)))
	m.dialogs.show(dialog.NewCustom("Keyboard shortcuts", "Close", content, m.win), fyne.NewSize(620, 600), nil)
}

// aboutText is what About ILL Desk says.
func (m *MainWindow) aboutText() string {
	lines := []string{"ILL Desk " + firstNonEmpty(m.version, "(development build)")}
	if m.dataFolder != "" {
		lines = append(lines, "Data folder: "+m.dataFolder)
	}
	lines = append(lines, fmt.Sprintf("Desk: %s", m.scan.Station().Label()))
	return strings.Join(lines, "\n")
}

// ShowAbout says which ILL Desk this is and where its data lives (Help → About).
func (m *MainWindow) ShowAbout() {
	t := widget.NewLabel(m.aboutText())
	t.Wrapping = fyne.TextWrapWord
	t.Selectable = true // the folder can be copied
	m.dialogs.show(dialog.NewCustom("About ILL Desk", "Close", t, m.win), fyne.NewSize(560, 220), nil)
}
