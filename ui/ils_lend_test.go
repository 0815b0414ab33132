package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/ncipstub"
)

// TestDetailsLoanCallsTheILS lends books from the details pane with the
// lend-checkout step on: a partner without an ILS patron id is lent
// without the ILS and the status line says so; with one, the stand-in ILS
// checks the book out to it, and its refusal of a second copy's barcode
// leaves the request as it was.
func TestDetailsLoanCallsTheILS(t *testing.T) {
	ils := ncipstub.ForTest(t)
	f := newFixture(t)
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPURL, ils.URL))
	require.NoError(t, f.desk.SetNCIPSetting(domain.KeyNCIPSteps, domain.StepLendCheckout))
	_, err := f.desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL", AgencyID: "OCLC:RAPID"})
	require.NoError(t, err)
	loan := func(ext string) domain.Request {
		return f.lending("RAPID", ext, func(in *domain.LendingInput) { in.ServiceType, in.Pages, in.Title = "Loan", "", "Middlemarch" })
	}
	first, second, third := loan("R-1"), loan("R-2"), loan("R-3")
	mw := f.open()

	mw.list.SelectRequest(first.ID)
	require.NoError(t, mw.details.lent.Loan("39000001", ""))
	assert.Contains(t, mw.banner.Text(), "The ILS was not told of this loan: partner RAPID has no ILS patron id")
	assert.Empty(t, ils.Calls())

	require.NoError(t, mw.settingsDialog.SavePartner("RAPID", func(p *domain.Partner) { p.ILSPatronID = "ILL-RAPID" }))
	mw.list.SelectRequest(second.ID)
	require.NoError(t, mw.details.lent.Loan("39001000000017", ""))
	assert.NotContains(t, mw.status.Text(), "The ILS was not told")
	it, _ := ils.Item("39001000000017")
	assert.Equal(t, "ILL-RAPID", it.Loaned)

	mw.list.SelectRequest(third.ID)
	err = mw.details.lent.Loan("39001000000099", "")
	require.ErrorIs(t, err, domain.ErrILSRefused)
	assert.Contains(t, refusalText(err), "Unknown Item")
	assert.Equal(t, domain.Created, f.state("R-3"), "the ILS's refusal changes nothing")
	assert.Empty(t, mustFind(t, f.desk, third.ID).ItemBarcode)
	assert.Equal(t, []string{"CheckOutItem", "CheckOutItem"}, ils.Calls())
}
