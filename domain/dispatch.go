package domain

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Dispatcher sends whatever leaves the building after a change — partner
// messages (ISO 18626), shipped files, patron notices, queued calls to the
// library's ILS (NCIP) — the same way for the window and the command line.
// It sends through the outbox, delivery, notice and ILS services (and
// fetches lenders' copies through the borrowing-message service) with the
// transport, the file senders and the mailers it holds, and does no I/O of
// its own.
//
// The policy: an item goes as soon as the change that queued it is
// committed (the desk calls Kick then), or once its grace period or back-off
// has passed (the process that holds the database passes over the queues
// every so often: the window, or illdesk serve through Run). What fails is
// kept and retried with back-off. A message that has not gone yet holds up
// only the later messages of its own request, which must arrive in order;
// other requests, to the same partner too, keep going. Partners are sent to
// in parallel, each message with its own timeout, so a silent partner
// delays no other. Several processes may send from one database (windows
// and illdesk serve on PostgreSQL): each item is claimed with a Lease
// before it is sent, so that it goes out once, and one another process
// is sending is left to it.
type Dispatcher struct {
	clock      Clock
	outbox     *OutboxService
	deliveries *DeliveryService
	lenders    *BorrowingMessageService
	lending    *LendingService
	notices    *NoticeService
	ils        *ILSService
	transport  Transport
	senders    func(MailSettings) FileSender
	mailers    func(MailSettings) Mailer
	// holder is this dispatcher's random id, which its leases on the items
	// it sends carry: other processes on the same database pass them over.
	holder string
	// pass lets one pass over the queues run at a time, so that a kick and a
	// timer in the same process never send an item twice.
	pass sync.Mutex
	// queued counts the commits that queued something, for a front end to
	// tell whether its own action did.
	queued atomic.Uint64
	// scheduled is set while a pass asked of notify has not started, so
	// that a burst of changes (a batch of rejections) asks for one pass.
	scheduled atomic.Bool
	notifyMu  sync.Mutex
	notify    func()
	// overdueMu guards overdueNext, when loans are next looked at for
	// Overdue (QueueOverdue).
	overdueMu   sync.Mutex
	overdueNext time.Time
}

// Dispatcher is the desk's one dispatcher: every front end in the process
// sends through it.
func (d *Desk) Dispatcher() *Dispatcher { return d.dispatch }

// Kick says that a change which queued something to send has been
// committed. The desk calls it after each such commit; it counts the
// change and asks the long-running front end (Notify) for a pass, which
// that front end runs off its own thread.
func (p *Dispatcher) Kick() {
	p.queued.Add(1)
	p.notifyMu.Lock()
	fn := p.notify
	p.notifyMu.Unlock()
	if fn != nil && p.scheduled.CompareAndSwap(false, true) {
		fn()
	}
}

// Notify sets what Kick calls to have the queues sent: a long-running front
// end starts a pass (SendDue) from it without blocking its caller.
func (p *Dispatcher) Notify(fn func()) {
	p.notifyMu.Lock()
	p.notify = fn
	p.notifyMu.Unlock()
}

// Queued counts the commits so far that queued something to send; a front
// end compares it before and after an action to know whether to send.
func (p *Dispatcher) Queued() uint64 { return p.queued.Load() }

// QueueReport says what one pass over the queues achieved.
type QueueReport struct {
	Sent, Failed int
	// Problems are sentences about what failed, e.g. a partner's endpoint down.
	Problems []string
	// Refused are sentences naming each message a partner refused, which
	// waits for staff (resend, drop or mark as sent).
	Refused []string
	// Next is when the earliest item still waiting (for its grace period or
	// its back-off) becomes due; zero when nothing waits.
	Next time.Time
}

// SendDue makes one pass over every queue: partner messages, shipped files,
// patron notices and ILS calls, sending what is due. Once ctx is done it
// starts no further sends (each one has its own timeout: a partner message
// the desk's SendTimeout, an ILS call ncip-timeout, files and notices in
// their adapters) and leaves the
// rest for a later pass. What fails stays queued and is retried with
// back-off; what another process has claimed is neither sent nor counted,
// and is due again when its lease ends. err reports only store trouble.
func (p *Dispatcher) SendDue(ctx context.Context) (QueueReport, error) {
	p.pass.Lock()
	defer p.pass.Unlock()
	p.scheduled.Store(false)
	var rep QueueReport
	add := func(sent, failed int, err error) error {
		rep.Sent, rep.Failed = rep.Sent+sent, rep.Failed+failed
		return err
	}
	if p.transport != nil {
		if err := add(p.outbox.sendMessages(ctx, p.holder, p.transport)); err != nil {
			return rep, err
		}
	}
	if err := add(p.lenders.fetchCopies(ctx)); err != nil {
		return rep, err
	}
	if (p.senders != nil || p.mailers != nil) && ctx.Err() == nil {
		ms, err := p.notices.MailSettings()
		if err != nil {
			return rep, err
		}
		if p.senders != nil {
			if err := add(p.deliveries.deliverFiles(ctx, p.holder, p.senders(ms))); err != nil {
				return rep, err
			}
		}
		if p.mailers != nil {
			if err := add(p.notices.deliverNotices(ctx, p.mailers(ms), p.holder)); err != nil {
				return rep, err
			}
		}
	}
	if p.ils != nil && ctx.Err() == nil {
		if err := add(p.ils.sendILSCalls(ctx, p.holder)); err != nil {
			return rep, err
		}
	}
	var err error
	if rep.Failed > 0 {
		if rep.Problems, err = p.queueProblems(); err != nil {
			return rep, err
		}
		msgs, err := p.outbox.Outbox("")
		if err != nil {
			return rep, err
		}
		rep.Refused = refusalProblems(msgs)
	}
	rep.Next, err = p.nextDue()
	return rep, err
}

// SendNotices makes one pass over the patron notices only, with the mailer
// for the current mail settings: by SMTP when a server is set up, else into
// the outbox folder.
func (p *Dispatcher) SendNotices(ctx context.Context) (sent, failed int, err error) {
	p.pass.Lock()
	defer p.pass.Unlock()
	if p.mailers == nil {
		return 0, 0, nil
	}
	ms, err := p.notices.MailSettings()
	if err != nil {
		return 0, 0, err
	}
	return p.notices.deliverNotices(ctx, p.mailers(ms), p.holder)
}

// Run passes over the queues until ctx ends: at once when Kick says a
// change queued something, when the earliest waiting item becomes due, and
// at least every interval. It is the retry loop of a process that holds the
// database without a window (illdesk serve); report hears of every pass
// that sent, failed or broke.
func (p *Dispatcher) Run(ctx context.Context, every time.Duration, report func(QueueReport, error)) {
	kicks := make(chan struct{}, 1)
	p.Notify(func() {
		select {
		case kicks <- struct{}{}:
		default:
		}
	})
	defer p.Notify(nil)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kicks:
		case <-timer.C:
		}
		if _, err := p.QueueOverdue(); err != nil {
			report(QueueReport{}, err)
		}
		rep, err := p.SendDue(ctx)
		if err != nil || rep.Sent > 0 || rep.Failed > 0 {
			report(rep, err)
		}
		wait := every
		if !rep.Next.IsZero() {
			wait = min(wait, max(rep.Next.Sub(p.clock.Now()), 0))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// queueProblems describes, per partner, the messages and files that failed.
func (p *Dispatcher) queueProblems() ([]string, error) {
	msgs, err := p.outbox.Outbox("")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range msgs {
		if m.Status == MessageRetrying && !seen["m"+m.Partner] {
			seen["m"+m.Partner] = true
			out = append(out, fmt.Sprintf("Messages to %s are failing: %s", m.Partner, m.LastError))
		}
	}
	dls, err := p.deliveries.Deliveries("")
	if err != nil {
		return nil, err
	}
	for _, dl := range dls {
		if dl.Status == DeliveryFailed && !seen["d"+dl.Partner] {
			seen["d"+dl.Partner] = true
			out = append(out, fmt.Sprintf("Files to %s are not delivered: %s", dl.Partner, dl.LastError))
		}
	}
	if p.ils != nil {
		calls, err := p.ils.ILSCalls("", false)
		if err != nil {
			return nil, err
		}
		out = append(out, ilsProblems(calls)...)
	}
	return out, nil
}

// nextDue is when the earliest queued item that is not due yet becomes due
// (one another process is sending when its lease ends), zero when none
// waits.
func (p *Dispatcher) nextDue() (time.Time, error) {
	now := p.clock.Now()
	var next time.Time
	later := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	msgs, err := p.outbox.Outbox("")
	if err != nil {
		return next, err
	}
	for _, m := range msgs {
		if m.pending() {
			later(m.Lease.due(m.NextTry, now))
		}
	}
	dls, err := p.deliveries.Deliveries("")
	if err != nil {
		return next, err
	}
	for _, dl := range dls {
		if dl.sendable() {
			later(dl.Lease.due(dl.NextTry, now))
		}
	}
	ns, err := p.notices.Notices(NoticeFilter{})
	if err != nil {
		return next, err
	}
	for _, n := range ns {
		if n.Pending() {
			later(n.Lease.due(n.NextTry, now))
		}
	}
	if p.ils != nil {
		t, err := p.ils.ilsNextDue(now)
		if err != nil {
			return next, err
		}
		if !t.IsZero() {
			later(t)
		}
	}
	return next, nil
}

// queueingStore gives use cases transactions that note whether they queued
// something to send, and kicks the dispatcher once such a transaction has
// committed. Sending after a change thus starts in this one place, for
// every use case (ship, scans, rejections, cancellations, answers to
// imported messages, ...), and never before the change is committed.
type queueingStore struct {
	Store
	committed func()
	// created is told of the lending requests a committed transaction
	// created, whose holdings are then looked up.
	created func(ids []string)
}

// Update runs fn in the store's transaction and kicks the dispatcher when
// fn queued something and the transaction committed.
func (s queueingStore) Update(fn func(Tx) error) error {
	qt := &queueingTx{}
	err := s.Store.Update(func(tx Tx) error {
		qt.Tx, qt.queued, qt.created = tx, false, nil // a store may run fn again after a conflict
		return fn(qt)
	})
	if err == nil && qt.queued {
		s.committed()
	}
	if err == nil && len(qt.created) > 0 && s.created != nil {
		s.created(qt.created)
	}
	return err
}

// queueingTx is a read-write transaction that remembers whether something
// was queued to send in it.
type queueingTx struct {
	Tx
	queued  bool
	created []string
}

// markCreated notes in tx that it created r, whose holdings are looked up
// once tx has committed (an active lending request only: a closed one
// from a history import has nothing to look up).
func markCreated(tx Tx, r Request) {
	if q, ok := tx.(*queueingTx); ok && r.Side == Lending && r.Active() {
		q.created = append(q.created, r.ID)
	}
}

// markQueued notes in tx that it queued something to send.
func markQueued(tx Tx) {
	if q, ok := tx.(*queueingTx); ok {
		q.queued = true
	}
}
