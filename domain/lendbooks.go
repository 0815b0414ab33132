package domain

import (
	"fmt"
	"strings"
	"time"
)

// Lending books (returnables): a lending request for a loan is picked as
// any other, then the book itself goes to the partner and comes back.
const (
	// LoanedToPartner: the book was sent; Loaned told the partner its due date.
	LoanedToPartner State = "loaned_to_partner"
	// ReturnInTransit: the partner's ShippedReturn says the book is on its way back.
	ReturnInTransit State = "return_in_transit"
	// Returned: the book was scanned in at the RS desk; LoanCompleted sent.
	Returned State = "returned"
)

// The actions of lending books.
const (
	ActLoanToPartner   Action = "loan_to_partner"
	ActPartnerReturned Action = "partner_returned"
	ActLoanReturned    Action = "loan_returned"
)

// Renewal policies of a partner: how its Renew of a book we lend is answered.
const (
	// RenewAuto answers at once: yes while under the partner's renewal
	// limit and not recalled, else no.
	RenewAuto = "auto"
	// RenewAsk keeps the Renew for staff to answer.
	RenewAsk = "ask"
	// DefaultRenewals is how many renewals a partner gets when none is set.
	DefaultRenewals = 1
)

// MaxRenewals is how many renewals of a book we lend the partner grants.
func (p Partner) MaxRenewals() int {
	if p.Renewals == nil {
		return DefaultRenewals
	}
	return *p.Renewals
}

// RenewPolicy is RenewAuto or RenewAsk.
func (p Partner) RenewPolicy() string {
	if p.Renew == RenewAsk {
		return RenewAsk
	}
	return RenewAuto
}

// ParseRenewPolicy reads a renewal policy as typed by staff.
func ParseRenewPolicy(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case RenewAuto, RenewAsk:
		return v, nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a renewal policy: use auto or ask.", s)
}

// checkRenewals refuses a negative renewal limit or an unknown policy.
func checkRenewals(p Partner) error {
	if p.Renewals != nil && *p.Renewals < 0 {
		return refuse(ErrInvalidInput, "The number of renewals cannot be negative.")
	}
	if p.Renew != "" {
		_, err := ParseRenewPolicy(p.Renew)
		return err
	}
	return nil
}

// lentOut reports whether a book we lend is with the partner or on its way
// back: its turnaround is met, and what matters now is its due date.
func lentOut(side Side, s State) bool {
	return side == Lending && (s == LoanedToPartner || s == ReturnInTransit)
}

// ClockRuns reports whether the partner's turnaround clock still runs for
// the request: it is active and not yet supplied (a lent book is).
func (r Request) ClockRuns() bool { return r.Active() && !lentOut(r.Side, r.State) }

// ClockRuns reports whether the partner's turnaround clock still runs (see
// Request.ClockRuns).
func (s Summary) ClockRuns() bool { return s.Active() && !lentOut(s.Side, s.State) }

// IsLoan reports whether a lending request asks for the book itself, to be
// returned: service type Loan, or CopyOrLoan naming no article and no pages
// (with either it is a copy).
func (r Request) IsLoan() bool {
	if r.Side != Lending {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(r.ServiceType)) {
	case "loan":
		return true
	case "copyorloan":
		return strings.TrimSpace(r.ArticleTitle) == "" && strings.TrimSpace(r.Pages) == ""
	}
	return false
}

// serviceAllows reports whether the request's service allows the action: a
// loan is lent, never shipped as a PDF, and a copy is shipped, never lent.
func (r Request) serviceAllows(a Action) bool { return r.serviceRefusal(a) == nil }

// serviceRefusal says why the request's service does not allow the action, nil when it does.
func (r Request) serviceRefusal(a Action) error {
	switch {
	case a == ActShip && r.IsLoan():
		return refuse(ErrIllegalTransition, "Request %s asks for a loan of the book, not a copy: lend the item "+
			"(Loan item…, illdesk loan, or scan it at the RS desk) instead of shipping a PDF.", r.Ref())
	case a == ActLoanToPartner && r.Side == Lending && !r.IsLoan():
		return refuse(ErrIllegalTransition, "Request %s asks for a copy, not a loan: ship the scan instead of lending the item.", r.Ref())
	}
	return nil
}

// Loan lends the book of a lending request to its partner: the item's
// barcode (itemBarcode, or the one the request has) and the due date (due,
// or the partner's loan period from now when zero) go to the partner in
// Loaned. With ncip-steps lend-checkout the ILS checks the book out to the
// partner's ILL patron record first; warn says why it was not told.
func (d *LendingService) Loan(ref, itemBarcode string, due time.Time, by Actor) (r Request, warn string, err error) {
	if err := d.allow(by, RoleFor(ActLoanToPartner), doing(ActLoanToPartner)); err != nil {
		return Request{}, "", err
	}
	itemBarcode = strings.TrimSpace(itemBarcode)
	if itemBarcode != "" {
		if err := d.barcodeRule().Check(itemBarcode); err != nil {
			return Request{}, "", err
		}
	}
	if !due.IsZero() && !due.After(d.clock.Now()) {
		return Request{}, "", refuse(ErrInvalidInput, "The due date %s is not in the future.", due.Format(DateLayout))
	}
	// The ILS is asked before the transaction, once the book is known to
	// be lendable with that barcode; the change is then made only if the
	// request has not moved meanwhile.
	var planned Request
	if err := d.store.View(func(tx Tx) error {
		var err error
		if planned, err = resolve(tx, ref); err != nil {
			return err
		}
		return loanBarcode(tx, &planned, itemBarcode)
	}); err != nil {
		return Request{}, "", err
	}
	var call ilsCall
	if planned.Can(ActLoanToPartner) {
		if call, warn, err = d.ils.callStep(planned, ActLoanToPartner, planned.ItemBarcode); err != nil {
			return Request{}, "", err
		}
	}
	r, err = d.change(planned.ID, func(tx Tx, r *Request) error {
		if err := call.stale(*r, ActLoanToPartner); err != nil {
			return err
		}
		if !r.Can(ActLoanToPartner) {
			return r.Transition(ActLoanToPartner, Event{})
		}
		if err := loanBarcode(tx, r, itemBarcode); err != nil {
			return err
		}
		if err := d.loanOut(tx, r, due, by); err != nil {
			return err
		}
		return d.ils.record(tx, call, r)
	})
	if err = d.ils.settle(call, err); err != nil {
		return Request{}, "", err
	}
	return r, warn, nil
}

// loanBarcode sets the barcode of the book that goes to the partner on r
// (itemBarcode, or the one r has), refusing one on another request or none.
// A request that cannot be lent is left for its transition to refuse.
func loanBarcode(tx Tx, r *Request, itemBarcode string) error {
	if !r.Can(ActLoanToPartner) {
		return nil
	}
	if itemBarcode != "" {
		if other, ok, err := tx.RequestByBarcode(itemBarcode); err != nil {
			return err
		} else if ok && other.ID != r.ID {
			return refuse(ErrBarcodeInUse, "Barcode %s is already on request %s (“%s”, %s).", itemBarcode, other.Ref(), other.Title, other.StatusLabel())
		}
		r.ItemBarcode = itemBarcode
	}
	if r.ItemBarcode == "" {
		return refuse(ErrInvalidInput, "Request %s has no item barcode: give the barcode of the book that goes to %s.", r.Ref(), r.Partner)
	}
	return nil
}

// loanOut moves r to LoanedToPartner with its due date and queues Loaned,
// in the caller's transaction; a zero due is the partner's loan period from now.
func (d *core) loanOut(tx Tx, r *Request, due time.Time, by Actor) error {
	p, err := partnerFor(tx, r.Partner)
	if err != nil {
		return err
	}
	now := d.clock.Now()
	if due.IsZero() {
		due = now.AddDate(0, 0, p.LoanPeriodDays)
	}
	if err := r.Transition(ActLoanToPartner, d.event(by, fmt.Sprintf("Item %s lent to %s, due %s", r.ItemBarcode, p.Code, due.Format(DateLayout)))); err != nil {
		return err
	}
	r.DueDate = due
	return d.queueMessage(tx, *r, p, Outgoing{Kind: KindSupplying, Reason: "StatusChange", Status: "Loaned",
		DueDate: due, ItemID: r.ItemBarcode, SentVia: "Mail", DateSent: now})
}

// loanReturned closes a lent book scanned in at the RS desk and queues
// LoanCompleted, in the caller's transaction.
func (d *core) loanReturned(tx Tx, r *Request, by Actor) error {
	note := "Item " + r.ItemBarcode + " back from " + r.Partner
	if r.State == LoanedToPartner {
		note += " (no ShippedReturn was announced)"
	}
	if err := r.Transition(ActLoanReturned, d.event(by, note)); err != nil {
		return err
	}
	r.RenewAsked = time.Time{}
	return d.tell(tx, *r, Outgoing{Kind: KindSupplying, Reason: "StatusChange", Status: "LoanCompleted"})
}

// routeLendBook is Route for a book we lend: handled is false for any
// other request, which Route's own table decides.
func routeLendBook(at Station, r Request, code string) (a Action, err error, handled bool) {
	if !r.IsLoan() {
		return "", nil, false
	}
	switch r.State {
	case ItemAtDesk:
		if at.Same(RSDesk) {
			return ActLoanToPartner, nil, true
		}
		return "", refuse(ErrWrongDesk, "%s is to be lent to %s — scan it at the RS desk to send it.", code, r.Partner), true
	case LoanedToPartner, ReturnInTransit:
		if at.Same(RSDesk) {
			return ActLoanReturned, nil, true
		}
		return "", refuse(ErrWrongDesk, "%s is our book lent to %s — scan it in at the RS desk.", code, r.Partner), true
	}
	return "", nil, false
}

// lendBookScan applies a scan routed by routeLendBook.
func (d *core) lendBookScan(tx Tx, r *Request, a Action, by Actor) error {
	if a == ActLoanToPartner {
		return d.loanOut(tx, r, time.Time{}, by)
	}
	return d.loanReturned(tx, r, by)
}

// lendBookScanMessage is what the scan bar says after a lend-book scan.
func lendBookScanMessage(r Request, a Action, code string) string {
	if a == ActLoanToPartner {
		return fmt.Sprintf("%s lent to %s, due %s — Loaned sent; pack and ship it.", code, r.Partner, r.DueDate.Format(DateLayout))
	}
	return fmt.Sprintf("%s returned by %s: request %s closed, LoanCompleted sent — shelve the book.", code, r.Partner, r.Ref())
}

// partnerRequesting applies the borrower's ShippedReturn or Renew to a book
// we lend, in the caller's transaction, and says what it did.
func (d *core) partnerRequesting(tx Tx, r *Request, p Partner, action string, ev Event) (string, error) {
	if action == "ShippedReturn" {
		if !r.Can(ActPartnerReturned) {
			recordEvent(r, ActMessage, ev)
			return fmt.Sprintf("%s reports ShippedReturn for %q (%s); nothing changed.", p.Code, r.Ref(), r.StatusLabel()), nil
		}
		if err := r.Transition(ActPartnerReturned, ev); err != nil {
			return "", err
		}
		r.RenewAsked = time.Time{}
		return fmt.Sprintf("%q: %s shipped the book back.", r.Ref(), p.Code), nil
	}
	recordEvent(r, ActMessage, ev)
	switch {
	case r.State != LoanedToPartner:
		return d.answerRenew(tx, r, p, false, "not on loan", auto(ev.At))
	case p.RenewPolicy() == RenewAsk:
		r.RenewAsked = ev.At
		return fmt.Sprintf("%s asks to renew %q; the renewal waits for staff to answer.", p.Code, r.Ref()), nil
	case !r.RecalledAt.IsZero():
		return d.answerRenew(tx, r, p, false, "recalled", auto(ev.At))
	case r.Renewals >= p.MaxRenewals():
		return d.answerRenew(tx, r, p, false, fmt.Sprintf("%d of %d renewals used", r.Renewals, p.MaxRenewals()), auto(ev.At))
	}
	return d.answerRenew(tx, r, p, true, "", auto(ev.At))
}

// auto is the history event of what the desk does by itself at t.
func auto(t time.Time) Event { return Event{At: t, Actor: "ILL Desk", Desk: "interop"} }

// answerRenew queues the RenewResponse to a Renew of r: yes extends the due
// date by the partner's loan period. why says why not, for the history
// event ev (who answered, when).
func (d *core) answerRenew(tx Tx, r *Request, p Partner, yes bool, why string, ev Event) (string, error) {
	r.RenewAsked = time.Time{}
	out := Outgoing{Kind: KindSupplying, Reason: "RenewResponse", Status: isoStatus(*r), AnswerYesNo: "N"}
	var said string
	if yes {
		base := r.DueDate
		if base.IsZero() {
			base = ev.At
		}
		r.DueDate = base.AddDate(0, 0, p.LoanPeriodDays)
		r.Renewals++
		r.OverdueSentAt = time.Time{}
		out.AnswerYesNo = "Y"
		said = fmt.Sprintf("Renewal %d granted: due %s", r.Renewals, r.DueDate.Format(DateLayout))
	} else {
		said = "Renewal refused (" + why + ")"
	}
	out.DueDate = r.DueDate
	ev.Note = said
	recordEvent(r, ActMessage, ev)
	if err := d.queueMessage(tx, *r, p, out); err != nil {
		return "", err
	}
	return fmt.Sprintf("%q: %s.", r.Ref(), said), nil
}

// AnswerRenew answers the partner's Renew that waits for staff (a partner
// whose renewals are asked): yes extends the due date by the partner's loan
// period, no keeps it.
func (d *LendingService) AnswerRenew(ref string, yes bool, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Answering a renewal"); err != nil {
		return Request{}, err
	}
	return d.change(ref, func(tx Tx, r *Request) error {
		if r.RenewAsked.IsZero() {
			return refuse(ErrIllegalTransition, "No renewal of %s waits for an answer.", r.Ref())
		}
		p, err := partnerFor(tx, r.Partner)
		if err != nil {
			return err
		}
		_, err = d.answerRenew(tx, r, p, yes, "by staff", d.event(by, ""))
		return err
	})
}

// Recall asks the partner to return a book we lend before its due date:
// Recalled is sent and the request is flagged recalled, so that no further
// renewal is granted. A renewal waiting for staff is answered no.
func (d *LendingService) Recall(ref, note string, by Actor) (Request, error) {
	if err := d.allow(by, RoleRequests, "Recalling a loan"); err != nil {
		return Request{}, err
	}
	note = strings.TrimSpace(note)
	return d.change(ref, func(tx Tx, r *Request) error {
		switch {
		case r.Side != Lending || r.State != LoanedToPartner:
			return refuse(ErrIllegalTransition, "Request %s is “%s”: only a book loaned to a partner can be recalled.", r.Ref(), r.StatusLabel())
		case !r.RecalledAt.IsZero():
			return refuse(ErrIllegalTransition, "Request %s was already recalled on %s.", r.Ref(), r.RecalledAt.Format(DateLayout))
		}
		p, err := partnerFor(tx, r.Partner)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		if !r.RenewAsked.IsZero() {
			if _, err := d.answerRenew(tx, r, p, false, "recalled", d.event(by, "")); err != nil {
				return err
			}
		}
		r.RecalledAt = now
		recordEvent(r, ActMessage, d.event(by, strings.TrimSpace("Recalled: please return the book. "+note)))
		return d.queueMessage(tx, *r, p, Outgoing{Kind: KindSupplying, Reason: "StatusChange", Status: "Recalled",
			DueDate: r.DueDate, Note: note})
	})
}

// OverdueCheckEvery is how often QueueOverdue looks at the loans: it reads
// every request's summary, which a pass after each change must not.
const OverdueCheckEvery = 10 * time.Minute

// QueueOverdue queues Overdue, once, for every book loaned to a partner
// past its due date, and returns how many were queued; the dispatcher then
// sends them. The process that holds the database calls it every so often
// (Run does, the window too); it looks at the loans at most once every
// OverdueCheckEvery and returns 0 in between.
func (p *Dispatcher) QueueOverdue() (int, error) {
	p.overdueMu.Lock()
	defer p.overdueMu.Unlock()
	now := p.clock.Now()
	if now.Before(p.overdueNext) {
		return 0, nil
	}
	n, err := p.lending.queueOverdue()
	if err == nil {
		p.overdueNext = now.Add(OverdueCheckEvery)
	}
	return n, err
}

// queueOverdue is QueueOverdue without the wait between looks.
func (d *LendingService) queueOverdue() (int, error) {
	now := d.clock.Now()
	var ids []string
	if err := d.summariesWhere(Filter{Side: Lending, State: LoanedToPartner}, func(s Summary) error {
		if !s.DueDate.IsZero() && now.After(s.DueDate) {
			ids = append(ids, s.ID)
		}
		return nil
	}); err != nil || len(ids) == 0 {
		return 0, err
	}
	n := 0
	err := d.store.Update(func(tx Tx) error {
		n = 0 // a store may run this again after a conflict
		for _, id := range ids {
			r, err := tx.Request(id)
			if err != nil {
				return err
			}
			if r.State != LoanedToPartner || !r.OverdueSentAt.IsZero() || !now.After(r.DueDate) {
				continue
			}
			r.OverdueSentAt = now
			ev := auto(now)
			ev.Note = "Overdue since " + r.DueDate.Format(DateLayout) + "; Overdue sent to " + r.Partner
			recordEvent(&r, ActMessage, ev)
			if err := d.tell(tx, r, Outgoing{Kind: KindSupplying, Reason: "StatusChange", Status: "Overdue", DueDate: r.DueDate}); err != nil {
				return err
			}
			if err := tx.PutRequest(r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// lendBookAttention decides whether a book we lend needs attention: past
// its due date it does; otherwise waiting for the partner is no delay.
// handled is false for any other request.
func (c AttentionCheck) lendBookAttention(out []Attention, r Summary) ([]Attention, bool) {
	if r.Side != Lending || (r.State != LoanedToPartner && r.State != ReturnInTransit) {
		return out, false
	}
	if r.State == LoanedToPartner && !r.DueDate.IsZero() && c.now.After(r.DueDate) {
		out = append(out, Attention{Request: r, Late: c.now.Sub(r.DueDate),
			Why: fmt.Sprintf("Loaned to %s, overdue since %s.", r.Partner, r.DueDate.Format(DateLayout))})
	}
	return out, true
}

// linkRetry links a request that arrived as a Retry to the lending request
// it retries (same partner, the previous request id), in both histories.
func (d *core) linkRetry(tx Tx, r *Request, p Partner, in Incoming) error {
	prevID := strings.TrimSpace(in.PreviousRequestID)
	if !strings.EqualFold(in.RequestType, "Retry") || prevID == "" {
		return nil
	}
	now := d.clock.Now()
	prev, ok, err := requestFor(tx, p, Lending, prevID)
	if err != nil {
		return err
	}
	if !ok || prev.ID == r.ID {
		recordEvent(r, ActMessage, Event{At: now, Actor: "ISO 18626", Desk: "interop",
			Note: fmt.Sprintf("Retry of %s, which is not one of our lending requests from %s", shorten(prevID, 128), p.Code)})
		return nil
	}
	r.RetryOf, prev.RetriedBy = prev.Ref(), r.Ref()
	recordEvent(r, ActMessage, Event{At: now, Actor: "ISO 18626", Desk: "interop", Note: "Retry of " + prev.Ref()})
	recordEvent(&prev, ActMessage, Event{At: now, Actor: "ISO 18626", Desk: "interop", Note: "Retried by " + r.Ref()})
	return tx.PutRequest(prev)
}
