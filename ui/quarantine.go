package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// QuarantineDialog is "Requests from unknown libraries": the messages held
// from agencies that are none of our partners, each with Accept (which
// makes the agency a partner and puts its messages in the list) and Refuse.
type QuarantineDialog struct {
	link
	desk quarantineDesk
	held []domain.HeldMessage
	// dialog is the list open now, nil when closed.
	dialog dialog.Dialog
	// changed reloads what accepting or refusing changed: the list of
	// requests and what needs attention.
	changed func()
}

// quarantineDesk is what the quarantine dialog asks of the desk.
type quarantineDesk interface {
	Quarantine(all bool) ([]domain.HeldMessage, error)
	SuggestPartnerCode(agency string) (string, error)
	AcceptHeld(id, code string, by ...domain.Actor) (domain.QuarantineResult, error)
	RefuseHeld(id, note string, by ...domain.Actor) (domain.QuarantineResult, error)
}

// Held is the list the dialog shows, oldest first.
func (q *QuarantineDialog) Held() []domain.HeldMessage { return q.held }

// ShowQuarantine lists the held messages, oldest first.
func (q *QuarantineDialog) ShowQuarantine() {
	held, err := q.desk.Quarantine(false)
	if err != nil {
		q.fail(err)
		return
	}
	q.held = held
	var content fyne.CanvasObject
	if len(held) == 0 {
		content = widget.NewLabel("No messages from unknown libraries wait.")
	} else {
		content = q.heldList()
	}
	intro := widget.NewLabel("Libraries that are not yet our partners sent these messages. They were told the message arrived; " +
		"nothing is in the request list until you accept the library as a partner. Refusing sends them nothing.")
	intro.Wrapping = fyne.TextWrapWord
	if q.dialog != nil {
		q.dialog.Hide()
	}
	d := q.dialogs.open("Requests from unknown libraries", container.NewBorder(intro, nil, nil, nil, content), "Close", nil,
		fyne.NewSize(980, 520), nil)
	q.dialog = d
	d.SetOnClosed(func() {
		if q.dialog == d {
			q.dialog = nil
		}
	})
}

// heldList is one line per held message with its buttons.
func (q *QuarantineDialog) heldList() *keyList {
	list := q.dialogs.list(func() int { return len(q.held) },
		func() fyne.CanvasObject {
			head := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			head.Truncation = fyne.TextTruncateEllipsis
			when := widget.NewLabel("")
			when.Truncation = fyne.TextTruncateEllipsis
			reply := widget.NewLabel("")
			reply.Truncation = fyne.TextTruncateEllipsis
			accept := q.dialogs.button("Accept…", theme.ConfirmIcon(), nil)
			accept.Importance = widget.HighImportance
			refuse := q.dialogs.button("Refuse…", theme.CancelIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(accept, refuse)),
				container.NewVBox(head, when, reply))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			h := q.held[i]
			row := o.(*fyne.Container)
			lines := row.Objects[0].(*fyne.Container).Objects
			buttons := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects
			lines[0].(*widget.Label).SetText(heldHeadline(h))
			lines[1].(*widget.Label).SetText(heldReceived(h))
			lines[2].(*widget.Label).SetText(heldReply(h))
			id := h.ID
			buttons[0].(*defaultButton).OnTapped = func() { q.ShowAccept(id) }
			buttons[1].(*defaultButton).OnTapped = func() { q.ShowRefuse(id) }
		})
	return list
}

// heldHeadline is who sent a held message and what it asks for.
func heldHeadline(h domain.HeldMessage) string {
	what := h.Title
	switch {
	case h.Kind != domain.KindRequest && h.Action != "":
		what = h.Action + " for " + h.RequestID
	case h.Kind != domain.KindRequest:
		what = h.Kind + " about " + h.RequestID
	}
	return domain.OneLine(fmt.Sprintf("%s — %s", h.Agency, what))
}

// heldReceived is when and from where a held message came, and its id.
func heldReceived(h domain.HeldMessage) string {
	from := "a file"
	if h.Addr != "" {
		from = h.Addr
	}
	return domain.OneLine(fmt.Sprintf("Received %s from %s · id %s", h.Received.Local().Format("2006-01-02 15:04"), from, h.Ref()))
}

// heldReply is the address a held message proposes for replies.
func heldReply(h domain.HeldMessage) string {
	if h.ReplyAddress == "" {
		return "No address proposed for replies"
	}
	return domain.OneLine("Proposes replies to " + h.ReplyAddress)
}

// find returns the held message with the id from the list shown.
func (q *QuarantineDialog) find(id string) (domain.HeldMessage, bool) {
	for _, h := range q.held {
		if h.ID == id {
			return h, true
		}
	}
	return domain.HeldMessage{}, false
}

// ShowAccept asks for the new partner's code, prefilled with the free code
// the desk suggests, showing the address the message proposes for replies
// before it becomes the partner's endpoint.
func (q *QuarantineDialog) ShowAccept(id string) {
	h, ok := q.find(id)
	if !ok {
		return
	}
	code, err := q.desk.SuggestPartnerCode(h.Agency)
	if err != nil {
		q.fail(err)
		return
	}
	text := fmt.Sprintf("Accept %s as a partner? It is added marked for review, and its held messages go into the request list.", domain.OneLine(h.Agency))
	if h.ReplyAddress != "" {
		text += fmt.Sprintf("\n\nThe message proposes %s for our replies; it becomes the partner's ISO 18626 endpoint. "+
			"Check it before you accept.", domain.OneLine(h.ReplyAddress))
	}
	q.ask("Accept "+domain.OneLine(h.Agency), text, "Partner code", code, "Accept", widget.HighImportance,
		func(code string) error { return q.Accept(id, code) })
}

// ShowRefuse asks for a note and refuses the agency of the held message.
func (q *QuarantineDialog) ShowRefuse(id string) {
	h, ok := q.find(id)
	if !ok {
		return
	}
	q.ask("Refuse "+domain.OneLine(h.Agency), fmt.Sprintf("Refuse the messages of %s? Nothing is sent to it; the refusal is recorded.", domain.OneLine(h.Agency)),
		"Note (why)", "", "Refuse", widget.DangerImportance, func(note string) error { return q.Refuse(id, note) })
}

// Accept makes the agency of the held message a partner under code and
// applies its held messages; the list and what needs attention follow.
func (q *QuarantineDialog) Accept(id, code string) error {
	res, err := q.desk.AcceptHeld(id, strings.TrimSpace(code), q.actor())
	if err != nil {
		return err
	}
	q.decided(res)
	return nil
}

// Refuse refuses the agency of the held message with the note.
func (q *QuarantineDialog) Refuse(id, note string) error {
	res, err := q.desk.RefuseHeld(id, note, q.actor())
	if err != nil {
		return err
	}
	q.decided(res)
	return nil
}

// decided reports a decision and shows the list as it now stands.
func (q *QuarantineDialog) decided(res domain.QuarantineResult) {
	q.info(domain.OneLine(res.Outcome))
	if q.changed != nil {
		q.changed()
	}
	if q.dialog != nil {
		q.ShowQuarantine()
	}
}

// ask shows, over the list, a question with one entry and an action that
// is retried until it succeeds; closing it makes the list the current
// dialog again.
func (q *QuarantineDialog) ask(title, text, label, value, action string, importance widget.Importance, submit func(string) error) {
	h := q.dialogs
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	entry := h.entry(false)
	entry.SetText(value)
	errLabel := errorLabel()
	var d dialog.Dialog
	b := h.button(action, nil, func() {
		if err := submit(entry.Text); err != nil {
			errLabel.SetText(q.dialogs.refusal(err))
			return
		}
		d.Hide()
	})
	b.Importance = importance
	form := widget.NewForm(widget.NewFormItem(label, entry))
	d = h.open(title, container.NewVBox(msg, form, errLabel), "Cancel", b, fyne.NewSize(560, 320), entry)
}
