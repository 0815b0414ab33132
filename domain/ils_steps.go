package domain

import (
	"context"
	"errors"
	"fmt"
)

// stepOf is the ncip-steps step an action calls the ILS for, ""
// for an action that never does.
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
	}
	return ""
}

// ilsCall is one ILS call made for a change before it is committed: the
// request as it was when the call was made, and the action it was for.
type ilsCall struct {
	made   bool
	id     string
	state  State
	action Action
	step   string
}

// stale refuses the change when the request moved while the ILS was
// asked: the ILS's step is made but ours is not, and staff are told so.
func (c ilsCall) stale(r Request, a Action) error {
	if !c.made || (r.ID == c.id && r.State == c.state && a == c.action) {
		return nil
	}
	return refuse(ErrWrongState, "%s changed while the ILS was asked (it is now %s); nothing was changed here, "+
		"but the ILS has made its %s step: set the ILS right by hand or scan again.", r.Ref(), r.StatusLabel(), c.step)
}

// callStep makes the ILS call of action a on request r (barcode: the
// temporary item's), once, outside any transaction and within the call
// timeout, when NCIP is set and ncip-steps names the step. warn is what
// staff should read when a patron-bound call was skipped. A refusal of
// the ILS keeps its words; an ILS that cannot be reached is refused with
// what to do.
func (d *ILSService) callStep(r Request, a Action, barcode string) (c ilsCall, warn string, err error) {
	step := stepOf(r, a)
	if step == "" || d == nil {
		return ilsCall{}, "", nil
	}
	set, err := d.settings.NCIPSettings()
	if err != nil || !set.Step(step) {
		return ilsCall{}, "", err
	}
	ils, set, err := d.current()
	if err != nil || ils == nil {
		return ilsCall{}, "", err
	}
	patron, warn, err := d.stepPatron(r, step)
	if err != nil || warn != "" {
		return ilsCall{}, warn, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), set.CallTimeout())
	defer cancel()
	switch step {
	case StepAccept:
		err = ils.AcceptItem(ctx, ILSAccept{RequestID: r.ID, ItemBarcode: barcode, PatronID: patron,
			Title: r.Title, Author: r.Author, PickupLocation: set.PickupCode(r.Pickup)})
	case StepLendCheckout:
		err = ils.CheckOutItem(ctx, patron, barcode, r.ID)
	case StepLendCheckin:
		err = ils.CheckInItem(ctx, barcode)
	case StepCheckout:
		err = ils.CheckOutItem(ctx, patron, barcode, r.ID)
	case StepCheckin:
		err = ils.CheckInItem(ctx, barcode)
	}
	var refusal *ILSRefusal
	switch {
	case errors.As(err, &refusal):
		return ilsCall{}, "", fmt.Errorf("The ILS refused, so nothing was changed: %w", err)
	case err != nil:
		return ilsCall{}, "", fmt.Errorf("The ILS at %s did not answer: %w; nothing was changed. "+
			"Try again, or take the step out of ncip-steps to go on without the ILS.", ils.Where(), err)
	}
	return ilsCall{made: true, id: r.ID, state: r.State, action: a, step: step}, "", nil
}
