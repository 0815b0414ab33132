package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// BorrowingForm is the form for a new borrowing request (Ctrl+N), and the
// form for a new partner it, the settings and the empty window offer.
type BorrowingForm struct {
	link
	desk borrowingDesk
	// stations are the desks and pickup locations; created shows the
	// borrowing list, with the new pickup location, once a request is made.
	stations func() []domain.Station
	created  func()
}

// borrowingDesk is what the borrowing form asks of the desk.
type borrowingDesk interface {
	Partners() ([]domain.Partner, error)
	NewBorrowing(in domain.BorrowingInput, by domain.Actor) (domain.Request, error)
	AddPartner(p domain.Partner, by ...domain.Actor) (domain.Partner, error)
	ILSOn() bool
	LookUpPatron(ctx context.Context, patronID string) (domain.ILSUser, error)
}

// LookUpPatron asks the ILS for the patron off Fyne's goroutine and hands
// the answer to done on it: the patron, or the ILS's refusal.
func (f *BorrowingForm) LookUpPatron(patronID string, done func(domain.ILSUser, error)) {
	f.run(func() {
		u, err := f.desk.LookUpPatron(context.Background(), patronID)
		f.do(func() { done(u, err) })
	})
}

// patronFound fills the requester's name and email from the ILS where staff
// left them blank, and words what the ILS said of the patron.
func patronFound(u domain.ILSUser, err error, requester, email *keyEntry) string {
	if err != nil {
		return refusalText(err)
	}
	if strings.TrimSpace(requester.Text) == "" {
		requester.SetText(u.Name)
	}
	if strings.TrimSpace(email.Text) == "" {
		email.SetText(u.Email)
	}
	if u.Blocked {
		return "Blocked in the ILS: " + strings.Join(u.Problems, "; ")
	}
	return "Found in the ILS: " + u.Name
}

// pickupLocations are the configured pickup locations and those already used.
func (f *BorrowingForm) pickupLocations() []string {
	var out []string
	for _, st := range f.stations() {
		if st.Kind == domain.StationPickup {
			out = append(out, st.Name)
		}
	}
	return out
}

// pickupMatch reads the pickup field: the one pickup location that holds
// what was typed, or else the text as typed (a location not set up).
func pickupMatch(text string, locations []string) string {
	if m := pickupIndexes(text, locations); len(m) == 1 {
		return locations[m[0]]
	}
	return strings.TrimSpace(text)
}

// pickupIndexes are the indexes of the pickup locations that hold text.
func pickupIndexes(text string, locations []string) []int {
	return matching(text, len(locations), func(i int) (string, string) { return locations[i], locations[i] })
}

// pickupHint says which pickup locations the pickup field's text matches,
// as it is typed.
func pickupHint(text string, locations []string) string {
	blank := "Type the pickup location."
	if len(locations) > 0 {
		blank = "Type a pickup location: " + strings.Join(locations, ", ") + "."
	}
	return matchHint(text, pickupIndexes(text, locations), hintWords{
		blank: blank,
		none:  "No pickup location set up matches: it is kept as typed.",
		one:   func(i int) string { return "Pickup: " + locations[i] },
		short: func(i int) string { return locations[i] },
	})
}

// partnerChoice is how a partner appears in the partner field.
func partnerChoice(p domain.Partner) string { return p.Code + " — " + p.Name }

// ShowNewBorrowing opens the form for a new borrowing request (Ctrl+N, ⌘N on macOS).
func (f *BorrowingForm) ShowNewBorrowing() {
	partners, err := f.desk.Partners()
	if err != nil {
		f.fail(err)
		return
	}
	title := f.dialogs.entry(false)
	title.SetPlaceHolder("Book or journal title")
	author := f.dialogs.entry(false)
	isbn := f.dialogs.entry(false)
	requester := f.dialogs.entry(false)
	email := f.dialogs.entry(false)
	patronID := f.dialogs.entry(false)
	patronSays := widget.NewLabel("")
	patronSays.Wrapping = fyne.TextWrapWord
	lookUp := func() {
		if strings.TrimSpace(patronID.Text) == "" || !f.desk.ILSOn() {
			return
		}
		patronSays.SetText("Asking the ILS…")
		f.LookUpPatron(patronID.Text, func(u domain.ILSUser, err error) {
			patronSays.SetText(patronFound(u, err, requester, email))
		})
	}
	patronID.OnSubmitted = func(string) { lookUp() }
	lookUpButton := f.dialogs.button("Look up", nil, lookUp)
	if !f.desk.ILSOn() {
		lookUpButton.Hide()
	}
	locations := f.pickupLocations()
	pickup := f.dialogs.entry(false)
	pickup.SetPlaceHolder("Pickup location")
	pickupHintLine := matchLine(pickup, func(s string) string { return pickupHint(s, locations) })
	partner := f.dialogs.entry(false)
	partner.SetPlaceHolder("Partner code or name")
	partnerHintLine := matchLine(partner, func(s string) string { return partnerHint(s, partners) })
	addPartner := f.dialogs.button("Add partner…", nil, func() {
		f.ShowAddPartner(func(p domain.Partner) {
			partners = append(partners, p)
			partner.SetText(partnerChoice(p))
		})
	})
	more := f.dialogs.entry(false)
	more.SetPlaceHolder("Codes of the lenders to ask next, in order, e.g. BVB, NYPL")
	service := f.dialogs.selector([]string{serviceAuto, serviceCopy, serviceLoan}, nil)
	service.SetSelected(serviceAuto)
	partnerNote := f.dialogs.entry(false)
	lenderRef := f.dialogs.entry(false)
	lenderRef.SetPlaceHolder("The lender's request number, if it gave one")
	needBy := f.dialogs.entry(false)
	needBy.SetPlaceHolder("YYYY-MM-DD: the date the patron needs it by")
	errLabel := errorLabel()
	form := widget.NewForm(
		widget.NewFormItem("Title *", title),
		widget.NewFormItem("Author", author),
		widget.NewFormItem("ISBN", isbn),
		widget.NewFormItem("Patron id", container.NewBorder(nil, nil, nil, lookUpButton, patronID)),
		widget.NewFormItem("", patronSays),
		widget.NewFormItem("Requester *", requester),
		widget.NewFormItem("Email", email),
		widget.NewFormItem("Pickup *", pickup),
		widget.NewFormItem("", pickupHintLine),
		widget.NewFormItem("Partner *", container.NewBorder(nil, nil, nil, addPartner, partner)),
		widget.NewFormItem("", partnerHintLine),
		widget.NewFormItem("Then ask", more),
		widget.NewFormItem("Service", service),
		widget.NewFormItem("Note to lender", partnerNote),
		widget.NewFormItem("Lender's no.", lenderRef),
		widget.NewFormItem("Need by", needBy),
	)
	var d dialog.Dialog
	submit := func() {
		in := domain.BorrowingInput{Citation: domain.Citation{Title: title.Text, Author: author.Text, ISBN: isbn.Text},
			Requester: requester.Text, RequesterEmail: email.Text, Pickup: pickupMatch(pickup.Text, locations), Partner: partnerMatch(partner.Text, partners)}
		in.PartnerNote, in.PatronID = partnerNote.Text, strings.TrimSpace(patronID.Text)
		in.ExternalID = lenderRef.Text
		var err error
		if in.NeedBefore, err = needBefore(needBy.Text); err != nil {
			errLabel.SetText(f.dialogs.refusal(err))
			return
		}
		rotaInput(&in, more.Text, service.Selected, partners)
		if msg := missingBorrowingFields(in); msg != "" {
			errLabel.SetText(msg)
			return
		}
		f.dialogs.confirm("Create borrowing request?",
			fmt.Sprintf("“%s” for %s, pickup at %s, from %s.", in.Title, in.Requester, in.Pickup, lendersText(in)),
			"Create", func() {
				if _, err := f.CreateBorrowing(in); err != nil {
					errLabel.SetText(f.dialogs.refusal(err))
					return
				}
				d.Hide()
			})
	}
	save := f.dialogs.button("Save…  (Return)", nil, submit)
	save.Importance = widget.HighImportance
	body, _ := scrolledForm(form, []*keyEntry{title, author, isbn, patronID, requester, email, pickup, partner, more, partnerNote, lenderRef, needBy},
		errLabel)
	d = f.dialogs.open("New borrowing request", body, "Cancel", save, fyne.NewSize(620, 720), title)
}

// missingBorrowingFields names the required fields left blank, as a sentence.
func missingBorrowingFields(in domain.BorrowingInput) string {
	var missing []string
	for name, v := range map[string]string{"title": in.Title, "requester": in.Requester, "pickup location": in.Pickup, "partner": in.Partner} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	slices.Sort(missing)
	return "Fill in the " + strings.Join(missing, ", ") + "."
}

// partnerCode reads the partner field: a choice "CODE — Name", or a code typed.
func partnerCode(text string, partners []domain.Partner) string {
	text = strings.TrimSpace(text)
	for _, p := range partners {
		if text == partnerChoice(p) || strings.EqualFold(text, p.Code) {
			return p.Code
		}
	}
	code, _, _ := strings.Cut(text, " — ")
	return strings.TrimSpace(code)
}

// CreateBorrowing records a new borrowing request and selects it at the top
// of the borrowing list.
func (f *BorrowingForm) CreateBorrowing(in domain.BorrowingInput) (domain.Request, error) {
	r, err := f.desk.NewBorrowing(in, f.actor())
	if err != nil {
		return domain.Request{}, err
	}
	f.created()
	f.acted(r, fmt.Sprintf("Borrowing request for “%s” created for %s — scan the item's barcode to receive it.", r.Title, r.Requester))
	return r, nil
}

// ShowAddPartner asks for a new partner; added is called with it once saved.
func (f *BorrowingForm) ShowAddPartner(added func(domain.Partner)) {
	code := f.dialogs.entry(false)
	code.SetPlaceHolder("Short code, e.g. NYPL")
	name := f.dialogs.entry(false)
	hours := f.dialogs.entry(false)
	hours.SetText(strconv.Itoa(domain.DefaultTurnaroundHours))
	email := f.dialogs.entry(false)
	form := widget.NewForm(
		widget.NewFormItem("Code", code),
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Turnaround (business hours)", hours),
		widget.NewFormItem("Email", email))
	var d dialog.Dialog
	add := f.dialogs.button("Add", nil, func() {
		d.Hide()
		h, err := strconv.Atoi(strings.TrimSpace(hours.Text))
		if err != nil || h <= 0 {
			f.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The turnaround must be a whole number of business hours, e.g. 24."})
			return
		}
		p, err := f.AddPartner(domain.Partner{Code: code.Text, Name: name.Text, TurnaroundHours: h, Email: email.Text})
		if err == nil && added != nil {
			added(p)
		}
	})
	add.Importance = widget.HighImportance
	d = f.dialogs.open("Add partner", form, "Cancel", add, fyne.NewSize(480, 300), code)
}

// AddPartner registers a partner.
func (f *BorrowingForm) AddPartner(p domain.Partner) (domain.Partner, error) {
	p, err := f.desk.AddPartner(p, f.actor())
	if err != nil {
		f.fail(err)
		return domain.Partner{}, err
	}
	f.info(fmt.Sprintf("Partner %s (%s) added.", p.Code, p.Name))
	return p, nil
}
