package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestNewLendingFormKeepsWhatWasTypedWhenRefused(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.partner("BVB", 48)
	mw := f.open()

	mw.scan.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN,
		Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "Ctrl+Shift+N from the scan bar opens the form")
	fs := mw.lending.fields
	assert.Equal(t, fs.partner, mw.Window().Canvas().Focused(), "the first required field has the focus")
	assert.Contains(t, dialogText(mw), "New lending request")

	test.Type(fs.partner, "rap")
	assert.Contains(t, dialogText(mw), "Partner: RAPID — RAPID library", "the partner is found as it is typed")
	test.Type(fs.externalID, "RAPID-77")
	test.Type(fs.articleTitle, "On testing")
	test.Type(fs.pages, "5-9")
	fs.service.SetSelected("loan")
	fs.format.SetSelectedIndex(2)
	fs.externalID.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})

	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "a refusal leaves the form open")
	assert.Equal(t, "A request needs a title.", mw.lending.refused.Text)
	assert.Equal(t, "rap", fs.partner.Text, "nothing typed is lost")
	assert.Equal(t, "RAPID-77", fs.externalID.Text)
	assert.Empty(t, listedRefs(mw), "nothing was stored")

	test.Type(fs.title, "Journal of Testing")
	assert.Empty(t, mw.lending.refused.Text, "the refusal goes once a field is changed")
	test.Type(fs.needBefore, "next week")
	mw.lending.Submit()
	assert.Contains(t, mw.lending.refused.Text, "is not a date")
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())

	fs.needBefore.SetText("2026-03-02")
	test.Type(fs.itemBarcode, "39000123")
	fs.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Return saved the request and closed the form")

	sel, ok := mw.list.Selected()
	require.True(t, ok, "the new request is selected")
	assert.Equal(t, domain.Lending, sel.Side)
	r, err := f.desk.Find(sel.ID)
	require.NoError(t, err)
	assert.Equal(t, "RAPID", r.Partner)
	assert.Equal(t, "RAPID-77", r.ExternalID)
	assert.Equal(t, "Journal of Testing", r.Title)
	assert.Equal(t, "On testing", r.ArticleTitle)
	assert.Equal(t, "5-9", r.Pages)
	assert.Equal(t, "Loan", r.ServiceType)
	assert.Equal(t, domain.FormatPhysical, r.Format)
	assert.Equal(t, "39000123", r.ItemBarcode)
	assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local), r.NeededBy.In(time.Local))
}

func TestNewLendingFormRefusesAsLendNew(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "RAPID-1")
	mw := f.open()
	tests := []struct {
		name string
		fill func(fs *lendingFields)
		want error
	}{
		{"no partner", func(fs *lendingFields) { fs.partner.SetText("") }, domain.ErrInvalidInput},
		{"unknown partner", func(fs *lendingFields) { fs.partner.SetText("NOPE") }, domain.ErrPartnerNotFound},
		{"no external id", func(fs *lendingFields) { fs.externalID.SetText(" ") }, domain.ErrInvalidInput},
		{"duplicate external id", func(fs *lendingFields) { fs.externalID.SetText("RAPID-1") }, domain.ErrDuplicateExternalID},
		{"bad item barcode", func(fs *lendingFields) { fs.itemBarcode.SetText("39 000") }, domain.ErrInvalidBarcode},
		{"bad need-before", func(fs *lendingFields) { fs.needBefore.SetText("2026-13-01") }, domain.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw.menu.NewLending()
			defer mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			fs := mw.lending.fields
			fs.partner.SetText("RAPID")
			fs.externalID.SetText("RAPID-2")
			fs.title.SetText("T")
			tt.fill(fs)
			in, err := fs.input()
			if err == nil {
				_, err = mw.lending.CreateLending(in)
			}
			require.ErrorIs(t, err, tt.want)
			mw.lending.Submit()
			assert.Equal(t, refusalText(err), mw.lending.refused.Text)
			assert.NotNil(t, mw.Window().Canvas().Overlays().Top(), "the form stays open")
		})
	}
	assert.Len(t, listedRefs(mw), 1, "only the request made before")
}

func TestPartnerMatch(t *testing.T) {
	ps := []domain.Partner{{Code: "NYPL", Name: "New York Public Library"}, {Code: "BVB", Name: "Bibliotheksverbund Bayern"},
		{Code: "NY", Name: "Albany"}}
	tests := []struct{ typed, code, hint string }{
		{"", "", "Type a code or name: 3 partners."},
		{"bayern", "BVB", "Partner: BVB — Bibliotheksverbund Bayern"},
		{"ny", "NY", "Partner: NY — Albany"},
		{"NYPL — New York Public Library", "NYPL", "Partner: NYPL — New York Public Library"},
		{"library", "NYPL", "Partner: NYPL — New York Public Library"},
		{"b", "b", "Matches NYPL, BVB, NY — type more."},
		{"XYZ", "XYZ", "No partner matches: add it with Tools > Add partner…"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			assert.Equal(t, tt.code, partnerMatch(tt.typed, ps))
			assert.Equal(t, tt.hint, partnerHint(tt.typed, ps))
		})
	}
}

func TestLendingFormScrollsTheFocusedFieldIntoSight(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	mw := f.open()
	mw.Window().Resize(fyne.NewSize(800, 480))
	mw.menu.NewLending()
	fs := mw.lending.fields
	require.Zero(t, mw.lending.scroll.Offset.Y)

	mw.Window().Canvas().Focus(fs.itemBarcode)
	s := mw.lending.scroll
	assert.Positive(t, s.Offset.Y, "the last field is scrolled up")
	assert.LessOrEqual(t, fs.itemBarcode.Position().Y+fs.itemBarcode.Size().Height, s.Offset.Y+s.Size().Height+1)

	mw.Window().Canvas().Focus(fs.partner)
	assert.Zero(t, s.Offset.Y, "and back down to the first")
}
