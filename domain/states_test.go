package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allActions lists every action of both workflows.
var allActions = []Action{
	ActCreate, ActPick, ActPickArrived, ActShip, ActReject, ActBadCitation, ActCancel,
	ActReceive, ActHoldShelf, ActCheckout, ActCheckin, ActComplete,
}

// allStates lists every state code of both sides plus the empty state a new
// request starts from.
var allStates = []State{
	"", Created, PickRequested, ItemAtDesk, ShippedDigitally, Rejected, BadCitation, Cancelled,
	Received, OnHoldShelf, Loaned, ReturnedByPatron, Completed,
	LoanedToPartner, ReturnInTransit, Returned,
}

type fromAction struct {
	from State
	act  Action
}

// designMoves is DESIGN.md's state tables, written out independently of the
// machines map: for each side, the legal (state, action) pairs and the state
// each leads to. Everything not listed must be refused.
var designMoves = map[Side]map[fromAction]State{
	Lending: {
		{"", ActCreate}:                 Created,
		{Created, ActPick}:              PickRequested,
		{PickRequested, ActPickArrived}: ItemAtDesk,
		// Ship, Reject and Bad citation are allowed from created, pick_requested and item_at_desk.
		{Created, ActShip}:              ShippedDigitally,
		{PickRequested, ActShip}:        ShippedDigitally,
		{ItemAtDesk, ActShip}:           ShippedDigitally,
		{Created, ActReject}:            Rejected,
		{PickRequested, ActReject}:      Rejected,
		{ItemAtDesk, ActReject}:         Rejected,
		{Created, ActBadCitation}:       BadCitation,
		{PickRequested, ActBadCitation}: BadCitation,
		{ItemAtDesk, ActBadCitation}:    BadCitation,
		// the borrower may withdraw while we still work on it
		{Created, ActCancel}:       Cancelled,
		{PickRequested, ActCancel}: Cancelled,
		{ItemAtDesk, ActCancel}:    Cancelled,
	},
	Borrowing: {
		{"", ActCreate}:                 Created,
		{Created, ActReceive}:           Received,
		{Received, ActHoldShelf}:        OnHoldShelf,
		{OnHoldShelf, ActCheckout}:      Loaned,
		{Loaned, ActCheckin}:            ReturnedByPatron,
		{ReturnedByPatron, ActComplete}: Completed,
		{Created, ActCancel}:            Cancelled, // cancelled before receipt
	},
}

// sampleRequest is a request with every kind of field filled, so a deep
// comparison notices any stray change.
func sampleRequest(side Side, st State) Request {
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	return Request{
		ID: "0195f00d-aaaa-7bbb-8ccc-000000000001", Side: side, ExternalID: "RAPID-12345",
		Partner: "RAPID", State: st, Format: FormatPhysical,
		Citation: Citation{Title: "Journal of Tests", ArticleTitle: "On transitions", Pages: "12-30"},
		Holdings: Holdings{Location: "Stacks", CallNumber: "QA76", ItemBarcode: "39000000001",
			EResources: []EResource{{Name: "JSTOR", URL: "https://example.org/jstor"}}},
		Requester: "Pat Patron", Pickup: "Main Library", InternalNote: "internal",
		Created: at, Deadline: at.Add(24 * time.Hour), PickTarget: "rs",
		History: []Event{{At: at, From: "", To: Created, Action: ActCreate, Actor: "ana", Desk: "rs"}},
	}
}

// deepCopy copies a request including its slices and pointers.
func deepCopy(r Request) Request {
	c := r
	c.History = slices.Clone(r.History)
	c.EResources = slices.Clone(r.EResources)
	if r.ShippedFile != nil {
		sf := *r.ShippedFile
		c.ShippedFile = &sf
	}
	return c
}

func TestTransitionEveryStateAndAction(t *testing.T) {
	at := time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC)
	for _, side := range []Side{Lending, Borrowing} {
		for _, st := range allStates {
			for _, act := range allActions {
				name := fmt.Sprintf("%s/%q/%s", side, st, act)
				t.Run(name, func(t *testing.T) {
					r := sampleRequest(side, st)
					before := deepCopy(r)
					want, legal := designMoves[side][fromAction{st, act}]
					assert.Equal(t, legal, r.Can(act), "Can(%s) from %q", act, st)

					// From, To and Action given by the caller must be overwritten.
					ev := Event{At: at, From: "bogus", To: "bogus", Action: "bogus", Actor: "bo", Desk: "pickup:Main Library", Note: "n"}
					err := r.Transition(act, ev)
					if legal {
						require.NoError(t, err)
						assert.Equal(t, want, r.State)
						require.Len(t, r.History, len(before.History)+1, "exactly one event appended")
						assert.Equal(t, before.History, r.History[:len(before.History)], "earlier history untouched")
						assert.Equal(t, Event{At: at, From: st, To: want, Action: act, Actor: "bo", Desk: "pickup:Main Library", Note: "n"},
							r.History[len(r.History)-1])
						// nothing but the state and the history changes
						expected := deepCopy(before)
						expected.State = want
						expected.History = r.History
						assert.Equal(t, expected, r)
						return
					}
					require.Error(t, err)
					assert.True(t, errors.Is(err, ErrIllegalTransition), "errors.Is(%v, ErrIllegalTransition)", err)
					var ref *Refusal
					require.ErrorAs(t, err, &ref)
					assertSentence(t, err)
					assert.Equal(t, before, r, "a refused transition leaves the request unchanged")
				})
			}
		}
	}
}

func TestTransitionUnknownSideIsRefused(t *testing.T) {
	r := sampleRequest("", Created)
	before := deepCopy(r)
	for _, act := range allActions {
		err := r.Transition(act, Event{})
		require.ErrorIs(t, err, ErrIllegalTransition, act)
		assert.False(t, r.Can(act))
	}
	assert.Equal(t, before, r)
}

func TestIllegalTransitionMessages(t *testing.T) {
	tests := []struct {
		side     Side
		state    State
		act      Action
		contains []string
	}{
		{Lending, ShippedDigitally, ActReject, []string{"RAPID-12345", "already closed", "Shipped Digitally"}},
		{Borrowing, Completed, ActCheckin, []string{"already closed", "Request completed"}},
		{Lending, Created, ActReceive, []string{"does not apply", "lending"}},
		{Borrowing, Created, ActShip, []string{"does not apply", "borrowing"}},
		{Lending, Created, ActPickArrived, []string{"RAPID-12345", "Created Lending Request", "Item arrived at desk"}},
		{Borrowing, Received, ActCheckout, []string{"Received — in transit to pickup", "Checked out to patron"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.side, tt.state, tt.act), func(t *testing.T) {
			r := sampleRequest(tt.side, tt.state)
			err := r.Transition(tt.act, Event{})
			require.ErrorIs(t, err, ErrIllegalTransition)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			assertSentence(t, err)
		})
	}
}

func TestFinal(t *testing.T) {
	tests := []struct {
		side  Side
		state State
		final bool
	}{
		{Lending, Created, false},
		{Lending, PickRequested, false},
		{Lending, ItemAtDesk, false},
		{Lending, ShippedDigitally, true},
		{Lending, Rejected, true},
		{Lending, BadCitation, true},
		{Lending, Cancelled, true},
		{Lending, LoanedToPartner, false},
		{Lending, ReturnInTransit, false},
		{Lending, Returned, true},
		{Borrowing, Created, false},
		{Borrowing, Received, false},
		{Borrowing, OnHoldShelf, false},
		{Borrowing, Loaned, false},
		{Borrowing, ReturnedByPatron, false},
		{Borrowing, Completed, true},
		{Borrowing, Cancelled, true},
		{Borrowing, Requested, false},
		{Borrowing, WillSupply, false},
		{Borrowing, ShippedToUs, false},
		{Borrowing, RetryPossible, false},
		{Borrowing, CopyReceived, false},
		{Borrowing, ReturnedToLender, false},
		{Borrowing, Unfilled, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.side, tt.state), func(t *testing.T) {
			assert.Equal(t, tt.final, tt.state.Final(tt.side))
			r := sampleRequest(tt.side, tt.state)
			assert.Equal(t, !tt.final, r.Active())
		})
	}
	// every state of each side is covered by the table above
	for _, side := range []Side{Lending, Borrowing} {
		n := 0
		for _, tt := range tests {
			if tt.side == side {
				n++
				assert.Contains(t, States(side), tt.state)
			}
		}
		assert.Len(t, States(side), n, side)
	}
}

func TestStateLabels(t *testing.T) {
	tests := []struct {
		side  Side
		state State
		label string
	}{
		{Lending, Created, "Created Lending Request"},
		{Lending, PickRequested, "Pick From Shelf requested"},
		{Lending, ItemAtDesk, "Item at desk"},
		{Lending, ShippedDigitally, "Shipped Digitally"},
		{Lending, Rejected, "Rejected"},
		{Lending, BadCitation, "Bad citation"},
		{Lending, Cancelled, "Cancelled by partner"},
		{Lending, LoanedToPartner, "Loaned to partner"},
		{Lending, ReturnInTransit, "Returning from partner"},
		{Lending, Returned, "Returned"},
		{Borrowing, Created, "Created borrowing request"},
		{Borrowing, Received, "Received — in transit to pickup"},
		{Borrowing, OnHoldShelf, "On hold shelf"},
		{Borrowing, Loaned, "Loaned to patron"},
		{Borrowing, ReturnedByPatron, "Returned — in transit to RS desk"},
		{Borrowing, Completed, "Request completed"},
		{Borrowing, Cancelled, "Cancelled"},
		{Borrowing, Requested, "Requested from lender"},
		{Borrowing, WillSupply, "Will supply"},
		{Borrowing, ShippedToUs, "Shipped to us"},
		{Borrowing, RetryPossible, "Lender asks for changes"},
		{Borrowing, CopyReceived, "Copy received"},
		{Borrowing, ReturnedToLender, "Returned to lender"},
		{Borrowing, Unfilled, "Unfilled"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.side, tt.state), func(t *testing.T) {
			assert.Equal(t, tt.label, tt.state.Label(tt.side))
			want := tt.label
			if tt.state == Requested {
				want = "Requested from RAPID" // a request names its lender
			}
			assert.Equal(t, want, sampleRequest(tt.side, tt.state).StatusLabel())
		})
	}
}

func TestStateShortLabels(t *testing.T) {
	want := map[Side][]string{
		Lending: {"New", "Pick requested", "At desk", "Shipped", "Rejected", "Bad citation", "Cancelled",
			"On loan", "Returning", "Returned"},
		Borrowing: {"New", "Received", "On hold shelf", "Checked out", "Returned", "Completed", "Cancelled",
			"Requested", "Will supply", "Shipped to us", "Needs changes", "Copy received", "Sent back", "Unfilled"},
	}
	for side, labels := range want {
		for i, s := range States(side) {
			t.Run(fmt.Sprintf("%s/%s", side, s), func(t *testing.T) {
				got := s.ShortLabel(side)
				assert.Equal(t, labels[i], got)
				// the list's Status column is sized for 14 characters
				assert.LessOrEqual(t, len([]rune(got)), 14)
			})
		}
	}
}

func TestStatesOrder(t *testing.T) {
	assert.Equal(t, []State{Created, PickRequested, ItemAtDesk, ShippedDigitally, Rejected, BadCitation, Cancelled,
		LoanedToPartner, ReturnInTransit, Returned}, States(Lending))
	assert.Equal(t, []State{Created, Received, OnHoldShelf, Loaned, ReturnedByPatron, Completed, Cancelled,
		Requested, WillSupply, ShippedToUs, RetryPossible, CopyReceived, ReturnedToLender, Unfilled}, States(Borrowing))
}

func TestActiveBarcode(t *testing.T) {
	const code = "39000000001"
	active := map[Side][]State{
		Lending:   {PickRequested, ItemAtDesk, LoanedToPartner, ReturnInTransit},
		Borrowing: {Received, OnHoldShelf, Loaned, ReturnedByPatron},
	}
	for _, side := range []Side{Lending, Borrowing} {
		for _, st := range allStates {
			t.Run(fmt.Sprintf("%s/%q", side, st), func(t *testing.T) {
				r := sampleRequest(side, st)
				want := ""
				if slices.Contains(active[side], st) {
					want = code
				}
				assert.Equal(t, want, r.ActiveBarcode())
				r.ItemBarcode = ""
				assert.Empty(t, r.ActiveBarcode(), "no barcode, nothing to route")
			})
		}
	}
}

func TestParseState(t *testing.T) {
	for _, side := range []Side{Lending, Borrowing} {
		for _, st := range States(side) {
			got, err := ParseState(string(st))
			require.NoError(t, err)
			assert.Equal(t, st, got)
		}
	}
	for _, bad := range []string{"", "Created", "shipped", "open"} {
		_, err := ParseState(bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
		assertSentence(t, err)
	}
}

func TestParseSideAndFormat(t *testing.T) {
	for in, want := range map[string]Side{"lending": Lending, " Borrowing ": Borrowing, "LENDING": Lending} {
		got, err := ParseSide(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "lend", "both"} {
		_, err := ParseSide(bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
	}
	for in, want := range map[string]Format{"": FormatUnknown, " ": FormatUnknown, "Electronic": FormatElectronic, "PHYSICAL": FormatPhysical} {
		got, err := ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseFormat("microfilm")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, "Electronic", FormatElectronic.Label())
	assert.Equal(t, "Physical", FormatPhysical.Label())
	assert.Equal(t, "", FormatUnknown.Label())
}

func TestActionLabels(t *testing.T) {
	seen := map[string]Action{}
	for _, a := range allActions {
		l := a.Label()
		assert.NotEmpty(t, l, a)
		assert.NotEqual(t, string(a), l, "action %s has a label for staff", a)
		if prev, dup := seen[l]; dup {
			t.Errorf("actions %s and %s share the label %q", prev, a, l)
		}
		seen[l] = a
	}
	assert.Equal(t, "mystery", Action("mystery").Label())
}

func TestRefAndUrgency(t *testing.T) {
	r := sampleRequest(Lending, Created)
	assert.Equal(t, "RAPID-12345", r.Ref())
	r.ExternalID = ""
	assert.Equal(t, "00000001", r.Ref(), "the random tail of the id, not its timestamp start")
	r.ID = "abc"
	assert.Equal(t, "abc", r.Ref())

	created := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	deadline := created.Add(24 * time.Hour)
	due := created.AddDate(0, 0, 28)
	for _, tc := range []struct {
		r     Request
		want  time.Time
		dated bool
	}{
		{Request{Side: Lending, Created: created, Deadline: deadline}, deadline, true},
		{Request{Side: Lending, Created: created}, created, false},
		{Request{Side: Borrowing, Created: created, DueDate: due}, due, true},
		{Request{Side: Borrowing, Created: created}, created, false},
	} {
		at, dated := tc.r.Summary().Urgency()
		assert.Equal(t, tc.want, at)
		assert.Equal(t, tc.dated, dated)
	}
}

// assertSentence checks that err carries a message for staff: a non-empty
// sentence ending in a full stop, not just the bare sentinel text, with no
// formatting mistakes.
func assertSentence(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	assert.NotEmpty(t, strings.TrimSpace(msg))
	assert.True(t, strings.HasSuffix(msg, ".") || strings.HasSuffix(msg, "!") || strings.HasSuffix(msg, "?"),
		"message %q should be a sentence", msg)
	assert.NotContains(t, msg, "%!", "formatting mistake in %q", msg)
	if inner := errors.Unwrap(err); inner != nil {
		assert.NotEqual(t, inner.Error(), msg, "message is only the sentinel")
	}
}

func TestRefusalSaysWhoActedFirst(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	_, err := f.desk.Reject(l.ID, Reasons()[0], "", "", atRS)
	require.NoError(t, err)
	_, err = f.desk.Reject(l.ID, Reasons()[0], "", "", atBranch)
	require.ErrorIs(t, err, ErrIllegalTransition)
	assert.Contains(t, err.Error(), "already closed (Rejected, by ana at the RS desk, 2026-03-04 10:00)")

	p := f.lending("RAPID", "RAPID-2")
	_, err = f.desk.Pick(p.ID, scanLab, "39000000001", atRS)
	require.NoError(t, err)
	_, err = f.desk.Pick(p.ID, scanLab, "39000000002", atScanLab)
	require.ErrorIs(t, err, ErrIllegalTransition)
	assert.Contains(t, err.Error(), "(by ana at the RS desk, 2026-03-04 10:00)")
}
