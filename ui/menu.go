package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	{key: fyne.KeyReturn, what: "Ship the checked scan of the selected request", run: func(m *MainWindow) { m.drop.ShipSelected() }},
	{key: fyne.KeyEnter, what: "Ship the checked scan (keypad Enter)", run: func(m *MainWindow) { m.drop.ShipSelected() }},
	{key: fyne.KeyF, what: "Find: put the cursor in the search field", run: (*MainWindow).FocusSearch},
	{key: fyne.KeyN, what: "New borrowing request", run: func(m *MainWindow) { m.menu.NewBorrowing() }},
	{key: fyne.KeyN, shift: true, what: "New lending request", run: func(m *MainWindow) { m.menu.NewLending() }},
	{key: reopenShortcut, what: "Reopen the database after its disk came back", run: func(m *MainWindow) { m.storage.Reopen() }, inDialogs: true},
	{key: fyne.KeyQ, what: "Quit ILL Desk", run: func(m *MainWindow) { m.menu.Quit() }},
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
	{fyne.KeyEscape, "Close the dialog, back to the scan bar", func(m *MainWindow) {
		m.dialogs.escape()
		if m.dialogs.current == nil { // not behind a dialog still open
			m.FocusScanBar()
		}
	}},
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

// MenuBar is the window's menu bar and the handlers of its own items:
// the new-request forms, Add partner, Quit, the Desk menu and Help. The
// items that belong to a pane call that pane's handler (menuActions).
type MenuBar struct {
	win     fyne.Window
	dialogs *dialogHost
	// borrowing and lending are the forms the File menu opens.
	borrowing *BorrowingForm
	lending   *LendingForm
	// stations, station and setStation are the scan bar's desks, the
	// current one and the change of desk, for the Desk menu.
	stations   func() []domain.Station
	station    func() domain.Station
	setStation func(domain.Station)
	// refresh reloads the list (MainWindow.Refresh), once a partner is
	// added; signIn opens signing in (OperatorPane.ShowSignIn).
	refresh, signIn func()
	// desk is the Desk menu, which lists the desks; version and
	// dataFolder are what About says.
	desk                *fyne.Menu
	version, dataFolder string
}

// menuActions are the handlers of the menu items that belong to other
// panes; backUp is nil when there is no Options.Backup, and then the File
// menu has no Back up now.
type menuActions struct {
	importFile, backUp, undo, find, attention, stats, audit, refresh, settings func()
}

// build puts the menu bar on the window. Each item calls the handler the
// top bar's button or the shortcut calls.
func (b *MenuBar) build(a menuActions) {
	item := func(label string, key fyne.KeyName, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, b.unlessDialog(fn))
		if key != "" {
			it.Shortcut = shortcutFor(key, false)
		}
		return it
	}
	newLending := item("New lending request…", "", b.NewLending)
	newLending.Shortcut = shortcutFor(fyne.KeyN, true)
	file := fyne.NewMenu("File", item("New borrowing request…", fyne.KeyN, b.NewBorrowing), newLending,
		item("Import…", "", a.importFile))
	if a.backUp != nil {
		file.Items = append(file.Items, item("Back up now", "", a.backUp))
	}
	quit := item("Quit", fyne.KeyQ, b.Quit)
	quit.IsQuit = true
	file.Items = append(file.Items, fyne.NewMenuItemSeparator(), quit)

	// Undo has no Ctrl+Z: Fyne gives a menu's shortcuts precedence over the
	// focused field, and the text fields keep Ctrl+Z for their own text.
	edit := fyne.NewMenu("Edit",
		item("Undo the last change", "", a.undo),
		item("Find", fyne.KeyF, a.find))
	view := fyne.NewMenu("View",
		item("Needs attention…", "", a.attention),
		item("Statistics…", "", a.stats),
		item("Audit log…", "", a.audit),
		fyne.NewMenuItemSeparator(),
		item("Refresh", "", a.refresh))
	b.desk = fyne.NewMenu("Desk")
	tools := fyne.NewMenu("Tools",
		item("Settings…", "", a.settings),
		item("Add partner…", "", b.AddPartner))
	help := fyne.NewMenu("Help",
		item("Keyboard shortcuts", "", b.ShowShortcuts),
		item("About ILL Desk", "", b.ShowAbout))
	b.win.SetMainMenu(fyne.NewMainMenu(file, edit, view, b.desk, tools, help))
	b.fillDeskMenu()
}

// fillDeskMenu lists the desks this workstation may stand at, the current
// one ticked, and signing in; it follows the desk selector's list.
func (b *MenuBar) fillDeskMenu() {
	if b.desk == nil {
		return
	}
	b.desk.Items = nil
	for _, st := range b.stations() {
		it := fyne.NewMenuItem(st.Label(), b.unlessDialog(func() { b.setStation(st) }))
		it.Checked = st.Same(b.station())
		b.desk.Items = append(b.desk.Items, it)
	}
	b.desk.Items = append(b.desk.Items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Sign in / switch operator…", b.unlessDialog(b.signIn)))
	b.desk.Refresh()
}

// unlessDialog runs fn only while no dialog or pop-up is open: Fyne runs
// a menu item's shortcut even from a dialog's field, where the window's
// shortcuts have never acted (a second form over the first, the search
// field focused behind a dialog, a scan shipped while a note is typed).
func (b *MenuBar) unlessDialog(fn func()) func() {
	return func() {
		if b.win.Canvas().Overlays().Top() != nil {
			return
		}
		fn()
	}
}

// NewBorrowing opens the form for a new borrowing request (Ctrl+N).
func (b *MenuBar) NewBorrowing() { b.borrowing.ShowNewBorrowing() }

// NewLending opens the form for a new lending request (Ctrl+Shift+N).
func (b *MenuBar) NewLending() { b.lending.ShowNewLending() }

// AddPartner opens the form for a new partner library and reloads the list
// once one is added.
func (b *MenuBar) AddPartner() { b.borrowing.ShowAddPartner(func(domain.Partner) { b.refresh() }) }

// Quit closes the window, and with it ILL Desk, as closing it by its frame
// does.
func (b *MenuBar) Quit() { b.win.Close() }

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
func (b *MenuBar) ShowShortcuts() {
	var rows []fyne.CanvasObject
	for _, l := range shortcutLines() {
		rows = append(rows, widget.NewLabelWithStyle(l[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), widget.NewLabel(l[1]))
	}
	note := widget.NewLabel("Text fields keep their own editing keys (Ctrl+Z, Ctrl+C, Ctrl+V, …). " +
		"Return on an empty scan bar opens the highlighted request.")
	note.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(nil, note, nil, nil, container.NewVScroll(container.New(layout.NewFormLayout(), rows...)))
	b.dialogs.open("Keyboard shortcuts", content, "Close", nil, fyne.NewSize(620, 600), nil)
}

// aboutText is what About ILL Desk says.
func (b *MenuBar) aboutText() string {
	lines := []string{"ILL Desk " + firstNonEmpty(b.version, "(development build)")}
	if b.dataFolder != "" {
		lines = append(lines, "Data folder: "+b.dataFolder)
	}
	lines = append(lines, fmt.Sprintf("Desk: %s", b.station().Label()))
	return strings.Join(lines, "\n")
}

// ShowAbout says which ILL Desk this is and where its data lives (Help → About).
func (b *MenuBar) ShowAbout() {
	t := widget.NewLabel(b.aboutText())
	t.Wrapping = fyne.TextWrapWord
	var body fyne.CanvasObject = t
	if b.dataFolder != "" {
		body = container.NewVBox(t, container.NewHBox(b.dialogs.copyButton("Copy the data folder", b.dataFolder)))
	}
	b.dialogs.open("About ILL Desk", body, "Close", nil, fyne.NewSize(560, 260), nil)
}
