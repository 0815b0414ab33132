package ui

import (
	"strings"

	"fyne.io/fyne/v2/theme"
	ttwidget "github.com/dweymouth/fyne-tooltip/widget"

	"github.com/illdesk/illdesk/domain"
)

// BackupButton is the top bar's save button, there when the window is
// given a way to back up (Options.Backup): it writes a snapshot of the
// database in the background. It also reports the daily backup made at
// start.
type BackupButton struct {
	link
	// backup writes a snapshot (Options.Backup).
	backup func() (string, error)
	button *ttwidget.Button
}

func newBackupButton(l link, backup func() (string, error)) *BackupButton {
	b := &BackupButton{link: l, backup: backup}
	if backup != nil {
		b.button = toolButton(theme.DocumentSaveIcon(), "Back up now", b.BackUpNow)
	}
	return b
}

// BackUpNow writes a snapshot of the database in the background (the top
// bar's save button) and says on the status line where it went.
func (b *BackupButton) BackUpNow() {
	defer b.focus()
	if b.backup == nil || b.button.Disabled() {
		return
	}
	b.button.Disable()
	b.info("Backing up the database…")
	b.run(func() {
		path, err := b.backup()
		b.do(func() {
			b.button.Enable()
			if err != nil {
				b.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The backup could not be written: " +
					strings.TrimSuffix(refusalText(err), ".") + ". Check that the backups folder beside the database can be written to."})
				return
			}
			b.info("Backup saved: " + path)
		})
	})
}

// dailyBackup makes today's snapshot (off the UI thread) and reports a
// failure on the status line; the window works on either way.
func (b *BackupButton) dailyBackup(daily func() (string, bool, error)) {
	path, made, err := daily()
	b.do(func() {
		switch {
		case err != nil:
			b.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Today's backup could not be made: " +
				strings.TrimSuffix(refusalText(err), ".") + ". ILL Desk works on; try Back up now (the save button) later."})
		case made:
			b.log("Today's backup: " + path)
		}
	})
}
