package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// The labels of the details pane's actions for a book we lend.
const (
	loanLabel     = "Loan item…"
	recallLabel   = "Recall"
	renewYesLabel = "Renew: Yes"
	renewNoLabel  = "Renew: No"
)

// lendBookButtons adds, through button, the actions for a book we lend
// that its state allows.
func (p *DetailsPane) lendBookButtons(r domain.Request, button func(string, fyne.Resource, widget.Importance, func())) {
	if r.Can(domain.ActLoanToPartner) {
		button(loanLabel, theme.MailSendIcon(), widget.HighImportance, p.ShowLoan)
	}
	if r.State == domain.LoanedToPartner && r.RecalledAt.IsZero() {
		button(recallLabel, theme.MailReplyIcon(), widget.WarningImportance, p.ShowRecall)
	}
	if !r.RenewAsked.IsZero() {
		button(renewYesLabel, theme.ConfirmIcon(), widget.SuccessImportance, func() { _ = p.AnswerRenew(true) })
		button(renewNoLabel, theme.CancelIcon(), widget.DangerImportance, func() { _ = p.AnswerRenew(false) })
	}
}

// lendBookDetails shows a lent book's loan: due date, renewals, recall, a
// renewal waiting for an answer, and the links of a retried request.
func lendBookDetails(r domain.Request) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if r.IsLoan() && !r.DueDate.IsZero() {
		out = append(out, sectionTitle("Loan to "+r.Partner))
		renewals, recalled := "", ""
		if r.Renewals > 0 {
			renewals = fmt.Sprint(r.Renewals)
		}
		if !r.RecalledAt.IsZero() {
			recalled = dateOnly(r.RecalledAt)
		}
		out = append(out, fields("Due", dateOnly(r.DueDate), "Renewals", renewals, "Recalled", recalled)...)
		if !r.RenewAsked.IsZero() {
			l := wrapped(r.Partner + " asked on " + dateTime(r.RenewAsked) + " to renew the loan: answer Yes or No.")
			l.Importance = widget.WarningImportance
			out = append(out, l)
		}
	}
	out = append(out, fields("Retry of", r.RetryOf, "Retried by", r.RetriedBy)...)
	return out
}

// ShowLoan asks for the barcode of the book that goes to the partner and
// its due date (blank: the partner's loan period).
func (p *DetailsPane) ShowLoan() {
	r, ok := p.selected()
	if !ok {
		return
	}
	barcode := p.dialogs.entry(false)
	barcode.SetText(r.ItemBarcode)
	barcode.SetPlaceHolder("Item barcode")
	due := p.dialogs.entry(false)
	due.SetPlaceHolder("YYYY-MM-DD (blank: the partner's loan period)")
	errLabel := errorLabel()
	var d dialog.Dialog
	send := widget.NewButtonWithIcon("Lend and send Loaned", theme.MailSendIcon(), func() {
		if err := p.Loan(barcode.Text, due.Text); err != nil {
			errLabel.SetText(p.dialogs.refusal(err))
			return
		}
		d.Hide()
	})
	send.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem("Item barcode", barcode), widget.NewFormItem("Due", due))
	d = dialog.NewCustom(loanLabel+" "+r.Ref(), "Cancel", container.NewVBox(form, errLabel, send), p.dialogs.win)
	p.dialogs.show(d, fyne.NewSize(520, 280), barcode)
}

// Loan lends the selected request's book with the barcode and due date
// (YYYY-MM-DD, or blank for the partner's loan period); a refusal changes
// nothing and is returned.
func (p *DetailsPane) Loan(barcode, due string) error {
	r, ok := p.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request to lend first."}
	}
	var at time.Time
	if due = strings.TrimSpace(due); due != "" {
		var err error
		if at, err = time.ParseInLocation(domain.DateLayout, due, time.Local); err != nil {
			return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", due)}
		}
	}
	r, warn, err := p.desk.Loan(r.ID, barcode, at, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, strings.TrimSpace(fmt.Sprintf("%s lent to %s, due %s — Loaned sent; pack and ship it. %s", r.ItemBarcode, r.Partner, dateOnly(r.DueDate), warn)))
	return nil
}

// ShowRecall asks for a note to the partner before recalling the book.
func (p *DetailsPane) ShowRecall() {
	r, ok := p.selected()
	if !ok {
		return
	}
	p.dialogs.note(recallLabel+" "+r.Ref(), "Note to "+r.Partner+" (optional)", "Recall the book", p.Recall)
}

// Recall recalls the selected request's book with a note to the partner.
func (p *DetailsPane) Recall(note string) error {
	r, ok := p.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := p.desk.Recall(r.ID, note, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, r.Ref()+" recalled: "+r.Partner+" is asked to return it.")
	return nil
}

// AnswerRenew answers the partner's renewal of the selected request that
// waits for staff; a refusal changes nothing and is returned.
func (p *DetailsPane) AnswerRenew(yes bool) error {
	r, ok := p.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := p.desk.AnswerRenew(r.ID, yes, p.actor())
	if err != nil {
		p.fail(err)
		return err
	}
	msg := r.Ref() + ": renewal refused, still due " + dateOnly(r.DueDate) + "."
	if yes {
		msg = r.Ref() + ": renewal granted, now due " + dateOnly(r.DueDate) + "."
	}
	p.acted(r, msg)
	return nil
}

// queueOverdue has the dispatcher queue Overdue for books lent past their
// due date (it looks at most every domain.OverdueCheckEvery); the pass
// that sends them follows by itself.
func (m *MainWindow) queueOverdue() {
	if m.closed() {
		return
	}
	if _, err := m.desk.Dispatcher().QueueOverdue(); err != nil {
		m.Do(func() { m.status.fail(err) })
	}
}
