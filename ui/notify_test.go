package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// focus moves the application to the foreground or the background, as the
// desktop driver does when its window gains or loses the focus.
func focus(t *testing.T, a fyne.App, foreground bool) {
	t.Helper()
	l, ok := a.Lifecycle().(interface {
		OnEnteredForeground() func()
		OnExitedForeground() func()
	})
	require.True(t, ok, "Fyne's lifecycle lets the hooks be run")
	hook := l.OnExitedForeground()
	if foreground {
		hook = l.OnEnteredForeground()
	}
	require.NotNil(t, hook, "the window follows the focus")
	hook()
}

// TestNotificationsOnlyInTheBackground checks that a partner's message and
// a new scan in the scan folder pop up only while staff are in another
// program, and that the scans already there when the window opens do not.
func TestNotificationsOnlyInTheBackground(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	mw := f.open()
	scan := func(name string) domain.WaitingScan {
		return domain.WaitingScan{RequestID: name, Path: filepath.Join(f.dir, name)}
	}
	msg := "New lending request \"R-1\" from RAPID: \"Nature\"."
	steps := []struct {
		what       string
		foreground bool
		do         func()
		want       *fyne.Notification
	}{
		{"the scans there at the first look", false, func() { mw.drop.setWaiting([]domain.WaitingScan{scan("R-0.pdf")}) }, nil},
		{"a message while staff work here", true, func() { mw.MessageArrived(msg) }, nil},
		{"a scan while staff work here", true, func() { mw.drop.setWaiting([]domain.WaitingScan{scan("R-0.pdf"), scan("R-1.pdf")}) }, nil},
		{"a message in the background", false, func() { mw.MessageArrived(msg) },
			fyne.NewNotification("ILL Desk: a partner's message", msg)},
		{"a scan in the background", false, func() { mw.drop.setWaiting([]domain.WaitingScan{scan("R-0.pdf"), scan("R-1.pdf"), scan("R-2.pdf")}) },
			fyne.NewNotification("ILL Desk: a scan is waiting", "R-2.pdf is in the scan folder, ready to check and ship.")},
		{"two scans at once", false, func() {
			mw.drop.setWaiting([]domain.WaitingScan{scan("R-0.pdf"), scan("R-1.pdf"), scan("R-2.pdf"), scan("R-3.pdf"), scan("R-4.pdf")})
		}, fyne.NewNotification("ILL Desk: scans are waiting", "2 scans are in the scan folder, ready to check and ship.")},
		{"a scan taken away", false, func() { mw.drop.setWaiting([]domain.WaitingScan{scan("R-0.pdf")}) }, nil},
	}
	for _, s := range steps {
		focus(t, f.app, s.foreground)
		t.Run(s.what, func(t *testing.T) { test.AssertNotificationSent(t, s.want, s.do) })
	}
}
