package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Partner delivery methods for shipped files.
const (
	// DeliveryEmail sends the PDF as an email attachment: "email:ADDRESS".
	DeliveryEmail = "email"
	// DeliveryFolder copies it into a folder (a sending tool's hot folder or
	// a shared drive): "folder:PATH".
	DeliveryFolder = "folder"
	// DeliveryISO puts a download link in the ISO 18626 CopyCompleted message.
	DeliveryISO = "iso"
)

// ParseDelivery checks a delivery method written email:ADDRESS, folder:PATH or iso.
func ParseDelivery(s string) (method, target string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", nil
	}
	method, target, _ = strings.Cut(s, ":")
	method, target = strings.ToLower(strings.TrimSpace(method)), strings.TrimSpace(target)
	switch {
	case method == DeliveryISO && target == "":
		return method, "", nil
	case method == DeliveryEmail && strings.Contains(target, "@"):
		return method, target, nil
	case method == DeliveryFolder && target != "":
		return method, target, nil
	}
	return "", "", refuse(ErrInvalidInput, "%q is not a delivery method: use email:ADDRESS, folder:PATH or iso.", s)
}

// Message statuses in the outbox.
const (
	MessagePending  = "pending"
	MessageSent     = "sent"
	MessageFailed   = "failed" // will be retried
	MessageExported = "exported"
)

// OutboxMessage is a message waiting for, or already given to, a partner.
type OutboxMessage struct {
	ID        string    `json:"id"`
	RequestID string    `json:"request_id"`
	Ref       string    `json:"ref"`
	Partner   string    `json:"partner"`
	Kind      string    `json:"kind"`
	Summary   string    `json:"summary"` // e.g. "CopyCompleted", "Received"
	Body      []byte    `json:"body"`
	Created   time.Time `json:"created"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	Where     string    `json:"where,omitempty"`
}

// Transport posts a message to a partner's ISO 18626 endpoint and returns the reply.
type Transport interface {
	Post(url string, body []byte) (reply []byte, err error)
}

// selfAgency is our agency id, or a stand-in until one is configured.
func selfAgency(tx Tx) (string, error) {
	id, err := tx.Setting(SettingAgencyID)
	if err == nil && id == "" {
		id = "ILLDESK:LOCAL"
	}
	return id, err
}

// Outbox lists the messages for partners, oldest first; requestID "" lists all.
func (d *Desk) Outbox(requestID string) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := d.store.View(func(tx Tx) error {
		return tx.ForEachOutboxMessage(func(m OutboxMessage) error {
			if requestID == "" || m.RequestID == requestID {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// pending reports whether the message still has to reach its partner.
func (m OutboxMessage) pending() bool { return m.Status == MessagePending || m.Status == MessageFailed }

// sendMessages posts the due messages to the partners that have an ISO
// 18626 endpoint, oldest first. A message that fails, or still waits for
// its back-off, holds up the later messages of its own request, so that
// they arrive in order; other requests to the same partner go on. Failures
// are kept and retried with back-off. Once ctx is done no further message
// is posted.
func (d *Desk) sendMessages(ctx context.Context, t Transport) (sent, failed int, err error) {
	msgs, err := d.Outbox("")
	if err != nil {
		return 0, 0, err
	}
	partners := map[string]Partner{}
	blocked := map[string]bool{} // by request
	now := d.clock.Now()
	for _, m := range msgs {
		if !m.pending() || blocked[m.RequestID] {
			continue
		}
		p, ok := partners[m.Partner]
		if !ok {
			if err := d.store.View(func(tx Tx) error { var e error; p, e = tx.Partner(m.Partner); return e }); err != nil {
				return sent, failed, err
			}
			partners[m.Partner] = p
		}
		if p.ISOEndpoint == "" {
			continue // exported as files instead
		}
		if m.NextTry.After(now) || ctx.Err() != nil {
			blocked[m.RequestID] = true
			continue
		}
		reply, perr := t.Post(p.ISOEndpoint, m.Body)
		if perr == nil && d.codec != nil {
			if ok, why := d.codec.ConfirmationOK(reply); !ok {
				perr = errors.New("the partner answered ERROR: " + why)
			}
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
	}
	return sent, failed, nil
}

// recordSend stores the outcome of one attempt on the message and in its
// request's history.
func (d *Desk) recordSend(id, where string, sendErr error) error {
	now := d.clock.Now()
	return updateRecorded(d, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		m.Attempts++
		if sendErr != nil {
			m.Status, m.LastError = MessageFailed, sendErr.Error()
			m.NextTry = now.Add(noticeBackoff(m.Attempts))
			return m.RequestID, fmt.Sprintf("Message %s to %s failed: %s; will retry at %s", m.Summary, where, m.LastError, m.NextTry.Format("15:04"))
		}
		m.Status, m.LastError, m.SentAt, m.Where = MessageSent, "", now, where
		return m.RequestID, fmt.Sprintf("Message %s sent to %s", m.Summary, where)
	})
}

// outboxMessage reads the message with the id, for updateRecorded.
func outboxMessage(id string) func(Tx) (OutboxMessage, bool, error) {
	return func(tx Tx) (OutboxMessage, bool, error) { return tx.OutboxMessage(id) }
}

// updateRecorded changes one stored value (an outgoing message or a
// delivery) in a transaction: get reads it, change edits it and returns its
// request and a history note, put stores it, and the note is added to that
// request in the same transaction. A value that is gone changes nothing.
func updateRecorded[T any](d *Desk, get func(Tx) (T, bool, error), put func(Tx, T) error, change func(*T) (requestID, note string)) error {
	now := d.clock.Now()
	return d.store.Update(func(tx Tx) error {
		rec, ok, err := get(tx)
		if err != nil || !ok {
			return err
		}
		requestID, note := change(&rec)
		if err := put(tx, rec); err != nil {
			return err
		}
		r, err := tx.Request(requestID)
		if err != nil {
			return err
		}
		recordEvent(&r, ActMessage, Event{At: now, Actor: "ILL Desk", Desk: "interop", Note: note})
		return tx.PutRequest(r)
	})
}

// ExportMessages hands the pending messages of partners without an ISO
// 18626 endpoint to write (e.g. as files for another tool to send) and marks
// them exported. It returns how many were written.
func (d *Desk) ExportMessages(write func(name string, body []byte) error) (int, error) {
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

func (d *Desk) markExported(id, name string) error {
	now := d.clock.Now()
	return updateRecorded(d, outboxMessage(id), Tx.PutOutboxMessage, func(m *OutboxMessage) (string, string) {
		m.Status, m.SentAt, m.Where = MessageExported, now, name
		return m.RequestID, "Message " + m.Summary + " exported as " + name
	})
}
