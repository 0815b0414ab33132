package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	ttwidget "github.com/dweymouth/fyne-tooltip/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// menuItem is the item labelled label in the window's menu named menu.
func menuItem(t *testing.T, mw *MainWindow, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range mw.Window().MainMenu().Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no item %q in the %s menu", label, menu)
	return nil
}

// dialogText is every label's text in the dialog open now.
func dialogText(mw *MainWindow) string {
	var b strings.Builder
	for _, l := range overlayWidgets[*widget.Label](mw) {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

func TestMenuItemsRunTheirHandlers(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	mw.scan.SetStation(mainDesk)

	// each item's effect: a dialog opens (its title), or what the check sees
	dialogs := []struct{ menu, label, title string }{
		{"File", "New borrowing request…", "New borrowing request"},
		{"File", "New lending request…", "New lending request"},
		{"View", "Needs attention…", "Needs attention"},
		{"View", "Statistics…", "Statistics"},
		{"View", "Audit log…", "Audit log"},
		{"Desk", "Sign in / switch operator…", "Sign in to ILL Desk"},
		{"Tools", "Settings…", "Settings"},
		{"Tools", "Add partner…", "Add partner"},
		{"Help", "Keyboard shortcuts", "Keyboard shortcuts"},
		{"Help", "About ILL Desk", "About ILL Desk"},
	}
	tested := map[string]bool{"File/Quit": true, "File/Import…": true} // TestQuitFromTheMenu, TestImportFromTheFileMenu
	for _, c := range dialogs {
		t.Run(c.menu+"/"+c.label, func(t *testing.T) {
			tested[c.menu+"/"+c.label] = true
			require.Nil(t, mw.Window().Canvas().Overlays().Top())
			menuItem(t, mw, c.menu, c.label).Action()
			require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "a dialog opened")
			assert.Contains(t, dialogText(mw), c.title)
			mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Escape closed it")
		})
	}

	t.Run("Edit/Undo the last change", func(t *testing.T) {
		tested["Edit/Undo the last change"] = true
		scanInto(mw, "39200001")
		require.Equal(t, domain.OnHoldShelf, f.state(r.ID))
		menuItem(t, mw, "Edit", "Undo the last change").Action()
		assert.Equal(t, domain.Received, f.state(r.ID), "the request's own Undo, as the banner's")
	})
	t.Run("Edit/Find", func(t *testing.T) {
		tested["Edit/Find"] = true
		menuItem(t, mw, "Edit", "Find").Action()
		assert.Equal(t, mw.facets.search, mw.Window().Canvas().Focused())
		mw.FocusScanBar()
	})
	t.Run("View/Refresh", func(t *testing.T) {
		tested["View/Refresh"] = true
		later := f.borrowing("Added meanwhile")
		assert.NotContains(t, listedRefs(mw), later.Ref())
		menuItem(t, mw, "View", "Refresh").Action()
		assert.Contains(t, listedRefs(mw), later.Ref())
	})
	t.Run("Desk", func(t *testing.T) {
		assert.True(t, menuItem(t, mw, "Desk", mainDesk.Label()).Checked, "the desk it stands at is ticked")
		stations := mw.scan.Stations()
		require.Len(t, stations, 3, "RS desk, digitization, the pickup desk")
		for _, st := range stations {
			tested["Desk/"+st.Label()] = true
			menuItem(t, mw, "Desk", st.Label()).Action()
			assert.True(t, mw.scan.Station().Same(st))
			for _, other := range stations {
				assert.Equal(t, other.Same(st), menuItem(t, mw, "Desk", other.Label()).Checked, "%s ticked", other.Label())
			}
		}
	})

	for _, m := range mw.Window().MainMenu().Items {
		for _, it := range m.Items {
			if it.IsSeparator {
				continue
			}
			assert.NotNil(t, it.Action, "%s/%s", m.Label, it.Label)
			assert.True(t, tested[m.Label+"/"+it.Label], "%s/%s has no test", m.Label, it.Label)
		}
	}
}

func TestMenuShowsTheWindowShortcuts(t *testing.T) {
	mw := newFixture(t).open()
	ctrlShiftN := &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	want := map[string]*desktop.CustomShortcut{"File/New borrowing request…": ctrl(fyne.KeyN), "Edit/Find": ctrl(fyne.KeyF),
		"File/Quit": ctrl(fyne.KeyQ), "File/New lending request…": ctrlShiftN}
	for _, m := range mw.Window().MainMenu().Items {
		for _, it := range m.Items {
			key, ok := want[m.Label+"/"+it.Label]
			if !ok {
				assert.Nil(t, it.Shortcut, "%s/%s has no window shortcut", m.Label, it.Label)
				continue
			}
			require.NotNil(t, it.Shortcut, "%s/%s", m.Label, it.Label)
			assert.Equal(t, key.ShortcutName(), it.Shortcut.ShortcutName(), "%s/%s", m.Label, it.Label)
			delete(want, m.Label+"/"+it.Label)
		}
	}
	assert.Empty(t, want, "items missing")
}

func TestMenuShortcutsWaitForTheDialogToClose(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	mw.settingsDialog.ShowSettings()
	settings := mw.dialogs.current
	require.NotNil(t, settings)

	// Fyne runs a menu shortcut before the focused dialog field sees it
	menuItem(t, mw, "File", "New borrowing request…").Action()
	menuItem(t, mw, "Edit", "Find").Action()
	menuItem(t, mw, "File", "Quit").Action()
	assert.Same(t, settings, mw.dialogs.current, "no form opened over the dialog")
	assert.NotEqual(t, mw.facets.search, mw.Window().Canvas().Focused())
	assert.False(t, mw.closed())

	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	menuItem(t, mw, "Edit", "Find").Action()
	assert.Equal(t, mw.facets.search, mw.Window().Canvas().Focused(), "with the dialog closed it acts")
}

func TestQuitFromTheMenu(t *testing.T) {
	f := newFixture(t)
	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester"})
	quit := menuItem(t, mw, "File", "Quit")
	assert.True(t, quit.IsQuit, "Fyne adds no Quit of its own")
	quit.Action()
	assert.True(t, mw.closed(), "the window closed, as by its frame")
}

func TestBackUpFromTheMenu(t *testing.T) {
	f := newFixture(t)
	backups := 0
	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester",
		Backup: func() (string, error) { backups++; return "/backups/illdesk.db", nil }})
	mw.spawn = func(fn func()) { fn() }
	t.Cleanup(func() { mw.Window().Close() })

	menuItem(t, mw, "File", "Back up now").Action()
	assert.Equal(t, 1, backups)
	assert.Equal(t, "Backup saved: /backups/illdesk.db", mw.status.Text())

	without := f.open()
	for _, it := range without.Window().MainMenu().Items[0].Items {
		assert.NotEqual(t, "Back up now", it.Label, "no backup without Options.Backup")
	}
}

func TestShortcutsDialogListsEveryShortcut(t *testing.T) {
	mw := newFixture(t).open()
	mw.menu.ShowShortcuts()
	text := dialogText(mw)
	for _, sc := range windowShortcuts {
		assert.Contains(t, text, sc.label()+"\n"+sc.what+"\n")
	}
	for _, k := range windowKeys {
		assert.Contains(t, text, keyLabel(k.key)+"\n"+k.what+"\n")
	}
}

func TestAboutSaysVersionAndDataFolder(t *testing.T) {
	f := newFixture(t)
	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester",
		Version: "0.9.0 (build 1)", DataFolder: f.dir})
	t.Cleanup(func() { mw.Window().Close() })
	mw.menu.ShowAbout()
	text := dialogText(mw)
	assert.Contains(t, text, "ILL Desk 0.9.0 (build 1)")
	assert.Contains(t, text, "Data folder: "+f.dir)
}

// TestTopBarButtonsSayWhatTheyDo checks that every icon button of the top
// bar has the words a resting pointer shows, the same as its menu item's.
func TestTopBarButtonsSayWhatTheyDo(t *testing.T) {
	f := newFixture(t)
	mw, _ := f.openWithBackups(Options{Backup: func() (string, error) { return "", nil }})
	var tips []string
	for _, o := range test.LaidOutObjects(mw.Window().Content()) {
		if b, ok := o.(*ttwidget.Button); ok {
			tips = append(tips, b.ToolTip())
		}
	}
	assert.ElementsMatch(t, []string{"Needs attention: requests past a deadline or waiting too long, failing messages",
		"Statistics", "Settings", "Audit log", "Back up now", "Sign in or switch operator"}, tips)
}
