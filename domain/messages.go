package domain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MessageService exchanges ISO 18626 messages with partners: it takes in
// their messages, keeps the outbox of ours and the deliveries of shipped
// files, and hands both to the dispatcher to send.
type MessageService struct {
	*core
	// vault holds the shipped files that deliveries send or serve.
	vault Vault
	// secrets holds the tokens we present to partners.
	secrets SecretStore
	// sendTimeout bounds each message sent; 0 means DefaultSendTimeout.
	sendTimeout time.Duration
	// preflight checks and fetcher fetches the copies lenders send links to.
	preflight Preflighter
	fetcher   CopyFetcher
	// retryBackoff is the wait after a message's first failed try; 0 means
	// DefaultRetryBackoff.
	retryBackoff time.Duration
}

// Caller is who sent a message over the network, as far as its transport
// can tell. Files that staff import or drop on the window have none: they
// are the staff's own act.
type Caller struct {
	// Addr is the address the message came from (an IP address).
	Addr string
	// Token is the bearer token the caller presented ("" when none).
	Token string
	// Chains are the caller's TLS client certificate chains, leaf first,
	// as the transport verified them (nil without mutual TLS).
	Chains [][]*x509.Certificate
}

// Intake receives one partner message that staff import from a file: it is
// decoded, applied in one transaction and answered with the matching
// confirmation. A message that cannot be read or used changes nothing and
// is answered with an ERROR confirmation; the same message a second time
// changes nothing and gets the first answer again.
func (d *MessageService) Intake(raw []byte) (ImportResult, []byte, error) {
	return d.intake(raw, nil)
}

// IntakeFrom is Intake for a message that arrived over the network from c.
func (d *MessageService) IntakeFrom(raw []byte, c Caller) (ImportResult, []byte, error) {
	return d.intake(raw, &c)
}

// intake decodes, applies and answers one message; from is nil for the
// staff's own files.
func (d *MessageService) intake(raw []byte, from *Caller) (ImportResult, []byte, error) {
	if d.codec == nil {
		return ImportResult{}, nil, errors.New("no partner message codec is configured")
	}
	now := d.clock.Now()
	in, decodeErr := d.codec.Decode(raw)
	// A caller from the network proves who it is before anything else, so
	// that the messages seen before answer no stranger's replay.
	proven := from == nil
	if from != nil && decodeErr == nil {
		var check CallerCheck
		if err := d.store.View(func(tx Tx) error { var e error; check, e = d.checkCaller(tx, in, *from); return e }); err != nil {
			return ImportResult{Kind: in.Kind}, nil, err
		}
		proven = check.Proven
	}
	if decodeErr != nil {
		return ImportResult{}, d.codec.ConfirmUndecodable(raw, decodeErr, now),
			&Refusal{Kind: ErrBadMessage, Msg: "The partner message cannot be read: " + decodeErr.Error() + ". Nothing was stored."}
	}
	var seen SeenMessage
	var found bool
	if err := d.store.View(func(tx Tx) error {
		var err error
		seen, found, err = d.seenBefore(tx, in, raw)
		return err
	}); err != nil {
		return ImportResult{}, nil, err
	}
	if found {
		res := seen.Result
		res.Duplicate = true
		res.Outcome = "This message was received before (" + seen.At.Local().Format("2006-01-02 15:04") + "); nothing changed."
		return res, seen.Confirmation, nil
	}
	var res ImportResult
	var conf []byte
	var err error
	err = d.store.Update(func(tx Tx) error {
		if from != nil { // again, with the partners as this transaction sees them
			check, err := d.checkCaller(tx, in, *from)
			if err != nil {
				return err
			}
			proven = check.Proven
		}
		var problem *MessageProblem
		res, problem, err = d.receive(tx, in, raw, from)
		if err != nil {
			return err
		}
		if problem != nil {
			return &messageRefusal{problem: *problem, msg: res.Outcome}
		}
		if conf, err = d.codec.Confirm(in, now, nil); err != nil {
			return err
		}
		return d.remember(tx, in, SeenMessage{Result: res, Confirmation: conf, At: now})
	})
	var mr *messageRefusal
	switch {
	case isCallerRefusal(err):
		return ImportResult{Kind: in.Kind}, nil, err
	case errors.As(err, &mr):
		conf, cerr := d.codec.Confirm(in, now, shownProblem(mr.problem, proven))
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return res, conf, &Refusal{Kind: ErrBadMessage, Msg: mr.msg}
	case err != nil:
		// a refusal from the desk itself (e.g. a duplicate external id)
		p := MessageProblem{ErrorType: "UnrecognisedDataValue", Value: refusalMessage(err)}
		conf, cerr := d.codec.Confirm(in, now, shownProblem(p, proven))
		if cerr != nil {
			return ImportResult{}, nil, cerr
		}
		return ImportResult{Kind: in.Kind}, conf, err
	}
	return res, conf, nil
}

// apply changes the store for one decoded message; from is nil for the
// staff's own files.
func (d *MessageService) apply(tx Tx, in Incoming, from *Caller) (ImportResult, *MessageProblem, error) {
	self, err := tx.Setting(SettingAgencyID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	switch in.Kind {
	case KindRequest:
		if self != "" && in.To != "" && !strings.EqualFold(in.To, self) {
			return problemf("UnrecognisedDataValue", "The request is addressed to %q, not to us (%s).", shorten(in.To, MaxAgencyIDLength), self)
		}
		return d.applyRequest(tx, in)
	case KindRequesting:
		return d.applyRequesting(tx, in)
	case KindSupplying:
		return d.applySupplying(tx, in)
	case KindConfirmation:
		return ImportResult{Kind: in.Kind, Outcome: "A confirmation of one of our messages; nothing to do."}, nil, nil
	}
	return problemf("UnsupportedActionType", "ILL Desk does not handle %q messages.", shorten(in.Kind, 100))
}

// partnerByAgency finds the partner with an agency id; with create it makes
// one, marked for review and audited, for an agency not seen before, under
// a code no partner has. A message never changes or replaces a partner.
func (d *MessageService) partnerByAgency(tx Tx, agency string, create bool) (Partner, bool, error) {
	p, ok, err := knownAgency(tx, agency)
	if err != nil || ok {
		return p, false, err
	}
	if !create {
		return Partner{}, false, refuse(ErrPartnerNotFound, "No partner has the agency id %q.", shorten(agency, MaxAgencyIDLength))
	}
	// audited as the message's doing, as its request's history records it
	p, err = d.newPartnerFor(tx, agency, "", "", Event{At: d.clock.Now(), Actor: "ISO 18626", Desk: "interop"})
	return p, err == nil, err
}

func (d *MessageService) applyRequest(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	if in.RequestingRequestID == "" {
		return problemf("UnrecognisedDataElement", "The request has no requestingAgencyRequestId.")
	}
	if strings.TrimSpace(in.Citation.Title) == "" && strings.TrimSpace(in.Citation.ArticleTitle) == "" {
		return problemf("UnrecognisedDataElement", "The request has no title.")
	}
	p, created, err := d.partnerByAgency(tx, in.From, true)
	if err != nil {
		return ImportResult{}, nil, err
	}
	now := d.clock.Now()
	c := in.Citation
	if c.Title == "" {
		c.Title = c.ArticleTitle
	}
	r := Request{ID: d.newID(), Side: Lending, ExternalID: in.RequestingRequestID, Partner: p.Code,
		Citation: c, Created: now, Deadline: d.Calendar().AddBusinessHours(now, p.TurnaroundHours),
		ServiceType: in.ServiceType, NeededBy: in.NeededBy}
	if in.Note != "" {
		r.InternalNote = "Requester note: " + in.Note
	}
	if err := r.Transition(ActCreate, Event{At: now, Actor: "ISO 18626", Desk: "interop",
		Note: "Received from " + in.From}); err != nil {
		return ImportResult{}, nil, err
	}
	if err := d.linkRetry(tx, &r, p, in); err != nil {
		return ImportResult{}, nil, err
	}
	if err := AssignNumber(tx, &r); err != nil {
		return ImportResult{}, nil, err
	}
	if err := tx.PutRequest(r); err != nil {
		return ImportResult{}, nil, err
	}
	markCreated(tx, r)
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref(),
		Outcome: fmt.Sprintf("New lending request %q from %s: %q.", r.Ref(), p.Code, r.Title)}
	if created {
		res.NewPartner = p.Code
		res.Outcome += fmt.Sprintf(" %s is a new partner; review its details.", p.Code)
	}
	return res, nil, nil
}

func (d *MessageService) applyRequesting(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	p, _, err := d.partnerByAgency(tx, in.From, false)
	if err != nil {
		return problemf("UnrecognisedDataValue", "The requesting agency %q is not one of our partners.", shorten(in.From, MaxAgencyIDLength))
	}
	r, ok, err := requestFor(tx, p, Lending, in.RequestingRequestID)
	if err != nil {
		return ImportResult{}, nil, err
	}
	if !ok {
		return problemf("UnrecognisedDataValue", "No lending request %s from %s.", in.RequestingRequestID, p.Code)
	}
	res := ImportResult{Kind: in.Kind, Request: r.ID, Ref: r.Ref()}
	ev := Event{At: d.clock.Now(), Actor: p.Code, Desk: "interop", Note: strings.TrimSpace(in.Action + ": " + in.Note)}
	switch in.Action {
	case "Cancel":
		answer := "N"
		if r.Can(ActCancel) {
			if err := r.Transition(ActCancel, ev); err != nil {
				return ImportResult{}, nil, err
			}
			if err := withdrawUnsent(tx, r, ev.At); err != nil {
				return ImportResult{}, nil, err
			}
			r.InternalNote = joinNote(r.InternalNote, in.Note)
			answer = "Y"
			res.Outcome = fmt.Sprintf("%q cancelled by %s.", r.Ref(), p.Code)
		} else {
			recordEvent(&r, ActMessage, ev)
			res.Outcome = fmt.Sprintf("%s asked to cancel %q, but it is already %s.", p.Code, r.Ref(), r.StatusLabel())
		}
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "CancelResponse",
			Status: isoStatus(r), AnswerYesNo: answer}); err != nil {
			return ImportResult{}, nil, err
		}
	case "StatusRequest":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s asked for the status of %q (%s); answered.", p.Code, r.Ref(), r.StatusLabel())
		if err := d.queueMessage(tx, r, p, Outgoing{Kind: KindSupplying, Reason: "StatusRequestResponse", Status: isoStatus(r)}); err != nil {
			return ImportResult{}, nil, err
		}
	case "ShippedReturn", "Renew":
		out, err := d.partnerRequesting(tx, &r, p, in.Action, ev)
		if err != nil {
			return ImportResult{}, nil, err
		}
		res.Outcome = out
	case "Received", "Notification", "ShippedForward":
		recordEvent(&r, ActMessage, ev)
		res.Outcome = fmt.Sprintf("%s reports %q for %q.", p.Code, in.Action, r.Ref())
	default:
		return problemf("UnsupportedActionType", "The action %q is not supported.", in.Action)
	}
	return res, nil, tx.PutRequest(r)
}

// applySupplying applies a lender's message to the borrowing request it
// answers (see applyLenderMessage).
func (d *MessageService) applySupplying(tx Tx, in Incoming) (ImportResult, *MessageProblem, error) {
	return d.applyLenderMessage(tx, in)
}

// Outbox lists the messages for partners, oldest first, each with its
// status as it reads today and why it is there; requestID "" lists all.
func (d *MessageService) Outbox(requestID string) ([]OutboxMessage, error) {
	var all []OutboxMessage
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachOutboxMessage(func(m OutboxMessage) error {
			all = append(all, m)
			return nil
		})
	})
	explain(all)
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
// with back-off. Once ctx is done no further message is posted.
func (d *MessageService) sendMessages(ctx context.Context, t Transport) (sent, failed int, err error) {
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
			s, f, perr := d.sendTo(ctx, t, partners[code], o, queues[code], now)
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

// sendTo posts one partner's pending messages, in order, and records each
// outcome; err reports only store trouble.
func (d *MessageService) sendTo(ctx context.Context, t Transport, p Partner, o outbound, msgs []OutboxMessage, now time.Time) (sent, failed int, err error) {
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
		if err := d.recordSend(m.ID, p.ISOEndpoint, perr); err != nil {
			return sent, failed, err
		}
		if errors.Is(perr, ErrCredentialsRefused) {
			break // the partner's whole queue waits for staff
		}
	}
	return sent, failed, nil
}

// post sends one message within its own timeout and checks the partner's
// confirmation.
func (d *MessageService) post(ctx context.Context, t Transport, to Destination, body []byte, timeout time.Duration) error {
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

// recordSend stores the outcome of one attempt on the message and in its
// request's history.
func (d *MessageService) recordSend(id, where string, sendErr error) error {
	now := d.clock.Now()
	var sent OutboxMessage
	err := updateRecorded(d.core, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		m.Attempts++
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
	return d.requestConfirmed(sent)
}

// ExportMessages hands the pending messages of partners without an ISO
// 18626 endpoint to write (e.g. as files for another tool to send) and marks
// them exported. It returns how many were written.
func (d *MessageService) ExportMessages(write func(name string, body []byte) error) (int, error) {
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

func (d *MessageService) markExported(id, name string) error {
	now := d.clock.Now()
	return updateRecorded(d.core, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		m.Status, m.SentAt, m.Where = MessageExported, now, name
		return m.RequestID, "Message " + m.Summary + " exported as " + name
	})
}

// Deliveries lists the file deliveries, oldest first; requestID "" lists all.
func (d *MessageService) Deliveries(requestID string) ([]Delivery, error) {
	var out []Delivery
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachDelivery(func(dl Delivery) error {
			if requestID == "" || dl.RequestID == requestID {
				out = append(out, dl)
			}
			return nil
		})
	})
	return out, err
}

// DeliveryFile is the delivery a download link's token names, for the
// server. A token no link has, and a link that expired or was revoked, are
// refused alike with ErrLinkRefused (an ErrNotFound); the refusal's words
// say which, for the server's log.
func (d *MessageService) DeliveryFile(token string) (Delivery, error) {
	return d.link(token)
}

// deliverFiles sends the due email and folder deliveries; a failure keeps
// the file queued, with the reason, for a later try with back-off. Each
// file goes on its own: none waits for another. Once ctx is done no
// further file is sent.
func (d *MessageService) deliverFiles(ctx context.Context, s FileSender) (delivered, failed int, err error) {
	if d.vault == nil {
		return 0, 0, nil
	}
	all, err := d.Deliveries("")
	if err != nil {
		return 0, 0, err
	}
	now := d.clock.Now()
	for _, dl := range all {
		if !dl.sendable() || dl.NextTry.After(now) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		where, serr := s.SendFile(dl, d.vault.Path(dl.File))
		if serr != nil {
			failed++
		} else {
			delivered++
		}
		if err := d.recordFileDelivery(dl.ID, where, serr); err != nil {
			return delivered, failed, err
		}
		if serr == nil {
			if err := d.copyDelivered(dl.RequestID, where); err != nil {
				return delivered, failed, err
			}
		}
	}
	return delivered, failed, nil
}

func (d *MessageService) recordFileDelivery(id, where string, sendErr error) error {
	now := d.clock.Now()
	get := func(tx Tx) (Delivery, bool, error) { return tx.Delivery(id) }
	return updateRecorded(d.core, get, Tx.PutDelivery, func(dl *Delivery) (string, string) {
		dl.Attempts++
		if sendErr != nil {
			dl.Status, dl.LastError = DeliveryFailed, sendErr.Error()
			dl.NextTry = now.Add(noticeBackoff(dl.Attempts))
			return dl.RequestID, fmt.Sprintf("Delivery of %s by %s failed: %s; will retry at %s", dl.File, dl.Method, dl.LastError, dl.NextTry.Format("15:04"))
		}
		dl.Status, dl.LastError, dl.Where, dl.At = DeliveryDelivered, "", where, now
		return dl.RequestID, fmt.Sprintf("%s delivered by %s: %s", dl.File, dl.Method, where)
	})
}

// DownloadPath is the vault file behind a download link's token, for the
// server; refused as DeliveryFile is.
func (d *MessageService) DownloadPath(token string) (string, Delivery, error) {
	dl, err := d.DeliveryFile(token)
	if err != nil {
		return "", Delivery{}, err
	}
	if d.vault == nil {
		return "", Delivery{}, refuse(ErrNotFound, "No file vault is configured.")
	}
	return d.vault.Path(dl.File), dl, nil
}
