package domain

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupILS is fakeILS whose LookupItem is recorded and answers item, or
// lookErr.
type lookupILS struct {
	*fakeILS
	item    ILSItem
	lookErr error
}

func (l *lookupILS) LookupItem(_ context.Context, barcode string) (ILSItem, error) {
	l.calls = append(l.calls, "LookupItem "+barcode)
	return l.item, l.lookErr
}

// lendILSFixture is RAPID's loan of “Silent Spring” (item 39100001), with
// an ILS called for ncip-steps steps; RAPID's ILL patron record in the ILS
// is patron ("": none).
func lendILSFixture(t *testing.T, steps, patron string) (*deskFixture, Request, *lookupILS) {
	f, r := newLoanFixture(t)
	ils := &lookupILS{fakeILS: &fakeILS{}, item: ILSItem{Barcode: "39100001", Title: "Silent spring / Rachel Carson"}}
	f.desk.ILSService.ils = func(NCIPSettings) (ILS, error) { return ils, nil }
	require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPURL, "https://ils.example.edu/ncip"))
	require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPSteps, steps))
	_, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.ILSPatronID = patron })
	require.NoError(t, err)
	return f, r, ils
}

// lendOut lends r by the way named: the command (Loan) or the RS desk's
// scan after the pick arrived. It returns what staff read.
func lendOut(t *testing.T, f *deskFixture, r Request, by string) (string, error) {
	t.Helper()
	if by == "loan" {
		_, warn, err := f.desk.Loan(r.ID, "", time.Time{}, atRS)
		return warn, err
	}
	_, err := f.desk.Pick(r.ID, RSDesk, "", atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39100001", "", atRS)
	require.NoError(t, err)
	res, err := f.desk.Scan("39100001", "", atRS)
	return res.Message, err
}

func TestILSLendStepsAlongALentBook(t *testing.T) {
	for _, tc := range []struct {
		by, steps string
		want      []string
	}{
		{"loan", "lend-checkout,lend-checkin", []string{"CheckOutItem ILL-RAPID 39100001", "CheckInItem 39100001"}},
		{"scan", "lend-checkout,lend-checkin", []string{"CheckOutItem ILL-RAPID 39100001", "CheckInItem 39100001"}},
		{"scan", "lend-checkout,lend-checkin,lookup-item", []string{"LookupItem 39100001", "LookupItem 39100001",
			"CheckOutItem ILL-RAPID 39100001", "LookupItem 39100001", "CheckInItem 39100001"}},
		{"scan", "lend-checkin", []string{"CheckInItem 39100001"}},
		{"scan", "lend-checkout", []string{"CheckOutItem ILL-RAPID 39100001"}},
		{"scan", "accept,checkout,checkin", nil},
		{"loan", "", nil},
	} {
		t.Run(tc.by+" "+tc.steps, func(t *testing.T) {
			f, r, ils := lendILSFixture(t, tc.steps, "ILL-RAPID")
			said, err := lendOut(t, f, r, tc.by)
			require.NoError(t, err)
			assert.NotContains(t, said, "The ILS was not told")
			assert.Equal(t, LoanedToPartner, f.stored(r.ID).State)
			res, err := f.desk.Scan("39100001", "", atRS)
			require.NoError(t, err)
			assert.Equal(t, Returned, res.Request.State)
			assert.Equal(t, tc.want, ils.calls, "ncip-steps %q", tc.steps)
		})
	}
}

func TestILSLendStepRefusedChangesNothing(t *testing.T) {
	refusal := &ILSRefusal{Call: "CheckOutItem", Problems: []ILSProblem{{Type: "Item Already Checked Out", Value: "39100001"}}}
	unreachable := fmt.Errorf("%w: connection refused", ErrILSUnreachable)
	for _, tc := range []struct {
		name, by string
		// back: the refused call is the check-in, the book having been lent
		back  bool
		err   error
		is    error
		words string
	}{
		{"lend refused by command", "loan", false, refusal, ErrILSRefused, "CheckOutItem: Item Already Checked Out (39100001)"},
		{"lend refused at the desk", "scan", false, refusal, ErrILSRefused, "CheckOutItem: Item Already Checked Out (39100001)"},
		{"lend unanswered", "scan", false, unreachable, ErrILSUnreachable, "The ILS at https://ils.example.edu/ncip did not answer"},
		{"check-in refused", "loan", true, &ILSRefusal{Call: "CheckInItem", Problems: []ILSProblem{{Type: "Unknown Item"}}},
			ErrILSRefused, "CheckInItem: Unknown Item"},
		{"check-in unanswered", "loan", true, unreachable, ErrILSUnreachable, "take the step out of ncip-steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, r, ils := lendILSFixture(t, "lend-checkout,lend-checkin", "ILL-RAPID")
			var err error
			if tc.back {
				_, err = lendOut(t, f, r, tc.by)
				require.NoError(t, err)
			} else if tc.by == "scan" {
				_, err = f.desk.Pick(r.ID, RSDesk, "", atRS)
				require.NoError(t, err)
				_, err = f.desk.Scan("39100001", "", atRS)
				require.NoError(t, err)
			}
			before, outbox := f.stored(r.ID), len(f.sent(r.ID))
			ils.err = tc.err
			if tc.back || tc.by == "scan" {
				_, err = f.desk.Scan("39100001", "", atRS)
			} else {
				_, _, err = f.desk.Loan(r.ID, "", time.Time{}, atRS)
			}
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.words)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Equal(t, before, f.stored(r.ID))
			assert.Len(t, f.sent(r.ID), outbox, "no message to the partner")
		})
	}
}

func TestILSLendWithoutPatronRecordIsSkipped(t *testing.T) {
	for _, by := range []string{"loan", "scan"} {
		t.Run(by, func(t *testing.T) {
			f, r, ils := lendILSFixture(t, "lend-checkout,lend-checkin", "")
			said, err := lendOut(t, f, r, by)
			require.NoError(t, err)
			assert.Equal(t, LoanedToPartner, f.stored(r.ID).State)
			assert.True(t, strings.HasSuffix(said, "The ILS was not told of this loan: partner RAPID has no ILS patron id "+
				"(set it with illdesk partner edit RAPID --ils-patron-id ID)."), said)
			assert.Empty(t, ils.calls)
		})
	}
}

func TestILSLookupItemAtTheDesk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		item    ILSItem
		err     error
		want    string
		wantNot string
	}{
		{"same book", ILSItem{Title: "Silent spring / Rachel Carson"}, nil, "The ILS has item 39100001 as “Silent spring / Rachel Carson”.", "CHECK"},
		{"another book", ILSItem{Title: "Middlemarch"}, nil,
			"CHECK THE BOOK: the ILS has item 39100001 as “Middlemarch”, but request R-LOAN asks for “Silent Spring”.", ""},
		{"unknown item", ILSItem{}, &ILSRefusal{Call: "LookupItem", Problems: []ILSProblem{{Type: "Unknown Item", Value: "39100001"}}},
			"Check the book: the ILS does not know item 39100001 (LookupItem: Unknown Item (39100001)).", ""},
		{"no answer", ILSItem{}, fmt.Errorf("%w: connection refused", ErrILSUnreachable),
			"The item was not looked up: the ILS at https://ils.example.edu/ncip did not answer", ""},
		{"no title", ILSItem{Barcode: "39100001"}, nil, "The ILS has item 39100001, without a title.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, r, ils := lendILSFixture(t, "lookup-item", "")
			ils.item, ils.lookErr = tc.item, tc.err
			_, err := f.desk.Pick(r.ID, RSDesk, "", atRS)
			require.NoError(t, err)
			for _, want := range []State{ItemAtDesk, LoanedToPartner, Returned} {
				res, err := f.desk.Scan("39100001", "", atRS)
				require.NoError(t, err, "the lookup never refuses the scan")
				assert.Equal(t, want, res.Request.State)
				assert.Contains(t, res.Message, tc.want)
				if tc.wantNot != "" {
					assert.NotContains(t, res.Message, tc.wantNot)
				}
			}
			assert.Equal(t, []string{"LookupItem 39100001", "LookupItem 39100001", "LookupItem 39100001"}, ils.calls)
		})
	}
}

func TestILSLookupItemOnlyForLentBooks(t *testing.T) {
	f, ils := ilsFixture(t, "lookup-item")
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	_, err := f.desk.Scan("39200001", r.ID, atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39200001", "", atMain)
	require.NoError(t, err)
	assert.Empty(t, ils.calls, "a borrowed book is not looked up")
}

func TestSameTitle(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Silent Spring", "Silent spring / Rachel Carson.", true},
		{"The Silent Spring", "silent spring", true},
		{"Middlemarch", "MIDDLEMARCH: a study of provincial life", true},
		{"Silent Spring", "Middlemarch", false},
		{"Introduction to algorithms", "Introduction to topology", false},
		{"", "Middlemarch", true},
		{"A", "Middlemarch", false},
	} {
		assert.Equal(t, tc.same, sameTitle(tc.a, tc.b), "%q / %q", tc.a, tc.b)
		assert.Equal(t, tc.same, sameTitle(tc.b, tc.a), "%q / %q", tc.b, tc.a)
	}
}

func TestPatronNotices(t *testing.T) {
	for _, tc := range []struct {
		name, steps, set string
		effective        string
		notice           bool
	}{
		{"default without accept", "checkout", "", NoticesOurs, true},
		{"default with accept", "accept", "", NoticesILS, false},
		{"ours with accept", "accept", "ours", NoticesOurs, true},
		{"ils without accept", "", "ILS", NoticesILS, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := ilsFixture(t, tc.steps)
			require.NoError(t, f.desk.SetNCIPSetting(KeyPatronNotices, tc.set))
			set, err := f.desk.NCIPSettings()
			require.NoError(t, err)
			assert.Equal(t, tc.effective, set.Get(KeyPatronNotices))
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100"; in.RequesterEmail = "ada@example.edu" })
			_, err = f.desk.Receive(r.ID, "39200001", atRS)
			require.NoError(t, err)
			res, err := f.desk.Scan("39200001", "", atMain)
			require.NoError(t, err)
			assert.Equal(t, OnHoldShelf, res.Request.State)
			notices, err := f.desk.Notices(NoticeFilter{})
			require.NoError(t, err)
			assert.Equal(t, tc.notice, len(notices) == 1, "%v", notices)
			if !tc.notice {
				assert.Empty(t, notices)
				assert.Contains(t, res.Message, "the ILS notifies")
				assert.Contains(t, res.Request.History[len(res.Request.History)-1].Note, "the ILS notifies the patron")
			}
		})
	}
	f := newDeskFixture(t)
	err := f.desk.SetNCIPSetting(KeyPatronNotices, "both")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Contains(t, err.Error(), "patron-notices takes ours")
}

func TestPickupCodePairs(t *testing.T) {
	pairs := PickupCodeList(" Main Library=MAIN, Branch = BR ,")
	assert.Equal(t, []PickupCode{{"Main Library", "MAIN"}, {"Branch", "BR"}}, pairs)
	for _, tc := range []struct {
		pairs []PickupCode
		want  string
		ok    bool
	}{
		{pairs, "Main Library=MAIN,Branch=BR", true},
		{[]PickupCode{{" Main ", " M "}, {"", " "}}, "Main=M", true},
		{nil, "", true},
		{[]PickupCode{{"Main", ""}}, "", false},
		{[]PickupCode{{"", "M"}}, "", false},
		{[]PickupCode{{"Main, East", "M"}}, "", false},
		{[]PickupCode{{"Main", "M=1"}}, "", false},
	} {
		got, err := JoinPickupCodes(tc.pairs)
		if !tc.ok {
			assert.ErrorIs(t, err, ErrInvalidInput, "%v", tc.pairs)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
		assert.Equal(t, tc.want, strings.Join(func() []string {
			var s []string
			for _, p := range PickupCodeList(got) {
				s = append(s, p.Name+"="+p.Code)
			}
			return s
		}(), ","), "read back as written")
	}
}

// The lending steps share the borrowing steps' queue: an ILS that does not
// answer, with ncip-unreachable queue, lets the loan go ahead and its call
// waits in the queue; undoing the loan queues the check-in that undoes it.
func TestILSLendStepsQueueAndUndo(t *testing.T) {
	for _, by := range []string{"loan", "scan"} {
		t.Run(by, func(t *testing.T) {
			f, r, ils := lendILSFixture(t, "lend-checkout,lend-checkin", "ILL-RAPID")
			require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPUnreachable, UnreachableQueue))
			if by == "scan" {
				_, err := f.desk.Pick(r.ID, RSDesk, "", atRS)
				require.NoError(t, err)
				_, err = f.desk.Scan("39100001", "", atRS)
				require.NoError(t, err)
			}
			ils.err = errILSDown
			var said string
			var err error
			if by == "loan" {
				_, said, err = f.desk.Loan(r.ID, "", time.Time{}, atRS)
			} else {
				var res ScanResult
				res, err = f.desk.Scan("39100001", "", atRS)
				said = res.Message
			}
			require.NoError(t, err, "with ncip-unreachable queue the loan goes ahead")
			assert.Contains(t, said, "The ILS did not answer, so its CheckOutItem call is queued")
			assert.Equal(t, LoanedToPartner, f.stored(r.ID).State)
			assert.Equal(t, []string{"CheckOutItem pending"}, f.ilsQueue(r.ID))

			ils.err = nil
			f.now = f.now.Add(2 * time.Minute)
			f.send()
			assert.Equal(t, []string{"CheckOutItem sent"}, f.ilsQueue(r.ID))
			assert.Equal(t, "CheckOutItem ILL-RAPID 39100001", ils.calls[len(ils.calls)-1])

			_, err = f.desk.Undo(r.ID, atRS)
			require.NoError(t, err)
			f.send()
			assert.Equal(t, "CheckInItem 39100001", ils.calls[len(ils.calls)-1], "undoing the loan checks the book back in")
		})
	}
}
