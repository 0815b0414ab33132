package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// Texts of the storage bar while the department database is away; tests
// and scripts look for them.
const (
	reconnectingText = "Department database unavailable — reconnecting"
	reconnectedText  = "The department database answers again; the list has been read again."
	// unsureSavedText says what a change of unknown outcome came to, once
	// its request could be read again: the request and its state now.
	unsureSavedText = "The change whose saving was not known: %s now reads %s."
	// unsureMissingText says a new request of unknown outcome is not there:
	// it was not saved.
	unsureMissingText = "The change whose saving was not known was not saved: request %s is not in the department database. Do it again."
)

// reconnectEvery is how often the storage bar asks the department database
// whether it answers again.
const reconnectEvery = 3 * time.Second

// databaseWait is the storage bar's part while the department database is
// unreachable: the bar says so from the first refusal of kind
// domain.ErrDatabaseUnreachable or domain.ErrOutcomeUnknown, asks the
// database every reconnectEvery (in the background) and goes as soon as a
// question or an action of staff succeeds; the window then reads what it
// shows again, as announcements of other workstations' changes may have
// been lost meanwhile. The requests a change of unknown outcome touched are
// read again then, and the status line says what they now are.
type databaseWait struct {
	// check reads something small from the database; nil once it answers.
	// Without it (no department database) the bar does not wait.
	check func() error
	// find reads a request again after a change of unknown outcome.
	find func(id string) (domain.Request, error)
	// after runs fn on Fyne's goroutine once d has passed (MainWindow.after).
	after func(d time.Duration, fn func())

	waiting bool
	unsure  []string // requests of changes whose saving is not known
}

// waitForDatabase shows the bar when err says the department database did
// not answer, and reports whether it did.
func (b *StorageBar) waitForDatabase(err error) bool {
	if b.check == nil || !(errors.Is(err, domain.ErrDatabaseUnreachable) || errors.Is(err, domain.ErrOutcomeUnknown)) {
		return false
	}
	var ref *domain.Refusal
	if errors.As(err, &ref) && ref.Kind == domain.ErrOutcomeUnknown {
		b.unsure = append(b.unsure, ref.IDs...)
	}
	b.say(reconnectingText)
	b.button.Hide()
	b.box.Show()
	if !b.waiting {
		b.waiting = true
		b.after(reconnectEvery, b.probe)
	}
	return true
}

// probe asks the database, in the background, whether it answers again.
func (b *StorageBar) probe() {
	if !b.waiting {
		return
	}
	b.run(func() {
		err := b.check()
		b.do(func() {
			if !b.waiting {
				return
			}
			if errors.Is(err, domain.ErrDatabaseUnreachable) {
				b.after(reconnectEvery, b.probe)
				return
			}
			b.reconnected()
		})
	})
}

// succeeded hears of an action that worked: the database answers again.
func (b *StorageBar) succeeded() {
	if b.waiting {
		b.reconnected()
	}
}

// reconnected takes the bar away, has the window read what it shows again,
// and reads again the requests of changes whose saving was not known.
func (b *StorageBar) reconnected() {
	b.waiting = false
	b.box.Hide()
	b.button.Show()
	b.msg = ""
	ids := b.unsure
	b.unsure = nil
	b.info(reconnectedText)
	b.reopened()
	if len(ids) > 0 {
		b.run(func() {
			msg := b.reread(ids)
			b.do(func() { b.announce(msg, true, false); b.log(msg) })
		})
	}
}

// reread reads the requests again and says what each now is.
func (b *StorageBar) reread(ids []string) string {
	var lines []string
	for _, id := range ids {
		r, err := b.find(id)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			lines = append(lines, fmt.Sprintf(unsureMissingText, id))
		case err != nil:
			lines = append(lines, refusalText(err))
		default:
			name := r.RequestNumber
			if name == "" {
				name = r.Ref()
			}
			lines = append(lines, fmt.Sprintf(unsureSavedText, fmt.Sprintf("%s (“%s”)", name, r.Title), r.StatusLabel()))
		}
	}
	return strings.Join(lines, " ")
}
