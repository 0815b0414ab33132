package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
)

// Notifier tells staff, by a desktop notification, of work that arrived
// while the window was in the background: a partner's message, a scan in
// the scan folder. In the foreground the list shows it and nothing pops up.
type Notifier struct {
	app fyne.App
	// background is true while another program has the focus; only the
	// UI goroutine reads and writes it (Fyne's lifecycle hooks run there).
	background bool
}

// newNotifier follows the application's focus through its lifecycle hooks.
func newNotifier(a fyne.App) *Notifier {
	n := &Notifier{app: a}
	a.Lifecycle().SetOnEnteredForeground(func() { n.background = false })
	a.Lifecycle().SetOnExitedForeground(func() { n.background = true })
	return n
}

// notify sends title and content as a desktop notification when the window
// is in the background.
func (n *Notifier) notify(title, content string) {
	if n.background {
		n.app.SendNotification(fyne.NewNotification(title, content))
	}
}

// MessageArrived tells of a partner's ISO 18626 message received here;
// what is the receiving server's sentence about it.
func (n *Notifier) MessageArrived(what string) {
	n.notify("ILL Desk: a partner's message", what)
}

// scansArrived tells of scans newly found in the scan folder (their file
// names, which name their requests).
func (n *Notifier) scansArrived(names []string) {
	switch len(names) {
	case 0:
	case 1:
		n.notify("ILL Desk: a scan is waiting", fmt.Sprintf("%s is in the scan folder, ready to check and ship.", names[0]))
	default:
		n.notify("ILL Desk: scans are waiting", fmt.Sprintf("%d scans are in the scan folder, ready to check and ship.", len(names)))
	}
}
