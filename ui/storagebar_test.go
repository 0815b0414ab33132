package ui

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// goneDetail is what the system says of a file system that went away.
const goneDetail = "the database file cannot be reached: transport endpoint is not connected"

// vanishingStore is a store whose disk can be taken away: while gone,
// every transaction is refused as a disk that stopped answering, as the
// bbolt store refuses them when the file system under it went away.
type vanishingStore struct {
	domain.Store
	path string
	gone atomic.Bool
}

func (s *vanishingStore) View(fn func(domain.Tx) error) error {
	if s.gone.Load() {
		return storage.Unavailable(s.path, goneDetail)
	}
	return s.Store.View(fn)
}

func (s *vanishingStore) Update(fn func(domain.Tx) error) error {
	if s.gone.Load() {
		return storage.Unavailable(s.path, goneDetail)
	}
	return s.Store.Update(fn)
}

// openVanishing opens the window over f with a disk that can go away; the
// window's Reopen closes and opens the real database file, once the disk
// is back. reopens counts the Reopens that reached the file.
func openVanishing(t *testing.T, f *fixture) (mw *MainWindow, disk *vanishingStore, reopens *atomic.Int32) {
	disk = &vanishingStore{Store: f.store.Store, path: f.db.Path()}
	f.store.Store = disk
	reopens = &atomic.Int32{}
	f.mw = NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester",
		Reopen: func() error {
			if disk.gone.Load() {
				return storage.Unavailable(disk.path, goneDetail)
			}
			reopens.Add(1)
			return f.db.Reopen()
		}})
	f.mw.spawn = func(fn func()) { fn() }
	f.mw.after = func(_ time.Duration, fn func()) { fn() }
	mw = f.mw
	t.Cleanup(func() { mw.Window().Close() })
	return mw, disk, reopens
}

// ctrl is the window shortcut Ctrl (⌘ on macOS) with key.
func ctrl(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

func TestStorageBarOffersReopenAndKeepsTheScan(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw, disk, reopens := openVanishing(t, f)
	assert.Empty(t, mw.storage.Text(), "no bar while the disk answers")

	disk.gone.Store(true)
	scanInto(mw, "R-1")
	assert.Equal(t, storageGoneText, mw.storage.Text())
	assert.Contains(t, mw.storage.Text(), "press Reopen (Ctrl+R)")
	assert.Empty(t, mw.status.Text(), "the storage bar alone says it")
	assert.Empty(t, mw.banner.Text(), "the banner too keeps no older result beside it")
	assert.Equal(t, "R-1", mw.scan.entry.Text, "the scan that was not saved stays in the bar")
	assert.Equal(t, "R-1", mw.scan.entry.SelectedText(), "selected, so that the next scan replaces it")

	// Ctrl+R while the disk is still away says so and keeps the scan
	mw.scan.entry.TypedShortcut(ctrl(fyne.KeyR))
	assert.Equal(t, fmt.Sprintf(stillGoneText, goneDetail), mw.storage.Text())
	assert.Empty(t, mw.status.Text())
	assert.False(t, mw.storage.button.Disabled(), "Reopen can be pressed again")
	assert.Equal(t, "R-1", mw.scan.entry.Text)
	assert.Zero(t, reopens.Load())

	// the disk is back: the Reopen button closes and opens the file
	disk.gone.Store(false)
	test.Tap(mw.storage.button)
	assert.Equal(t, int32(1), reopens.Load())
	assert.Empty(t, mw.storage.Text(), "the bar goes once the database is open again")
	assert.Equal(t, reopenedText, mw.banner.Text(), "Reopen is staff's own action")
	assert.Empty(t, mw.status.Text())
	assert.Equal(t, "R-1", mw.scan.entry.Text, "Reopen keeps what was typed")
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused())

	// Return scans it again, and now it works
	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	sel, ok := mw.list.Selected()
	require.True(t, ok, mw.status.Text())
	assert.Equal(t, r.ID, sel.ID)
	assert.Empty(t, mw.scan.entry.Text)
}

func TestANewScanReplacesTheOneNotSaved(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw, disk, _ := openVanishing(t, f)
	disk.gone.Store(true)
	scanInto(mw, "R-1")
	require.Equal(t, "R-1", mw.scan.entry.Text)
	test.Type(mw.scan.entry, "R-2")
	assert.Equal(t, "R-2", mw.scan.entry.Text)
}

func TestReopenFromAnOpenFormKeepsItsFields(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw, disk, reopens := openVanishing(t, f)
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	mw.details.ShowBadCitation()
	form := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, form)
	note, ok := mw.Window().Canvas().Focused().(*keyEntry)
	require.True(t, ok, "the note has the focus")
	test.Type(note, "Volume 61 has no such article")

	disk.gone.Store(true)
	send := buttonIn(t, form, "Send back as bad citation")
	test.Tap(send)
	assert.Equal(t, storageGoneText, mw.storage.Text(), "a refusal in a form shows the bar too")
	assert.NotContains(t, dialogText(mw), "stopped answering", "the bar alone says it")
	assert.Empty(t, mw.status.Text())
	assert.Same(t, form, mw.Window().Canvas().Overlays().Top(), "the form stays open")

	disk.gone.Store(false)
	mw.Window().Canvas().Focus(note) // back in the field, as staff are after tapping Send
	note.TypedShortcut(ctrl(fyne.KeyR))
	assert.Equal(t, int32(1), reopens.Load())
	assert.Empty(t, mw.storage.Text())
	assert.Same(t, form, mw.Window().Canvas().Overlays().Top(), "Reopen leaves the form open")
	assert.Equal(t, "Volume 61 has no such article", note.Text, "and its fields as they were")
	assert.Equal(t, note, mw.Window().Canvas().Focused(), "the focus stays in the form")

	test.Tap(send)
	assert.Equal(t, domain.BadCitation, f.state("R-1"), mw.status.Text())
}

func TestReopenSaysWhyTheDatabaseDidNotOpen(t *testing.T) {
	f := newFixture(t)
	mw, _, _ := openVanishing(t, f)
	mw.storage.reopen = func() error {
		return &domain.Refusal{Kind: domain.ErrDatabaseLocked, Msg: "The database x is already open in another ILL Desk process."}
	}
	mw.storage.Reopen()
	assert.Equal(t, notOpenedText+"The database x is already open in another ILL Desk process.", mw.storage.Text())
	assert.Empty(t, mw.status.Text(), "the bar says it")
}

func TestNoStorageBarWithoutReopen(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	disk := &vanishingStore{Store: f.store.Store, path: f.db.Path()}
	f.store.Store = disk
	mw := f.open() // a department database: its server is no file to reopen
	disk.gone.Store(true)
	scanInto(mw, "R-1")
	assert.Contains(t, mw.banner.Text(), "stopped answering", "with no bar the scan's refusal is on the banner")
	assert.Empty(t, mw.status.Text())
	assert.Empty(t, mw.storage.Text())
	mw.scan.entry.TypedShortcut(ctrl(fyne.KeyR))
	assert.Empty(t, mw.storage.Text())
}

// buttonIn is the button labelled text inside obj.
func buttonIn(t *testing.T, obj fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = v
			}
			return
		case *defaultButton: // a dialog's button
			if v.Text == text {
				found = &v.Button
			}
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(obj)
	require.NotNil(t, found, "no button %q", text)
	return found
}
