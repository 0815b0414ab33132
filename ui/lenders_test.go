package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
)

// lenderSays takes in a lender's supplying agency message about attempt
// id, a minute after anything before.
func (f *fixture) lenderSays(agency, id, reason, status string, opts iso18626.SupplyOptions) {
	f.t.Helper()
	f.clock.now = f.clock.now.Add(time.Minute)
	from, err := iso18626.ParseAgencyID(agency)
	require.NoError(f.t, err)
	to, err := iso18626.ParseAgencyID("ISIL:US-OURS")
	require.NoError(f.t, err)
	m, err := iso18626.NewSupplyingAgencyMessage(iso18626.Header{SupplyingAgencyId: from, RequestingAgencyId: to,
		Timestamp: f.clock.Now().UTC(), RequestingAgencyRequestId: id, SupplyingAgencyRequestId: "S-" + id}, reason, status, opts)
	require.NoError(f.t, err)
	raw, err := iso18626.Marshal(m)
	require.NoError(f.t, err)
	_, conf, err := f.desk.Intake(raw)
	require.NoError(f.t, err, string(conf))
}

// labelTexts are the texts of every label in objs, containers opened.
func labelTexts(objs []fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objs {
		switch o := o.(type) {
		case *widget.Label:
			b.WriteString(o.Text + "\n")
		case *fyne.Container:
			b.WriteString(labelTexts(o.Objects))
		}
	}
	return b.String()
}

func TestDetailsOfARequestSentToLenders(t *testing.T) {
	f := newFixture(t)
	f.isoPartner("RAPID")
	f.isoPartner("BVB")
	r, err := f.desk.NewBorrowing(domain.BorrowingInput{Partners: []string{"RAPID", "BVB"},
		Citation: domain.Citation{Title: "Silent Spring", Volume: "1"}, Requester: "Grace Hopper",
		RequesterEmail: "grace@example.edu", Pickup: "Main Library"}, domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	text := labelTexts(mw.details.box.Objects)
	assert.Contains(t, text, "1. RAPID — "+r.ID+"-1 — sent")
	assert.Contains(t, text, "Then: BVB")

	f.lenderSays("OCLC:RAPID", r.ID+"-1", "RequestResponse", "Unfilled", iso18626.SupplyOptions{ReasonUnfilled: "NotHeld"})
	f.lenderSays("OCLC:BVB", r.ID+"-2", "RequestResponse", "RetryPossible",
		iso18626.SupplyOptions{ReasonRetry: "NotFoundAsCited", Note: "which volume?"})
	mw.list.SelectRequest(r.ID)
	text = labelTexts(mw.details.box.Objects)
	assert.Contains(t, text, "1. RAPID — "+r.ID+"-1 — Unfilled: NotHeld")
	assert.Contains(t, text, "2. BVB — "+r.ID+"-2 — RetryPossible: NotFoundAsCited: which volume?")
	for _, l := range []string{resendRetryLabel, cancelLabel, statusRequestLabel, closeByHandLabel} {
		assert.Contains(t, mw.details.buttons, l)
	}
	assert.NotContains(t, mw.details.buttons, renewLenderLabel, "nothing lent yet")

	mw.details.buttons[resendRetryLabel].OnTapped()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "Resend shows the citation to correct")
	mw.details.dialogs.escape()
	require.NoError(t, mw.details.borrowing.Resend(domain.Citation{Volume: "2"}))
	got := mustFind(t, f.desk, r.ID)
	assert.Equal(t, domain.Requested, got.State)
	assert.Equal(t, "2", got.Volume)
	require.Len(t, got.Lenders, 3)
	assert.NotContains(t, mw.details.buttons, resendRetryLabel)

	require.NoError(t, mw.details.borrowing.StatusRequest())
	assert.Contains(t, mw.banner.Text(), "status asked of BVB")
	require.NoError(t, mw.details.borrowing.Cancel("found elsewhere"))
	assert.Equal(t, domain.Requested, f.state(r.ID), "the lender decides on a Cancel")
	assert.Contains(t, mw.banner.Text(), "Cancel sent to BVB")

	f.lenderSays("OCLC:BVB", r.ID+"-3", "RequestResponse", "Loaned",
		iso18626.SupplyOptions{DueDate: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Delivery: &iso18626.DeliveryInfo{ItemId: "BVB-1"}})
	mw.list.SelectRequest(r.ID)
	text = labelTexts(mw.details.box.Objects)
	assert.Contains(t, text, "Lender's item id\nBVB-1")
	f.lenderSays("OCLC:BVB", r.ID+"-3", "StatusChange", "Recalled", iso18626.SupplyOptions{})
	mw.Refresh()
	status, _ := cellText(mw.list.view.table, 0, 3)
	assert.Equal(t, "Shipped to us — recalled", status, "the lender's flags in the list")
	mw.list.SelectRequest(r.ID)
	assert.Contains(t, mw.details.buttons, renewLenderLabel)
	assert.NotContains(t, mw.details.buttons, cancelLabel, "shipped: too late to cancel")
	require.NoError(t, mw.details.borrowing.RenewWithLender())
	assert.Contains(t, mw.banner.Text(), "renewal asked of BVB")

	require.ErrorIs(t, mw.details.borrowing.CloseByHand(" "), domain.ErrInvalidInput)
	require.NoError(t, mw.details.borrowing.CloseByHand("returned without LoanCompleted"))
	assert.Equal(t, domain.Completed, f.state(r.ID))
	assert.NotContains(t, mw.details.buttons, statusRequestLabel, "closed: nothing to ask")
}

func TestNewBorrowingFormReadsTheRota(t *testing.T) {
	ps := []domain.Partner{{Code: "RAPID", Name: "RapidILL"}, {Code: "BVB", Name: "Bavarian network"}}
	tests := []struct {
		name, more, service string
		want                domain.BorrowingInput
		shown               string
	}{
		{"one lender", "", serviceAuto, domain.BorrowingInput{Partner: "RAPID"}, "RAPID"},
		{"a rota", "BVB — Bavarian network, nypl", serviceCopy,
			domain.BorrowingInput{Partner: "RAPID", Partners: []string{"RAPID", "BVB", "nypl"}, Service: "copy"}, "RAPID, then BVB, then nypl"},
		{"a loan", " ", serviceLoan, domain.BorrowingInput{Partner: "RAPID", Service: "loan"}, "RAPID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := domain.BorrowingInput{Partner: "RAPID"}
			rotaInput(&in, tt.more, tt.service, ps)
			assert.Equal(t, tt.want, in)
			assert.Equal(t, tt.shown, lendersText(in))
		})
	}
}

func TestDetailsAttachACopyThatCameByEmail(t *testing.T) {
	f := newFixture(t)
	f.isoPartner("RAPID")
	r, err := f.desk.NewBorrowing(domain.BorrowingInput{Partner: "RAPID", Citation: domain.Citation{Title: "Journal", Pages: "1-3"},
		Requester: "Ada", RequesterEmail: "ada@example.edu", Pickup: "Main Library"}, domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	f.lenderSays("OCLC:RAPID", r.ID+"-1", "RequestResponse", "CopyCompleted", iso18626.SupplyOptions{})
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	require.Contains(t, mw.details.buttons, attachCopyLabel)
	require.ErrorIs(t, mw.details.borrowing.AttachCopy(pdfPath("not_pdf_text.pdf")), domain.ErrPreflightRejected)
	assert.Nil(t, mustFind(t, f.desk, r.ID).ShippedFile)
	require.NoError(t, mw.details.borrowing.AttachCopy(pdfPath("valid_scan_3pages.pdf")))
	got := mustFind(t, f.desk, r.ID)
	require.NotNil(t, got.ShippedFile)
	assert.Equal(t, 3, got.ShippedFile.Pages)
	assert.Contains(t, mw.banner.Text(), "copy attached")
	assert.NotContains(t, mw.details.buttons, attachCopyLabel, "attached once")
}
