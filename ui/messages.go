package ui

// One place for each message. What the window says goes to exactly one of
// three places, so that no sentence shows twice and none stays stale:
//
//   - the banner: what staff's own scan or change to a request did, with
//     Undo for a few seconds after a change, and why a scan, an Undo, a
//     batch or a drop was refused;
//   - the storage bar: a fault of the database's disk, and nowhere else
//     (where the bar can offer Reopen; a department database has no bar);
//     a dialog refused for it points to the bar;
//   - the status line: everything else — background news (sent, received,
//     refreshed, printed), what looking up, backing up or settings did, and
//     why an action from the details pane was refused.
//
// A dialog shows its own refusals and summaries, which the status line does
// not repeat. A message in one place clears the status line, and the status
// line clears itself after statusFor, so it never shows an old sentence
// beside a newer one. Every message also goes to the log.

// announce puts staff's own action's result on the banner.
func (m *MainWindow) announce(msg string, ok, undoable bool) {
	m.log(msg)
	m.status.clear()
	m.banner.show(msg, ok, undoable)
	if ok {
		m.storage.succeeded() // the department database answers again
	}
}

// refuse puts why staff's own action was refused on the banner, or a disk
// fault on the storage bar only.
func (m *MainWindow) refuse(err error) {
	msg := refusalText(err)
	m.log(msg)
	if m.diskFault(err) {
		return
	}
	m.status.clear()
	m.banner.show(msg, false, false)
}

// diskFault shows err on the storage bar, and clears the banner and the
// status line, when err is the disk's fault and the bar shows it; it
// reports whether it did.
func (m *MainWindow) diskFault(err error) bool {
	if !m.storage.refused(err) {
		return false
	}
	m.status.clear()
	m.banner.clear()
	return true
}
