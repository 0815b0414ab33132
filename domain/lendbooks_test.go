package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loanMoves is DESIGN.md's table for a lending request for a loan: the copy
// workflow without Ship, plus lending the book and its return.
var loanMoves = map[fromAction]State{
	{"", ActCreate}:                   Created,
	{Created, ActPick}:                PickRequested,
	{PickRequested, ActPickArrived}:   ItemAtDesk,
	{Created, ActReject}:              Rejected,
	{PickRequested, ActReject}:        Rejected,
	{ItemAtDesk, ActReject}:           Rejected,
	{Created, ActBadCitation}:         BadCitation,
	{PickRequested, ActBadCitation}:   BadCitation,
	{ItemAtDesk, ActBadCitation}:      BadCitation,
	{Created, ActCancel}:              Cancelled,
	{PickRequested, ActCancel}:        Cancelled,
	{ItemAtDesk, ActCancel}:           Cancelled,
	{Created, ActLoanToPartner}:       LoanedToPartner,
	{PickRequested, ActLoanToPartner}: LoanedToPartner,
	{ItemAtDesk, ActLoanToPartner}:    LoanedToPartner,
	// the borrower's ShippedReturn
	{LoanedToPartner, ActPartnerReturned}: ReturnInTransit,
	// scanned in at the RS desk, announced or not
	{LoanedToPartner, ActLoanReturned}: Returned,
	{ReturnInTransit, ActLoanReturned}: Returned,
}

var lendBookActions = []Action{ActLoanToPartner, ActPartnerReturned, ActLoanReturned}

func TestLendBookTransitions(t *testing.T) {
	at := time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC)
	for _, st := range allStates {
		for _, act := range append(append([]Action{}, allActions...), lendBookActions...) {
			t.Run(fmt.Sprintf("%q/%s", st, act), func(t *testing.T) {
				r := lendingLoan(st)
				before := deepCopy(r)
				want, legal := loanMoves[fromAction{st, act}]
				assert.Equal(t, legal, r.Can(act))
				err := r.Transition(act, Event{At: at, Actor: "ana", Desk: "rs"})
				if legal {
					require.NoError(t, err)
					assert.Equal(t, want, r.State)
					assert.Equal(t, Event{At: at, From: st, To: want, Action: act, Actor: "ana", Desk: "rs"}, r.History[len(r.History)-1])
					return
				}
				require.ErrorIs(t, err, ErrIllegalTransition)
				assertSentence(t, err)
				assert.Equal(t, before, r, "a refused transition leaves the request unchanged")
			})
		}
	}
	// A copy is never lent; borrowing requests know none of these actions.
	for _, st := range allStates {
		for _, act := range lendBookActions {
			for _, r := range []Request{sampleRequest(Lending, st), sampleRequest(Borrowing, st)} {
				legal := r.Side == Lending && act != ActLoanToPartner && loanMoves[fromAction{st, act}] != ""
				assert.Equal(t, legal, r.Can(act), "%s %q %s", r.Side, st, act)
			}
		}
	}
}

func TestServiceRefusalsAreSentences(t *testing.T) {
	loan := lendingLoan(ItemAtDesk)
	err := loan.Transition(ActShip, Event{})
	require.ErrorIs(t, err, ErrIllegalTransition)
	assertSentence(t, err)
	assert.Contains(t, err.Error(), "loan of the book, not a copy")
	cp := sampleRequest(Lending, ItemAtDesk)
	err = cp.Transition(ActLoanToPartner, Event{})
	require.ErrorIs(t, err, ErrIllegalTransition)
	assertSentence(t, err)
	assert.Contains(t, err.Error(), "asks for a copy, not a loan")
}

func TestIsLoan(t *testing.T) {
	tests := []struct {
		side           Side
		service        string
		article, pages string
		loan           bool
	}{
		{Lending, "Loan", "", "", true},
		{Lending, "loan", "A chapter", "1-10", true},
		{Lending, "Copy", "", "", false},
		{Lending, "", "", "", false},
		{Lending, "CopyOrLoan", "", "", true},
		{Lending, "CopyOrLoan", "A chapter", "", false},
		{Lending, "CopyOrLoan", "", "12-30", false},
		{Lending, " copyorloan ", " ", " ", true},
		{Borrowing, "Loan", "", "", false},
	}
	for _, tt := range tests {
		r := Request{Side: tt.side, ServiceType: tt.service, Citation: Citation{ArticleTitle: tt.article, Pages: tt.pages}}
		assert.Equal(t, tt.loan, r.IsLoan(), "%+v", tt)
	}
}

func TestLentBookCountsByDueDateNotTurnaround(t *testing.T) {
	deadline := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	due := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		side    Side
		state   State
		runs    bool
		urgency time.Time
	}{
		{Lending, ItemAtDesk, true, deadline},
		{Lending, LoanedToPartner, false, due},
		{Lending, ReturnInTransit, false, due},
		{Lending, Returned, false, deadline},
		{Lending, ShippedDigitally, false, deadline},
		{Borrowing, Loaned, true, due}, // as before: a borrowing request has no turnaround deadline
	}
	for _, tt := range tests {
		r := Request{Side: tt.side, State: tt.state, Deadline: deadline, DueDate: due}
		assert.Equal(t, tt.runs, r.ClockRuns(), "%s %s", tt.side, tt.state)
		s := r.Summary()
		assert.Equal(t, tt.runs, s.ClockRuns(), "%s %s", tt.side, tt.state)
		at, dated := s.Urgency()
		assert.True(t, dated)
		assert.Equal(t, tt.urgency, at, "%s %s sorts by", tt.side, tt.state)
	}
}

// newLoanFixture is the interop fixture with a lending request of RAPID
// (ISO 18626) for a loan of the book with barcode 39100001, not yet picked.
func newLoanFixture(t *testing.T) (*deskFixture, Request) {
	f := newInteropFixture(t)
	_, err := f.desk.EditPartner("RAPID", (*Partner).SetNoAuth) // its attention item is not this test's
	require.NoError(t, err)
	r := f.lending("RAPID", "R-LOAN", func(in *LendingInput) {
		in.ServiceType, in.ArticleTitle, in.Pages, in.Title = "Loan", "", "", "Silent Spring"
		in.ItemBarcode = "39100001"
	})
	return f, r
}

// sent decodes the outbox messages of a request, oldest first.
func (f *deskFixture) sent(requestID string) []Outgoing {
	f.t.Helper()
	var out []Outgoing
	for _, m := range f.outbox() {
		if m.RequestID == requestID {
			var o Outgoing
			require.NoError(f.t, json.Unmarshal(m.Body, &o))
			out = append(out, o)
		}
	}
	return out
}

// said numbers the borrower's messages, so that no two are the same message.
var said int

// borrowerSays takes in a requesting agency message of RAPID about R-LOAN.
func (f *deskFixture) borrowerSays(action string) ImportResult {
	f.t.Helper()
	said++
	res, conf, err := f.desk.Intake(msg(f.t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: "R-LOAN", Action: action, Timestamp: f.now, Note: fmt.Sprint("message ", said)}))
	require.NoError(f.t, err)
	assert.Equal(f.t, "OK "+KindRequesting, string(conf))
	return res
}

func TestLendBookScannedOutAndBack(t *testing.T) {
	f, r := newLoanFixture(t)
	_, err := f.desk.Pick(r.ID, RSDesk, "", atRS)
	require.NoError(t, err)
	res, err := f.desk.Scan("39100001", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActPickArrived, res.Action)
	assert.Contains(t, res.Message, "scan it again at the RS desk")

	res, err = f.desk.Scan("39100001", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActLoanToPartner, res.Action)
	due := wednesday.AddDate(0, 0, 28) // RAPID's loan period
	assert.Equal(t, LoanedToPartner, res.Request.State)
	assert.Equal(t, due, res.Request.DueDate)
	assert.Contains(t, res.Message, "Loaned sent")
	msgs := f.sent(r.ID)
	require.Len(t, msgs, 1)
	assert.Equal(t, Outgoing{Kind: KindSupplying, From: "ISIL:US-OURS", To: "OCLC:RAPID", RequestingRequestID: "R-LOAN",
		SupplyingRequestID: r.ID, Timestamp: wednesday, Reason: "StatusChange", Status: "Loaned", DueDate: due,
		ItemID: "39100001", SentVia: "Mail", DateSent: wednesday}, msgs[0])

	f.now = wednesday.Add(48 * time.Hour)
	got := f.borrowerSays("Received")
	assert.Contains(t, got.Outcome, "Received")
	stored := f.stored(r.ID)
	assert.Equal(t, LoanedToPartner, stored.State, "Received is recorded, nothing moves")
	assert.Equal(t, ActMessage, stored.History[len(stored.History)-1].Action)

	got = f.borrowerSays("ShippedReturn")
	assert.Contains(t, got.Outcome, "shipped the book back")
	assert.Equal(t, ReturnInTransit, f.stored(r.ID).State)
	got = f.borrowerSays("Notification")
	assert.Equal(t, ReturnInTransit, f.stored(r.ID).State)

	res, err = f.desk.Scan("39100001", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActLoanReturned, res.Action)
	assert.Equal(t, Returned, res.Request.State)
	assert.False(t, res.Request.Active())
	msgs = f.sent(r.ID)
	require.Len(t, msgs, 2)
	assert.Equal(t, "StatusChange", msgs[1].Reason)
	assert.Equal(t, "LoanCompleted", msgs[1].Status)
	_, err = f.desk.Scan("39100001", "", atRS)
	require.ErrorIs(t, err, ErrUnknownCode, "a returned book's barcode is free again")
}

func TestLendBookReturnedUnannounced(t *testing.T) {
	f, r := newLoanFixture(t)
	_, _, err := f.desk.Loan(r.ID, "", time.Time{}, atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39100001", "", atMain)
	require.ErrorIs(t, err, ErrWrongDesk)
	res, err := f.desk.Scan("39100001", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, Returned, res.Request.State)
	assert.Contains(t, res.Request.History[len(res.Request.History)-1].Note, "no ShippedReturn was announced")
	msgs := f.sent(r.ID)
	require.Len(t, msgs, 2)
	assert.Equal(t, []string{"Loaned", "LoanCompleted"}, []string{msgs[0].Status, msgs[1].Status})
}

func TestLoan(t *testing.T) {
	due := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		barcode     string
		due         time.Time
		edit        func(*LendingInput)
		want        error
		words       string
		barcodeWant string
	}{
		{"the request's own barcode, default due", "", time.Time{}, nil, nil, "", "39100001"},
		{"another barcode and a due date", "39100002", due, nil, nil, "", "39100002"},
		{"CopyOrLoan without article is a loan", "", time.Time{}, func(in *LendingInput) { in.ServiceType = "CopyOrLoan" }, nil, "", "39100001"},
		{"a copy is not lent", "", time.Time{}, func(in *LendingInput) { in.ServiceType = "Copy" }, ErrIllegalTransition, "ship the scan", ""},
		{"CopyOrLoan with pages is a copy", "", time.Time{}, func(in *LendingInput) { in.ServiceType, in.Pages = "CopyOrLoan", "1-5" }, ErrIllegalTransition, "not a loan", ""},
		{"no barcode", "", time.Time{}, func(in *LendingInput) { in.ItemBarcode = "" }, ErrInvalidInput, "no item barcode", ""},
		{"due date past", "", wednesday.AddDate(0, 0, -1), nil, ErrInvalidInput, "not in the future", ""},
		{"bad barcode", "39 1", time.Time{}, nil, ErrInvalidBarcode, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newLoanFixture(t)
			r := f.lending("RAPID", "R-LOAN2", func(in *LendingInput) {
				in.ServiceType, in.ArticleTitle, in.Pages, in.ItemBarcode = "Loan", "", "", "39100001"
				if tt.edit != nil {
					tt.edit(in)
				}
			})
			before := f.store.snapshot()
			got, _, err := f.desk.Loan(r.Ref(), tt.barcode, tt.due, atRS)
			if tt.want != nil {
				f.refused(err, tt.want, before)
				assert.Contains(t, err.Error(), tt.words)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, LoanedToPartner, got.State)
			assert.Equal(t, tt.barcodeWant, got.ItemBarcode)
			wantDue := tt.due
			if wantDue.IsZero() {
				wantDue = wednesday.AddDate(0, 0, 28)
			}
			assert.Equal(t, wantDue, got.DueDate)
			o := f.lastMessage()
			assert.Equal(t, "Loaned", o.Status)
			assert.Equal(t, tt.barcodeWant, o.ItemID)
			assert.Equal(t, wantDue, o.DueDate)
		})
	}
}

func TestLoanRequestIsNotShippedAsPDF(t *testing.T) {
	f, r := newLoanFixture(t)
	before := f.store.snapshot()
	_, _, err := f.ship(r.Ref(), f.pdf(), false, atRS)
	f.refused(err, ErrIllegalTransition, before)
	assert.Contains(t, err.Error(), "loan of the book, not a copy")
	assert.Empty(t, f.vault.files, "nothing stored in the vault")
}

func TestLoanedIsUndoneBeforeItGoes(t *testing.T) {
	f, r := newLoanFixture(t)
	_, _, err := f.desk.Loan(r.ID, "", time.Time{}, atRS)
	require.NoError(t, err)
	u, err := f.desk.Undo(r.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, Created, u.State)
	assert.True(t, u.DueDate.IsZero())
	assert.Empty(t, f.sent(r.ID), "the Loaned not yet sent is withdrawn")
}

func TestRenew(t *testing.T) {
	two := 2
	tests := []struct {
		name    string
		partner func(*Partner)
		before  func(f *deskFixture, id string)
		answer  string // Y, N, or "" when it waits for staff
		due     time.Time
	}{
		{"auto, first renewal", nil, nil, "Y", wednesday.AddDate(0, 0, 56)},
		{"auto, limit reached", nil, func(f *deskFixture, _ string) { f.borrowerSays("Renew") }, "N", wednesday.AddDate(0, 0, 56)},
		{"auto, limit of two", func(p *Partner) { p.Renewals = &two }, func(f *deskFixture, _ string) { f.borrowerSays("Renew") }, "Y", wednesday.AddDate(0, 0, 84)},
		{"auto, recalled", nil, func(f *deskFixture, id string) {
			_, err := f.desk.Recall(id, "", atRS)
			require.NoError(f.t, err)
		}, "N", wednesday.AddDate(0, 0, 28)},
		{"auto, on its way back", nil, func(f *deskFixture, _ string) { f.borrowerSays("ShippedReturn") }, "N", wednesday.AddDate(0, 0, 28)},
		{"ask", func(p *Partner) { p.Renew = RenewAsk }, nil, "", wednesday.AddDate(0, 0, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := newLoanFixture(t)
			if tt.partner != nil {
				_, err := f.desk.EditPartner("RAPID", tt.partner)
				require.NoError(t, err)
			}
			_, _, err := f.desk.Loan(r.ID, "", time.Time{}, atRS)
			require.NoError(t, err)
			if tt.before != nil {
				tt.before(f, r.ID)
			}
			n := len(f.sent(r.ID))
			f.borrowerSays("Renew")
			got := f.stored(r.ID)
			assert.Equal(t, tt.due, got.DueDate)
			msgs := f.sent(r.ID)
			if tt.answer == "" {
				assert.Len(t, msgs, n, "nothing answered yet")
				assert.Equal(t, f.now, got.RenewAsked)
				return
			}
			require.Len(t, msgs, n+1)
			o := msgs[n]
			assert.Equal(t, "RenewResponse", o.Reason)
			assert.Equal(t, tt.answer, o.AnswerYesNo)
			assert.Equal(t, tt.due, o.DueDate)
			assert.True(t, got.RenewAsked.IsZero())
		})
	}
}

func TestRenewAskedIsAnsweredByStaff(t *testing.T) {
	for _, yes := range []bool{true, false} {
		t.Run(fmt.Sprint(yes), func(t *testing.T) {
			f, r := newLoanFixture(t)
			_, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.Renew = RenewAsk })
			require.NoError(t, err)
			_, _, err = f.desk.Loan(r.ID, "", time.Time{}, atRS)
			require.NoError(t, err)
			before := f.store.snapshot()
			_, err = f.desk.AnswerRenew(r.ID, yes, atRS)
			f.refused(err, ErrIllegalTransition, before)
			assert.Contains(t, err.Error(), "No renewal")

			f.borrowerSays("Renew")
			got, err := f.desk.AnswerRenew(r.Ref(), yes, atRS)
			require.NoError(t, err)
			assert.True(t, got.RenewAsked.IsZero())
			o := f.lastMessage()
			assert.Equal(t, "RenewResponse", o.Reason)
			want, answer, renewals := wednesday.AddDate(0, 0, 28), "N", 0
			if yes {
				want, answer, renewals = wednesday.AddDate(0, 0, 56), "Y", 1
			}
			assert.Equal(t, answer, o.AnswerYesNo)
			assert.Equal(t, want, got.DueDate)
			assert.Equal(t, want, o.DueDate)
			assert.Equal(t, renewals, got.Renewals)
			assert.Equal(t, "ana", got.History[len(got.History)-1].Actor, "the answer is the operator's")
		})
	}
}

func TestTheSameRenewAfterAnAnswerIsANewOne(t *testing.T) {
	f, r := newLoanFixture(t)
	two := 2
	_, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.Renew = RenewAsk; p.Renewals = &two })
	require.NoError(t, err)
	_, _, err = f.desk.Loan(r.ID, "", time.Time{}, atRS)
	require.NoError(t, err)
	renew := func(at time.Time) ImportResult {
		res, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", To: "ISIL:US-OURS",
			RequestingRequestID: "R-LOAN", Action: "Renew", Timestamp: at}))
		require.NoError(t, err)
		return res
	}
	assert.False(t, renew(f.now).Duplicate)
	assert.True(t, renew(f.now.Add(time.Minute)).Duplicate, "sent again with a new timestamp, nothing between: a repeat")
	_, err = f.desk.AnswerRenew(r.ID, true, atRS)
	require.NoError(t, err)
	assert.False(t, renew(f.now.Add(2*time.Minute)).Duplicate, "after staff answered, the same words are a new Renew")
	got, err := f.desk.Find(r.ID)
	require.NoError(t, err)
	assert.False(t, got.RenewAsked.IsZero(), "and wait for staff again")
}

func TestRecall(t *testing.T) {
	f, r := newLoanFixture(t)
	before := f.store.snapshot()
	_, err := f.desk.Recall(r.ID, "", atRS)
	f.refused(err, ErrIllegalTransition, before)
	assert.Contains(t, err.Error(), "only a book loaned to a partner")

	_, err = f.desk.EditPartner("RAPID", func(p *Partner) { p.Renew = RenewAsk })
	require.NoError(t, err)
	_, _, err = f.desk.Loan(r.ID, "", time.Time{}, atRS)
	require.NoError(t, err)
	f.borrowerSays("Renew")
	got, err := f.desk.Recall(r.ID, "needed for a course", atRS)
	require.NoError(t, err)
	assert.Equal(t, wednesday, got.RecalledAt)
	msgs := f.sent(r.ID)
	require.Len(t, msgs, 3, "Loaned, the waiting renewal answered no, Recalled")
	assert.Equal(t, "N", msgs[1].AnswerYesNo)
	assert.Equal(t, Outgoing{Kind: KindSupplying, From: "ISIL:US-OURS", To: "OCLC:RAPID", RequestingRequestID: "R-LOAN",
		SupplyingRequestID: r.ID, Timestamp: wednesday, Reason: "StatusChange", Status: "Recalled",
		DueDate: wednesday.AddDate(0, 0, 28), Note: "needed for a course"}, msgs[2])

	before = f.store.snapshot()
	_, err = f.desk.Recall(r.ID, "", atRS)
	f.refused(err, ErrIllegalTransition, before)
	assert.Contains(t, err.Error(), "already recalled")
}

func TestOverdueSentOnceAndNeedsAttention(t *testing.T) {
	f, r := newLoanFixture(t)
	_, _, err := f.desk.Loan(r.ID, "", wednesday.AddDate(0, 0, 7), atRS)
	require.NoError(t, err)
	// each pass a check interval after the one before, so that only the
	// request remembers whether Overdue was sent
	pass := func() {
		f.now = f.now.Add(OverdueCheckEvery)
		_, err := f.desk.Dispatcher().QueueOverdue()
		require.NoError(t, err)
		_, err = f.desk.Dispatcher().SendDue(context.Background())
		require.NoError(t, err)
	}
	pass()
	assert.Len(t, f.sent(r.ID), 1, "not due yet: only Loaned")
	assert.Empty(t, f.needsAttention(t))

	f.now = wednesday.AddDate(0, 0, 8)
	pass()
	pass()
	msgs := f.sent(r.ID)
	require.Len(t, msgs, 2, "Overdue is sent once")
	assert.Equal(t, "Overdue", msgs[1].Status)
	assert.Equal(t, "StatusChange", msgs[1].Reason)
	assert.Equal(t, wednesday.AddDate(0, 0, 7), msgs[1].DueDate)
	assert.Equal(t, wednesday.AddDate(0, 0, 8).Add(OverdueCheckEvery), f.stored(r.ID).OverdueSentAt)
	att := f.needsAttention(t)
	require.Len(t, att, 1)
	assert.Equal(t, r.ID, att[0].Request.ID)
	assert.Contains(t, att[0].Why, "Loaned to RAPID, overdue since")

	// a renewal gives a new due date, and a new Overdue once that passes
	f.borrowerSays("Renew")
	assert.Empty(t, f.needsAttention(t))
	f.now = f.stored(r.ID).DueDate
	pass()
	msgs = f.sent(r.ID)
	require.Len(t, msgs, 4)
	assert.Equal(t, []string{"Loaned", "Overdue", "Loaned", "Overdue"}, []string{msgs[0].Status, msgs[1].Status, msgs[2].Status, msgs[3].Status})
}

func TestPartnerRenewalPolicy(t *testing.T) {
	f := newDeskFixture(t)
	p := f.partner("RAPID")
	assert.Equal(t, DefaultRenewals, p.MaxRenewals())
	assert.Equal(t, RenewAuto, p.RenewPolicy())
	zero, minus := 0, -1
	tests := []struct {
		name   string
		edit   func(*Partner)
		want   error
		max    int
		policy string
	}{
		{"no renewals", func(p *Partner) { p.Renewals = &zero }, nil, 0, RenewAuto},
		{"ask", func(p *Partner) { p.Renew = RenewAsk }, nil, 0, RenewAsk},
		{"negative", func(p *Partner) { p.Renewals = &minus }, ErrInvalidInput, 0, RenewAsk},
		{"unknown policy", func(p *Partner) { p.Renew = "sometimes" }, ErrInvalidInput, 0, RenewAsk},
	}
	for _, tt := range tests {
		before := f.store.snapshot()
		_, err := f.desk.EditPartner("RAPID", tt.edit)
		if tt.want != nil {
			f.refused(err, tt.want, before)
		} else {
			require.NoError(t, err, tt.name)
		}
		p := f.partner("RAPID")
		assert.Equal(t, tt.max, p.MaxRenewals(), tt.name)
		assert.Equal(t, tt.policy, p.RenewPolicy(), tt.name)
	}
	for in, want := range map[string]string{"auto": RenewAuto, " ASK ": RenewAsk} {
		got, err := ParseRenewPolicy(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseRenewPolicy("never")
	require.ErrorIs(t, err, ErrInvalidInput)
	assertSentence(t, err)
}

func TestRetryIsLinked(t *testing.T) {
	f := newInteropFixture(t)
	first, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: "B-1-1", Citation: Citation{Title: "Silent Sprig"}, ServiceType: "Loan"}))
	require.NoError(t, err)
	_, err = f.desk.BadCitation(first.Request, "No such title; Silent Spring?", atRS)
	require.NoError(t, err)
	retry, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: "B-1-2", Citation: Citation{Title: "Silent Spring"}, ServiceType: "Loan",
		RequestType: "Retry", PreviousRequestID: "B-1-1"}))
	require.NoError(t, err)
	old, now := f.stored(first.Request), f.stored(retry.Request)
	assert.Equal(t, "B-1-2", old.RetriedBy)
	assert.Equal(t, "B-1-1", now.RetryOf)
	assert.Equal(t, "Retried by B-1-2", old.History[len(old.History)-1].Note)
	assert.Equal(t, "Retry of B-1-1", now.History[len(now.History)-1].Note)

	stray, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: "B-9-2", Citation: Citation{Title: "Another"}, RequestType: "Retry", PreviousRequestID: "B-9-1"}))
	require.NoError(t, err)
	got := f.stored(stray.Request)
	assert.Empty(t, got.RetryOf)
	assert.Contains(t, got.History[len(got.History)-1].Note, "not one of our lending requests")
	assert.Equal(t, "B-1-2", f.stored(first.Request).RetriedBy, "an unknown previous id links nothing")
}

func TestQueueOverdueLooksAtTheLoansEveryFewMinutes(t *testing.T) {
	f, r := newLoanFixture(t)
	_, _, err := f.desk.Loan(r.ID, "", wednesday.Add(2*time.Minute), atRS)
	require.NoError(t, err)
	for _, tt := range []struct {
		after time.Duration
		want  int
	}{
		{0, 0},                 // not due yet
		{5 * time.Minute, 0},   // due, but looked at less than OverdueCheckEvery ago
		{OverdueCheckEvery, 1}, // looked at again
		{2 * OverdueCheckEvery, 0},
	} {
		f.now = wednesday.Add(tt.after)
		n, err := f.desk.Dispatcher().QueueOverdue()
		require.NoError(t, err)
		assert.Equal(t, tt.want, n, "after %v", tt.after)
	}
}
