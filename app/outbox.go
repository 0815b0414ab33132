package main

import (
	"fmt"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// envRetryBackoff, when set (e.g. "2s"), is the wait after a partner
// message's first failed try instead of a minute: for tests and end-to-end
// scripts that watch a partner recover, never for a desk in use.
const envRetryBackoff = "ILLDESK_RETRY_BACKOFF"

// retryBackoff is the first back-off the environment asks for; 0 (the
// desk's default) when it asks none or names no positive duration.
func retryBackoff(getenv func(string) string) time.Duration {
	if getenv == nil {
		return 0
	}
	d, err := time.ParseDuration(getenv(envRetryBackoff))
	if err != nil || d <= 0 {
		return 0
	}
	return d
}

// messageName names a message for staff: its id, what it is, of which
// request, to whom.
func messageName(m domain.OutboxMessage) string {
	return fmt.Sprintf("message %s (%s of %s to %s)", m.ID, m.Summary, m.Ref, m.Partner)
}

// outboxAction carries out outbox resend|drop|mark-sent ID: staff's answer
// to a refused (or retrying) message. What it lets go is sent at once.
func (s *partnerCommands) outboxAction(verb string, args []string) error {
	usage := "outbox " + verb + " ID"
	fs := newFlags("outbox " + verb)
	var note *string
	switch verb {
	case "drop":
		usage += " --note TEXT"
		note = fs.String("note", "", "why the message is dropped")
	case "mark-sent":
		usage += " [--note TEXT]"
		note = fs.String("note", "", "how the message reached the partner")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, usage); err != nil {
		return err
	}
	var m domain.OutboxMessage
	switch verb {
	case "resend":
		m, err = s.desk.ResendMessage(pos[0], s.actor())
	case "drop":
		m, err = s.desk.DropMessage(pos[0], *note, s.actor())
	case "mark-sent":
		m, err = s.desk.MarkMessageSent(pos[0], *note, s.actor())
	}
	if err != nil {
		return err
	}
	s.printf("%s: %s.\n", messageName(m), m.Status)
	if _, err := s.sendQueued(); err != nil {
		return err
	}
	msgs, err := s.desk.Outbox(m.RequestID)
	if err != nil {
		return err
	}
	for _, o := range msgs {
		s.printf("  message %s %s to %s: %s %s\n", o.ID, o.Summary, o.Partner, o.Status, firstOf(o.Why, o.Where))
	}
	return nil
}

// unsentReport names, on standard error, each message that a partner
// refused or that waits to be retried, and says how many there are; a
// message another process (a window, illdesk serve) is posting now is
// named on standard output and not counted.
func (s *partnerCommands) unsentReport() (int, error) {
	msgs, err := s.desk.Outbox("")
	if err != nil {
		return 0, err
	}
	now := s.desk.Now()
	n := 0
	for _, m := range msgs {
		why := m.Why
		if (m.Status == domain.MessagePending || m.Status == domain.MessageRetrying) && m.Lease.Running(now) {
			fmt.Fprintf(s.stdout, "%s: %s\n", messageName(m), why)
			continue
		}
		switch m.Status {
		case domain.MessageRefused: // its why says it was refused
		case domain.MessageRetrying:
			why = "retrying: " + why
		default:
			continue
		}
		fmt.Fprintf(s.stderr, "%s: %s\n", messageName(m), why)
		n++
	}
	return n, nil
}
