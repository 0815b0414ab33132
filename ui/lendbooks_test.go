package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
)

// renewFrom takes in RAPID's Renew of the lending request ext, a minute
// after anything before, so that no two are the same message.
func (f *fixture) renewFrom(ext string) {
	f.t.Helper()
	f.clock.now = f.clock.now.Add(time.Minute)
	from, err := iso18626.ParseAgencyID("OCLC:RAPID")
	require.NoError(f.t, err)
	to, err := iso18626.ParseAgencyID("ISIL:US-OURS")
	require.NoError(f.t, err)
	m, err := iso18626.NewRequestingAgencyMessage(iso18626.Header{RequestingAgencyId: from, SupplyingAgencyId: to,
		Timestamp: f.clock.Now().UTC(), RequestingAgencyRequestId: ext}, "Renew", "")
	require.NoError(f.t, err)
	raw, err := iso18626.Marshal(m)
	require.NoError(f.t, err)
	_, _, err = f.desk.Intake(raw)
	require.NoError(f.t, err)
}

func TestDetailsLendABook(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL", AgencyID: "OCLC:RAPID", Renew: domain.RenewAsk})
	require.NoError(t, err)
	r := f.lending("RAPID", "R-1", func(in *domain.LendingInput) {
		in.ServiceType, in.Pages, in.ItemBarcode = "Loan", "", "39000001"
	})
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	assert.Contains(t, mw.details.buttons, loanLabel)
	assert.NotContains(t, mw.details.buttons, "Download Electronic Resource", "a loan is not shipped as a PDF")
	assert.NotContains(t, mw.details.box.Objects, mw.details.dropArea, "nor offered the drop area")
	assert.NotContains(t, mw.details.buttons, recallLabel)

	mw.details.buttons[loanLabel].OnTapped()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "Loan item… asks for the barcode and due date")
	mw.details.dialogs.escape()

	require.ErrorIs(t, mw.details.lent.Loan("", "31/12/2026"), domain.ErrInvalidInput)
	assert.Equal(t, domain.Created, f.state("R-1"), "a bad date changes nothing")
	require.NoError(t, mw.details.lent.Loan("", ""))
	assert.Equal(t, domain.LoanedToPartner, f.state("R-1"))
	assert.Contains(t, mw.banner.Text(), "39000001 lent to RAPID")
	lent := mustFind(t, f.desk, r.ID)
	mw.list.SetStatus("") // the facet stayed on Created; the lent book is active
	mw.list.SelectRequest(r.ID)
	text, imp := cellText(mw.list.view.table, 0, 1)
	assert.Equal(t, "due "+lent.DueDate.Format(domain.DateLayout), text, "a lent book counts by its due date, not the turnaround")
	assert.Equal(t, widget.MediumImportance, imp)
	assert.NotContains(t, mw.details.buttons, loanLabel)
	assert.Contains(t, mw.details.buttons, recallLabel)
	assert.NotContains(t, mw.details.buttons, renewYesLabel)

	f.renewFrom("R-1")
	mw.list.SelectRequest(r.ID)
	require.Contains(t, mw.details.buttons, renewYesLabel, "a renewal waiting for staff is offered")
	require.Contains(t, mw.details.buttons, renewNoLabel)
	before := mustFind(t, f.desk, r.ID).DueDate
	mw.details.buttons[renewYesLabel].OnTapped()
	got := mustFind(t, f.desk, r.ID)
	assert.Equal(t, before.AddDate(0, 0, domain.DefaultLoanPeriodDays), got.DueDate)
	assert.Contains(t, mw.banner.Text(), "renewal granted")
	assert.NotContains(t, mw.details.buttons, renewYesLabel, "answered, the buttons go")

	f.renewFrom("R-1") // the second renewal: staff say no
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.lent.AnswerRenew(false))
	assert.Equal(t, got.DueDate, mustFind(t, f.desk, r.ID).DueDate)
	require.ErrorIs(t, mw.details.lent.AnswerRenew(false), domain.ErrIllegalTransition, "nothing waits any more")

	require.NoError(t, mw.details.lent.Recall("needed here"))
	assert.False(t, mustFind(t, f.desk, r.ID).RecalledAt.IsZero())
	assert.NotContains(t, mw.details.buttons, recallLabel, "recalled once")
}

func TestWindowQueuesOverdue(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL", AgencyID: "OCLC:RAPID"})
	require.NoError(t, err)
	r := f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.ServiceType, in.ItemBarcode = "Loan", "39000001" })
	_, _, err = f.desk.Loan(r.ID, "", monday.AddDate(0, 0, 1), domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	f.clock.now = monday.AddDate(0, 0, 2)
	mw.sender.queueOverdue()
	mw.Wait()
	msgs, err := f.desk.Outbox(r.ID)
	require.NoError(t, err)
	var summaries []string
	for _, m := range msgs {
		summaries = append(summaries, m.Summary)
	}
	assert.Equal(t, []string{"Loaned", "Overdue"}, summaries)
}
