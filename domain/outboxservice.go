package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// OutboxService keeps the outbox of our ISO 18626 messages to partners:
// it sends them in order with back-off, exports those of partners without
// an endpoint, and lets staff resend, drop or mark as sent what a partner
// refused (holding a request's later messages, or a partner's all).
type OutboxService struct {
	*core
	// secrets holds the tokens we present to partners.
	secrets SecretStore
	// sendTimeout bounds each message sent; 0 means DefaultSendTimeout.
	sendTimeout time.Duration
	// retryBackoff is the wait after a message's first failed try; 0 means
	// DefaultRetryBackoff.
	retryBackoff time.Duration
}

// Outbox lists the messages for partners, oldest first, each with its
// status as it reads today and why it is there (one a process is posting
// keeps its status, and says so); requestID "" lists all.
func (d *OutboxService) Outbox(requestID string) ([]OutboxMessage, error) {
	var all []OutboxMessage
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachOutboxMessage(func(m OutboxMessage) error {
			all = append(all, m)
			return nil
		})
	})
	explain(all)
	now := d.clock.Now()
	for i, m := range all {
		if m.pending() && m.Lease.Running(now) {
			all[i].Why = "being sent now (claimed until " + m.Lease.Until.Local().Format("2006-01-02 15:04:05") + ")"
		}
	}
	if requestID == "" {
		return all, err
	}
	var out []OutboxMessage
	for _, m := range all {
		if m.RequestID == requestID {
			out = append(out, m)
		}
	}
	return out, err
}

// sendMessages posts the due messages to the partners that have an ISO
// 18626 endpoint, oldest first. Partners are sent to in parallel (at most
// maxParallelPartners at once), each message with its own timeout, so a
// silent partner delays no other; each partner's messages go one after
// another. A message that fails, or still waits for its back-off, holds up
// the later messages of its own request, so that they arrive in order;
// other requests to the same partner go on. Failures are kept and retried
// with back-off. Each message is claimed for holder before it is posted: one
// that another process is sending is passed over, with the later messages
// of its request. Once ctx is done no further message is posted.
func (d *OutboxService) sendMessages(ctx context.Context, holder string, t Transport) (sent, failed int, err error) {
	msgs, err := d.Outbox("")
	if err != nil {
		return 0, 0, err
	}
	partners := map[string]Partner{}
	var o outbound
	if err := d.store.View(func(tx Tx) error {
		for _, m := range msgs {
			if _, ok := partners[m.Partner]; ok || !m.unsent() {
				continue
			}
			p, err := tx.Partner(m.Partner)
			if err != nil {
				return err
			}
			partners[m.Partner] = p
		}
		var err error
		o, err = readOutbound(tx)
		return err
	}); err != nil {
		return 0, 0, err
	}
	now := d.clock.Now()
	// Each partner's pending messages in outbox order: a request belongs to
	// one partner, so this order keeps each request's order.
	// A refused message stays in its partner's queue, to hold what it holds.
	queues := map[string][]OutboxMessage{}
	held := map[string]bool{} // partners that refused our credentials
	var due []string          // the partners with a message due now, in outbox order
	for _, m := range msgs {
		if !m.unsent() || partners[m.Partner].ISOEndpoint == "" {
			continue // partners without an endpoint get them exported as files
		}
		queues[m.Partner] = append(queues[m.Partner], m)
		if m.status() == MessageRefused && m.Hold == HoldPartner {
			held[m.Partner] = true
		}
		if m.pending() && !m.NextTry.After(now) && !slices.Contains(due, m.Partner) {
			due = append(due, m.Partner)
		}
	}
	due = slices.DeleteFunc(due, func(code string) bool { return held[code] })
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		slots = make(chan struct{}, maxParallelPartners)
	)
	for _, code := range due {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			s, f, perr := d.sendTo(ctx, t, partners[code], o, queues[code], now, holder)
			mu.Lock()
			defer mu.Unlock()
			sent, failed = sent+s, failed+f
			if perr != nil && err == nil {
				err = perr
				stop() // store trouble: post nothing more
			}
		}()
	}
	wg.Wait()
	return sent, failed, err
}

// sendTo posts one partner's pending messages, in order, each claimed for
// holder first, and records each outcome; err reports only store trouble.
func (d *OutboxService) sendTo(ctx context.Context, t Transport, p Partner, o outbound, msgs []OutboxMessage, now time.Time, holder string) (sent, failed int, err error) {
	to, refused := d.destination(p, o)
	timeout := d.sendTimeout
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	blocked := map[string]bool{} // by request
	for _, m := range msgs {
		if blocked[m.RequestID] {
			continue
		}
		if !m.pending() || m.NextTry.After(now) || ctx.Err() != nil {
			blocked[m.RequestID] = true // refused, or not due yet
			continue
		}
		ok, err := d.claim(m.ID, holder, timeout)
		if err != nil {
			return sent, failed, err
		}
		if !ok {
			// sent, being sent or changed elsewhere since this pass read the
			// outbox: what follows it in its request waits for a later pass
			blocked[m.RequestID] = true
			continue
		}
		perr := refused
		if perr == nil {
			perr = d.post(ctx, t, to, m.Body, timeout)
		}
		if perr != nil {
			failed++
			blocked[m.RequestID] = true
		} else {
			sent++
		}
		if err := d.recordSend(m.ID, p.ISOEndpoint, holder, perr); err != nil {
			return sent, failed, err
		}
		if errors.Is(perr, ErrCredentialsRefused) {
			break // the partner's whole queue waits for staff
		}
	}
	return sent, failed, nil
}

// claim claims the message with the id for holder while it is posted
// within timeout, if it is still due and no other process is sending it.
func (d *OutboxService) claim(id, holder string, timeout time.Duration) (bool, error) {
	now := d.clock.Now()
	return claimItem(d.store, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) bool {
		if !m.pending() || m.NextTry.After(now) || m.Lease.heldElsewhere(holder, now) {
			return false
		}
		m.Lease = Lease{Holder: holder, Until: now.Add(timeout + leaseMargin)}
		return true
	})
}

// post sends one message within its own timeout and checks the partner's
// confirmation.
func (d *OutboxService) post(ctx context.Context, t Transport, to Destination, body []byte, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if d.codec != nil {
		// the header says when the message was sent, not when it was queued
		stamped, err := d.codec.Restamp(body, d.clock.Now())
		if err != nil {
			return fmt.Errorf("the message cannot be stamped with the time it is sent: %w", err)
		}
		body = stamped
	}
	reply, err := t.Post(ctx, to, body)
	if err == nil && d.codec != nil {
		ok, why, cerr := d.codec.ConfirmationOK(reply)
		switch {
		case cerr != nil: // a broken answer: the partner's server may yet be fixed
			err = cerr
		case !ok:
			err = &PartnerAnswer{Status: 200, Confirmation: true, Text: why}
		}
	}
	return err
}

// recordSend stores the outcome of holder's attempt on the message and in
// its request's history, and clears the lease; a failure is not recorded
// over a message sent or claimed elsewhere meanwhile.
func (d *OutboxService) recordSend(id, where, holder string, sendErr error) error {
	now := d.clock.Now()
	var sent OutboxMessage
	err := updateRecorded(d.core, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		if sendErr != nil && m.Lease.lost(holder, m.pending(), now) {
			return "", ""
		}
		m.Attempts++
		m.Lease = Lease{}
		sent = *m
		switch {
		case errors.Is(sendErr, ErrCredentialsRefused):
			m.Status, m.Hold, m.LastError = MessageRefused, HoldPartner, sendErr.Error()
			return m.RequestID, fmt.Sprintf("Message %s to %s refused: %s; every message to %s waits until its settings are checked (partner edit, or outbox resend %s)",
				m.Summary, where, m.LastError, m.Partner, m.ID)
		case errors.Is(sendErr, ErrMessageRefused):
			m.Status, m.Hold, m.LastError = MessageRefused, HoldRequest, sendErr.Error()
			return m.RequestID, fmt.Sprintf("Message %s to %s refused: %s; the request's later messages wait (outbox resend, drop or mark-sent %s)",
				m.Summary, where, m.LastError, m.ID)
		case sendErr != nil:
			m.Status, m.LastError = MessageRetrying, sendErr.Error()
			m.NextTry = now.Add(retryBackoff(d.retryBackoff, m.Attempts))
			return m.RequestID, fmt.Sprintf("Message %s to %s failed: %s; will retry at %s", m.Summary, where, m.LastError, m.NextTry.Format("15:04:05"))
		}
		m.Status, m.LastError, m.SentAt, m.Where = MessageSent, "", now, where
		return m.RequestID, fmt.Sprintf("Message %s sent to %s", m.Summary, where)
	})
	if err != nil || sendErr != nil || sent.ID == "" {
		return err
	}
	return requestConfirmed(d.store, d.clock, sent)
}

// ExportMessages hands the pending messages of partners without an ISO
// 18626 endpoint to write (e.g. as files for another tool to send) and marks
// them exported. It returns how many were written.
func (d *OutboxService) ExportMessages(write func(name string, body []byte) error) (int, error) {
	msgs, err := d.Outbox("")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range msgs {
		if !m.pending() {
			continue
		}
		var p Partner
		if err := d.store.View(func(tx Tx) error { var e error; p, e = tx.Partner(m.Partner); return e }); err != nil {
			return n, err
		}
		if p.ISOEndpoint != "" {
			continue
		}
		name := fmt.Sprintf("%s-%s-%s-%s.xml", m.Created.UTC().Format("20060102T150405"), SanitizeFileName(m.Partner),
			SanitizeFileName(m.Ref), strings.ReplaceAll(m.Summary, " ", "-"))
		if err := write(name, m.Body); err != nil {
			return n, err
		}
		if err := d.markExported(m.ID, name); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (d *OutboxService) markExported(id, name string) error {
	now := d.clock.Now()
	return updateRecorded(d.core, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		m.Status, m.SentAt, m.Where = MessageExported, now, name
		return m.RequestID, "Message " + m.Summary + " exported as " + name
	})
}
