package domain

import (
	"errors"
	"fmt"
	"time"
)

// ActUndo reverses a request's last change; it is recorded in the history.
const ActUndo Action = "undo"

// UndoWindow is how long after a change it can still be undone.
const UndoWindow = 15 * time.Minute

// ErrCannotUndo means the last change of a request cannot be reversed.
var ErrCannotUndo = errors.New("cannot undo")

// lastChange is the request's last history event that changed its state;
// notices, partner messages and link changes recorded after it do not count.
func (r Request) lastChange() (Event, bool) {
	for i := len(r.History) - 1; i >= 0; i-- {
		if a := r.History[i].Action; a != ActNotice && a != ActMessage && a != ActLink {
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
	case withLender(ev.Action):
		return false, fmt.Sprintf("The last change of %s (%s) is between us and its lender over ISO 18626; it cannot be undone.", r.Ref(), ev.Action.Label())
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
		if last.From == ShippedToUs {
			r.ItemBarcode = r.LenderItemID // on its way again: found by the lender's id
		}
	case ActHoldShelf:
		r.HoldUntil = time.Time{}
	case ActCheckout:
		r.DueDate = time.Time{}
	case ActPick:
		r.PickTarget = ""
	case ActReject:
		r.RejectReason = ""
	case ActLoanToPartner:
		r.DueDate = time.Time{}
	}
	ev.From, ev.To, ev.Action = r.State, last.From, ActUndo
	if ev.Note == "" {
		ev.Note = "Undid “" + last.Action.Label() + "”"
	}
	r.State = last.From
	r.History = append(r.History, ev)
	return nil
}
