package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// stepOf is the ncip-steps step an action calls the ILS for, "" for an
// action that never does.
func stepOf(r Request, a Action) string {
	if r.Side != Borrowing {
		return lendStepOf(r, a)
	}
	switch a {
	case ActReceive:
		return StepAccept
	case ActCheckout:
		return StepCheckout
	case ActCheckin:
		return StepCheckin
	case ActComplete, ActReturnToLender:
		return StepDelete
	}
	return ""
}

// callOf is the NCIP service a step calls.
func callOf(step string) string {
	switch step {
	case StepAccept:
		return CallAcceptItem
	case StepCheckout, StepLendCheckout:
		return CallCheckOutItem
	case StepCheckin, StepLendCheckin:
		return CallCheckInItem
	case StepDelete:
		return CallDeleteItem
	}
	return ""
}

// afterCommit reports whether a step's call always goes through the
// dispatcher's queue after its change is committed (it never refuses the
// change), instead of being made before it.
func afterCommit(step string) bool { return step == StepDelete }

// ilsCall is one ILS call of a change, made before the change is committed
// or to be queued with it: the request as it was when the call was made,
// and the action it was for.
type ilsCall struct {
	// made is set once the ILS said yes; queued when the call goes into
	// the dispatcher's queue with the change instead.
	made, queued bool
	id           string
	state        State
	action       Action
	call         ILSCall
	// why is, for a call queued because the ILS did not answer, what went wrong.
	why string
}

// asked reports whether the ILS was asked before the change: it said yes,
// or did not answer and the call is queued.
func (c ilsCall) asked() bool { return c.made || c.why != "" }

// stale refuses the change when the request moved while the ILS was
// asked (settle says what became of the ILS's step).
func (c ilsCall) stale(r Request, a Action) error {
	if !c.asked() || (r.ID == c.id && r.State == c.state && a == c.action) {
		return nil
	}
	return refuse(ErrWrongState, "%s changed while the ILS was asked (it is now %s); nothing was changed here.", r.Ref(), r.StatusLabel())
}

// callStep makes the ILS call of action a on request r (barcode: the
// temporary item's), once, outside any transaction and within the call
// timeout, when NCIP is set and ncip-steps names the step. warn is what
// staff should read: a patron-bound call skipped, or a call queued. A
// refusal of the ILS keeps its words; an ILS that cannot be reached is
// refused with what to do, or with ncip-unreachable queue the call is
// queued with the change. A step whose call goes after the commit is not
// called here: record queues it. The caller checks stale and calls record
// in the change's transaction, and settle after it.
func (d *ILSService) callStep(r Request, a Action, barcode string) (c ilsCall, warn string, err error) {
	step := stepOf(r, a)
	if step == "" || d == nil {
		return ilsCall{}, "", nil
	}
	set, err := d.NCIPSettings()
	if err != nil || !set.Step(step) {
		return ilsCall{}, "", err
	}
	patron, warn, err := d.stepPatron(r, step)
	if err != nil || warn != "" {
		return ilsCall{}, warn, err
	}
	c = ilsCall{id: r.ID, state: r.State, action: a, call: ILSCall{RequestID: r.ID, Ref: r.Ref(),
		Call: callOf(step), Action: a, Step: step, For: ILSForStep, ItemBarcode: barcode, PatronID: patron}}
	if step == StepAccept {
		c.call.Title, c.call.Author, c.call.Pickup = r.Title, r.Author, set.PickupCode(r.Pickup)
	}
	if afterCommit(step) {
		c.queued = true
		return c, "", nil
	}
	ils, set, err := d.current()
	if err != nil || ils == nil {
		return ilsCall{}, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), set.CallTimeout())
	defer cancel()
	err = c.call.send(ctx, ils)
	var refusal *ILSRefusal
	switch {
	case errors.As(err, &refusal):
		return ilsCall{}, "", fmt.Errorf("The ILS refused, so nothing was changed: %w", err)
	case err != nil && set.UnreachablePolicy() == UnreachableQueue:
		c.queued, c.why = true, fmt.Sprintf("the ILS at %s did not answer: %v", ils.Where(), err)
		return c, fmt.Sprintf("The ILS did not answer, so its %s call is queued and goes when it does (%s).", c.call.Call, c.why), nil
	case err != nil:
		return ilsCall{}, "", fmt.Errorf("The ILS at %s did not answer: %w; nothing was changed. "+
			"Try again, take the step out of ncip-steps to go on without the ILS, or set ncip-unreachable queue.", ils.Where(), err)
	}
	c.made, c.call.Direct = true, true
	c.call.Status, c.call.Attempts, c.call.SentAt = MessageSent, 1, d.clock.Now()
	return c, "", nil
}

// record keeps the call in the change's transaction, once the change is
// made on r: a call made is kept as sent (an undo queues its inverse); a
// queued one goes into the dispatcher's queue, and r's history says so
// when the ILS did not answer. A call the ILS was not asked for goes only
// with the change it was meant for.
func (d *ILSService) record(tx Tx, c ilsCall, r *Request) error {
	if last, _ := r.lastChange(); !(c.made || c.queued) || (!c.asked() && (r.ID != c.id || last.Action != c.action)) {
		return nil
	}
	rec := c.call
	rec.ID, rec.Created, rec.Ref = d.newID(), d.clock.Now(), r.Ref()
	if c.made {
		return tx.PutILSCall(rec)
	}
	if c.why != "" {
		rec.LastError = c.why
		recordEvent(r, ActMessage, Event{At: rec.Created, Actor: "ILL Desk", Desk: "interop",
			Note: fmt.Sprintf("ILS call %s of item %s queued: %s", rec.Call, rec.ItemBarcode, c.why)})
	}
	return queueILSCall(tx, rec)
}

// settle finishes a change whose ILS call was made: when the change could
// not be saved (err) after the ILS said yes, the call that undoes the step
// is queued in a transaction of its own, and err says so — or, when even
// that fails, what to set right in the ILS by hand.
func (d *ILSService) settle(c ilsCall, err error) error {
	if err == nil || !c.made {
		return err
	}
	undo := compensationCall(c.call.Call)
	if undo == "" {
		return fmt.Errorf("%w%s The ILS has made its %s of item %s: scan the item again to record it here.", err, fullStop(err), c.call.Call, c.call.ItemBarcode)
	}
	comp := c.call.counterpart(undo, ILSForCompensation, d.newID(), d.clock.Now())
	if qerr := d.store.Update(func(tx Tx) error { return queueILSCall(tx, comp) }); qerr != nil {
		return fmt.Errorf("%w%s The ILS has made its %s of item %s, and undoing it could not be queued (%v): "+
			"set the ILS right by hand (%s of item %s).", err, fullStop(err), c.call.Call, c.call.ItemBarcode, qerr, undo, c.call.ItemBarcode)
	}
	return fmt.Errorf("%w%s The ILS had made its %s of item %s: a %s call undoing it is queued (ils queue list).", err, fullStop(err), c.call.Call, c.call.ItemBarcode, undo)
}

// fullStop is the full stop err's words lack, if any, before another sentence.
func fullStop(err error) string {
	if strings.HasSuffix(err.Error(), ".") {
		return ""
	}
	return "."
}
