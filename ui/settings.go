package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// SettingsDialog is the settings window the top bar's cog opens: the
// department, the partners, mail and the catalogue.
type SettingsDialog struct {
	link
	desk settingsDesk
	// saved reads the settings, the desks and the list again after the
	// department's settings change; partnerSaved checks again what needs
	// attention after a partner changes (one reviewed needs it no more);
	// addPartner opens the new partner form.
	saved, partnerSaved func()
	addPartner          func(added func(domain.Partner))
}

// settingsDesk is what the settings window asks of the desk.
type settingsDesk interface {
	printingDesk
	Settings() (domain.Settings, error)
	SaveSettings(s domain.Settings, by ...domain.Actor) error
	Calendar() domain.Calendar
	SetHolidays(dates []string, by ...domain.Actor) error
	Partners() ([]domain.Partner, error)
	EditPartner(code string, edit func(*domain.Partner), by ...domain.Actor) (domain.Partner, error)
	MailSettings() (domain.MailSettings, error)
	SaveMailSettings(ms domain.MailSettings, by ...domain.Actor) error
	CatalogueSettings() (domain.CatalogueSettings, error)
	SetCatalogueSetting(key, value string, by ...domain.Actor) error
	TestCatalogue(ctx context.Context, system string) (string, error)
	NCIPSettings() (domain.NCIPSettings, error)
	SetNCIPSetting(key, value string, by ...domain.Actor) error
	TestILS(ctx context.Context) (string, error)
}

// SaveDepartment stores the department settings and holidays (dates
// YYYY-MM-DD) typed in the settings window. It is a Fulfillment Services
// Operator's task; a refusal changes nothing.
func (sd *SettingsDialog) SaveDepartment(s domain.Settings, holidays []string) error {
	if err := sd.desk.SaveSettings(s, sd.actor()); err != nil {
		return err
	}
	if err := sd.desk.SetHolidays(holidays, sd.actor()); err != nil {
		return err
	}
	sd.saved()
	sd.info("Settings saved.")
	return nil
}

// SavePartner changes a partner from the settings window.
func (sd *SettingsDialog) SavePartner(code string, edit func(*domain.Partner)) error {
	p, err := sd.desk.EditPartner(code, edit, sd.actor())
	if err != nil {
		return err
	}
	sd.partnerSaved()
	sd.info(fmt.Sprintf("Partner %s (%s) saved.", p.Code, p.Name))
	return nil
}

// SaveMail stores the SMTP settings; the password goes to the system
// keyring, and a blank one keeps what the keyring has.
func (sd *SettingsDialog) SaveMail(ms domain.MailSettings) error {
	if err := sd.desk.SaveMailSettings(ms, sd.actor()); err != nil {
		return err
	}
	sd.info("Mail settings saved.")
	return nil
}

// SaveCatalogue stores the catalogue's SRU address and profile and the link
// resolver's OpenURL base; the first refusal stops there and is returned.
func (sd *SettingsDialog) SaveCatalogue(sruURL, profile, openURLBase string) error {
	cur, err := sd.desk.CatalogueSettings()
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{{domain.KeySRUURL, sruURL}, {domain.KeySRUProfile, profile}, {domain.KeyOpenURLBase, openURLBase}} {
		if strings.TrimSpace(kv[1]) == cur.Get(kv[0]) {
			continue
		}
		if err := sd.desk.SetCatalogueSetting(kv[0], kv[1], sd.actor()); err != nil {
			return err
		}
	}
	sd.info("Catalogue settings saved.")
	return nil
}

// TestCatalogue tests the connection to the catalogue ("sru") or the link
// resolver ("openurl") off Fyne's goroutine, and says how it went on the
// status line and to done.
func (sd *SettingsDialog) TestCatalogue(system string, done func(error)) {
	sd.info("Testing the connection…")
	sd.run(func() {
		said, err := sd.desk.TestCatalogue(context.Background(), system)
		sd.do(func() {
			if err != nil {
				sd.fail(err)
			} else {
				sd.info(said)
			}
			if done != nil {
				done(err)
			}
		})
	})
}

// SaveILS stores how the ILS is reached over NCIP: its address, our
// agency id, the ILS's, and the application profile; the first refusal
// stops there and is returned.
func (sd *SettingsDialog) SaveILS(ncipURL, fromAgency, toAgency, profile string) error {
	cur, err := sd.desk.NCIPSettings()
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{{domain.KeyNCIPURL, ncipURL}, {domain.KeyNCIPFromAgency, fromAgency},
		{domain.KeyNCIPToAgency, toAgency}, {domain.KeyNCIPProfile, profile}} {
		if strings.TrimSpace(kv[1]) == cur.Get(kv[0]) {
			continue
		}
		if err := sd.desk.SetNCIPSetting(kv[0], kv[1], sd.actor()); err != nil {
			return err
		}
	}
	sd.info("ILS settings saved.")
	return nil
}

// TestILS tests the connection to the ILS off Fyne's goroutine, and says
// how it went on the status line and to done.
func (sd *SettingsDialog) TestILS(done func(error)) {
	sd.info("Testing the connection…")
	sd.run(func() {
		said, err := sd.desk.TestILS(context.Background())
		sd.do(func() {
			if err != nil {
				sd.fail(err)
			} else {
				sd.info(said)
			}
			if done != nil {
				done(err)
			}
		})
	})
}

// ShowSettings opens the settings window: the department, partners and mail.
func (sd *SettingsDialog) ShowSettings() { sd.showSettings("") }

// ShowPartner opens the settings window on the Partners tab with the
// partner whose code is given chosen, for staff to review it (from Needs
// attention).
func (sd *SettingsDialog) ShowPartner(code string) { sd.showSettings(code) }

// showSettings opens the settings window, on the Partners tab with a
// partner chosen when partner is not blank.
func (sd *SettingsDialog) showSettings(partner string) {
	// the refusal line takes room only while it says something, which a
	// small screen needs for the forms
	errLabel := errorLabel()
	errLabel.Hide()
	report := func(err error) {
		if err != nil {
			errLabel.SetText(sd.dialogs.refusal(err))
			errLabel.Show()
			return
		}
		errLabel.SetText("")
		errLabel.Hide()
	}
	partners := container.NewTabItem("Partners", sd.partnersForm(report, partner))
	tabs := container.NewAppTabs(
		container.NewTabItem("Department", sd.departmentForm(report)),
		partners,
		container.NewTabItem("Mail", sd.mailForm(report)),
		container.NewTabItem("Printing", sd.printingForm(report)),
		container.NewTabItem("Catalogue", sd.catalogueForm(report)),
		container.NewTabItem("ILS (NCIP)", sd.ilsForm(report)),
	)
	if partner != "" {
		tabs.Select(partners)
	}
	sd.dialogs.openTool("Settings", container.NewBorder(nil, errLabel, nil, nil, tabs), fyne.NewSize(960, 760), nil)
}

func (sd *SettingsDialog) departmentForm(report func(error)) fyne.CanvasObject {
	s, err := sd.desk.Settings()
	report(err)
	entry := func(v, hint string) *keyEntry {
		e := sd.dialogs.entry(false)
		e.SetText(v)
		e.SetPlaceHolder(hint)
		return e
	}
	catalogue := entry(s.CatalogueURL, "https://search.example.edu/discovery/search?query=any,contains,{query}")
	digit := newListField(sd.dialogs, s.DigitizationDepartments, "a department, e.g. Scan Lab", "Add department")
	pickups := newListField(sd.dialogs, s.PickupLocations, "a pickup desk, e.g. Main Library", "Add pickup location")
	folder := entry(s.ScanFolder, "folder where the book scanner saves PDFs")
	barcode := newBarcodeField(sd.dialogs, s.BarcodePattern)
	listen := entry(s.Listen, "127.0.0.1:8626 to receive ISO 18626 messages")
	holidays := newListField(sd.dialogs, sd.desk.Calendar().Holidays(), "a date, YYYY-MM-DD", "Add holiday")
	save := sd.dialogs.button("Save", nil, func() {
		pattern, err := barcode.Pattern()
		if err != nil {
			report(err)
			return
		}
		report(sd.SaveDepartment(domain.Settings{CatalogueURL: catalogue.Text, DigitizationDepartments: digit.Values(),
			PickupLocations: pickups.Values(), ScanFolder: folder.Text, BarcodePattern: pattern, Listen: listen.Text}, holidays.Values()))
	})
	save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Catalogue search", catalogue),
		widget.NewFormItem("Digitization", digit.box),
		widget.NewFormItem("Pickup locations", pickups.box),
		widget.NewFormItem("Scan folder", folder),
		widget.NewFormItem("Item barcodes", barcode.box),
		widget.NewFormItem("Receive on", listen),
		widget.NewFormItem("Holidays", holidays.box),
	)
	// the form scrolls on a small screen, clear of the scroll bar; Save
	// stays in sight
	scroll := container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, 2*theme.Padding()), form))
	return container.NewBorder(nil, container.NewHBox(save), nil, nil, scroll)
}

// partnersForm is the Partners tab: the list, and the chosen partner's
// settings; chosen is the code of the partner to choose at once, if any.
func (sd *SettingsDialog) partnersForm(report func(error), chosen string) fyne.CanvasObject {
	partners, err := sd.desk.Partners()
	report(err)
	name, hours, loan, maxMB := sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false)
	email, endpoint := sd.dialogs.entry(false), sd.dialogs.entry(false)
	agency, delivery := newAgencyField(sd.dialogs), newDeliveryField(sd.dialogs)
	ilsPatron := sd.dialogs.entry(false)
	ilsPatron.SetPlaceHolder("the partner's ILL patron record in our ILS")
	// what the partner proves is set with illdesk partner edit (a token is read from standard input)
	inbound := widget.NewLabel("")
	// review says why a partner added from a message needs staff's eyes
	review := widget.NewLabel("Added from a message of a library we did not know: check these settings, then Save partner to mark it reviewed.")
	review.Wrapping = fyne.TextWrapWord
	review.Importance = widget.WarningImportance
	review.Hide()
	code := ""
	list := widget.NewList(func() int { return len(partners) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := partners[i]
			text := p.Code + " — " + p.Name
			if p.NeedsReview {
				text += "  (to review)"
			}
			if p.NotAuthenticated() {
				text += "  (not authenticated)"
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
		agency.Set(p.AgencyID)
		endpoint.SetText(p.ISOEndpoint)
		delivery.Set(p.Delivery)
		ilsPatron.SetText(p.ILSPatronID)
		inbound.SetText(firstNonEmpty(p.Authentication(), "no ISO 18626 messages"))
		review.Hidden = !p.NeedsReview
		review.Refresh()
	}
	save := sd.dialogs.button("Save partner", nil, func() {
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
		agencyID, err := agency.Value()
		if err != nil {
			report(err)
			return
		}
		report(sd.SavePartner(code, func(p *domain.Partner) {
			p.Name, p.TurnaroundHours, p.LoanPeriodDays, p.MaxFileBytes = name.Text, h, l, int64(mb*1e6)
			p.Email, p.AgencyID, p.ISOEndpoint, p.Delivery = email.Text, agencyID, endpoint.Text, delivery.Value()
			p.ILSPatronID = ilsPatron.Text
			p.NeedsReview = false
		}))
		if partners, err = sd.desk.Partners(); err == nil {
			list.Refresh()
			if p, ok := findPartner(partners, code); ok {
				review.Hidden = !p.NeedsReview
				review.Refresh()
			}
		}
	})
	save.Importance = widget.HighImportance
	add := sd.dialogs.button("Add partner…", nil, func() {
		sd.addPartner(func(domain.Partner) {
			if partners, err = sd.desk.Partners(); err == nil {
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
		widget.NewFormItem("Agency id", agency.box),
		widget.NewFormItem("ISO 18626 endpoint", endpoint),
		widget.NewFormItem("Files sent by", delivery.box),
		widget.NewFormItem("ILS patron id", ilsPatron),
		widget.NewFormItem("Inbound", inbound))
	// the form scrolls on a small screen; Save partner stays in sight
	edit := container.NewBorder(review, save, nil, nil, container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, 2*theme.Padding()), form)))
	split := container.NewHSplit(container.NewBorder(nil, add, nil, nil, list), edit)
	split.SetOffset(0.3)
	for i, p := range partners {
		if p.Code == chosen {
			list.Select(i)
		}
	}
	return split
}

// findPartner is the partner with the code among partners.
func findPartner(partners []domain.Partner, code string) (domain.Partner, bool) {
	for _, p := range partners {
		if p.Code == code {
			return p, true
		}
	}
	return domain.Partner{}, false
}

func (sd *SettingsDialog) mailForm(report func(error)) fyne.CanvasObject {
	ms, err := sd.desk.MailSettings()
	report(err)
	host, port, user, from := sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false)
	host.SetText(ms.Host)
	if ms.Port > 0 {
		port.SetText(strconv.Itoa(ms.Port))
	}
	user.SetText(ms.User)
	from.SetText(ms.From)
	from.SetPlaceHolder("Interlibrary Loan <ill@example.edu>")
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder("leave blank to keep the stored password")
	tls := sd.dialogs.selector([]string{domain.TLSStartTLS, domain.TLSImplicit, domain.TLSNone}, nil)
	tls.SetSelected(firstNonEmpty(ms.TLS, domain.TLSStartTLS))
	save := sd.dialogs.button("Save", nil, func() {
		p := 0
		if strings.TrimSpace(port.Text) != "" {
			var err error
			if p, err = strconv.Atoi(strings.TrimSpace(port.Text)); err != nil {
				report(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The port must be a number, e.g. 587."})
				return
			}
		}
		report(sd.SaveMail(domain.MailSettings{Host: host.Text, Port: p, TLS: tls.Selected, User: user.Text, Password: password.Text, From: from.Text}))
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

func (sd *SettingsDialog) catalogueForm(report func(error)) fyne.CanvasObject {
	cs, err := sd.desk.CatalogueSettings()
	report(err)
	sruURL, base := sd.dialogs.entry(false), sd.dialogs.entry(false)
	sruURL.SetText(cs.SRUURL)
	sruURL.SetPlaceHolder("https://catalogue.example.edu/sru (SRU base address)")
	base.SetText(cs.OpenURLBase)
	base.SetPlaceHolder("https://resolver.example.edu/openurl (OpenURL base)")
	profile := sd.dialogs.selector([]string{domain.ProfileMARC852, domain.ProfileKoha, domain.ProfileAlma}, nil)
	profile.SetSelected(firstNonEmpty(cs.Profile, domain.ProfileMARC852))
	save := sd.dialogs.button("Save", nil, func() {
		report(sd.SaveCatalogue(sruURL.Text, profile.Selected, base.Text))
	})
	save.Importance = widget.HighImportance
	testSRU := sd.dialogs.button("Test connection: catalogue", nil, func() { sd.TestCatalogue("sru", report) })
	testOpenURL := sd.dialogs.button("Test connection: link resolver", nil, func() { sd.TestCatalogue("openurl", report) })
	note := wrapped("New lending requests are looked up in the catalogue over SRU; the link resolver's link comes first " +
		"in Download Electronic Resource. Save before testing. Indexes, fields and the SRU version: illdesk config set sru-indexes | sru-fields | sru-version.")
	return container.NewVBox(widget.NewForm(
		widget.NewFormItem("SRU address", sruURL),
		widget.NewFormItem("Profile", profile),
		widget.NewFormItem("OpenURL base", base)),
		container.NewHBox(save, testSRU, testOpenURL), note)
}

func (sd *SettingsDialog) ilsForm(report func(error)) fyne.CanvasObject {
	ns, err := sd.desk.NCIPSettings()
	report(err)
	addr, from, to, profile := sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false), sd.dialogs.entry(false)
	addr.SetText(ns.URL)
	addr.SetPlaceHolder("https://ils.example.edu/ncip (NCIP responder)")
	from.SetText(ns.FromAgency)
	from.SetPlaceHolder("our agency id, e.g. ILLDESK")
	to.SetText(ns.ToAgency)
	to.SetPlaceHolder("the ILS's agency id")
	profile.SetText(ns.Profile)
	profile.SetPlaceHolder("application profile (optional)")
	tab := sd.newILSStepsTab(ns)
	save := sd.dialogs.button("Save", nil, func() {
		err := sd.SaveILS(addr.Text, from.Text, to.Text, profile.Text)
		if err == nil {
			err = sd.SaveILSSteps(tab.Steps())
		}
		report(err)
	})
	save.Importance = widget.HighImportance
	test := sd.dialogs.button("Test connection", nil, func() { sd.TestILS(report) })
	// two short lines, not a wrapped paragraph, whose height would be guessed
	note := container.NewVBox(
		widget.NewLabel("Patron ids are looked up in the ILS; each step checked calls it, and its refusal refuses the scan."),
		widget.NewLabel("Save before testing. API key and timeout: illdesk config set ncip-api-key-stdin | ncip-timeout."))
	form := widget.NewForm(
		widget.NewFormItem("NCIP address", addr),
		widget.NewFormItem("From agency", from),
		widget.NewFormItem("To agency", to),
		widget.NewFormItem("Profile", profile),
		widget.NewFormItem("Borrowing steps", tab.borrowing),
		widget.NewFormItem("Lending steps", tab.lending),
		widget.NewFormItem("No answer", tab.unreachable),
		widget.NewFormItem("Patron notices", tab.notices),
		widget.NewFormItem("Pickup codes", tab.codes.box))
	// the form scrolls on a small screen, clear of the scroll bar; Save and
	// the note stay in sight
	scroll := container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, 2*theme.Padding()), form))
	return container.NewBorder(nil, container.NewVBox(container.NewHBox(save, test), note), nil, nil, scroll)
}

// stepLabels name the ILS steps in the ILS tab; a step without one shows
// its ncip-steps name.
var stepLabels = map[string]string{
	domain.StepAccept:       "Receive: create the item",
	domain.StepCheckout:     "Check out to the patron",
	domain.StepCheckin:      "Check in from the patron",
	domain.StepDelete:       "Returned: delete the item",
	domain.StepLendCheckout: "Lend: check out to the partner",
	domain.StepLendCheckin:  "Lent book back: check in",
	domain.StepLookupItem:   "Item scan: look the item up",
}

// unreachableLabels and noticeLabels word the ILS tab's choices; a value
// without a label shows as it is.
var (
	unreachableLabels = map[string]string{domain.UnreachableRefuse: "Refuse the scan", domain.UnreachableQueue: "Go ahead, send the call later"}
	noticeLabels      = map[string]string{
		"":                 "The ILS while it creates received items, else ILL Desk",
		domain.NoticesOurs: "ILL Desk emails the patron",
		domain.NoticesILS:  "The ILS notifies the patron",
	}
)

// labelOf is the label of a value, the value itself without one.
func labelOf(labels map[string]string, v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}

// valueOf is the value a label stands for.
func valueOf(labels map[string]string, label string) string {
	for v, l := range labels {
		if l == label {
			return v
		}
	}
	return label
}

// ILSSteps are the step settings of the ILS tab: the steps that call the
// ILS, what an ILS that does not answer does, the pickup codes as pairs,
// and who sends the pickup notice ("" the default).
type ILSSteps struct {
	Steps       []string
	Unreachable string
	PickupCodes []domain.PickupCode
	Notices     string
}

// SaveILSSteps stores the ILS tab's step settings through the settings
// calls config set makes, those that changed only; bad pickup codes are
// refused before anything changes.
func (sd *SettingsDialog) SaveILSSteps(st ILSSteps) error {
	codes, err := domain.JoinPickupCodes(st.PickupCodes)
	if err != nil {
		return err
	}
	cur, err := sd.desk.NCIPSettings()
	if err != nil {
		return err
	}
	oldCodes, _ := domain.JoinPickupCodes(domain.PickupCodeList(cur.PickupCodes))
	for _, kv := range [][3]string{
		{domain.KeyNCIPSteps, strings.Join(st.Steps, ","), cur.Get(domain.KeyNCIPSteps)},
		{domain.KeyNCIPUnreachable, st.Unreachable, cur.Get(domain.KeyNCIPUnreachable)},
		{domain.KeyNCIPPickupCodes, codes, oldCodes},
		{domain.KeyPatronNotices, st.Notices, cur.PatronNotices},
	} {
		if kv[1] == kv[2] {
			continue
		}
		if err := sd.desk.SetNCIPSetting(kv[0], kv[1], sd.actor()); err != nil {
			return err
		}
	}
	sd.info("ILS settings saved.")
	return nil
}

// ilsStepsTab holds the widgets of the ILS tab's step settings.
type ilsStepsTab struct {
	checks             map[string]*keyCheck
	borrowing, lending *fyne.Container
	unreachable        *keySelect
	notices            *keySelect
	codes              *pickupCodeRows
}

// newILSStepsTab shows the step settings as they are: a check box for each
// step, borrowing and lending, and the choices domain offers.
func (sd *SettingsDialog) newILSStepsTab(ns domain.NCIPSettings) *ilsStepsTab {
	tab := &ilsStepsTab{checks: map[string]*keyCheck{},
		borrowing: container.NewGridWithColumns(3), lending: container.NewGridWithColumns(3)}
	on := ns.StepList()
	for _, step := range domain.NCIPSteps {
		c := sd.dialogs.check(labelOf(stepLabels, step), nil)
		c.SetChecked(slices.Contains(on, step))
		tab.checks[step] = c
		if slices.Contains(domain.NCIPLendingSteps, step) {
			tab.lending.Add(c)
		} else {
			tab.borrowing.Add(c)
		}
	}
	var policies []string
	for _, p := range domain.UnreachablePolicies {
		policies = append(policies, labelOf(unreachableLabels, p))
	}
	tab.unreachable = sd.dialogs.selector(policies, nil)
	tab.unreachable.SetSelected(labelOf(unreachableLabels, ns.Get(domain.KeyNCIPUnreachable)))
	tab.notices = sd.dialogs.selector([]string{noticeLabels[""], noticeLabels[domain.NoticesOurs], noticeLabels[domain.NoticesILS]}, nil)
	tab.notices.SetSelected(labelOf(noticeLabels, ns.PatronNotices))
	tab.codes = sd.newPickupCodeRows(domain.PickupCodeList(ns.PickupCodes))
	return tab
}

// Steps are the step settings as the tab shows them.
func (t *ilsStepsTab) Steps() ILSSteps {
	st := ILSSteps{Unreachable: valueOf(unreachableLabels, t.unreachable.Selected),
		Notices: valueOf(noticeLabels, t.notices.Selected), PickupCodes: t.codes.Pairs()}
	for _, step := range domain.NCIPSteps {
		if t.checks[step].Checked {
			st.Steps = append(st.Steps, step)
		}
	}
	return st
}

// pickupCodeRows edits ncip-pickup-codes as rows of a pickup location's
// name and the ILS's code, so that staff type no separators.
type pickupCodeRows struct {
	sd   *SettingsDialog
	rows []pickupCodeRow
	list *fyne.Container
	box  *fyne.Container
}

type pickupCodeRow struct {
	name, code *keyEntry
	line       fyne.CanvasObject
}

func (sd *SettingsDialog) newPickupCodeRows(pairs []domain.PickupCode) *pickupCodeRows {
	p := &pickupCodeRows{sd: sd, list: container.NewVBox()}
	for _, pc := range pairs {
		p.Add(pc)
	}
	add := sd.dialogs.button("Add pickup code", theme.ContentAddIcon(), func() { p.Add(domain.PickupCode{}) })
	p.box = container.NewVBox(p.list, container.NewHBox(add))
	return p
}

// Add appends a row showing pc.
func (p *pickupCodeRows) Add(pc domain.PickupCode) {
	row := pickupCodeRow{name: p.sd.dialogs.entry(false), code: p.sd.dialogs.entry(false)}
	row.name.SetPlaceHolder("pickup location, e.g. Main Library")
	row.name.SetText(pc.Name)
	row.code.SetPlaceHolder("the ILS's code, e.g. MAIN")
	row.code.SetText(pc.Code)
	remove := p.sd.dialogs.button("", theme.DeleteIcon(), func() {
		for i, r := range p.rows {
			if r.name == row.name {
				p.Remove(i)
				return
			}
		}
	})
	row.line = container.NewBorder(nil, nil, nil, remove,
		container.NewGridWithColumns(2, row.name, row.code))
	p.rows = append(p.rows, row)
	p.list.Add(row.line)
}

// Remove takes out row i.
func (p *pickupCodeRows) Remove(i int) {
	p.list.Remove(p.rows[i].line)
	p.rows = slices.Delete(p.rows, i, i+1)
}

// Pairs are the rows as typed.
func (p *pickupCodeRows) Pairs() []domain.PickupCode {
	var out []domain.PickupCode
	for _, r := range p.rows {
		out = append(out, domain.PickupCode{Name: r.name.Text, Code: r.code.Text})
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
