package ui

import (
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

// pickupLocations are the configured pickup locations and those already used.
func (m *MainWindow) pickupLocations() []string {
	var out []string
	for _, st := range m.scan.Stations() {
		if st.Kind == domain.StationPickup {
			out = append(out, st.Name)
		}
	}
	return out
}

// partnerChoice is how a partner appears in the partner field.
func partnerChoice(p domain.Partner) string { return p.Code + " — " + p.Name }

// ShowNewBorrowing opens the form for a new borrowing request (Ctrl+N, ⌘N on macOS).
func (m *MainWindow) ShowNewBorrowing() {
	partners, err := m.desk.Partners()
	if err != nil {
		m.showError(err)
		return
	}
	title := m.dialogs.entry(false)
	author := m.dialogs.entry(false)
	isbn := m.dialogs.entry(false)
	requester := m.dialogs.entry(false)
	email := m.dialogs.entry(false)
	pickup := widget.NewSelectEntry(m.pickupLocations())
	pickup.SetPlaceHolder("Choose or type a pickup location")
	partner := widget.NewSelectEntry(nil)
	partner.SetPlaceHolder("Type to search partners")
	choices := func(q string) []string {
		var out []string
		for _, p := range partners {
			c := partnerChoice(p)
			if q == "" || strings.Contains(strings.ToLower(c), strings.ToLower(q)) {
				out = append(out, c)
			}
		}
		return out
	}
	partner.SetOptions(choices(""))
	partner.OnChanged = func(q string) { partner.SetOptions(choices(q)) }
	addPartner := widget.NewButton("Add partner…", func() {
		m.ShowAddPartner(func(p domain.Partner) {
			partners = append(partners, p)
			partner.SetText(partnerChoice(p))
		})
	})
	errLabel := errorLabel()
	form := widget.NewForm(
		widget.NewFormItem("Title *", title),
		widget.NewFormItem("Author", author),
		widget.NewFormItem("ISBN", isbn),
		widget.NewFormItem("Requester *", requester),
		widget.NewFormItem("Email", email),
		widget.NewFormItem("Pickup *", pickup),
		widget.NewFormItem("Partner *", container.NewBorder(nil, nil, nil, addPartner, partner)),
	)
	var d dialog.Dialog
	submit := func() {
		in := domain.BorrowingInput{Citation: domain.Citation{Title: title.Text, Author: author.Text, ISBN: isbn.Text},
			Requester: requester.Text, RequesterEmail: email.Text, Pickup: pickup.Text, Partner: partnerCode(partner.Text, partners)}
		if msg := missingBorrowingFields(in); msg != "" {
			errLabel.SetText(msg)
			return
		}
		m.dialogs.confirm("Create borrowing request?",
			fmt.Sprintf("“%s” for %s, pickup at %s, from %s.", in.Title, in.Requester, in.Pickup, in.Partner),
			"Create", func() {
				if _, err := m.CreateBorrowing(in); err != nil {
					errLabel.SetText(refusalText(err))
					return
				}
				d.Hide()
			})
	}
	for _, e := range []*keyEntry{title, author, isbn, requester, email} {
		e.OnSubmitted = func(string) { submit() }
	}
	pickup.OnSubmitted = func(string) { submit() }
	partner.OnSubmitted = func(string) { submit() }
	save := widget.NewButton("Save…  (Return)", submit)
	save.Importance = widget.HighImportance
	d = dialog.NewCustom("New borrowing request", "Cancel", container.NewVBox(form, errLabel, save), m.win)
	m.dialogs.show(d, fyne.NewSize(620, 520), title)
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
func (m *MainWindow) CreateBorrowing(in domain.BorrowingInput) (domain.Request, error) {
	r, err := m.desk.NewBorrowing(in, m.actor())
	if err != nil {
		return domain.Request{}, err
	}
	m.list.useFilter(domain.Filter{Side: domain.Borrowing, State: domain.Created})
	m.scan.loadStations()
	m.afterAction(r, fmt.Sprintf("Borrowing request for “%s” created for %s — scan the item's barcode to receive it.", r.Title, r.Requester))
	return r, nil
}

// ShowAddPartner asks for a new partner; added is called with it once saved.
func (m *MainWindow) ShowAddPartner(added func(domain.Partner)) {
	code := m.dialogs.entry(false)
	name := m.dialogs.entry(false)
	hours := m.dialogs.entry(false)
	hours.SetText(strconv.Itoa(domain.DefaultTurnaroundHours))
	email := m.dialogs.entry(false)
	prev := m.dialogs.current
	d := dialog.NewForm("Add partner", "Add", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Code", code),
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Turnaround (business hours)", hours),
		widget.NewFormItem("Email", email),
	}, func(ok bool) {
		if !ok {
			return
		}
		h, err := strconv.Atoi(strings.TrimSpace(hours.Text))
		if err != nil || h <= 0 {
			m.showError(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The turnaround must be a whole number of business hours, e.g. 24."})
			return
		}
		p, err := m.AddPartner(domain.Partner{Code: code.Text, Name: name.Text, TurnaroundHours: h, Email: email.Text})
		if err == nil && added != nil {
			added(p)
		}
	}, m.win)
	d.Resize(fyne.NewSize(480, 300))
	d.SetOnClosed(func() { m.dialogs.current = prev })
	m.dialogs.current = d
	d.Show()
	m.win.Canvas().Focus(code)
}

// AddPartner registers a partner.
func (m *MainWindow) AddPartner(p domain.Partner) (domain.Partner, error) {
	p, err := m.desk.AddPartner(p, m.actor())
	if err != nil {
		m.showError(err)
		return domain.Partner{}, err
	}
	m.showInfo(fmt.Sprintf("Partner %s (%s) added.", p.Code, p.Name))
	return p, nil
}
