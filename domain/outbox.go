package domain

import (
	"context"
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
	MessagePending = "pending"
	MessageSent    = "sent"
	// MessageFailed is how earlier versions stored a message to retry; it
	// reads as MessageRetrying.
	MessageFailed   = "failed"
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
	// Hold says what a refused message stops: HoldRequest or HoldPartner.
	Hold string `json:"hold,omitempty"`
	// Note is staff's note on dropping or marking the message as sent, or
	// why it was withdrawn.
	Note string `json:"note,omitempty"`
	// Lease is the claim of the dispatcher sending the message now.
	Lease Lease `json:"lease,omitzero"`
	// Why says, in a listing, why the message is where it is (not stored).
	Why string `json:"why,omitempty"`
}

// Transport posts a message to a partner's ISO 18626 endpoint and returns
// the reply. It gives up once ctx is done, and never follows a redirect: a
// redirect is a failure that says where it pointed.
type Transport interface {
	Post(ctx context.Context, to Destination, body []byte) (reply []byte, err error)
}

// Destination is where one message goes and what we present there, as the
// desk decided it; the transport only carries it out.
type Destination struct {
	// URL is the partner's ISO 18626 endpoint.
	URL string
	// Token, when set, is sent as "Authorization: Bearer TOKEN".
	Token string
	// ServerCAPEM, when set, is the only authority the partner's server
	// certificate is checked against (a partner with a self-signed CA).
	ServerCAPEM string
	// ClientCert and ClientKey are the files of our certificate and key for
	// mutual TLS, read at each send; both "" for none.
	ClientCert, ClientKey string
}

// selfAgency is our agency id, or a stand-in until one is configured.
func selfAgency(tx Tx) (string, error) {
	id, err := tx.Setting(SettingAgencyID)
	if err == nil && id == "" {
		id = "ILLDESK:LOCAL"
	}
	return id, err
}

// pending reports whether the message still has to reach its partner.
func (m OutboxMessage) pending() bool {
	return m.Status == MessagePending || m.Status == MessageFailed || m.Status == MessageRetrying
}

// outboxMessage reads the message with the id, for updateRecorded.
func outboxMessage(id string) func(Tx) (OutboxMessage, bool, error) {
	return func(tx Tx) (OutboxMessage, bool, error) { return tx.OutboxMessage(id) }
}

// updateRecorded changes one stored value (an outgoing message or a
// delivery) in a transaction: get reads it, change edits it and returns its
// request and a history note, put stores it, and the note is added to that
// request in the same transaction. A value that is gone, or that change
// leaves without a note, changes nothing.
func updateRecorded[T any](d *core, get func(Tx) (T, bool, error), put func(Tx, T) error, change func(*T) (requestID, note string)) error {
	now := d.clock.Now()
	return d.store.Update(func(tx Tx) error {
		rec, ok, err := get(tx)
		if err != nil || !ok {
			return err
		}
		requestID, note := change(&rec)
		if note == "" {
			return nil
		}
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
