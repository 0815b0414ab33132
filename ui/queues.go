package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// queueDesk is what the queue section asks of the desk.
type queueDesk interface {
	Notices(f domain.NoticeFilter) ([]domain.Notice, error)
	Outbox(requestID string) ([]domain.OutboxMessage, error)
	Deliveries(requestID string) ([]domain.Delivery, error)
	LiveLinks(requestID string) ([]domain.Delivery, error)
	RetryNotice(id string, by ...domain.Actor) error
	RevokeLinks(ref string, by domain.Actor) (domain.Request, []domain.Delivery, error)
	Find(ref string) (domain.Request, error)
	ResendMessage(id string, by domain.Actor) (domain.OutboxMessage, error)
	DropMessage(id, note string, by domain.Actor) (domain.OutboxMessage, error)
	MarkMessageSent(id, note string, by domain.Actor) (domain.OutboxMessage, error)
}

// queueSection is the details pane's part for what waits for, or went to,
// a request's patron and partner: the patron's notices with Retry, the
// messages and files to the partner, a refused message's answers
// (Resend, Drop, Mark as sent) and Revoke download link.
type queueSection struct {
	link
	desk queueDesk
	// selected is the request shown (DetailsPane.selected).
	selected func() (domain.Request, bool)
}

// queues are what waits for, or went to, the patron and the partner about a request.
type queues struct {
	notices    []domain.Notice
	messages   []domain.OutboxMessage
	deliveries []domain.Delivery
	// links are the deliveries whose download links still work.
	links []domain.Delivery
}

// queueRow shows one message or file on its way to the partner: sent,
// waiting, or failed with the reason (it is retried).
func queueRow(what, status, where, lastErr string, failed bool) fyne.CanvasObject {
	text := what + " — " + status
	switch {
	case failed:
		text += ": " + lastErr + " (will retry)"
	case where != "":
		text += " (" + where + ")"
	}
	l := wrapped(text)
	switch {
	case failed:
		l.Importance = widget.DangerImportance
	case status == domain.MessageSent || status == domain.DeliveryDelivered:
		l.Importance = widget.SuccessImportance
	}
	return l
}

// load reads what waits for, or went to, r's patron and partner.
func (s *queueSection) load(r domain.Request) queues {
	var q queues
	var err error
	if r.Side == domain.Borrowing {
		if q.notices, err = s.desk.Notices(domain.NoticeFilter{RequestID: r.ID}); err != nil {
			s.fail(err)
		}
	}
	if q.messages, err = s.desk.Outbox(r.ID); err != nil {
		s.fail(err)
	}
	if q.deliveries, err = s.desk.Deliveries(r.ID); err != nil {
		s.fail(err)
	}
	if q.links, err = s.desk.LiveLinks(r.ID); err != nil {
		s.fail(err)
	}
	return q
}

// rows are the patron's notices and what went to the partner, each with
// the answers staff may give; keep is told of every button, by its label.
func (s *queueSection) rows(q queues, keep func(*widget.Button)) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if len(q.notices) > 0 {
		out = append(out, sectionTitle("Patron notice"))
		for _, n := range q.notices {
			out = append(out, s.noticeRow(n, keep))
		}
	}
	if len(q.messages) > 0 || len(q.deliveries) > 0 {
		out = append(out, sectionTitle("To the partner"))
		for _, msg := range q.messages {
			if msg.Status == domain.MessageRefused {
				out = append(out, s.refusedRow(msg, keep))
				continue
			}
			where := msg.Where
			if where == "" { // e.g. what it waits behind, or why it was dropped
				where = msg.Why
			}
			out = append(out, queueRow("Message "+msg.Summary, msg.Status, where, msg.LastError, msg.Status == domain.MessageRetrying))
		}
		for _, d := range q.deliveries {
			out = append(out, queueRow(fmt.Sprintf("File %s by %s", d.File, d.Method), d.Status, d.Where, d.LastError, d.Status == domain.DeliveryFailed))
		}
		if len(q.links) > 0 {
			b := widget.NewButtonWithIcon(revokeLabel, theme.CancelIcon(), s.ShowRevokeLinks)
			b.Importance = widget.WarningImportance
			keep(b)
			out = append(out, container.NewHBox(b))
		}
	}
	return out
}

// noticeRow shows one patron notice: where it stands, and Retry when it failed.
func (s *queueSection) noticeRow(n domain.Notice, keep func(*widget.Button)) fyne.CanvasObject {
	text := fmt.Sprintf("%s to %s — %s", n.Subject, n.To, n.Status.Label())
	switch {
	case n.Status == domain.NoticeSent:
		text += " " + dateTime(n.SentAt) + " (" + n.Where + ")"
	case n.LastError != "":
		text += ": " + n.LastError
	}
	l := wrapped(text)
	switch n.Status {
	case domain.NoticeSent:
		l.Importance = widget.SuccessImportance
	case domain.NoticeFailed:
		l.Importance = widget.DangerImportance
	}
	if n.Status != domain.NoticeFailed {
		return l
	}
	id := n.ID
	retry := widget.NewButtonWithIcon("Retry now", theme.ViewRefreshIcon(), func() { s.RetryNotice(id) })
	keep(retry)
	return container.NewBorder(nil, nil, nil, retry, l)
}

// RetryNotice sends a failed patron notice again now.
func (s *queueSection) RetryNotice(id string) {
	if err := s.desk.RetryNotice(id, s.actor()); err != nil {
		s.fail(err)
	}
}

// revokeLabel is the label of the button that revokes a request's download links.
const revokeLabel = "Revoke download link"

// ShowRevokeLinks asks before revoking the selected request's download
// links: the partner can no longer fetch the file with them.
func (s *queueSection) ShowRevokeLinks() {
	r, ok := s.selected()
	if !ok {
		return
	}
	s.dialogs.confirm(revokeLabel+" — "+r.Ref(),
		"The partner "+r.Partner+" will no longer be able to download the file of "+r.Ref()+" with the link it was sent. This cannot be undone.",
		"Revoke", func() { _ = s.RevokeLinks() })
}

// RevokeLinks revokes every download link of the selected request that
// still works; a refusal changes nothing and is returned.
func (s *queueSection) RevokeLinks() error {
	r, ok := s.selected()
	if !ok {
		err := &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
		s.fail(err)
		return err
	}
	r, revoked, err := s.desk.RevokeLinks(r.ID, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	if len(revoked) == 0 {
		s.info(r.Ref() + " has no download link that still works; nothing was revoked.")
		return nil
	}
	files := make([]string, len(revoked))
	for i, dl := range revoked {
		files[i] = dl.File
	}
	s.acted(r, fmt.Sprintf("Download link of %s revoked: %s can no longer download it.", strings.Join(files, ", "), r.Partner))
	return nil
}

// Labels of the actions on a message the partner refused.
const (
	resendLabel   = "Resend"
	dropLabel     = "Drop…"
	markSentLabel = "Mark as sent…"
)

// refusedRow shows a message the partner refused, with its answer word for
// word, and staff's three answers: resend it (after a correction), drop it
// with a note, or mark it as sent (it reached the partner another way).
func (s *queueSection) refusedRow(m domain.OutboxMessage, keep func(*widget.Button)) fyne.CanvasObject {
	l := wrapped(fmt.Sprintf("Message %s — refused: %s", m.Summary, m.LastError))
	l.Importance = widget.DangerImportance
	id := m.ID
	resend := widget.NewButtonWithIcon(resendLabel, theme.ViewRefreshIcon(), func() { _ = s.ResendMessage(id) })
	resend.Importance = widget.HighImportance
	drop := widget.NewButtonWithIcon(dropLabel, theme.DeleteIcon(), func() { s.ShowDropMessage(id) })
	drop.Importance = widget.DangerImportance
	mark := widget.NewButtonWithIcon(markSentLabel, theme.ConfirmIcon(), func() { s.ShowMarkMessageSent(id) })
	for _, b := range []*widget.Button{resend, drop, mark} {
		keep(b)
	}
	return container.NewVBox(l, container.NewHBox(resend, drop, mark))
}

// messageActed shows the request of a message staff just answered, with
// what became of the message.
func (s *queueSection) messageActed(m domain.OutboxMessage, msg string) {
	r, err := s.desk.Find(m.RequestID)
	if err != nil {
		s.fail(err)
		return
	}
	s.acted(r, msg)
}

// ResendMessage sends a refused message again, once staff have corrected
// what the partner refused; a refusal is shown and returned.
func (s *queueSection) ResendMessage(id string) error {
	m, err := s.desk.ResendMessage(id, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	s.messageActed(m, fmt.Sprintf("The %s message to %s will be sent again.", m.Summary, m.Partner))
	return nil
}

// ShowDropMessage asks why a refused message is dropped.
func (s *queueSection) ShowDropMessage(id string) {
	s.dialogs.note("Drop the message", "Why is it dropped? (e.g. told them by phone)", "Drop", func(note string) error {
		return s.DropMessage(id, note)
	})
}

// DropMessage gives up a refused message with staff's note: it is never
// sent, and the request's later messages go on.
func (s *queueSection) DropMessage(id, note string) error {
	m, err := s.desk.DropMessage(id, note, s.actor())
	if err != nil {
		return err
	}
	s.messageActed(m, fmt.Sprintf("The %s message to %s is dropped.", m.Summary, m.Partner))
	return nil
}

// ShowMarkMessageSent asks how a refused message reached the partner.
func (s *queueSection) ShowMarkMessageSent(id string) {
	s.dialogs.note("Mark the message as sent", "How did it reach the partner? (optional, e.g. by email)", "Mark as sent", func(note string) error {
		return s.MarkMessageSent(id, note)
	})
}

// MarkMessageSent records that a refused message reached the partner
// another way: it is not posted, and the request's later messages go on.
func (s *queueSection) MarkMessageSent(id, note string) error {
	m, err := s.desk.MarkMessageSent(id, note, s.actor())
	if err != nil {
		return err
	}
	s.messageActed(m, fmt.Sprintf("The %s message to %s is marked as sent.", m.Summary, m.Partner))
	return nil
}
