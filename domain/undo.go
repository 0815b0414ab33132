package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ActUndo reverses a request's last change; it is recorded in the history.
const ActUndo Action = "undo"

// UndoWindow is how long after a change it can still be undone.
const UndoWindow = 15 * time.Minute

// ErrCannotUndo means the last change of a request cannot be reversed.
var ErrCannotUndo = errors.New("cannot undo")

// lastChange is the request's last history event that changed its state;
// notices and partner messages recorded after it do not count.
func (r Request) lastChange() (Event, bool) {
	for i := len(r.History) - 1; i >= 0; i-- {
		if a := r.History[i].Action; a != ActNotice && a != ActMessage {
			return r.History[i], true
		}
	}
	return Event{}, false
}

// CanUndo reports whether the request's last change may still be undone at
// now, and if not, why (a sentence for staff).
func (r Request) CanUndo(now time.Time) (bool, string) {
	ev, ok := r.lastChange()
	switch {
	case !ok || ev.Action == ActCreate:
		return false, fmt.Sprintf("Request %s has no change to undo; cancel it instead if it is not needed.", r.Ref())
	case ev.Action == ActUndo:
		return false, fmt.Sprintf("The last change of %s was already undone.", r.Ref())
	case ev.Action == ActShip:
		return false, fmt.Sprintf("%s was shipped: the file has left the building and cannot be recalled.", r.Ref())
	case ev.From == ev.To:
		return false, fmt.Sprintf("The last entry of %s (%s) records something that has already happened; it cannot be undone.", r.Ref(), ev.Action.Label())
	case now.Sub(ev.At) > UndoWindow:
		return false, fmt.Sprintf("The last change of %s (%s) was made more than %d minutes ago; it can no longer be undone.", r.Ref(), ev.Action.Label(), int(UndoWindow.Minutes()))
	}
	return true, ""
}

// undo reverses the last change: the request returns to the state it came
// from, the fields that change set are cleared, and an undo event is added.
func (r *Request) undo(ev Event) error {
	if ok, why := r.CanUndo(ev.At); !ok {
		return refuse(ErrCannotUndo, "%s", why)
	}
	last, _ := r.lastChange()
	switch last.Action {
	case ActReceive:
		r.ItemBarcode = ""
	case ActHoldShelf:
		r.HoldUntil = time.Time{}
	case ActCheckout:
		r.DueDate = time.Time{}
	case ActPick:
		r.PickTarget = ""
	case ActReject:
		r.RejectReason = ""
	}
	ev.From, ev.To, ev.Action = r.State, last.From, ActUndo
	if ev.Note == "" {
		ev.Note = "Undid “" + last.Action.Label() + "”"
	}
	r.State = last.From
	r.History = append(r.History, ev)
	return nil
}

// Undo reverses the last change of a request made within UndoWindow, as long
// as nothing has left the building. The undo itself is kept in the history.
// Undoing a hold-shelf scan withdraws its ready-for-pickup notice; once the
// notice has been sent the scan can no longer be undone. Undoing one's own
// change needs the role of that change; undoing anyone else's needs the
// Fulfillment Services role.
func (d *Desk) Undo(ref string, by Actor) (Request, error) {
	return d.change(ref, func(tx Tx, r *Request) error {
		last, _ := r.lastChange()
		if ok, _ := r.CanUndo(d.clock.Now()); ok {
			if err := allowUndo(tx, by, last); err != nil {
				return err
			}
		}
		if err := r.Transition(ActUndo, d.event(by, "")); err != nil {
			return err
		}
		withdrawn, err := d.withdrawMessages(tx, *r, last.At)
		if err != nil {
			return err
		}
		if len(withdrawn) > 0 {
			r.History[len(r.History)-1].Note += "; message " + strings.Join(withdrawn, ", ") + " to the partner withdrawn before it was sent"
		}
		if last.Action != ActHoldShelf {
			return nil
		}
		cancelled, sent, err := d.cancelQueuedNotice(tx, r.ID)
		switch {
		case err != nil:
			return err
		case sent:
			return refuse(ErrCannotUndo, "The ready-for-pickup notice for %s has already gone to %s; the hold-shelf scan can no longer be undone.", r.Ref(), r.Requester)
		case cancelled:
			r.History[len(r.History)-1].Note += "; ready-for-pickup notice withdrawn before it was sent"
		}
		return nil
	})
}
