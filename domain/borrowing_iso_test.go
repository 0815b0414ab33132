package domain

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newRotaFixture is the interop fixture with BVB speaking ISO 18626 too.
func newRotaFixture(t *testing.T) *deskFixture {
	f := newInteropFixture(t)
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, err := tx.Partner("BVB")
		if err != nil {
			return err
		}
		p.AgencyID, p.ISOEndpoint = "ISIL:DE-BVB", "http://127.0.0.1:2/iso"
		return tx.PutPartner(p)
	}))
	return f
}

// rota places a borrowing request with RAPID, then BVB.
func (f *deskFixture) rota(edit ...func(*BorrowingInput)) Request {
	return f.borrowing("", "", append([]func(*BorrowingInput){func(in *BorrowingInput) { in.Partners = []string{"RAPID", "BVB"} }}, edit...)...)
}

// lenderSays takes in a supplying agency message from a lender.
func (f *deskFixture) lenderSays(agency, id string, edit func(*Incoming)) ImportResult {
	f.t.Helper()
	in := Incoming{Kind: KindSupplying, From: agency, To: "ISIL:US-OURS", RequestingRequestID: id,
		SupplyingRequestID: "S-" + id, Reason: "StatusChange", Timestamp: f.now}
	edit(&in)
	res, conf, err := f.desk.Intake(msg(f.t, in))
	require.NoError(f.t, err, string(conf))
	return res
}

func status(s string) func(*Incoming) { return func(in *Incoming) { in.Status = s } }

func (f *deskFixture) outgoing(i int) Outgoing {
	f.t.Helper()
	var o Outgoing
	require.NoError(f.t, json.Unmarshal(f.outbox()[i].Body, &o))
	return o
}

func TestRotaRequestCarriesWhatLendersNeed(t *testing.T) {
	f := newRotaFixture(t)
	for k, v := range map[string]string{"library-name": "Our Library", "library-email": "ill@our.example",
		"pickup-address": "Main Library=1 Main St, Springfield"} {
		require.NoError(t, f.desk.SetBorrowingSetting(k, v))
	}
	require.NoError(t, f.desk.SetPublicURL("http://127.0.0.1:8626"))
	need := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	r := f.rota(func(in *BorrowingInput) {
		in.Note, in.PartnerNote, in.PatronID, in.NeedBefore = "internal only", "please hurry", "P-77", need
	})
	assert.Equal(t, Created, r.State)
	assert.Equal(t, []string{"RAPID", "BVB"}, r.Rota)
	assert.Equal(t, []LenderAttempt{{Partner: "RAPID", RequestID: r.ID + "-1", Outcome: "sent"}}, r.Lenders)
	assert.Equal(t, "Loan", r.ServiceType, "no article nor pages: a loan")
	o := f.lastMessage()
	assert.Equal(t, Outgoing{Kind: KindRequest, From: "ISIL:US-OURS", To: "OCLC:RAPID", RequestingRequestID: r.ID + "-1",
		Timestamp: f.now, Citation: r.Citation, ServiceType: "Loan", RequestType: "New", Note: "please hurry", NeedBefore: need,
		RequesterName: "Our Library", RequesterAddress: "http://127.0.0.1:8626",
		DeliveryName: "Main Library", DeliveryAddress: "1 Main St, Springfield"}, o, "the internal note and the patron id stay here")

	require.NoError(t, f.desk.SetBorrowingSetting("send-patron-id", "on"))
	c := f.rota(func(in *BorrowingInput) { in.Citation.Pages, in.PatronID = "3-9", "P-78" })
	o = f.lastMessage()
	assert.Equal(t, "Copy", c.ServiceType)
	assert.Equal(t, "Copy", o.ServiceType)
	assert.Equal(t, "ill@our.example", o.DeliveryEmail, "a copy is delivered to our email")
	assert.Empty(t, o.DeliveryAddress)
	assert.Equal(t, "P-78", o.PatronID)
}

func TestRotaRefusals(t *testing.T) {
	f := newInteropFixture(t) // BVB has no endpoint
	tests := []struct {
		name string
		edit func(*BorrowingInput)
	}{
		{"lender without endpoint in a rota", func(in *BorrowingInput) { in.Partners = []string{"RAPID", "BVB"} }},
		{"lender named twice", func(in *BorrowingInput) { in.Partners = []string{"RAPID", "RAPID"} }},
		{"unknown service", func(in *BorrowingInput) { in.Partner, in.Service = "RAPID", "scan" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.store.snapshot()
			in := BorrowingInput{Citation: Citation{Title: "T"}, Requester: "Pat", Pickup: "Main Library"}
			tt.edit(&in)
			_, err := f.desk.NewBorrowing(in, atRS)
			f.refused(err, ErrInvalidInput, before)
		})
	}
	// a single lender without an endpoint keeps the in-hand flow
	r := f.borrowing("BVB", "")
	assert.Empty(t, r.Lenders)
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
}

func TestRequestConfirmedOKMovesToRequested(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	_, _, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, &fakeTransport{reply: func(context.Context, Destination, []byte) ([]byte, error) {
		return []byte("ERROR refused"), nil
	}})
	require.NoError(t, err)
	assert.Equal(t, Created, f.stored(r.ID).State, "an ERROR confirmation is no confirmation")
	_, err = f.desk.ResendMessage(f.outbox()[0].ID, atRS)
	require.NoError(t, err)
	_, _, err = f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, &fakeTransport{})
	require.NoError(t, err)
	got := f.stored(r.ID)
	assert.Equal(t, Requested, got.State)
	assert.Equal(t, "Requested from RAPID", got.StatusLabel())
	assert.Equal(t, "requested", got.Lenders[0].Outcome)
}

func TestLenderMessagesMoveTheCurrentAttempt(t *testing.T) {
	due := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		before  []func(*Incoming) // earlier messages of the current lender
		edit    func(*Incoming)
		state   State
		outcome string
		check   func(t *testing.T, f *deskFixture, r Request)
	}{
		{name: "RequestReceived confirms and is noted", edit: status("RequestReceived"), state: Requested, outcome: "requested"},
		{name: "WillSupply", edit: status("WillSupply"), state: WillSupply, outcome: "WillSupply"},
		{name: "ExpectToSupply", edit: status("ExpectToSupply"), state: WillSupply, outcome: "ExpectToSupply"},
		{name: "WillSupply twice changes nothing more", before: []func(*Incoming){status("WillSupply")},
			edit: func(in *Incoming) { in.Status, in.Note = "WillSupply", "again" }, state: WillSupply, outcome: "WillSupply"},
		{name: "Loaned records the lender's due date and item", before: []func(*Incoming){status("WillSupply")},
			edit: func(in *Incoming) { in.Status, in.DueDate, in.ItemID = "Loaned", due, "LEND-1" }, state: ShippedToUs, outcome: "Loaned",
			check: func(t *testing.T, f *deskFixture, r Request) {
				assert.Equal(t, due, r.LenderDueDate)
				assert.Equal(t, "LEND-1", r.LenderItemID)
				assert.True(t, r.DueDate.IsZero(), "the patron's due date stays ours")
				assert.Equal(t, "LEND-1", r.ActiveBarcode(), "the lender's item id finds the request")
			}},
		{name: "RetryPossible keeps reason and note", edit: func(in *Incoming) {
			in.Status, in.ReasonRetry, in.Note = "RetryPossible", "NotFoundAsCited", "which volume?"
		}, state: RetryPossible, outcome: "RetryPossible",
			check: func(t *testing.T, f *deskFixture, r Request) {
				assert.Equal(t, "NotFoundAsCited: which volume?", r.Lenders[0].Note)
			}},
		{name: "CopyCompleted", edit: func(in *Incoming) { in.Status, in.DeliveryURL = "CopyCompleted", "https://lender.example/f/1" },
			state: CopyReceived, outcome: "CopyCompleted"},
		{name: "LoanCompleted", before: []func(*Incoming){status("Loaned")}, edit: status("LoanCompleted"), state: Completed, outcome: "LoanCompleted"},
		{name: "CompletedWithoutReturn", before: []func(*Incoming){status("Loaned")}, edit: status("CompletedWithoutReturn"), state: Completed, outcome: "CompletedWithoutReturn"},
		{name: "Cancelled", edit: status("Cancelled"), state: Cancelled, outcome: "Cancelled"},
		{name: "CancelResponse yes", edit: func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "CancelResponse", "Cancelled", "Y" },
			state: Cancelled, outcome: "Cancelled"},
		{name: "CancelResponse yes too late", before: []func(*Incoming){status("Loaned")},
			edit: func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "CancelResponse", "Loaned", "Y" }, state: ShippedToUs, outcome: "Loaned"},
		{name: "CancelResponse no", before: []func(*Incoming){status("WillSupply")},
			edit: func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "CancelResponse", "WillSupply", "N" }, state: WillSupply, outcome: "WillSupply"},
		{name: "Overdue flags", before: []func(*Incoming){status("Loaned")}, edit: status("Overdue"), state: ShippedToUs, outcome: "Loaned",
			check: func(t *testing.T, f *deskFixture, r Request) { assert.Equal(t, []string{FlagOverdue}, r.Flags) }},
		{name: "Recalled flags and tells the patron", before: []func(*Incoming){status("Loaned")}, edit: status("Recalled"), state: ShippedToUs, outcome: "Loaned",
			check: func(t *testing.T, f *deskFixture, r Request) {
				assert.Equal(t, []string{FlagRecalled}, r.Flags)
				ns := f.notices()
				require.Len(t, ns, 1)
				assert.Equal(t, NoticeRecalled, ns[0].Kind)
				assert.Equal(t, "pat@example.org", ns[0].To)
			}},
		{name: "RenewResponse yes sets the lender's due date", before: []func(*Incoming){status("Loaned")},
			edit: func(in *Incoming) {
				in.Reason, in.Status, in.AnswerYesNo, in.DueDate = "RenewResponse", "Loaned", "Y", due
			}, state: ShippedToUs, outcome: "Loaned",
			check: func(t *testing.T, f *deskFixture, r Request) { assert.Equal(t, due, r.LenderDueDate) }},
		{name: "RenewResponse no", before: []func(*Incoming){status("Loaned")},
			edit: func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "RenewResponse", "Loaned", "N" }, state: ShippedToUs, outcome: "Loaned",
			check: func(t *testing.T, f *deskFixture, r Request) { assert.True(t, r.LenderDueDate.IsZero()) }},
		{name: "Notification is history only", edit: func(in *Incoming) { in.Reason, in.Note = "Notification", "hello" }, state: Created, outcome: "sent"},
		{name: "Unfilled asks the next lender", edit: func(in *Incoming) { in.Status, in.ReasonUnfilled = "Unfilled", "NotHeld" }, state: Requested, outcome: "Unfilled",
			check: func(t *testing.T, f *deskFixture, r Request) {
				require.Len(t, r.Lenders, 2)
				assert.Equal(t, LenderAttempt{Partner: "BVB", RequestID: r.ID + "-2", Outcome: "sent"}, r.Lenders[1])
				assert.Equal(t, "BVB", r.Partner, "partner is the current lender")
				assert.Equal(t, f.desk.Calendar().AddBusinessHours(f.now, 48), r.LenderDeadline, "BVB's turnaround from now")
				o := f.lastMessage()
				assert.Equal(t, KindRequest, o.Kind)
				assert.Equal(t, "ISIL:DE-BVB", o.To)
				assert.Equal(t, r.ID+"-2", o.RequestingRequestID)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRotaFixture(t)
			r := f.rota()
			for _, e := range tt.before {
				f.lenderSays("OCLC:RAPID", r.ID+"-1", e)
			}
			f.lenderSays("OCLC:RAPID", r.ID+"-1", tt.edit)
			got := f.stored(r.ID)
			assert.Equal(t, tt.state, got.State)
			assert.Equal(t, tt.outcome, got.Lenders[0].Outcome)
			assert.Equal(t, "RAPID", got.History[len(got.History)-1].Actor, "the message is in the history")
			if tt.check != nil {
				tt.check(t, f, got)
			}
			// the same message again changes nothing more
			before := f.stored(r.ID)
			f.now = f.now.Add(time.Minute)
			f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { tt.edit(in); in.Timestamp = f.now })
			again := f.stored(r.ID)
			if tt.name != "Unfilled asks the next lender" {
				assert.Equal(t, before.State, again.State)
				assert.Equal(t, before.Lenders, again.Lenders)
				assert.Equal(t, before.Flags, again.Flags)
			} else {
				assert.Len(t, again.Lenders, 2, "a repeated Unfilled from the earlier lender asks nobody else")
			}
		})
	}
}

func TestLateAnswerFromEarlierLenderChangesNothing(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("Unfilled"))
	f.lenderSays("ISIL:DE-BVB", r.ID+"-2", status("WillSupply"))
	res := f.lenderSays("OCLC:RAPID", r.ID+"-1", status("Loaned"))
	assert.Contains(t, res.Outcome, "earlier attempt")
	got := f.stored(r.ID)
	assert.Equal(t, WillSupply, got.State)
	assert.Equal(t, "Unfilled", got.Lenders[0].Outcome)
	assert.Equal(t, "WillSupply", got.Lenders[1].Outcome)
	assert.Contains(t, got.History[len(got.History)-1].Note, "Late answer")

	// an answer naming an attempt of another lender is refused
	_, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindSupplying, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: r.ID + "-2", Reason: "StatusChange", Status: "Loaned", Timestamp: f.now}))
	require.ErrorIs(t, err, ErrBadMessage)
}

func TestUnfilledByTheLastLenderTellsThePatron(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("Unfilled"))
	f.lenderSays("ISIL:DE-BVB", r.ID+"-2", status("Unfilled"))
	got := f.stored(r.ID)
	assert.Equal(t, Unfilled, got.State)
	assert.False(t, got.Active())
	ns := f.notices()
	require.Len(t, ns, 1)
	assert.Equal(t, NoticeUnfilled, ns[0].Kind)
	assert.Contains(t, ns[0].Body, "A Borrowed Book")
	sent, _, err := f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	got = f.stored(r.ID)
	assert.Equal(t, "Unfilled notice sent to "+ns[0].To+" by email", got.History[len(got.History)-1].Note)
}

func TestCancelOfASentRequestWaitsForTheLender(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("WillSupply"))
	got, err := f.desk.Cancel(r.ID, "patron found it", atRS)
	require.NoError(t, err)
	assert.Equal(t, WillSupply, got.State, "the lender's answer decides")
	o := f.lastMessage()
	assert.Equal(t, "Cancel", o.Action)
	assert.Equal(t, r.ID+"-1", o.RequestingRequestID)
	assert.Equal(t, "S-"+r.ID+"-1", o.SupplyingRequestID)
	f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "CancelResponse", "Cancelled", "Y" })
	assert.Equal(t, Cancelled, f.stored(r.ID).State)
}

func TestResendSendsARetryNamingThePreviousAttempt(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	_, err := f.desk.Resend(r.ID, Citation{Volume: "7"}, atRS)
	require.ErrorIs(t, err, ErrIllegalTransition, "only after the lender asks for changes")
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("RetryPossible"))
	f.now = f.now.Add(72 * time.Hour)
	got, err := f.desk.Resend(r.ID, Citation{Volume: "7"}, atRS)
	require.NoError(t, err)
	assert.Equal(t, f.desk.Calendar().AddBusinessHours(f.now, 24), got.LenderDeadline, "a new turnaround for the new attempt")
	assert.Equal(t, Requested, got.State)
	assert.Equal(t, "7", got.Volume)
	assert.Equal(t, "A Borrowed Book", got.Title, "what is not corrected stays")
	require.Len(t, got.Lenders, 2)
	assert.Equal(t, LenderAttempt{Partner: "RAPID", RequestID: r.ID + "-2", Outcome: "sent"}, got.Lenders[1])
	o := f.lastMessage()
	assert.Equal(t, "Retry", o.RequestType)
	assert.Equal(t, r.ID+"-1", o.PreviousRequestID)
	assert.Equal(t, r.ID+"-2", o.RequestingRequestID)
	assert.Equal(t, "7", o.Citation.Volume)
}

func TestBorrowedBookRoundTripWithALender(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { in.Status, in.ItemID = "Loaned", "LEND-9" })
	// the lender's item id scanned at the RS desk receives it
	res, err := f.desk.Scan("LEND-9", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActReceive, res.Action)
	assert.Equal(t, "Received", f.lastMessage().Action)
	for range 2 { // hold shelf, checkout
		_, err := f.desk.Scan("LEND-9", "", atMain)
		require.NoError(t, err)
	}
	_, err = f.desk.Renew(r.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, "Renew", f.lastMessage().Action)
	_, err = f.desk.StatusRequest(r.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, "StatusRequest", f.lastMessage().Action)
	_, err = f.desk.Scan("LEND-9", "", atMain) // checked in
	require.NoError(t, err)
	res, err = f.desk.Scan("LEND-9", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActReturnToLender, res.Action)
	assert.Equal(t, ReturnedToLender, f.stored(r.ID).State)
	assert.Equal(t, "ShippedReturn", f.lastMessage().Action)
	_, err = f.desk.Scan("LEND-9", "", atRS)
	require.ErrorIs(t, err, ErrUnknownCode, "the temporary item is gone")

	// five business days later without LoanCompleted it needs attention
	f.now = f.desk.Calendar().AddBusinessHours(f.now, 5*24+1)
	var why string
	for _, a := range f.needsAttention(t) {
		if a.Request.ID == r.ID {
			why = a.Why
		}
	}
	assert.Contains(t, why, "no LoanCompleted")
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("LoanCompleted"))
	assert.Equal(t, Completed, f.stored(r.ID).State)
}

func TestOurOwnBarcodeReceivesAShippedItem(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("Loaned"))
	res, err := f.desk.Scan("39200001", r.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, ActReceive, res.Action)
	assert.Equal(t, "39200001", f.stored(r.ID).ItemBarcode)
}

func TestCloseByHandAndTurnaroundAttention(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("WillSupply"))
	for _, a := range f.needsAttention(t) {
		assert.NotEqual(t, r.ID, a.Request.ID, "waiting on the lender within its turnaround")
	}
	f.now = f.desk.Calendar().AddBusinessHours(f.now, 25)
	found := false
	for _, a := range f.needsAttention(t) {
		if a.Request.ID == r.ID {
			found = true
			assert.Contains(t, a.Why, "turnaround")
		}
	}
	assert.True(t, found, "past RAPID's 24 h turnaround")
	before := f.store.snapshot()
	_, err := f.desk.Close(r.ID, " ", atRS)
	f.refused(err, ErrInvalidInput, before)
	got, err := f.desk.Close(r.ID, "never came", atRS)
	require.NoError(t, err)
	assert.Equal(t, Completed, got.State)

	plain := f.borrowing("RAPID", "", func(in *BorrowingInput) {})
	require.NoError(t, f.store.Update(func(tx Tx) error { // a request from before rotas
		p := plain
		p.Lenders, p.Rota = nil, nil
		return tx.PutRequest(p)
	}))
	_, err = f.desk.Close(plain.ID, "x", atRS)
	require.ErrorIs(t, err, ErrInvalidInput)
}

func TestLegacyBorrowingRequestStillAnswered(t *testing.T) {
	f := newInteropFixture(t)
	require.NoError(t, f.store.Update(func(tx Tx) error {
		r := Request{ID: "old-1", Side: Borrowing, Partner: "RAPID", State: Created, Citation: Citation{Title: "Old"},
			Requester: "Pat", Pickup: "Main Library", Created: f.now, History: []Event{{At: f.now, To: Created, Action: ActCreate}}}
		return tx.PutRequest(r)
	}))
	f.lenderSays("OCLC:RAPID", "old-1", status("WillSupply"))
	got := f.stored("old-1")
	assert.Equal(t, WillSupply, got.State)
	assert.Equal(t, "S-old-1", got.ExternalID)
}

func TestALendersYesAfterItsNoIsNoRepeat(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", status("WillSupply"))
	_, err := f.desk.Cancel(r.ID, "found elsewhere", atRS)
	require.NoError(t, err)
	answer := func(yes string) func(*Incoming) {
		return func(in *Incoming) { in.Reason, in.Status, in.AnswerYesNo = "CancelResponse", "WillSupply", yes }
	}
	f.lenderSays("OCLC:RAPID", r.ID+"-1", answer("N"))
	assert.Equal(t, WillSupply, f.stored(r.ID).State)
	f.now = f.now.Add(time.Minute)
	res := f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { answer("Y")(in); in.Timestamp = f.now })
	assert.False(t, res.Duplicate, "the same words but another answer")
	assert.Equal(t, Cancelled, f.stored(r.ID).State)
}

func TestWhatALenderDidIsNotUndone(t *testing.T) {
	f := newRotaFixture(t)
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { in.Status, in.ItemID = "Loaned", "LEND-7" })
	_, err := f.desk.Undo(r.ID, atRS)
	require.ErrorIs(t, err, ErrCannotUndo)
	assert.Equal(t, ShippedToUs, f.stored(r.ID).State)

	_, err = f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	got, err := f.desk.Undo(r.ID, atRS)
	require.NoError(t, err, "our receipt is ours to undo while its Received waits")
	assert.Equal(t, ShippedToUs, got.State)
	assert.Equal(t, "LEND-7", got.ActiveBarcode(), "found by the lender's item id again")
}
