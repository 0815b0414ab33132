package domain

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RequestService lists requests of either side, says which need attention,
// and cancels or undoes a change to any of them; it keeps the attention
// limit. It asks the outbox and the deliveries for what is failing to
// reach partners, and the quarantine for what waits there.
type RequestService struct {
	*core
	outbox     *OutboxService
	deliveries *DeliveryService
	quarantine *QuarantineService
	// ils queues the calls that undo an ILS step.
	ils *ILSService
}

// List returns the requests passing the filter, most urgent first. It
// filters the summaries (or has the store do so) and decodes only the
// requests that pass.
func (d *RequestService) List(f Filter) ([]Request, error) {
	var ids []string
	if _, ok := d.querier(); ok {
		if err := d.summariesWhere(f, func(s Summary) error { ids = append(ids, s.ID); return nil }); err != nil {
			return nil, err
		}
	} else {
		// the listing's order: most urgent first
		l, err := d.Listing()
		if err != nil {
			return nil, err
		}
		rows := l.Filter(f)
		for i := range rows.Len() {
			ids = append(ids, rows.ID(i))
		}
	}
	out := make([]Request, 0, len(ids))
	err := d.store.View(func(tx Tx) error {
		for chunk := range slices.Chunk(ids, wherePage) {
			rs, err := tx.RequestsByIDs(chunk)
			if err != nil {
				return err
			}
			out = append(out, rs...)
		}
		return nil
	})
	return out, err
}

// Listing loads the list model of every request.
func (d *RequestService) Listing() (*Listing, error) {
	var l *Listing
	err := d.store.View(func(tx Tx) error {
		n, err := tx.RequestCount()
		if err != nil {
			return err
		}
		l = &Listing{items: make([]entry, 0, n), nameIdx: map[string]uint32{}}
		return tx.ForEachSummary(func(s Summary) error {
			l.items = append(l.items, l.entryOf(&s))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(l.items, compareEntries)
	return l, nil
}

// Summaries returns the summaries of the requests with the ids, to bring a
// listing up to date with changes announced from other workstations; the
// ids of requests that are no longer there come back in gone.
func (d *RequestService) Summaries(ids []string) (found []Summary, gone []string, err error) {
	err = d.store.View(func(tx Tx) error {
		for _, id := range ids {
			r, err := tx.Request(id)
			switch {
			case errors.Is(err, ErrNotFound):
				gone = append(gone, id)
			case err != nil:
				return err
			default:
				found = append(found, r.Summary())
			}
		}
		return nil
	})
	return found, gone, err
}

// NeedsAttention lists, most urgent first, the active requests that have
// waited longer than the attention limit in their state (in business
// hours), the loans overdue from patrons, and the requests whose message or
// file to the partner is failing; then the partners not authenticated. A
// window that keeps a listing asks PrepareAttention and Among instead.
func (d *RequestService) NeedsAttention() ([]Attention, error) {
	_, out, err := d.CheckAttention()
	return out, err
}

// CheckAttention is PrepareAttention and the check together, reading only
// the requests that may need attention: the active ones and those whose
// messages fail (from the store's own list, when it answers one, for a
// window that holds no listing there).
func (d *RequestService) CheckAttention() (AttentionCheck, []Attention, error) {
	c, out, _, err := d.attention(true)
	return c, out, err
}

// CountAttention is CheckAttention's number alone, the list not kept: a
// window shows the number on its title and button and makes the list when
// staff open it. A department of a million requests may have thousands
// that need attention, and holding them took a window twenty megabytes.
func (d *RequestService) CountAttention() (AttentionCheck, int, error) {
	c, _, n, err := d.attention(false)
	return c, n, err
}

// attention checks the requests that may need attention (CheckAttention),
// and returns them sorted when keep is set, or else only counts them.
func (d *RequestService) attention(keep bool) (AttentionCheck, []Attention, int, error) {
	c, err := d.PrepareAttention()
	if err != nil {
		return c, nil, 0, err
	}
	var out, one []Attention
	n := 0
	add := func(s Summary) {
		if keep {
			out = c.check(out, s)
			return
		}
		one = c.check(one[:0], s)
		n += len(one)
	}
	seen := map[string]bool{} // of the requests with failing messages
	if err := d.summariesWhere(Filter{}, func(s Summary) error {
		if _, ok := c.failing[s.ID]; ok {
			seen[s.ID] = true
		}
		add(s)
		return nil
	}); err != nil {
		return c, nil, 0, err
	}
	var failing []string
	for id := range c.failing {
		if !seen[id] {
			failing = append(failing, id)
		}
	}
	slices.Sort(failing) // in the order they were made, not the map's
	found, _, err := d.Summaries(failing)
	if err != nil {
		return c, nil, 0, err
	}
	for _, s := range found {
		add(s)
	}
	if !keep {
		return c, nil, n + len(c.partners), nil
	}
	c.sort(out)
	out = append(out, c.partners...)
	return c, out, len(out), nil
}

// PrepareAttention reads what NeedsAttention needs besides the requests, so
// that a window can read it off its UI thread and then check its own
// listing there (Among) instead of reading every request again.
func (d *RequestService) PrepareAttention() (AttentionCheck, error) {
	limit, err := d.AttentionHours()
	if err != nil {
		return AttentionCheck{}, err
	}
	msgs, err := d.outbox.Outbox("")
	if err != nil {
		return AttentionCheck{}, err
	}
	dls, err := d.deliveries.Deliveries("")
	if err != nil {
		return AttentionCheck{}, err
	}
	var ps []Partner
	if err := d.store.View(func(tx Tx) error { var e error; ps, e = tx.Partners(); return e }); err != nil {
		return AttentionCheck{}, err
	}
	c := AttentionCheck{limit: limit, now: d.clock.Now(), cal: d.Calendar(), failing: map[string]string{}, partners: partnerAttention(ps)}
	for _, m := range msgs {
		if m.Status == MessageRetrying {
			c.failing[m.RequestID] = fmt.Sprintf("the %s message to %s is failing: %s", m.Summary, m.Partner, m.LastError)
		}
	}
	c.refusedMessages(msgs)
	for _, dl := range dls {
		if dl.Status == DeliveryFailed {
			c.failing[dl.RequestID] = fmt.Sprintf("the file to %s is not delivered: %s", dl.Partner, dl.LastError)
		}
	}
	if d.ils != nil {
		calls, err := d.ils.ILSCalls("", false)
		if err != nil {
			return AttentionCheck{}, err
		}
		c.ilsAttention(calls)
	}
	if c.held, err = d.quarantine.HeldCount(); err != nil {
		return AttentionCheck{}, err
	}
	return c, nil
}

// Cancel closes a request: a lending request the borrower withdrew, or a
// borrowing request before the item was received.
func (d *RequestService) Cancel(ref, note string, by Actor) (Request, error) {
	if err := d.allow(by, RoleFor(ActCancel), doing(ActCancel)); err != nil {
		return Request{}, err
	}
	note = strings.TrimSpace(note)
	return d.change(ref, func(tx Tx, r *Request) error {
		if asked, err := d.askCancel(tx, r, note, by); asked || err != nil {
			return err
		}
		ev := d.event(by, note)
		if err := r.Transition(ActCancel, ev); err != nil {
			return err
		}
		if err := withdrawUnsent(tx, *r, ev.At); err != nil {
			return err
		}
		r.InternalNote = joinNote(r.InternalNote, note)
		if r.Side == Lending {
			return d.tell(tx, *r, Outgoing{Kind: KindSupplying, Reason: "CancelResponse", Status: "Cancelled", AnswerYesNo: "Y", Note: note})
		}
		return d.tell(tx, *r, Outgoing{Kind: KindRequesting, Action: "Cancel", Note: note})
	})
}

// Undo reverses the last change of a request made within UndoWindow, as long
// as nothing has left the building. The undo itself is kept in the history.
// Undoing a hold-shelf scan withdraws its ready-for-pickup notice; once the
// notice has been sent the scan can no longer be undone. Undoing a step
// that called the ILS withdraws its call if it is still queued, else queues
// the call that undoes it in the ILS. Undoing one's own
// change needs the role of that change; undoing anyone else's needs the
// Fulfillment Services role.
func (d *RequestService) Undo(ref string, by Actor) (Request, error) {
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
		undone, err := d.ils.undoCall(tx, *r, last)
		if err != nil {
			return err
		}
		if undone != "" {
			r.History[len(r.History)-1].Note += "; " + undone
		}
		if last.Action == ActCancel {
			restored, err := restoreWithdrawn(tx, *r, d.clock.Now())
			if err != nil {
				return err
			}
			if len(restored) > 0 {
				r.History[len(r.History)-1].Note += "; message " + strings.Join(restored, ", ") + " to the partner queued again"
			}
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

// AttentionHours is the configured wait limit in business hours.
func (d *RequestService) AttentionHours() (int, error) {
	var v string
	err := d.store.View(func(tx Tx) error {
		var err error
		v, err = tx.Setting(SettingAttentionHours)
		return err
	})
	if err != nil || v == "" {
		return DefaultAttentionHours, err
	}
	h, err := strconv.Atoi(v)
	if err != nil || h <= 0 {
		return DefaultAttentionHours, nil
	}
	return h, nil
}

// SetAttentionHours sets the wait limit (a Fulfillment Services Operator's task).
func (d *RequestService) SetAttentionHours(hours int, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the attention limit"); err != nil {
		return err
	}
	if hours <= 0 || hours > 24*365 {
		return refuse(ErrInvalidInput, "The attention limit must be a number of business hours from 1 up, e.g. 24.")
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingAttentionHours)
		if err != nil {
			return err
		}
		if err := d.auditConfig(tx, actorOf(by), "attention limit", map[string]string{"attention_hours": before},
			map[string]string{"attention_hours": strconv.Itoa(hours)}); err != nil {
			return err
		}
		return tx.PutSetting(SettingAttentionHours, strconv.Itoa(hours))
	})
}
