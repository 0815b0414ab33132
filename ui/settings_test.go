package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestSettingsWindowSaves(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	mw := f.open()
	mw.settingsDialog.ShowSettings()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	require.NoError(t, mw.settingsDialog.SaveDepartment(domain.Settings{DigitizationDepartments: []string{"Scan Lab"},
		PickupLocations: []string{"Main Library"}}, []string{"2026-12-25", "2026-12-26"}))
	assert.Equal(t, []string{"2026-12-25", "2026-12-26"}, f.desk.Calendar().Holidays())
	var labels []string
	for _, st := range mw.scan.Stations() {
		labels = append(labels, st.String())
	}
	assert.Contains(t, labels, "pickup:Main Library", "the desk selector offers the new pickup desk")

	err := mw.settingsDialog.SaveDepartment(domain.Settings{CatalogueURL: "not a link"}, nil)
	require.ErrorIs(t, err, domain.ErrInvalidInput)

	require.NoError(t, mw.settingsDialog.SavePartner("RAPID", func(p *domain.Partner) { p.Delivery = "iso"; p.ISOEndpoint = "http://127.0.0.1:9/" }))
	ps, err := f.desk.Partners()
	require.NoError(t, err)
	assert.Equal(t, "iso", ps[0].Delivery)
	require.ErrorIs(t, mw.settingsDialog.SavePartner("RAPID", func(p *domain.Partner) { p.Delivery = "fax:1" }), domain.ErrInvalidInput)

	require.NoError(t, mw.settingsDialog.SaveMail(domain.MailSettings{Host: "smtp.example.edu", User: "ill", Password: "secret1", From: "ill@example.edu"}))
	require.NoError(t, mw.settingsDialog.SaveMail(domain.MailSettings{Host: "smtp.example.edu", User: "ill", From: "ILL <ill@example.edu>"}))
	ms, err := f.desk.MailSettings()
	require.NoError(t, err)
	assert.Equal(t, "secret1", ms.Password, "a blank password keeps the stored one")
}

// TestSettingsILSSteps sets the ILS steps, the policy of an ILS that does
// not answer, the pickup codes and the patron notices through the ILS tab,
// and reads them back as config set would have stored them.
func TestSettingsILSSteps(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPURL, "https://ils.example.edu/ncip"))
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPSteps, "accept"))
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPPickupCodes, "Main Library = MAIN"))
	mw := f.open()
	sd := mw.settingsDialog
	ns, err := f.desk.NCIPSettings()
	require.NoError(t, err)
	tab := sd.newILSStepsTab(ns)
	assert.Equal(t, ILSSteps{Steps: []string{domain.StepAccept}, Unreachable: domain.UnreachableRefuse,
		PickupCodes: []domain.PickupCode{{Name: "Main Library", Code: "MAIN"}}}, tab.Steps(), "the tab shows what is set")
	assert.Len(t, tab.borrowing.Objects, len(domain.NCIPSteps)-len(domain.NCIPLendingSteps))
	assert.Len(t, tab.lending.Objects, len(domain.NCIPLendingSteps))
	assert.Equal(t, len(domain.UnreachablePolicies), len(tab.unreachable.Options), "the choices are domain's")

	test.Tap(tab.checks[domain.StepLendCheckout])
	test.Tap(tab.checks[domain.StepLookupItem])
	test.Tap(tab.checks[domain.StepAccept])
	tab.notices.SetSelected(noticeLabels[domain.NoticesILS])
	tab.codes.Add(domain.PickupCode{Name: "Science Library", Code: "SCI"})
	require.NoError(t, sd.SaveILSSteps(tab.Steps()))
	ns, err = f.desk.NCIPSettings()
	require.NoError(t, err)
	assert.Equal(t, "lend-checkout,lookup-item", ns.Steps)
	assert.Equal(t, "Main Library=MAIN,Science Library=SCI", ns.PickupCodes)
	assert.Equal(t, domain.NoticesILS, ns.PatronNotices)
	assert.Empty(t, ns.Unreachable, "an unchanged choice is not written")
	assert.Contains(t, mw.status.Text(), "ILS settings saved.")

	tab = sd.newILSStepsTab(ns)
	tab.codes.Remove(0)
	tab.codes.Add(domain.PickupCode{Name: "Branch"})
	before := ns
	err = sd.SaveILSSteps(tab.Steps())
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	assert.Contains(t, err.Error(), "needs both its name and the ILS's code")
	ns, err = f.desk.NCIPSettings()
	require.NoError(t, err)
	assert.Equal(t, before, ns, "a refused row changes nothing")

	tab.codes.Remove(1)
	tab.notices.SetSelected(noticeLabels[""])
	require.NoError(t, sd.SaveILSSteps(tab.Steps()))
	ns, err = f.desk.NCIPSettings()
	require.NoError(t, err)
	assert.Equal(t, "Science Library=SCI", ns.PickupCodes)
	assert.Empty(t, ns.PatronNotices, "back to the default")
	assert.Equal(t, domain.NoticesOurs, ns.Get(domain.KeyPatronNotices), "without the accept step ILL Desk sends it")
}

// TestEveryILSStepHasWords checks that the ILS tab names each step in
// words, so that a step added to the domain cannot show as its code.
func TestEveryILSStepHasWords(t *testing.T) {
	for _, step := range domain.NCIPSteps {
		label, ok := stepLabels[step]
		assert.True(t, ok && label != step && !strings.ContainsAny(label, "()"), "step %q: %q", step, label)
	}
	for _, p := range domain.UnreachablePolicies {
		_, ok := unreachableLabels[p]
		assert.True(t, ok, "policy %q", p)
	}
}
