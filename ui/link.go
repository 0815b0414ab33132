package ui

import "github.com/illdesk/illdesk/domain"

// link is what every pane shares with the window: the status line,
// background work, Fyne's goroutine, the scan bar's focus and who acts.
// MainWindow fills it; a pane reaches another pane only through the
// callbacks MainWindow gives it, never through its fields.
type link struct {
	info     func(msg string)                    // the status line, for success
	fail     func(err error)                     // the status line, for a refusal
	announce func(msg string, ok, undoable bool) // the banner (messages.go says which place)
	refuse   func(err error)                     // the banner, or the storage bar for a disk fault
	log      func(msg string)                    // the desk's log, not shown
	run      func(fn func())                     // background work Wait waits for
	do       func(fn func())                     // work for Fyne's goroutine (MainWindow.Do)
	focus    func()                              // the keyboard focus back on the scan bar
	actor    func() domain.Actor                 // who acts, and where
	// dialogs opens dialogs, one at a time.
	dialogs *dialogHost
	// acted shows a request an action has just changed, with the message
	// and Undo (MainWindow.afterAction).
	acted func(r domain.Request, msg string)
	// pickSlips gives staff the pick slips of the requests in one PDF or
	// one print job, as slip-output says (MainWindow.printSlips).
	pickSlips func(ids []string)
	// refresh reads the requests with the ids again, a moment from now
	// (MainWindow.RefreshSoon): after a change that is no action of staff
	// to undo, such as a holdings lookup.
	refresh func(ids ...string)
}
