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

// The labels of the details pane's actions for a request sent to lenders
// over ISO 18626.
const (
	cancelLabel        = "Cancel request"
	renewLenderLabel   = "Ask lender to renew"
	statusRequestLabel = "Ask lender for status"
	resendRetryLabel   = "Resend with corrections…"
	closeByHandLabel   = "Close by hand…"
	attachCopyLabel    = "Attach the copy…"
)

// lenderDesk is what the details pane asks of the desk for a request sent
// to lenders.
type lenderDesk interface {
	Renew(ref string, by domain.Actor) (domain.Request, error)
	StatusRequest(ref string, by domain.Actor) (domain.Request, error)
	Resend(ref string, fix domain.Citation, by domain.Actor) (domain.Request, error)
	Close(ref, note string, by domain.Actor) (domain.Request, error)
	AttachCopy(ref, path string, by domain.Actor) (domain.Request, error)
}

// sentToLender reports whether r is a borrowing request sent to a rota.
func sentToLender(r domain.Request) bool { return r.Side == domain.Borrowing && len(r.Lenders) > 0 }

// lenderButtons adds, through button, the actions its state allows on a
// request sent to lenders: Cancel asks the lender once it has the Request.
func (p *DetailsPane) lenderButtons(r domain.Request, button func(string, fyne.Resource, widget.Importance, func())) {
	if !sentToLender(r) || !r.Active() {
		return
	}
	switch r.State {
	case domain.Requested, domain.WillSupply, domain.RetryPossible:
		button(cancelLabel, theme.CancelIcon(), widget.DangerImportance, p.ShowCancel)
	case domain.ShippedToUs, domain.Received, domain.OnHoldShelf, domain.Loaned:
		button(renewLenderLabel, theme.HistoryIcon(), widget.MediumImportance, func() { _ = p.RenewWithLender() })
	}
	if r.State == domain.CopyReceived && r.ShippedFile == nil {
		button(attachCopyLabel, theme.FileIcon(), widget.HighImportance, p.ShowAttachCopy)
	}
	if r.Can(domain.ActResend) {
		button(resendRetryLabel, theme.MailSendIcon(), widget.HighImportance, p.ShowResend)
	}
	button(statusRequestLabel, theme.QuestionIcon(), widget.MediumImportance, func() { _ = p.StatusRequest() })
	if r.Can(domain.ActClose) {
		button(closeByHandLabel, theme.ConfirmIcon(), widget.WarningImportance, p.ShowCloseByHand)
	}
}

// lenderDetails shows the rota's attempts, the lender's due date, item id
// and flags, and a copy that could not be fetched.
func lenderDetails(r domain.Request) []fyne.CanvasObject {
	if !sentToLender(r) {
		return nil
	}
	out := []fyne.CanvasObject{sectionTitle("Lenders")}
	for i, a := range r.Lenders {
		line := fmt.Sprintf("%d. %s — %s — %s", i+1, a.Partner, a.RequestID, a.Outcome)
		if a.Note != "" {
			line += ": " + a.Note
		}
		l := wrapped(line)
		if i == len(r.Lenders)-1 && r.Active() {
			l.TextStyle = fyne.TextStyle{Bold: true}
		}
		out = append(out, l)
	}
	if n := len(r.Lenders); n < len(r.Rota) {
		out = append(out, wrapped("Then: "+strings.Join(r.Rota[n:], ", ")))
	}
	out = append(out, fields("Lender's due date", dateOnly(r.LenderDueDate), "Lender's item id", r.LenderItemID,
		"Flags", strings.Join(r.Flags, ", "))...)
	if r.Copy != nil && r.Copy.Problem != "" {
		l := wrapped("The copy could not be fetched: " + r.Copy.Problem)
		l.Importance = widget.DangerImportance
		out = append(out, l)
	}
	return out
}

// lenderRefusal is the refusal of an action with no request selected.
func lenderRefusal() error {
	return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the borrowing request first."}
}

// RenewWithLender asks the selected request's lender to renew the loan.
func (p *DetailsPane) RenewWithLender() error {
	r, ok := p.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := p.desk.Renew(r.ID, p.actor())
	if err != nil {
		p.fail(err)
		return err
	}
	p.acted(r, r.Ref()+": renewal asked of "+r.Partner+"; its answer sets the new due date.")
	return nil
}

// StatusRequest asks the selected request's lender where it stands.
func (p *DetailsPane) StatusRequest() error {
	r, ok := p.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := p.desk.StatusRequest(r.ID, p.actor())
	if err != nil {
		p.fail(err)
		return err
	}
	p.acted(r, r.Ref()+": status asked of "+r.Partner+".")
	return nil
}

// ShowResend shows the lender's reason and note and the citation to
// correct before the Retry goes.
func (p *DetailsPane) ShowResend() {
	r, ok := p.selected()
	if !ok {
		return
	}
	why := "The lender asks for changes."
	if n := len(r.Lenders); n > 0 && r.Lenders[n-1].Note != "" {
		why = r.Partner + ": " + r.Lenders[n-1].Note
	}
	c := r.Citation
	type field struct {
		label string
		value *string
	}
	fs := []field{{"Title", &c.Title}, {"Article title", &c.ArticleTitle}, {"Author", &c.Author}, {"Journal", &c.Journal},
		{"Volume", &c.Volume}, {"Number", &c.Number}, {"Year", &c.Year}, {"Pages", &c.Pages},
		{"ISSN", &c.ISSN}, {"ISBN", &c.ISBN}, {"DOI", &c.DOI}}
	form := widget.NewForm()
	entries := make([]*keyEntry, len(fs))
	for i, f := range fs {
		entries[i] = p.dialogs.entry(false)
		entries[i].SetText(*f.value)
		form.Append(f.label, entries[i])
	}
	errLabel := errorLabel()
	var d dialog.Dialog
	send := widget.NewButtonWithIcon("Send the Retry", theme.MailSendIcon(), func() {
		for i, f := range fs {
			*f.value = entries[i].Text
		}
		if err := p.Resend(c); err != nil {
			errLabel.SetText(p.dialogs.refusal(err))
			return
		}
		d.Hide()
	})
	send.Importance = widget.HighImportance
	d = dialog.NewCustom(resendRetryLabel+" "+r.Ref(), "Cancel", container.NewVBox(wrapped(why), form, errLabel, send), p.dialogs.win)
	p.dialogs.show(d, fyne.NewSize(620, 640), entries[0])
}

// Resend corrects the selected request's citation (blank fields stay as
// they are) and sends its lender a Retry naming the previous attempt.
func (p *DetailsPane) Resend(fix domain.Citation) error {
	r, ok := p.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := p.desk.Resend(r.ID, fix, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, r.Ref()+": corrected and sent again to "+r.Partner+".")
	return nil
}

// ShowAttachCopy asks for the file of a copy the lender sent by email.
func (p *DetailsPane) ShowAttachCopy() {
	p.dialogs.openFile("Attach a copy", scanExts, func(path string) { _ = p.AttachCopy(path) })
}

// AttachCopy takes the file of the selected request's copy: preflighted,
// stored and sent to the patron; a refusal changes nothing and is returned.
func (p *DetailsPane) AttachCopy(path string) error {
	r, ok := p.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := p.desk.AttachCopy(r.ID, path, p.actor())
	if err != nil {
		p.fail(err)
		return err
	}
	p.acted(r, r.Ref()+": copy attached and on its way to "+r.Requester+".")
	return nil
}

// ShowCloseByHand asks why the selected request is closed by hand.
func (p *DetailsPane) ShowCloseByHand() {
	r, ok := p.selected()
	if !ok {
		return
	}
	p.dialogs.note(closeByHandLabel+" "+r.Ref(), "Why is it closed by hand? (e.g. the book came back without LoanCompleted)", "Close request", p.CloseByHand)
}

// CloseByHand closes the selected request whose lender's answer never
// came, with the note saying why.
func (p *DetailsPane) CloseByHand(note string) error {
	r, ok := p.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := p.desk.Close(r.ID, note, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, r.Ref()+" closed by hand.")
	return nil
}

// rotaInput reads the new-borrowing form's lenders and service: the first
// partner, the codes after it (comma separated) and copy, loan or automatic.
func rotaInput(in *domain.BorrowingInput, more, service string, partners []domain.Partner) {
	for _, code := range strings.Split(more, ",") {
		if code = partnerCode(code, partners); code != "" {
			in.Partners = append(in.Partners, code)
		}
	}
	if len(in.Partners) > 0 {
		in.Partners = append([]string{in.Partner}, in.Partners...)
	}
	switch service {
	case serviceCopy:
		in.Service = "copy"
	case serviceLoan:
		in.Service = "loan"
	}
}

// The choices of the new-borrowing form's service.
const (
	serviceAuto = "Copy when an article or pages are named, else loan"
	serviceCopy = "Copy"
	serviceLoan = "Loan"
)

// lendersText names the lenders of a new request, in the order asked.
func lendersText(in domain.BorrowingInput) string {
	if len(in.Partners) > 0 {
		return strings.Join(in.Partners, ", then ")
	}
	return in.Partner
}

// shortFlaggedStatus is a borrowing request's status in the list, in short, with the
// lender's flags (overdue, recalled).
func shortFlaggedStatus(r *domain.Summary) string {
	return domain.FlaggedLabel(r.State.ShortLabel(r.Side), strings.Split(r.Flags, ",")...)
}
