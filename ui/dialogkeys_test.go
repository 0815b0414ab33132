package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// focusName names the focused widget of a dialog as staff see it: a
// field's placeholder, a button's label.
func focusName(o fyne.Focusable) string {
	switch w := o.(type) {
	case *keyEntry:
		return "entry: " + w.PlaceHolder
	case *keySelect:
		return "select: " + w.PlaceHolder
	case *defaultButton:
		return "button: " + w.Text
	case nil:
		return "nothing"
	}
	return "another widget"
}

// TestDialogsFromTheKeyboard opens each dialog and finishes it from the
// keyboard alone: the focus is on its first required field, Tab never stays
// in a field, Escape typed to the focused widget closes it, and Return
// typed there (after the typing fill does) runs its main action.
func TestDialogsFromTheKeyboard(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture)
		open  func(mw *MainWindow)
		first string
		// fill types what the main action needs into the focused widget
		fill func(t *testing.T, mw *MainWindow, focused fyne.Focusable)
		// submitted checks what Return did
		submitted func(t *testing.T, f *fixture, mw *MainWindow)
	}{
		{name: "reject", open: func(mw *MainWindow) { mw.details.ShowReject() }, first: "select: Choose a reason (required)",
			fill: func(t *testing.T, _ *MainWindow, o fyne.Focusable) { test.Type(o, "mis") },
			submitted: func(t *testing.T, f *fixture, mw *MainWindow) {
				assert.Equal(t, domain.Rejected, f.state("R-1"))
				assert.Equal(t, domain.ReasonNotOnShelf, mustFind(t, f.desk, "R-1").RejectReason, "typing picked the reason")
				assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "and the dialog closed")
			}},
		{name: "bad citation", open: func(mw *MainWindow) { mw.details.ShowBadCitation() },
			first: "entry: What should the borrowing library fix? (required)",
			fill:  func(t *testing.T, _ *MainWindow, o fyne.Focusable) { test.Type(o, "No such volume") },
			submitted: func(t *testing.T, f *fixture, mw *MainWindow) {
				assert.Equal(t, domain.BadCitation, f.state("R-1"))
				assert.Nil(t, mw.Window().Canvas().Overlays().Top())
			}},
		{name: "move", open: func(mw *MainWindow) { mw.details.ShowPick(domain.StationRS) }, first: "entry: Item barcode",
			submitted: func(t *testing.T, f *fixture, mw *MainWindow) {
				assert.Equal(t, domain.PickRequested, f.state("R-1"))
				assert.Nil(t, mw.Window().Canvas().Overlays().Top())
			}},
		{name: "e-resources", open: func(mw *MainWindow) { mw.details.ShowEResources() }, first: "button: Close",
			submitted: func(t *testing.T, _ *fixture, mw *MainWindow) {
				assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Return closes a dialog that only shows")
			}},
		{name: "new borrowing", open: func(mw *MainWindow) {
			mw.scan.entry.TypedShortcut(shortcutFor(fyne.KeyN, false))
		}, first: "entry: Book or journal title",
			submitted: func(t *testing.T, _ *fixture, mw *MainWindow) {
				assert.Contains(t, dialogText(mw), "Fill in the partner, pickup location, requester, title.", "Return saves, which names what is missing")
				assert.Equal(t, "entry: Book or journal title", focusName(mw.Window().Canvas().Focused()), "and the focus stays in the field")
			}},
		{name: "new lending", open: func(mw *MainWindow) { mw.menu.NewLending() }, first: "entry: Partner code or name",
			submitted: func(t *testing.T, _ *fixture, mw *MainWindow) {
				assert.NotEmpty(t, mw.lending.refused.Text, "Return saves, which is refused")
				assert.Equal(t, mw.lending.fields.partner, mw.Window().Canvas().Focused(), "and the focus stays in the field")
			}},
		{name: "add partner", open: func(mw *MainWindow) { mw.menu.AddPartner() }, first: "entry: Short code, e.g. NYPL",
			fill: func(t *testing.T, mw *MainWindow, o fyne.Focusable) {
				test.Type(o, "BVB")
				mw.Window().Canvas().FocusNext() // Tab to the name
				test.Type(mw.Window().Canvas().Focused(), "Bavarian State Library")
			},
			submitted: func(t *testing.T, f *fixture, _ *MainWindow) {
				ps, err := f.desk.Partners()
				require.NoError(t, err)
				assert.Len(t, ps, 2, "Return added the partner")
			}},
		{name: "sign in", open: func(mw *MainWindow) { mw.signin.ShowSignIn() }, first: "entry: PIN (if you have one)",
			submitted: func(t *testing.T, _ *fixture, mw *MainWindow) {
				assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Return signed in")
				assert.Equal(t, "tester", mw.signin.name)
			}},
		{name: "keyboard shortcuts", open: func(mw *MainWindow) { mw.menu.ShowShortcuts() }, first: "button: Close"},
		{name: "about", open: func(mw *MainWindow) { mw.menu.ShowAbout() }, first: "button: Close"},
		{name: "needs attention", open: func(mw *MainWindow) { mw.attention.ShowAttention() }, first: "button: Close"},
		{name: "needs attention, with lines", setup: func(f *fixture) { f.clock.now = f.clock.now.Add(72 * time.Hour) },
			open: func(mw *MainWindow) { mw.attention.ShowAttention() }, first: "button: Close"},
		{name: "unknown libraries", setup: func(f *fixture) { f.stranger("DE-NEW", "N-1") },
			open: func(mw *MainWindow) { mw.quarantine.ShowQuarantine() }, first: "button: Close"},
		{name: "settings", open: func(mw *MainWindow) { mw.settingsDialog.ShowSettings() }, first: "button: Close"},
		{name: "statistics", open: func(mw *MainWindow) { mw.stats.ShowStats() }, first: "button: Close"},
		{name: "audit log", open: func(mw *MainWindow) { mw.auditLog.ShowAudit() }, first: "entry: Operator"},
		{name: "pick marked", open: func(mw *MainWindow) {
			r, _ := mw.desk.Find("R-1")
			mw.list.MarkRequest(r.ID, true)
			mw.batch.ShowPickMarked()
		}, first: "select: (Select one)",
			submitted: func(t *testing.T, f *fixture, mw *MainWindow) {
				assert.Equal(t, domain.PickRequested, f.state("R-1"))
				assert.Nil(t, mw.Window().Canvas().Overlays().Top())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.partner("RAPID", 24)
			f.lending("RAPID", "R-1", func(in *domain.LendingInput) {
				in.ItemBarcode = "39000001"
				in.EResources = []domain.EResource{{Name: "JSTOR", URL: "https://www.jstor.org/"}}
			})
			_, err := f.desk.AddOperator(domain.OperatorInput{Name: "tester", Roles: []domain.Role{domain.RoleFulfillment, domain.RoleRequests}}, domain.Actor{})
			require.NoError(t, err)
			if tt.setup != nil {
				tt.setup(f)
			}
			mw := f.open()
			mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
			c := mw.Window().Canvas()

			tt.open(mw)
			require.NotNil(t, c.Overlays().Top(), "the dialog opened")
			assert.Equal(t, tt.first, focusName(c.Focused()), "the first required field has the focus")

			// Tab goes from field to field, none keeps it, and Escape
			// closes the dialog from each of them
			stops := 0
			for first := c.Focused(); stops == 0 || c.Focused() != first; stops++ {
				require.Less(t, stops, 40, "Tab comes back to the first field")
				if tb, ok := c.Focused().(fyne.Tabbable); ok {
					assert.False(t, tb.AcceptsTab(), "%T keeps Tab", c.Focused())
				}
				c.FocusNext()
			}
			for i := range stops {
				if i > 0 {
					tt.open(mw)
				}
				for range i {
					c.FocusNext()
				}
				what := fmt.Sprintf("%T %s", c.Focused(), focusName(c.Focused()))
				c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
				assert.Nil(t, c.Overlays().Top(), "Escape on %s closed it", what)
				assert.True(t, c.Focused() == mw.scan.entry, "and the scan bar has the focus again")
				mw.dialogs.escape()
			}

			if tt.submitted == nil {
				return
			}
			tt.open(mw)
			if tt.fill != nil {
				tt.fill(t, mw, c.Focused())
			}
			c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			tt.submitted(t, f, mw)
		})
	}
}

// firstFocus is the dialog's widget focusName names name.
func firstFocus(t *testing.T, mw *MainWindow, name string) fyne.Focusable {
	t.Helper()
	for _, o := range test.LaidOutObjects(mw.Window().Canvas().Overlays().Top()) {
		if w, ok := o.(fyne.Focusable); ok && focusName(w) == name {
			return w
		}
	}
	require.Fail(t, "no widget "+name)
	return nil
}

func TestConfirmOverAFormReturnsToIt(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	mw := f.open()
	c := mw.Window().Canvas()
	mw.menu.NewBorrowing()
	form := mw.dialogs.current
	require.NotNil(t, form)
	mw.dialogs.confirm("Sure?", "Really?", "Yes", func() {})
	assert.Equal(t, "button: Yes", focusName(c.Focused()), "the confirm button has the focus")
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Same(t, form, mw.dialogs.current, "Escape closed the question only")
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Nil(t, mw.dialogs.current)
	assert.Equal(t, mw.scan.entry, c.Focused())
}

func TestSelectorPicksWhatIsTyped(t *testing.T) {
	options := []string{"Not held", "Missing / not on shelf", "Not available for ILL (e.g. licence)", "Policy problem"}
	tests := []struct {
		typed string
		want  string
	}{
		{"m", "Missing / not on shelf"},
		{"not", "Not held"},
		{"not a", "Not available for ILL (e.g. licence)"},
		{"P", "Policy problem"},
		{"mp", "Policy problem"}, // no option starts with "mp": p starts afresh
		{"licence", "Not available for ILL (e.g. licence)"},
		{"z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			test.NewTempApp(t)
			s := newKeySelect(options, nil)
			test.Type(s, tt.typed)
			assert.Equal(t, tt.want, s.Selected)
		})
	}
}

// TestSelectorSpaceBetweenLetters: Space opens the drop-down, but while
// letters are typed it is one of them, as a keyboard sends it as a key and
// a character.
func TestSelectorSpaceBetweenLetters(t *testing.T) {
	test.NewTempApp(t)
	s := newKeySelect([]string{"Not held", "Not available for ILL"}, nil)
	w := test.NewWindow(s)
	defer w.Close()
	test.Type(s, "not")
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	assert.Nil(t, w.Canvas().Overlays().Top(), "no drop-down while typing")
	s.TypedRune(' ')
	s.TypedRune('a')
	assert.Equal(t, "Not available for ILL", s.Selected)

	s.typed = "" // a pause
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	assert.NotNil(t, w.Canvas().Overlays().Top(), "Space alone opens the drop-down")
}

func TestNoteReturnSubmitsShiftReturnStartsALine(t *testing.T) {
	test.NewTempApp(t)
	h := &dialogHost{}
	e := h.entry(true)
	submitted := 0
	e.onReturn = func() { submitted++ }
	test.Type(e, "one")
	e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(e, "two")
	assert.Equal(t, "one\ntwo", e.Text, "Shift+Return starts a new line")
	assert.Zero(t, submitted)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Equal(t, 1, submitted, "Return submits")
	assert.Equal(t, "one\ntwo", e.Text)
}

// TestReturnKeepsADialogWithoutMainAction: Return in a field of a dialog
// that has no one main action (Settings: a Save per tab) closes nothing,
// so nothing typed is lost; Escape closes it.
func TestReturnKeepsADialogWithoutMainAction(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	c := mw.Window().Canvas()
	mw.settingsDialog.ShowSettings()
	top := c.Overlays().Top()
	require.NotNil(t, top)
	entries := overlayWidgets[*keyEntry](mw)
	require.NotEmpty(t, entries)
	c.Focus(entries[0])
	entries[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Same(t, top, c.Overlays().Top(), "Settings stays open")
	entries[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Nil(t, c.Overlays().Top())
}
