package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// QueueSender has the desk's dispatcher send, off the UI thread, what the
// window's changes queued (partner messages, shipped files, patron
// notices) as soon as each change is committed, and again when a grace
// period or a back-off ends; and queues Overdue for books lent past their
// due date. Failures are said on the status line.
type QueueSender struct {
	link
	dispatcher *domain.Dispatcher
	now        func() time.Time
	// closed reports that the window has closed: nothing more is sent.
	closed func() bool
	// shown re-reads the selected request's details, whose history says
	// what went out or failed.
	shown func()
	// ctx ends when the window closes, so that no further item is sent;
	// next is when the dispatcher's earliest waiting item is due (Unix
	// nanoseconds, 0 when none).
	ctx  context.Context
	stop context.CancelFunc
	next atomic.Int64
}

func newQueueSender(l link, d *domain.Dispatcher, now func() time.Time, closed func() bool, shown func()) *QueueSender {
	s := &QueueSender{link: l, dispatcher: d, now: now, closed: closed, shown: shown}
	s.ctx, s.stop = context.WithCancel(context.Background())
	// the desk kicks its dispatcher after each commit that queued
	// something, whichever handler made it
	d.Notify(func() { s.run(s.send) })
	return s
}

// waiting reports whether the earliest item that waited, after the
// dispatcher's last pass, for its grace period or back-off is due now.
func (s *QueueSender) waiting() bool {
	next := s.next.Load()
	return next != 0 && !s.now().Before(time.Unix(0, next))
}

// send has the dispatcher send what is due in every queue, and says on
// the status line what is failing — a partner's endpoint down, a notice
// that did not go out. Call it off the UI thread.
func (s *QueueSender) send() {
	if s.closed() {
		return
	}
	rep, err := s.dispatcher.SendDue(s.ctx)
	var next int64
	if !rep.Next.IsZero() {
		next = rep.Next.UnixNano()
	}
	s.next.Store(next)
	s.do(func() {
		switch {
		case err != nil:
			s.fail(err)
		case rep.Failed > 0:
			s.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: sendFailures(rep)})
		}
		// what went out, or failed, is written in the requests' history,
		// which the details show; the list's summaries stay as they are
		if rep.Sent > 0 || rep.Failed > 0 {
			s.shown()
		}
	})
}

// sendFailures is the status line's sentence for a pass that failed.
func sendFailures(rep domain.QueueReport) string {
	msg := fmt.Sprintf("%d item(s) could not be sent; they are kept and retried.", rep.Failed)
	if len(rep.Problems) > 0 {
		msg = strings.Join(rep.Problems, " · ") + " — kept and retried."
	}
	if len(rep.Refused) > 0 {
		msg = strings.Join(rep.Refused, " · ") + " — resend, drop or mark as sent in the request's details."
		if len(rep.Problems) > 0 {
			msg = strings.Join(rep.Problems, " · ") + " — kept and retried. · " + msg
		}
	}
	return msg
}

// queueOverdue has the dispatcher queue Overdue for books lent past their
// due date (it looks at most every domain.OverdueCheckEvery); the pass
// that sends them follows by itself. Call it off the UI thread.
func (s *QueueSender) queueOverdue() {
	if s.closed() {
		return
	}
	if _, err := s.dispatcher.QueueOverdue(); err != nil {
		s.do(func() { s.fail(err) })
	}
}
