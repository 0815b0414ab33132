package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbox statuses of a partner message beside pending, sent and exported.
const (
	// MessageRefused is a message the partner refused: for what it says
	// (it holds the later messages of its request) or for our credentials
	// (it holds every message to the partner) until staff resend, drop or
	// mark it as sent.
	MessageRefused = "refused"
	// MessageRetrying is a message that could not be delivered for now (the
	// network, the partner busy or broken) and is tried again with back-off.
	MessageRetrying = "retrying"
	// MessageDropped is a message staff dropped, or one withdrawn because
	// its request was cancelled; it is never sent.
	MessageDropped = "dropped"
)

// Holds of a refused message: what it stops.
const (
	// HoldRequest stops the later messages of the message's own request.
	HoldRequest = "request"
	// HoldPartner stops every message to the partner.
	HoldPartner = "partner"
)

// WithdrawnNote is the note of a message withdrawn because its request was
// cancelled before it was sent.
const WithdrawnNote = "withdrawn: request cancelled"

// Errors of posting a message, as the desk tells them apart.
var (
	// ErrMessageRefused means the partner refused the message for what it
	// says: an ERROR confirmation, or HTTP 400, 404, 409, 422 and the like.
	ErrMessageRefused = errors.New("the partner refused the message")
	// ErrCredentialsRefused means the partner refused who we are or how we
	// post: HTTP 401, 403 or 415. Its settings need checking.
	ErrCredentialsRefused = errors.New("the partner refused our credentials")
	// ErrNotUnsent means an outbox action needs a message that has not
	// been sent, exported or dropped yet.
	ErrNotUnsent = errors.New("the message is no longer waiting to be sent")
)

// maxAnswer bounds how much of a partner's answer is kept with a message.
const maxAnswer = 2000

// PartnerAnswer is a partner's answer to a message we posted that was not
// an OK confirmation: an HTTP status other than 2xx (the transport returns
// it with the body), or an ERROR confirmation (Status 200, Text the
// codec's reason). errors.Is tells its class: ErrMessageRefused,
// ErrCredentialsRefused, or neither for one worth retrying (408, 425, 429
// and 5xx).
type PartnerAnswer struct {
	// Endpoint is where the message went, without any password.
	Endpoint string
	// Status is the HTTP status code.
	Status int
	// StatusText is the HTTP status line's text, e.g. "422 Unprocessable Entity".
	StatusText string
	// Text is what the partner answered, word for word (bounded).
	Text string
	// Confirmation is true for an ERROR confirmation (HTTP 200).
	Confirmation bool
}

// Error says what the partner answered.
func (a *PartnerAnswer) Error() string {
	text := strings.TrimSpace(a.Text)
	if len(text) > maxAnswer {
		text = text[:maxAnswer] + "…"
	}
	var head string
	endpoint := a.Endpoint
	if endpoint == "" {
		endpoint = "the partner"
	}
	switch {
	case a.Confirmation:
		head = "the partner answered ERROR"
	case a.StatusText != "":
		head = fmt.Sprintf("%s answered %s", endpoint, a.StatusText)
	default:
		head = fmt.Sprintf("%s answered HTTP %d", endpoint, a.Status)
	}
	if text == "" {
		return head
	}
	return head + ": " + text
}

// Is tells the class of the answer to errors.Is.
func (a *PartnerAnswer) Is(target error) bool {
	switch target {
	case ErrMessageRefused:
		return a.class() == HoldRequest
	case ErrCredentialsRefused:
		return a.class() == HoldPartner
	}
	return false
}

// class is what the answer holds: HoldRequest for a content refusal,
// HoldPartner for a credential one, "" for one to retry.
func (a *PartnerAnswer) class() string {
	switch {
	case a.Confirmation:
		return HoldRequest
	case a.Status == 401 || a.Status == 403 || a.Status == 407 || a.Status == 415:
		return HoldPartner
	case a.Status == 408 || a.Status == 425 || a.Status == 429 || a.Status >= 500:
		return ""
	case a.Status >= 400:
		return HoldRequest
	}
	return "" // a stray 1xx or 3xx: the partner's server may yet be fixed
}

// DefaultRetryBackoff is the wait after the first failed try of a message
// to retry; each further failure doubles it, up to an hour.
const DefaultRetryBackoff = time.Minute

// retryBackoff is the wait after the attempts-th failed try with first as
// the first wait: doubling, capped at an hour.
func retryBackoff(first time.Duration, attempts int) time.Duration {
	if first <= 0 {
		first = DefaultRetryBackoff
	}
	wait := first
	for i := 1; i < attempts && wait < maxBackoff; i++ {
		wait *= 2
	}
	return min(wait, maxBackoff)
}

// status is the message's status as it reads today: "failed", as earlier
// versions stored a message to retry, reads as retrying.
func (m OutboxMessage) status() string {
	if m.Status == MessageFailed {
		return MessageRetrying
	}
	return m.Status
}

// unsent reports whether the message has neither gone nor been dropped:
// pending, retrying or refused.
func (m OutboxMessage) unsent() bool {
	s := m.status()
	return s == MessagePending || s == MessageRetrying || s == MessageRefused
}

// explain fills in each message's Why from the messages around it: a
// pending message waits behind a refused one of its request, or behind a
// partner's credential refusal.
func explain(msgs []OutboxMessage) {
	byRequest := map[string]OutboxMessage{}
	byPartner := map[string]OutboxMessage{}
	for i := range msgs {
		m := &msgs[i]
		m.Status = m.status()
		if m.Status != MessageRefused {
			continue
		}
		if m.Hold == HoldPartner {
			if _, ok := byPartner[m.Partner]; !ok {
				byPartner[m.Partner] = *m
			}
		} else if _, ok := byRequest[m.RequestID]; !ok {
			byRequest[m.RequestID] = *m
		}
	}
	for i := range msgs {
		m := &msgs[i]
		switch m.Status {
		case MessageRefused:
			m.Why = "refused: " + m.LastError
			if m.Hold == HoldPartner {
				m.Why = "refused, check the partner's settings: " + m.LastError
			}
		case MessageRetrying:
			m.Why = fmt.Sprintf("%s; next try at %s", m.LastError, m.NextTry.Local().Format("2006-01-02 15:04:05"))
		case MessageDropped:
			m.Why = m.Note
		case MessagePending:
			if r, ok := byPartner[m.Partner]; ok {
				m.Why = fmt.Sprintf("waits: %s refused the %s message %s (check the partner's settings)", m.Partner, r.Summary, r.ID)
			} else if r, ok := byRequest[m.RequestID]; ok {
				m.Why = fmt.Sprintf("waits behind the refused %s message %s", r.Summary, r.ID)
			}
		}
	}
}

// outboxMessageFor finds the message with the id, or the one message whose
// id ends with id (at least 4 characters), as staff copy it from a listing.
func outboxMessageFor(tx Tx, id string) (OutboxMessage, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return OutboxMessage{}, refuse(ErrInvalidInput, "Say which message: its id, as outbox list shows it.")
	}
	m, ok, err := tx.OutboxMessage(id)
	if err != nil || ok {
		return m, err
	}
	var found []OutboxMessage
	if len(id) >= 4 {
		err = tx.ForEachOutboxMessage(func(m OutboxMessage) error {
			if strings.HasSuffix(m.ID, id) {
				found = append(found, m)
			}
			return nil
		})
		if err != nil {
			return OutboxMessage{}, err
		}
	}
	switch len(found) {
	case 0:
		return OutboxMessage{}, refuse(ErrNotFound, "No message in the outbox has the id %q.", id)
	case 1:
		return found[0], nil
	}
	return OutboxMessage{}, refuse(ErrInvalidInput, "%d messages have ids ending in %q: give more of the id.", len(found), id)
}

// changeMessage applies change to an unsent message in one transaction and
// records note, by by, in its request's history.
func (d *OutboxService) changeMessage(id string, by Actor, change func(m *OutboxMessage, now time.Time) (note string)) (OutboxMessage, error) {
	var out OutboxMessage
	err := d.store.Update(func(tx Tx) error {
		if err := allowTx(tx, by, RoleRequests, "Changing the outbox"); err != nil {
			return err
		}
		m, err := outboxMessageFor(tx, id)
		if err != nil {
			return err
		}
		if !m.unsent() {
			return refuse(ErrNotUnsent, "The %s message %s to %s is %s: only a pending, retrying or refused message can be resent, dropped or marked as sent.",
				m.Summary, m.ID, m.Partner, m.status())
		}
		ev := d.event(by, "")
		m.Status = m.status()
		ev.Note = change(&m, ev.At)
		if err := tx.PutOutboxMessage(m); err != nil {
			return err
		}
		r, err := tx.Request(m.RequestID)
		if err != nil {
			return err
		}
		recordEvent(&r, ActMessage, ev)
		out = m
		markQueued(tx) // the message, or those it held, may go now
		return tx.PutRequest(r)
	})
	return out, err
}

// ResendMessage sends a refused or retrying message again at the next pass
// (after staff corrected what the partner refused), with its header's
// timestamp the time it goes. A partner's credential refusal is lifted
// with it: the partner's other messages go again too.
func (d *OutboxService) ResendMessage(id string, by Actor) (OutboxMessage, error) {
	return d.changeMessage(id, by, func(m *OutboxMessage, now time.Time) string {
		m.Status, m.Hold, m.NextTry = MessagePending, "", now
		return fmt.Sprintf("Message %s to %s to be sent again", m.Summary, m.Partner)
	})
}

// DropMessage gives up a message that has not been sent: it is never sent,
// and the later messages of its request go on. The note says why.
func (d *OutboxService) DropMessage(id, note string, by Actor) (OutboxMessage, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return OutboxMessage{}, refuse(ErrInvalidInput, "Say why the message is dropped (a note).")
	}
	m, err := d.changeMessage(id, by, func(m *OutboxMessage, _ time.Time) string {
		m.Status, m.Hold, m.Note = MessageDropped, "", note
		return fmt.Sprintf("Message %s to %s dropped: %s", m.Summary, m.Partner, note)
	})
	return m, err
}

// MarkMessageSent records that a message reached its partner another way
// (e.g. by email): it is not posted, and the later messages of its request
// go on.
func (d *OutboxService) MarkMessageSent(id, note string, by Actor) (OutboxMessage, error) {
	note = strings.TrimSpace(note)
	m, err := d.changeMessage(id, by, func(m *OutboxMessage, now time.Time) string {
		m.Status, m.Hold, m.Note, m.SentAt, m.Where = MessageSent, "", note, now, "marked as sent"
		return strings.TrimSuffix(fmt.Sprintf("Message %s to %s marked as sent: %s", m.Summary, m.Partner, note), ": ")
	})
	return m, err
}

// releasePartnerHold lets a partner's messages go again after staff changed
// its settings: its credential refusals become pending, due now.
func releasePartnerHold(tx Tx, code string, now time.Time) error {
	var held []OutboxMessage
	if err := tx.ForEachOutboxMessage(func(m OutboxMessage) error {
		if m.Partner == code && m.Status == MessageRefused && m.Hold == HoldPartner {
			held = append(held, m)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, m := range held {
		m.Status, m.Hold, m.NextTry = MessagePending, "", now
		if err := tx.PutOutboxMessage(m); err != nil {
			return err
		}
	}
	if len(held) > 0 {
		markQueued(tx)
	}
	return nil
}

// withdrawUnsent drops, in the caller's transaction, r's messages not sent
// yet that were queued up to at (the cancellation): what a cancelled
// request no longer needs to say. A Cancel or CancelResponse is never
// withdrawn: it says the cancellation itself.
func withdrawUnsent(tx Tx, r Request, at time.Time) error {
	var mine []OutboxMessage
	if err := tx.ForEachOutboxMessage(func(m OutboxMessage) error {
		if m.RequestID == r.ID && m.unsent() && !m.Created.After(at) && !cancelMessage(m) {
			mine = append(mine, m)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, m := range mine {
		m.Status, m.Hold, m.Note = MessageDropped, "", WithdrawnNote
		if err := tx.PutOutboxMessage(m); err != nil {
			return err
		}
	}
	return nil
}

// refusedMessages adds to the check what refused messages need: the request
// of a message refused for its content, with the partner's answer, and one
// item per partner that refused our credentials.
func (c *AttentionCheck) refusedMessages(msgs []OutboxMessage) {
	partners := map[string]bool{}
	for _, m := range msgs {
		if m.Status != MessageRefused {
			continue
		}
		if m.Hold == HoldPartner {
			if !partners[m.Partner] {
				partners[m.Partner] = true
				c.partners = append(c.partners, Attention{Partner: m.Partner, Why: fmt.Sprintf(
					"Check the partner's settings: %s refused the %s message of %s (%s). Its messages wait until the partner is edited or the message is resent.",
					m.Partner, m.Summary, m.Ref, m.LastError)})
			}
			continue
		}
		if _, ok := c.failing[m.RequestID]; !ok {
			c.failing[m.RequestID] = fmt.Sprintf("%s refused the %s message (%s): %s; resend it after a correction, drop it or mark it as sent",
				m.Partner, m.Summary, m.ID, m.LastError)
		}
	}
}

// refusalProblems are sentences about the refused messages, for a pass's
// report: one per message, naming it and the partner's answer.
func refusalProblems(msgs []OutboxMessage) []string {
	var out []string
	for _, m := range msgs {
		if m.Status == MessageRefused && m.Attempts > 0 {
			out = append(out, fmt.Sprintf("Message %s (%s of %s) to %s was refused: %s", m.ID, m.Summary, m.Ref, m.Partner, m.LastError))
		}
	}
	return out
}

// cancelMessage reports whether m says a cancellation: our Cancel, or our
// answer to the partner's.
func cancelMessage(m OutboxMessage) bool {
	return m.Kind == KindRequesting && m.Summary == "Cancel" || m.Kind == KindSupplying && strings.HasPrefix(m.Summary, "CancelResponse")
}

// restoreWithdrawn queues again, in the caller's transaction, r's messages
// that its cancellation withdrew: undoing the cancellation undoes that too.
// It returns what was queued again.
func restoreWithdrawn(tx Tx, r Request, now time.Time) ([]string, error) {
	var mine []OutboxMessage
	if err := tx.ForEachOutboxMessage(func(m OutboxMessage) error {
		if m.RequestID == r.ID && m.Status == MessageDropped && m.Note == WithdrawnNote {
			mine = append(mine, m)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var restored []string
	for _, m := range mine {
		m.Status, m.Note, m.NextTry = MessagePending, "", now
		if err := tx.PutOutboxMessage(m); err != nil {
			return nil, err
		}
		restored = append(restored, m.Summary)
	}
	if len(restored) > 0 {
		markQueued(tx)
	}
	return restored, nil
}
