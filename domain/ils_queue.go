package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NCIP services the desk calls on the ILS for a request's item.
const (
	CallAcceptItem   = "AcceptItem"
	CallCheckOutItem = "CheckOutItem"
	CallCheckInItem  = "CheckInItem"
	CallDeleteItem   = "DeleteItem"
)

// Why an ILS call was made or queued.
const (
	// ILSForStep is the call of an ncip-steps step, made at once or queued.
	ILSForStep = "step"
	// ILSForCompensation undoes in the ILS a step whose change could not
	// be saved after the ILS had said yes.
	ILSForCompensation = "compensation"
	// ILSForUndo undoes in the ILS the step of a change staff undid.
	ILSForUndo = "undo"
)

// ILSCall is one call to the library's ILS for a request's item: a call
// made at once during a change (Direct, kept so that an undo knows what the
// ILS was told), or one queued for the dispatcher, which sends it after the
// change is committed and retries it with back-off while the ILS does not
// answer. Its statuses are those of partner messages: pending, retrying,
// refused (the ILS answered with Problems, LastError has its words; it
// waits for staff to retry or drop it), sent and dropped.
type ILSCall struct {
	ID        string `json:"id"`
	RequestID string `json:"request_id"`
	Ref       string `json:"ref"`
	// Call is the NCIP service: AcceptItem, CheckOutItem, CheckInItem or DeleteItem.
	Call string `json:"call"`
	// Action is the change of the request the call belongs to.
	Action Action `json:"action"`
	// Step is the ncip-steps step of that change.
	Step string `json:"step"`
	// For says why the call is made: ILSForStep, ILSForCompensation or ILSForUndo.
	For         string `json:"for"`
	ItemBarcode string `json:"item_barcode"`
	PatronID    string `json:"patron_id,omitempty"`
	Title       string `json:"title,omitempty"`
	Author      string `json:"author,omitempty"`
	// Pickup is the ILS's code of the pickup location (AcceptItem).
	Pickup  string    `json:"pickup,omitempty"`
	Created time.Time `json:"created"`
	// Direct marks a call made at once, during its change.
	Direct    bool      `json:"direct,omitempty"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	// Note is staff's note on dropping the call, or why it was withdrawn.
	Note string `json:"note,omitempty"`
	// Undone is set on a step's call once the undo of its change withdrew
	// it or queued its inverse, so that it is undone once only.
	Undone bool `json:"undone,omitempty"`
	// Lease is the claim of the dispatcher sending the call now.
	Lease Lease `json:"lease,omitzero"`
}

// ErrILSCallDone means a queue action needs an ILS call that has not been
// sent or dropped yet.
var ErrILSCallDone = errors.New("the ILS call is no longer waiting to be sent")

// unsent reports whether the call has neither reached the ILS nor been
// dropped: pending, retrying or refused.
func (c ILSCall) unsent() bool {
	return c.Status == MessagePending || c.Status == MessageRetrying || c.Status == MessageRefused
}

// due reports whether the dispatcher sends the call at now.
func (c ILSCall) due(now time.Time) bool {
	return (c.Status == MessagePending || c.Status == MessageRetrying) && !c.NextTry.After(now)
}

// Name names the call for staff: what, for which item and request.
func (c ILSCall) Name() string {
	return fmt.Sprintf("ILS call %s %s of item %s (%s)", c.ID, c.Call, c.ItemBarcode, c.Ref)
}

// send makes the call on ils.
func (c ILSCall) send(ctx context.Context, ils ILS) error {
	switch c.Call {
	case CallAcceptItem:
		return ils.AcceptItem(ctx, ILSAccept{RequestID: c.RequestID, ItemBarcode: c.ItemBarcode, PatronID: c.PatronID,
			Title: c.Title, Author: c.Author, PickupLocation: c.Pickup})
	case CallCheckOutItem:
		return ils.CheckOutItem(ctx, c.PatronID, c.ItemBarcode, c.RequestID)
	case CallCheckInItem:
		return ils.CheckInItem(ctx, c.ItemBarcode)
	case CallDeleteItem:
		return ils.DeleteItem(ctx, c.ItemBarcode)
	}
	return refuse(ErrInvalidInput, "ILL Desk does not send %q calls to the ILS.", c.Call)
}

// inverseCall is the call that undoes c in the ILS, "" for none: a
// deleted temporary item is not made again.
func inverseCall(c string) string {
	switch c {
	case CallAcceptItem:
		return CallDeleteItem
	case CallCheckOutItem:
		return CallCheckInItem
	case CallCheckInItem:
		return CallCheckOutItem
	}
	return ""
}

// compensationCall is the call that undoes c when our own change could not
// be saved after the ILS said yes. A check-in has none: the item is back in
// our hands, and checking it out to the patron again would charge them for
// a book they returned; scanning it again records the return here.
func compensationCall(c string) string {
	if c == CallCheckInItem {
		return ""
	}
	return inverseCall(c)
}

// counterpart is the call of kind call that undoes c, queued for why.
func (c ILSCall) counterpart(call, why string, id string, now time.Time) ILSCall {
	return ILSCall{ID: id, RequestID: c.RequestID, Ref: c.Ref, Call: call, Action: c.Action, Step: c.Step, For: why,
		ItemBarcode: c.ItemBarcode, PatronID: c.PatronID, Title: c.Title, Author: c.Author, Pickup: c.Pickup, Created: now}
}

// queueILSCall puts c into the dispatcher's queue in the caller's
// transaction, due at once.
func queueILSCall(tx Tx, c ILSCall) error {
	c.Status, c.NextTry = MessagePending, c.Created
	if err := tx.PutILSCall(c); err != nil {
		return err
	}
	markQueued(tx)
	return nil
}

// ILSCalls lists the calls to the ILS, oldest first; requestID "" lists
// all. Those made at once during a change are left out unless all is set.
func (d *ILSService) ILSCalls(requestID string, all bool) ([]ILSCall, error) {
	var out []ILSCall
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachILSCall(func(c ILSCall) error {
			if (requestID == "" || c.RequestID == requestID) && (all || !c.Direct) {
				out = append(out, c)
			}
			return nil
		})
	})
	return out, err
}

// ilsCallFor finds the queued call with the id, or the one whose id ends
// with id (at least 4 characters), as staff copy it from a listing.
func ilsCallFor(tx Tx, id string) (ILSCall, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return ILSCall{}, refuse(ErrInvalidInput, "Say which ILS call: its id, as ils queue list shows it.")
	}
	if c, ok, err := tx.ILSCall(id); err != nil || ok {
		return c, err
	}
	var found []ILSCall
	if len(id) >= 4 {
		if err := tx.ForEachILSCall(func(c ILSCall) error {
			if strings.HasSuffix(c.ID, id) {
				found = append(found, c)
			}
			return nil
		}); err != nil {
			return ILSCall{}, err
		}
	}
	switch len(found) {
	case 0:
		return ILSCall{}, refuse(ErrNotFound, "No ILS call has the id %q.", id)
	case 1:
		return found[0], nil
	}
	return ILSCall{}, refuse(ErrInvalidInput, "%d ILS calls have ids ending in %q: give more of the id.", len(found), id)
}

// changeILSCall applies change to an unsent queued call in one transaction
// and records its note, by by, in the call's request's history.
func (d *ILSService) changeILSCall(id string, by Actor, change func(c *ILSCall, now time.Time) (note string)) (ILSCall, error) {
	var out ILSCall
	err := d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, by, RoleFulfillment, "Changing the ILS queue"); err != nil {
			return err
		}
		c, err := ilsCallFor(tx, id)
		if err != nil {
			return err
		}
		if !c.unsent() {
			return refuse(ErrILSCallDone, "The %s is %s: only a pending, retrying or refused ILS call can be retried or dropped.", c.Name(), c.Status)
		}
		ev := d.event(by, "")
		ev.Note = change(&c, ev.At)
		if err := tx.PutILSCall(c); err != nil {
			return err
		}
		r, err := tx.Request(c.RequestID)
		if err != nil {
			return err
		}
		recordEvent(&r, ActMessage, ev)
		out = c
		markQueued(tx)
		return tx.PutRequest(r)
	})
	return out, err
}

// RetryILSCall sends a refused or retrying ILS call again at the next pass
// (after staff set right what the ILS refused).
func (d *ILSService) RetryILSCall(id string, by Actor) (ILSCall, error) {
	return d.changeILSCall(id, by, func(c *ILSCall, now time.Time) string {
		c.Status, c.NextTry = MessagePending, now
		return fmt.Sprintf("ILS call %s of item %s to be sent again", c.Call, c.ItemBarcode)
	})
}

// DropILSCall gives up a queued ILS call: it is never sent. The note says
// why (e.g. it was done in the ILS by hand).
func (d *ILSService) DropILSCall(id, note string, by Actor) (ILSCall, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return ILSCall{}, refuse(ErrInvalidInput, "Say why the ILS call is dropped (a note).")
	}
	return d.changeILSCall(id, by, func(c *ILSCall, _ time.Time) string {
		c.Status, c.Note = MessageDropped, note
		return fmt.Sprintf("ILS call %s of item %s dropped: %s", c.Call, c.ItemBarcode, note)
	})
}

// sendILSCalls makes one pass over the queued ILS calls, oldest first,
// each within the call timeout: a call not sent yet holds up the later
// calls of its request, which the ILS must see in order. Once the ILS does
// not answer, the pass stops (the ILS is one system: the other calls would
// wait out the same timeout); what failed is retried with back-off, what
// the ILS refused waits for staff. Each call is claimed for holder before it
// is made: one that another process is making is passed over, with the
// later calls of its request. err reports only store trouble.
func (d *ILSService) sendILSCalls(ctx context.Context, holder string) (sent, failed int, err error) {
	calls, err := d.ILSCalls("", false)
	if err != nil {
		return 0, 0, err
	}
	now := d.clock.Now()
	blocked := map[string]bool{} // by request
	var ils ILS
	var set NCIPSettings
	looked := false
	for _, c := range calls {
		if !c.unsent() || blocked[c.RequestID] {
			continue
		}
		if !c.due(now) || ctx.Err() != nil {
			blocked[c.RequestID] = true // refused, or not due yet
			continue
		}
		if !looked {
			if ils, set, err = d.current(); err != nil {
				return sent, failed, err
			}
			looked = true
		}
		ok, err := d.claim(c.ID, holder, set.CallTimeout())
		if err != nil {
			return sent, failed, err
		}
		if !ok {
			blocked[c.RequestID] = true // made, or being made, elsewhere
			continue
		}
		var serr error
		where := "the ILS"
		if ils == nil {
			serr = fmt.Errorf("%w: no ILS is set (config set ncip-url URL)", ErrILSUnreachable)
		} else {
			where = ils.Where()
			cctx, cancel := context.WithTimeout(ctx, set.CallTimeout())
			serr = c.send(cctx, ils)
			cancel()
		}
		if serr != nil {
			failed++
			blocked[c.RequestID] = true
		} else {
			sent++
		}
		if err := d.recordILSCall(c.ID, where, holder, serr); err != nil {
			return sent, failed, err
		}
		if serr != nil && !errors.Is(serr, ErrILSRefused) && !errors.Is(serr, ErrInvalidInput) {
			break
		}
	}
	return sent, failed, nil
}

// claim claims the queued call with the id for holder while it is made
// within timeout, if it is still due and no other process is making it.
func (d *ILSService) claim(id, holder string, timeout time.Duration) (bool, error) {
	now := d.clock.Now()
	return claimItem(d.store, queuedILSCall(id), Tx.PutILSCall, func(c *ILSCall) bool {
		if !c.due(now) || c.Lease.heldElsewhere(holder, now) {
			return false
		}
		c.Lease = Lease{Holder: holder, Until: now.Add(timeout + leaseMargin)}
		return true
	})
}

// queuedILSCall reads the call with the id, for updateRecorded and claimItem.
func queuedILSCall(id string) func(Tx) (ILSCall, bool, error) {
	return func(tx Tx) (ILSCall, bool, error) { return tx.ILSCall(id) }
}

// recordILSCall stores the outcome of holder's attempt on a queued call and
// in its request's history, and clears the lease; a failure is not recorded
// over a call made or claimed elsewhere meanwhile.
func (d *ILSService) recordILSCall(id, where, holder string, sendErr error) error {
	now := d.clock.Now()
	return updateRecorded(d.core, queuedILSCall(id), Tx.PutILSCall, func(c *ILSCall) (string, string) {
		if sendErr != nil && c.Lease.lost(holder, c.Status == MessagePending || c.Status == MessageRetrying, now) {
			return "", ""
		}
		c.Attempts++
		c.Lease = Lease{}
		switch {
		case errors.Is(sendErr, ErrILSRefused) || errors.Is(sendErr, ErrInvalidInput):
			c.Status, c.LastError = MessageRefused, sendErr.Error()
			return c.RequestID, fmt.Sprintf("ILS call %s of item %s refused by %s: %s (ils queue retry or drop %s)", c.Call, c.ItemBarcode, where, c.LastError, c.ID)
		case sendErr != nil:
			c.Status, c.LastError = MessageRetrying, sendErr.Error()
			c.NextTry = now.Add(retryBackoff(d.callBackoff, c.Attempts))
			return c.RequestID, fmt.Sprintf("ILS call %s of item %s failed: %s; will retry at %s", c.Call, c.ItemBarcode, c.LastError, c.NextTry.Format("15:04:05"))
		}
		c.Status, c.LastError, c.SentAt = MessageSent, "", now
		return c.RequestID, fmt.Sprintf("ILS call %s of item %s sent to %s", c.Call, c.ItemBarcode, where)
	})
}

// ilsNextDue is when the earliest queued ILS call that is not due yet
// becomes due (one being made elsewhere when its lease ends), zero when
// none waits.
func (d *ILSService) ilsNextDue(now time.Time) (time.Time, error) {
	calls, err := d.ILSCalls("", false)
	var next time.Time
	for _, c := range calls {
		at := c.Lease.due(c.NextTry, now)
		if (c.Status == MessagePending || c.Status == MessageRetrying) && at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next, err
}

// ilsAttention adds to the check the requests whose queued ILS call is
// failing or was refused, with the ILS's words.
func (c *AttentionCheck) ilsAttention(calls []ILSCall) {
	for _, call := range calls {
		if _, ok := c.failing[call.RequestID]; ok {
			continue
		}
		switch call.Status {
		case MessageRetrying:
			c.failing[call.RequestID] = fmt.Sprintf("the ILS call %s of item %s is failing: %s", call.Call, call.ItemBarcode, call.LastError)
		case MessageRefused:
			c.failing[call.RequestID] = fmt.Sprintf("the ILS refused the %s call of item %s (%s): %s; retry it once the ILS is set right, or drop it (ils queue retry|drop)",
				call.Call, call.ItemBarcode, call.ID, call.LastError)
		}
	}
}

// ilsProblems are sentences about the ILS calls that failed or were
// refused, for a pass's report.
func ilsProblems(calls []ILSCall) []string {
	var out []string
	for _, c := range calls {
		switch c.Status {
		case MessageRetrying:
			out = append(out, fmt.Sprintf("%s is failing: %s", c.Name(), c.LastError))
		case MessageRefused:
			out = append(out, fmt.Sprintf("%s was refused: %s", c.Name(), c.LastError))
		}
	}
	return out
}

// withdrawnNote is the note of a queued ILS call withdrawn because its
// change was undone before it was sent.
const withdrawnNote = "withdrawn: its change was undone"

// undoCall undoes in the ILS, in the caller's transaction, the step of
// r's change last that staff are undoing: its call is withdrawn while it
// waits in the queue, else the call that undoes it is queued (a DeleteItem
// has none, nor a CheckInItem without a patron id: staff are told). It
// returns what it did, for the history.
func (d *ILSService) undoCall(tx Tx, r Request, last Event) (string, error) {
	if d == nil || stepOf(r, last.Action) == "" {
		return "", nil
	}
	var step ILSCall
	found := false
	if err := tx.ForEachILSCall(func(c ILSCall) error {
		if c.RequestID == r.ID && c.Action == last.Action && c.For == ILSForStep && !c.Undone {
			step, found = c, true // the latest one is this change's
		}
		return nil
	}); err != nil || !found {
		return "", err
	}
	step.Undone = true
	var did string
	switch {
	case step.unsent():
		step.Status, step.Note = MessageDropped, withdrawnNote
		did = fmt.Sprintf("ILS call %s of item %s withdrawn before it was sent", step.Call, step.ItemBarcode)
	case step.Status != MessageSent:
	case inverseCall(step.Call) == "":
		did = fmt.Sprintf("the ILS has made its %s of item %s: set it right there by hand if needed", step.Call, step.ItemBarcode)
	case inverseCall(step.Call) == CallCheckOutItem && step.PatronID == "":
		did = fmt.Sprintf("the ILS has made its %s of item %s, and the request has no patron id to check it out to again: do it in the ILS by hand",
			step.Call, step.ItemBarcode)
	default:
		inv := step.counterpart(inverseCall(step.Call), ILSForUndo, d.newID(), d.clock.Now())
		inv.Action = ActUndo
		if err := queueILSCall(tx, inv); err != nil {
			return "", err
		}
		did = fmt.Sprintf("ILS call %s of item %s queued to undo its %s", inv.Call, inv.ItemBarcode, step.Call)
	}
	return did, tx.PutILSCall(step)
}
