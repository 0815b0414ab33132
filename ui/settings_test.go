package ui

import (
	"testing"

	"fyne.io/fyne/v2"
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
		PickupLocations: []string{"Main Library"}}, "2026-12-25, 2026-12-26"))
	assert.Equal(t, []string{"2026-12-25", "2026-12-26"}, f.desk.Calendar().Holidays())
	var labels []string
	for _, st := range mw.scan.Stations() {
		labels = append(labels, st.String())
	}
	assert.Contains(t, labels, "pickup:Main Library", "the desk selector offers the new pickup desk")

	err := mw.settingsDialog.SaveDepartment(domain.Settings{CatalogueURL: "not a link"}, "")
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
