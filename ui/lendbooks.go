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

// lentBookDesk is what the lent-book section asks of the desk.
type lentBookDesk interface {
	Loan(ref, itemBarcode string, due time.Time, by domain.Actor) (domain.Request, string, error)
	Recall(ref, note string, by domain.Actor) (domain.Request, error)
	AnswerRenew(ref string, yes bool, by domain.Actor) (domain.Request, error)
}

// lentBookSection is the details pane's part for a book we lend: Loan
// item, Recall and the answers to the partner's renewal, with their
// dialogs.
type lentBookSection struct {
	link
	desk lentBookDesk
	// selected is the request shown (DetailsPane.selected).
	selected func() (domain.Request, bool)
}

// actions adds, through button, the actions for a book we lend that its
// state allows.
func (s *lentBookSection) actions(r domain.Request, button func(string, fyne.Resource, widget.Importance, func())) {
	if r.Can(domain.ActLoanToPartner) {
		button(loanLabel, theme.MailSendIcon(), widget.HighImportance, s.ShowLoan)
	}
	if r.State == domain.LoanedToPartner && r.RecalledAt.IsZero() {
		button(recallLabel, theme.MailReplyIcon(), widget.WarningImportance, s.ShowRecall)
	}
	if !r.RenewAsked.IsZero() {
		button(renewYesLabel, theme.ConfirmIcon(), widget.SuccessImportance, func() { _ = s.AnswerRenew(true) })
		button(renewNoLabel, theme.CancelIcon(), widget.DangerImportance, func() { _ = s.AnswerRenew(false) })
	}
}

// rows shows a lent book's loan: due date, renewals, recall, a
// renewal waiting for an answer, and the links of a retried request.
func (s *lentBookSection) rows(r domain.Request) []fyne.CanvasObject {
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
func (s *lentBookSection) ShowLoan() {
	r, ok := s.selected()
	if !ok {
		return
	}
	barcode := s.dialogs.entry(false)
	barcode.SetText(r.ItemBarcode)
	barcode.SetPlaceHolder("Item barcode")
	due := s.dialogs.entry(false)
	due.SetPlaceHolder("YYYY-MM-DD (blank: the partner's loan period)")
	errLabel := errorLabel()
	var d dialog.Dialog
	send := s.dialogs.button("Lend and send Loaned", theme.MailSendIcon(), func() {
		if err := s.Loan(barcode.Text, due.Text); err != nil {
			errLabel.SetText(s.dialogs.refusal(err))
			return
		}
		d.Hide()
	})
	send.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem("Item barcode", barcode), widget.NewFormItem("Due", due))
	d = s.dialogs.open(loanLabel+" "+r.Ref(), container.NewVBox(form, errLabel), "Cancel", send, fyne.NewSize(520, 280), barcode)
}

// Loan lends the selected request's book with the barcode and due date
// (YYYY-MM-DD, or blank for the partner's loan period); a refusal changes
// nothing and is returned.
func (s *lentBookSection) Loan(barcode, due string) error {
	r, ok := s.selected()
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
	r, warn, err := s.desk.Loan(r.ID, barcode, at, s.actor())
	if err != nil {
		return err
	}
	s.acted(r, strings.TrimSpace(fmt.Sprintf("%s lent to %s, due %s — Loaned sent; pack and ship it. %s", r.ItemBarcode, r.Partner, dateOnly(r.DueDate), warn)))
	return nil
}

// ShowRecall asks for a note to the partner before recalling the book.
func (s *lentBookSection) ShowRecall() {
	r, ok := s.selected()
	if !ok {
		return
	}
	s.dialogs.note(recallLabel+" "+r.Ref(), "Note to "+r.Partner+" (optional)", "Recall the book", s.Recall)
}

// Recall recalls the selected request's book with a note to the partner.
func (s *lentBookSection) Recall(note string) error {
	r, ok := s.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := s.desk.Recall(r.ID, note, s.actor())
	if err != nil {
		return err
	}
	s.acted(r, r.Ref()+" recalled: "+r.Partner+" is asked to return it.")
	return nil
}

// AnswerRenew answers the partner's renewal of the selected request that
// waits for staff; a refusal changes nothing and is returned.
func (s *lentBookSection) AnswerRenew(yes bool) error {
	r, ok := s.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := s.desk.AnswerRenew(r.ID, yes, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	msg := r.Ref() + ": renewal refused, still due " + dateOnly(r.DueDate) + "."
	if yes {
		msg = r.Ref() + ": renewal granted, now due " + dateOnly(r.DueDate) + "."
	}
	s.acted(r, msg)
	return nil
}
