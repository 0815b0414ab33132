package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// splitNames reads a comma-separated list typed by staff.
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// SaveDepartment stores the department settings and holidays typed in the
// settings window (lists comma-separated). It is a Fulfillment Services
// Operator's task; a refusal changes nothing.
func (m *MainWindow) SaveDepartment(s domain.Settings, holidays string) error {
	if err := m.desk.SaveSettings(s, m.actor()); err != nil {
		return err
	}
	if err := m.desk.SetHolidays(splitNames(holidays), m.actor()); err != nil {
		return err
	}
	m.scan.loadStations()
	m.Refresh()
	m.showInfo("Settings saved.")
	return nil
}

// SavePartner changes a partner from the settings window.
func (m *MainWindow) SavePartner(code string, edit func(*domain.Partner)) error {
	p, err := m.desk.EditPartner(code, edit, m.actor())
	if err != nil {
		return err
	}
	m.showInfo(fmt.Sprintf("Partner %s (%s) saved.", p.Code, p.Name))
	return nil
}

// SaveMail stores the SMTP settings; the password goes to the system
// keyring, and a blank one keeps what the keyring has.
func (m *MainWindow) SaveMail(ms domain.MailSettings) error {
	if err := m.desk.SaveMailSettings(ms, m.actor()); err != nil {
		return err
	}
	m.showInfo("Mail settings saved.")
	return nil
}

// ShowSettings opens the settings window: the department, partners and mail.
func (m *MainWindow) ShowSettings() {
	errLabel := errorLabel()
	report := func(err error) {
		if err != nil {
			errLabel.SetText(refusalText(err))
			return
		}
		errLabel.SetText("")
	}
	tabs := container.NewAppTabs(
		container.NewTabItem("Department", m.departmentForm(report)),
		container.NewTabItem("Partners", m.partnersForm(report)),
		container.NewTabItem("Mail", m.mailForm(report)),
	)
	d := dialog.NewCustom("Settings", "Close", container.NewBorder(nil, errLabel, nil, nil, tabs), m.win)
	m.dialogs.show(d, fyne.NewSize(860, 600), nil)
}

func (m *MainWindow) departmentForm(report func(error)) fyne.CanvasObject {
	s, err := m.desk.Settings()
	report(err)
	entry := func(v, hint string) *keyEntry {
		e := m.dialogs.entry(false)
		e.SetText(v)
		e.SetPlaceHolder(hint)
		return e
	}
	catalogue := entry(s.CatalogueURL, "https://search.example.edu/discovery/search?query=any,contains,{query}")
	digit := entry(strings.Join(s.DigitizationDepartments, ", "), "Scan Lab, Annex Scanning")
	pickups := entry(strings.Join(s.PickupLocations, ", "), "Main Library, Science Library")
	folder := entry(s.ScanFolder, "folder where the book scanner saves PDFs")
	pattern := entry(s.BarcodePattern, `e.g. ^39\d{8,12}$ (empty: any 1–64 printable characters)`)
	listen := entry(s.Listen, "127.0.0.1:8626 to receive ISO 18626 messages")
	holidays := entry(strings.Join(m.desk.Calendar().Holidays(), ", "), "2026-12-25, 2026-12-26")
	save := widget.NewButton("Save", func() {
		report(m.SaveDepartment(domain.Settings{CatalogueURL: catalogue.Text, DigitizationDepartments: splitNames(digit.Text),
			PickupLocations: splitNames(pickups.Text), ScanFolder: folder.Text, BarcodePattern: pattern.Text, Listen: listen.Text}, holidays.Text))
	})
	save.Importance = widget.HighImportance
	return container.NewVBox(widget.NewForm(
		widget.NewFormItem("Catalogue search", catalogue),
		widget.NewFormItem("Digitization", digit),
		widget.NewFormItem("Pickup locations", pickups),
		widget.NewFormItem("Scan folder", folder),
		widget.NewFormItem("Barcode pattern", pattern),
		widget.NewFormItem("Receive on", listen),
		widget.NewFormItem("Holidays", holidays),
	), save)
}

func (m *MainWindow) partnersForm(report func(error)) fyne.CanvasObject {
	partners, err := m.desk.Partners()
	report(err)
	name, hours, loan, maxMB := m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false)
	email, agency, endpoint, delivery := m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false)
	delivery.SetPlaceHolder("email:ADDRESS, folder:PATH or iso")
	agency.SetPlaceHolder("TYPE:VALUE, e.g. OCLC:ZCU")
	code := ""
	list := widget.NewList(func() int { return len(partners) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := partners[i]
			text := p.Code + " — " + p.Name
			if p.NeedsReview {
				text += "  (review)"
			}
			o.(*widget.Label).SetText(text)
		})
	list.OnSelected = func(i widget.ListItemID) {
		p := partners[i]
		code = p.Code
		name.SetText(p.Name)
		hours.SetText(strconv.Itoa(p.TurnaroundHours))
		loan.SetText(strconv.Itoa(p.LoanPeriodDays))
		maxMB.SetText(strconv.FormatFloat(float64(p.MaxFileBytes)/1e6, 'f', -1, 64))
		email.SetText(p.Email)
		agency.SetText(p.AgencyID)
		endpoint.SetText(p.ISOEndpoint)
		delivery.SetText(p.Delivery)
	}
	save := widget.NewButton("Save partner", func() {
		if code == "" {
			report(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Choose the partner to change in the list."})
			return
		}
		h, err1 := strconv.Atoi(strings.TrimSpace(hours.Text))
		l, err2 := strconv.Atoi(strings.TrimSpace(loan.Text))
		mb, err3 := strconv.ParseFloat(strings.TrimSpace(maxMB.Text), 64)
		if err1 != nil || err2 != nil || err3 != nil {
			report(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Turnaround, loan period and size limit must be numbers."})
			return
		}
		report(m.SavePartner(code, func(p *domain.Partner) {
			p.Name, p.TurnaroundHours, p.LoanPeriodDays, p.MaxFileBytes = name.Text, h, l, int64(mb*1e6)
			p.Email, p.AgencyID, p.ISOEndpoint, p.Delivery = email.Text, agency.Text, endpoint.Text, delivery.Text
			p.NeedsReview = false
		}))
		if partners, err = m.desk.Partners(); err == nil {
			list.Refresh()
		}
	})
	save.Importance = widget.HighImportance
	add := widget.NewButton("Add partner…", func() {
		m.borrowing.ShowAddPartner(func(domain.Partner) {
			if partners, err = m.desk.Partners(); err == nil {
				list.Refresh()
			}
		})
	})
	form := widget.NewForm(
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Turnaround (h)", hours),
		widget.NewFormItem("Loan period (days)", loan),
		widget.NewFormItem("Size limit (MB)", maxMB),
		widget.NewFormItem("Email", email),
		widget.NewFormItem("Agency id", agency),
		widget.NewFormItem("ISO 18626 endpoint", endpoint),
		widget.NewFormItem("Delivery", delivery))
	split := container.NewHSplit(container.NewBorder(nil, add, nil, nil, list), container.NewVBox(form, save))
	split.SetOffset(0.3)
	return split
}

func (m *MainWindow) mailForm(report func(error)) fyne.CanvasObject {
	ms, err := m.desk.MailSettings()
	report(err)
	host, port, user, from := m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false), m.dialogs.entry(false)
	host.SetText(ms.Host)
	if ms.Port > 0 {
		port.SetText(strconv.Itoa(ms.Port))
	}
	user.SetText(ms.User)
	from.SetText(ms.From)
	from.SetPlaceHolder("Interlibrary Loan <ill@example.edu>")
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder("leave blank to keep the stored password")
	tls := widget.NewSelect([]string{domain.TLSStartTLS, domain.TLSImplicit, domain.TLSNone}, nil)
	tls.SetSelected(firstNonEmpty(ms.TLS, domain.TLSStartTLS))
	save := widget.NewButton("Save", func() {
		p := 0
		if strings.TrimSpace(port.Text) != "" {
			var err error
			if p, err = strconv.Atoi(strings.TrimSpace(port.Text)); err != nil {
				report(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The port must be a number, e.g. 587."})
				return
			}
		}
		report(m.SaveMail(domain.MailSettings{Host: host.Text, Port: p, TLS: tls.Selected, User: user.Text, Password: password.Text, From: from.Text}))
		password.SetText("")
	})
	save.Importance = widget.HighImportance
	note := wrapped("Without a server, patron notices and emailed files are written as .eml files into the outbox folder beside the database.")
	return container.NewVBox(widget.NewForm(
		widget.NewFormItem("SMTP server", host),
		widget.NewFormItem("Port", port),
		widget.NewFormItem("Security", tls),
		widget.NewFormItem("User", user),
		widget.NewFormItem("Password", password),
		widget.NewFormItem("From", from)), save, note)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
