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

// lenderDesk is what the borrowing section asks of the desk: a borrowing
// request and its lenders.
type lenderDesk interface {
	Cancel(ref, note string, by domain.Actor) (domain.Request, error)
	Receive(ref, barcode string, by domain.Actor) (domain.Request, error)
	Renew(ref string, by domain.Actor) (domain.Request, error)
	StatusRequest(ref string, by domain.Actor) (domain.Request, error)
	Resend(ref string, fix domain.Citation, by domain.Actor) (domain.Request, error)
	Close(ref, note string, by domain.Actor) (domain.Request, error)
	AttachCopy(ref, path string, by domain.Actor) (domain.Request, error)
}

// borrowingSection is the details pane's part for a borrowing request: the
// Receive field, the lenders tried, and the actions on the request and its
// lender (Cancel, Renew, Status, Resend, Attach the copy, Close by hand)
// with their dialogs.
type borrowingSection struct {
	link
	desk lenderDesk
	// selected is the request shown (DetailsPane.selected).
	selected func() (domain.Request, bool)
	// receiveEntry is the Receive field of a borrowing request awaiting receipt.
	receiveEntry *keyEntry
	// navKey and shortcut pass keys from the Receive field to the window.
	navKey   func(*fyne.KeyEvent) bool
	shortcut func(fyne.Shortcut) bool
}

// sentToLender reports whether r is a borrowing request sent to a rota.
func sentToLender(r domain.Request) bool { return r.Side == domain.Borrowing && len(r.Lenders) > 0 }

// actions adds, through button, the actions its state allows on a
// borrowing request; on a request sent to lenders Cancel asks the lender
// once it has the Request.
func (s *borrowingSection) actions(r domain.Request, button func(string, fyne.Resource, widget.Importance, func())) {
	if r.Can(domain.ActCancel) {
		button(cancelLabel, theme.CancelIcon(), widget.DangerImportance, s.ShowCancel)
	}
	if !sentToLender(r) || !r.Active() {
		return
	}
	switch r.State {
	case domain.Requested, domain.WillSupply, domain.RetryPossible:
		button(cancelLabel, theme.CancelIcon(), widget.DangerImportance, s.ShowCancel)
	case domain.ShippedToUs, domain.Received, domain.OnHoldShelf, domain.Loaned:
		button(renewLenderLabel, theme.HistoryIcon(), widget.MediumImportance, func() { _ = s.RenewWithLender() })
	}
	if r.State == domain.CopyReceived && r.ShippedFile == nil {
		button(attachCopyLabel, theme.FileIcon(), widget.HighImportance, s.ShowAttachCopy)
	}
	if r.Can(domain.ActResend) {
		button(resendRetryLabel, theme.MailSendIcon(), widget.HighImportance, s.ShowResend)
	}
	button(statusRequestLabel, theme.QuestionIcon(), widget.MediumImportance, func() { _ = s.StatusRequest() })
	if r.Can(domain.ActClose) {
		button(closeByHandLabel, theme.ConfirmIcon(), widget.WarningImportance, s.ShowCloseByHand)
	}
}

// receiveRow is the Receive field: scan or type the barcode of the temporary
// item stuck on the book, then Return (or Go).
func (s *borrowingSection) receiveRow() fyne.CanvasObject {
	s.receiveEntry = newKeyEntry()
	s.receiveEntry.SetPlaceHolder("Scan or type the item barcode to receive")
	submit := func(code string) { _ = s.Receive(code) }
	s.receiveEntry.OnSubmitted = submit
	s.receiveEntry.onKey = s.navKey
	s.receiveEntry.onShortcut = s.shortcut
	entry := s.receiveEntry
	goButton := widget.NewButtonWithIcon("Go", theme.ConfirmIcon(), func() { submit(entry.Text) })
	goButton.Importance = widget.HighImportance
	label := widget.NewLabelWithStyle("Receive", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(nil, nil, label, goButton, entry)
}

// ShowCancel asks why the selected request is cancelled.
func (s *borrowingSection) ShowCancel() {
	r, ok := s.selected()
	if !ok {
		return
	}
	s.dialogs.note("Cancel "+r.Ref(), "Why is it cancelled?", "Cancel request", s.Cancel)
}

// Cancel cancels the selected request.
func (s *borrowingSection) Cancel(note string) error {
	r, ok := s.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := s.desk.Cancel(r.ID, note, s.actor())
	if err != nil {
		return err
	}
	if r.State != domain.Cancelled { // sent to a lender: its answer decides
		s.acted(r, r.Ref()+": Cancel sent to "+r.Partner+"; the lender's answer decides.")
		return nil
	}
	s.acted(r, r.Ref()+" cancelled.")
	return nil
}

// Receive records the arrival of the selected borrowing request's item with
// the barcode of its temporary item.
func (s *borrowingSection) Receive(barcode string) error {
	r, ok := s.selected()
	if !ok {
		err := &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the borrowing request to receive first."}
		s.fail(err)
		return err
	}
	r, err := s.desk.Receive(r.ID, barcode, s.actor())
	if err != nil {
		s.refuse(err)
		return err
	}
	msg := fmt.Sprintf("%s received for %s — send it to %s.", r.ItemBarcode, r.Requester, r.Pickup)
	s.acted(r, msg)
	return nil
}

// rows shows the rota's attempts, the lender's due date, item id
// and flags, and a copy that could not be fetched.
func (s *borrowingSection) rows(r domain.Request) []fyne.CanvasObject {
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
func (s *borrowingSection) RenewWithLender() error {
	r, ok := s.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := s.desk.Renew(r.ID, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	s.acted(r, r.Ref()+": renewal asked of "+r.Partner+"; its answer sets the new due date.")
	return nil
}

// StatusRequest asks the selected request's lender where it stands.
func (s *borrowingSection) StatusRequest() error {
	r, ok := s.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := s.desk.StatusRequest(r.ID, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	s.acted(r, r.Ref()+": status asked of "+r.Partner+".")
	return nil
}

// ShowResend shows the lender's reason and note and the citation to
// correct before the Retry goes.
func (s *borrowingSection) ShowResend() {
	r, ok := s.selected()
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
		entries[i] = s.dialogs.entry(false)
		entries[i].SetText(*f.value)
		form.Append(f.label, entries[i])
	}
	errLabel := errorLabel()
	var d dialog.Dialog
	send := s.dialogs.button("Send the Retry", theme.MailSendIcon(), func() {
		for i, f := range fs {
			*f.value = entries[i].Text
		}
		if err := s.Resend(c); err != nil {
			errLabel.SetText(s.dialogs.refusal(err))
			return
		}
		d.Hide()
	})
	send.Importance = widget.HighImportance
	d = s.dialogs.open(resendRetryLabel+" "+r.Ref(), container.NewVBox(wrapped(why), form, errLabel), "Cancel", send, fyne.NewSize(620, 640), entries[0])
}

// Resend corrects the selected request's citation (blank fields stay as
// they are) and sends its lender a Retry naming the previous attempt.
func (s *borrowingSection) Resend(fix domain.Citation) error {
	r, ok := s.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := s.desk.Resend(r.ID, fix, s.actor())
	if err != nil {
		return err
	}
	s.acted(r, r.Ref()+": corrected and sent again to "+r.Partner+".")
	return nil
}

// ShowAttachCopy asks for the file of a copy the lender sent by email.
func (s *borrowingSection) ShowAttachCopy() {
	s.dialogs.openFile("Attach a copy", scanExts, func(path string) { _ = s.AttachCopy(path) })
}

// AttachCopy takes the file of the selected request's copy: preflighted,
// stored and sent to the patron; a refusal changes nothing and is returned.
func (s *borrowingSection) AttachCopy(path string) error {
	r, ok := s.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := s.desk.AttachCopy(r.ID, path, s.actor())
	if err != nil {
		s.fail(err)
		return err
	}
	s.acted(r, r.Ref()+": copy attached and on its way to "+r.Requester+".")
	return nil
}

// ShowCloseByHand asks why the selected request is closed by hand.
func (s *borrowingSection) ShowCloseByHand() {
	r, ok := s.selected()
	if !ok {
		return
	}
	s.dialogs.note(closeByHandLabel+" "+r.Ref(), "Why is it closed by hand? (e.g. the book came back without LoanCompleted)", "Close request", s.CloseByHand)
}

// CloseByHand closes the selected request whose lender's answer never
// came, with the note saying why.
func (s *borrowingSection) CloseByHand(note string) error {
	r, ok := s.selected()
	if !ok {
		return lenderRefusal()
	}
	r, err := s.desk.Close(r.ID, note, s.actor())
	if err != nil {
		return err
	}
	s.acted(r, r.Ref()+" closed by hand.")
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
