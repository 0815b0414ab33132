package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// testHost is a dialog host on a test window, for fields on their own.
func testHost(t *testing.T) *dialogHost {
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	return &dialogHost{win: w, focus: func() {}}
}

func TestListFieldRows(t *testing.T) {
	l := newListField(testHost(t), []string{"Scan Lab", "Annex Scanning"}, "a department", "Add department")
	assert.Equal(t, []string{"Scan Lab", "Annex Scanning"}, l.Values(), "one row each")
	test.Tap(buttonIn(t, l.box, "Add department"))
	l.rows[2].SetText("  Map Room ")
	l.Add("")
	assert.Equal(t, []string{"Scan Lab", "Annex Scanning", "Map Room"}, l.Values(), "trimmed, blank rows left out")
	l.Remove(0)
	assert.Equal(t, []string{"Annex Scanning", "Map Room"}, l.Values())
	assert.Len(t, l.list.Objects, 3)
	assert.Empty(t, newListField(testHost(t), nil, "", "Add").Values())
}

func TestBarcodeFieldRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		stored       string
		prefix, from string
		to, chars    string
		kept         bool
	}{
		{"", "", "", "", "any letters, digits and signs", false},
		{`^39\d{8,12}$`, "39", "10", "14", "digits only", false},
		{`^[0-9A-Za-z]{8}$`, "", "8", "8", "letters and digits", false},
		{`^U\.B-[\x21-\x7E]*$`, "U.B-", "", "", "any letters, digits and signs", false},
		{`^(39|40)\d{8}$`, "", "", "", "any letters, digits and signs", true},
		{`^\d{1,}$`, "", "", "", "any letters, digits and signs", true},
	} {
		t.Run(tc.stored, func(t *testing.T) {
			f := newBarcodeField(testHost(t), tc.stored)
			assert.Equal(t, tc.prefix, f.prefix.Text)
			assert.Equal(t, tc.from, f.minLen.Text)
			assert.Equal(t, tc.to, f.maxLen.Text)
			assert.Equal(t, tc.chars, f.chars.Selected)
			assert.Equal(t, tc.kept, f.kept != nil, "a hand-written pattern is shown as it is")
			got, err := f.Pattern()
			require.NoError(t, err)
			assert.Equal(t, tc.stored, got, "saved unchanged, never rewritten")
		})
	}
}

func TestBarcodeFieldWritesThePattern(t *testing.T) {
	f := newBarcodeField(testHost(t), "")
	f.prefix.SetText("31")
	f.chars.SetSelected("digits only")
	f.minLen.SetText("14")
	f.maxLen.SetText("14")
	got, err := f.Pattern()
	require.NoError(t, err)
	assert.Equal(t, `^31\d{12}$`, got)

	f.minLen.SetText("ten")
	_, err = f.Pattern()
	assert.ErrorIs(t, err, domain.ErrInvalidInput)
	f.minLen.SetText("16")
	_, err = f.Pattern()
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "shortest past longest")

	for _, tc := range []struct{ code, verdict string }{
		{"", ""},
		{"39123456789012", "Accepted"},
		{"3912345678", "Not accepted by this rule"},
		{"31123456789012", "Accepted"},
	} {
		f.minLen.SetText("14")
		f.prefix.SetText("31")
		f.try.SetText(tc.code)
		if tc.code == "39123456789012" {
			f.prefix.SetText("39") // the verdict follows the fields
		}
		assert.True(t, strings.HasPrefix(f.verdict.Text, tc.verdict) && (tc.verdict != "" || f.verdict.Text == ""),
			"%s: %q", tc.code, f.verdict.Text)
	}

	hand := newBarcodeField(testHost(t), `^(39|40)\d{8}$`)
	hand.try.SetText("4012345678")
	assert.Equal(t, "Accepted", hand.verdict.Text, "the kept pattern is the one tried")
	hand.maxLen.SetText("x")
	assert.Equal(t, "Accepted", hand.verdict.Text, "the fields do not count while the pattern is kept")
	hand.maxLen.SetText("")
	assert.Contains(t, labelTexts(hand.box.Objects), `Kept as stored: ^(39|40)\d{8}$`)
	hand.prefix.SetText("39")
	got, err = hand.Pattern()
	require.NoError(t, err)
	assert.Equal(t, `^(39|40)\d{8}$`, got, "kept until staff replace it")
	test.Tap(buttonIn(t, hand.box, "Replace with the fields above"))
	got, err = hand.Pattern()
	require.NoError(t, err)
	assert.Equal(t, `^39[\x21-\x7E]*$`, got)
	assert.Equal(t, "Not accepted by this rule", hand.verdict.Text, "the fields count once they replace it")
	hand.maxLen.SetText("x")
	assert.Contains(t, hand.verdict.Text, "must be a whole number", "what is wrong with the fields")
}

func TestDeliveryFieldRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		stored, method, target string
		targetShown, kept      bool
	}{
		{"", "None (staff send the file)", "", false, false},
		{"email:ill@umich.example.edu", "Email", "ill@umich.example.edu", true, false},
		{"folder:/srv/outgoing/nypl", "Folder", "/srv/outgoing/nypl", true, false},
		{"iso", "ISO 18626 download link", "", false, false},
		{"Email: ill@umich.example.edu ", "Email", "ill@umich.example.edu", true, false},
		{"fax:1", "None (staff send the file)", "", false, true},
	} {
		t.Run(tc.stored, func(t *testing.T) {
			f := newDeliveryField(testHost(t))
			f.Set(tc.stored)
			assert.Equal(t, tc.method, f.method.Selected)
			assert.Equal(t, tc.target, f.target.Text)
			assert.Equal(t, tc.targetShown, f.target.Visible(), "the address or folder only where the choice needs one")
			assert.Equal(t, tc.kept, f.kept.box.Visible())
			assert.Equal(t, tc.stored, f.Value(), "saved unchanged, never rewritten")
		})
	}
	f := newDeliveryField(testHost(t))
	f.Set("iso")
	f.method.SetSelected("Folder")
	assert.True(t, f.target.Visible())
	f.target.SetText(`C:\Outgoing\RAPID`)
	assert.Equal(t, `folder:C:\Outgoing\RAPID`, f.Value())
	f.method.SetSelected("Email")
	f.target.SetText("ill@rapid.example.org")
	assert.Equal(t, "email:ill@rapid.example.org", f.Value())
	f.method.SetSelected("None (staff send the file)")
	assert.Equal(t, "", f.Value())
	_, _, err := domain.ParseDelivery("email:ill@rapid.example.org")
	assert.NoError(t, err, "written as partner edit --delivery takes it")
}

func TestAgencyFieldRoundTrips(t *testing.T) {
	for _, tc := range []struct{ stored, typ, value string }{
		{"ISIL:US-MIU", "ISIL", "US-MIU"},
		{"OCLC:ZCU", "OCLC", "ZCU"},
		{"RESHARE:a:b", "RESHARE", "a:b"},
		{"", "", ""},
		{"ISIL : DE-1", "ISIL", "DE-1"},
	} {
		f := newAgencyField(testHost(t))
		f.Set(tc.stored)
		assert.Equal(t, tc.typ, f.typ.Text, tc.stored)
		assert.Equal(t, tc.value, f.value.Text, tc.stored)
		got, err := f.Value()
		require.NoError(t, err)
		assert.Equal(t, tc.stored, got, "saved unchanged")
	}
	f := newAgencyField(testHost(t))
	f.Set("")
	f.typ.SetText("DNUCNI")
	f.value.SetText("12345")
	got, err := f.Value()
	require.NoError(t, err)
	assert.Equal(t, "DNUCNI:12345", got)
	f.typ.SetText("")
	_, err = f.Value()
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "an id needs its kind")
}

// TestSettingsPartnerFields edits a partner through the Partners tab's
// fields and reads back what partner edit would have stored.
func TestSettingsPartnerFields(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.AddPartner(domain.Partner{Code: "UMICH", Name: "Michigan", AgencyID: "ISIL:US-MIU", Delivery: "iso"})
	require.NoError(t, err)
	mw := f.open()
	form := mw.settingsDialog.partnersForm(func(err error) { require.NoError(t, err) }, "")
	w := test.NewWindow(form)
	defer w.Close()
	w.Resize(fyne.NewSize(860, 600))
	var list *widget.List
	var types []*keySelectEntry
	var selects []*keySelect
	for _, o := range test.LaidOutObjects(form) {
		switch o := o.(type) {
		case *widget.List:
			list = o
		case *keySelectEntry:
			types = append(types, o)
		case *keySelect:
			selects = append(selects, o)
		}
	}
	require.NotNil(t, list)
	require.Len(t, types, 1)
	require.Len(t, selects, 1)
	list.Select(0)
	assert.Equal(t, "ISIL", types[0].Text)
	assert.Equal(t, "ISO 18626 download link", selects[0].Selected)

	selects[0].SetSelected("Email")
	types[0].SetText("OCLC")
	var address, agencyValue *keyEntry
	for _, o := range test.LaidOutObjects(form) {
		if e, ok := o.(*keyEntry); ok {
			switch e.Text {
			case "US-MIU":
				agencyValue = e
			case "":
				if strings.HasPrefix(e.PlaceHolder, "the partner's address for files") && e.Visible() {
					address = e
				}
			}
		}
	}
	require.NotNil(t, agencyValue)
	require.NotNil(t, address, "the address field shows for Email")
	agencyValue.SetText("MIU")
	address.SetText("ill@umich.example.edu")
	test.Tap(buttonIn(t, form, "Save partner"))
	ps, err := f.desk.Partners()
	require.NoError(t, err)
	require.Len(t, ps, 1)
	p := ps[0]
	assert.Equal(t, "OCLC:MIU", p.AgencyID)
	assert.Equal(t, "email:ill@umich.example.edu", p.Delivery)
}
