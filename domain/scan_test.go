package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func station(t *testing.T, s string) Station {
	t.Helper()
	st, err := ParseStation(s)
	require.NoError(t, err)
	return st
}

func borrowingAt(st State) Request {
	r := sampleRequest(Borrowing, st)
	r.Pickup = "Main Library"
	r.Requester = "Pat Patron"
	return r
}

func lendingPick(st State, target string) Request {
	r := sampleRequest(Lending, st)
	r.PickTarget = target
	return r
}

// TestRouteScanTable is DESIGN.md's scan table, row by row.
func TestRouteScanTable(t *testing.T) {
	const code = "39000000001"
	tests := []struct {
		name string
		at   string
		r    Request
		want Action
	}{
		// pickup desk of that request, received → on hold shelf
		{"received at its pickup desk", "pickup:Main Library", borrowingAt(Received), ActHoldShelf},
		{"received at its pickup desk, other case", "pickup:main library", borrowingAt(Received), ActHoldShelf},
		{"received at its pickup desk, upper case", "pickup:MAIN LIBRARY", borrowingAt(Received), ActHoldShelf},
		// pickup desk of that request, on hold shelf → loaned
		{"on hold shelf at its pickup desk", "pickup:Main Library", borrowingAt(OnHoldShelf), ActCheckout},
		{"on hold shelf at its pickup desk, other case", "pickup:mAIN lIBRARY", borrowingAt(OnHoldShelf), ActCheckout},
		// any circulation desk, loaned → returned by patron
		{"loaned at its pickup desk", "pickup:Main Library", borrowingAt(Loaned), ActCheckin},
		{"loaned at another circulation desk", "pickup:Branch", borrowingAt(Loaned), ActCheckin},
		// RS desk, returned by patron → completed
		{"returned at the RS desk", "rs", borrowingAt(ReturnedByPatron), ActComplete},
		// target desk of a lending pick, pick requested → item at desk
		{"pick to the RS desk scanned there", "rs", lendingPick(PickRequested, "rs"), ActPickArrived},
		{"pick to digitization scanned there", "digitization:Scan Lab", lendingPick(PickRequested, "digitization:Scan Lab"), ActPickArrived},
		// RS desk, lending Loan request at the desk → loaned to partner
		{"loan at the RS desk", "rs", lendingLoan(ItemAtDesk), ActLoanToPartner},
		// RS desk, lent book back → returned
		{"lent book back at the RS desk", "rs", lendingLoan(LoanedToPartner), ActLoanReturned},
		{"returning book at the RS desk", "rs", lendingLoan(ReturnInTransit), ActLoanReturned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := deepCopy(tt.r)
			got, err := Route(station(t, tt.at), tt.r, code)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, tt.r.Can(got), "the routed action is legal in the request's state")
			assert.Equal(t, before, tt.r)
		})
	}
}

func TestRouteRefusals(t *testing.T) {
	const code = "39000000001"
	tests := []struct {
		name     string
		at       string
		r        Request
		want     error
		contains []string
	}{
		// wrong desk: the message names where the item belongs
		{"received at the RS desk", "rs", borrowingAt(Received), ErrWrongDesk, []string{"Main Library"}},
		{"received at another pickup desk", "pickup:Branch", borrowingAt(Received), ErrWrongDesk, []string{"Main Library"}},
		{"received at digitization", "digitization:Scan Lab", borrowingAt(Received), ErrWrongDesk, []string{"Main Library"}},
		{"on hold shelf at the RS desk", "rs", borrowingAt(OnHoldShelf), ErrWrongDesk, []string{"Main Library"}},
		{"on hold shelf at another pickup desk", "pickup:Branch", borrowingAt(OnHoldShelf), ErrWrongDesk, []string{"Main Library"}},
		{"loaned at the RS desk", "rs", borrowingAt(Loaned), ErrWrongDesk, []string{"circulation desk"}},
		{"loaned at digitization", "digitization:Scan Lab", borrowingAt(Loaned), ErrWrongDesk, []string{"circulation desk"}},
		{"returned at its pickup desk", "pickup:Main Library", borrowingAt(ReturnedByPatron), ErrWrongDesk, []string{"RS desk"}},
		{"returned at digitization", "digitization:Scan Lab", borrowingAt(ReturnedByPatron), ErrWrongDesk, []string{"RS desk"}},
		{"pick to digitization scanned at RS", "rs", lendingPick(PickRequested, "digitization:Scan Lab"), ErrWrongDesk, []string{"Scan Lab"}},
		{"pick to digitization scanned at another department", "digitization:Photo Lab", lendingPick(PickRequested, "digitization:Scan Lab"), ErrWrongDesk, []string{"Scan Lab"}},
		{"pick to RS scanned at digitization", "digitization:Scan Lab", lendingPick(PickRequested, "rs"), ErrWrongDesk, []string{"RS desk"}},
		{"pick to RS scanned at a pickup desk", "pickup:Main Library", lendingPick(PickRequested, "rs"), ErrWrongDesk, []string{"RS desk"}},
		// wrong state: nothing to do
		{"lending item already at desk", "rs", lendingPick(ItemAtDesk, "rs"), ErrWrongState, []string{"RAPID-12345"}},
		{"lending item already at digitization", "digitization:Scan Lab", lendingPick(ItemAtDesk, "digitization:Scan Lab"), ErrWrongState, []string{"RAPID-12345"}},
		{"lending created", "rs", lendingPick(Created, ""), ErrWrongState, []string{"RAPID-12345", "Created Lending Request"}},
		{"lending shipped", "rs", lendingPick(ShippedDigitally, "rs"), ErrWrongState, []string{"Shipped Digitally"}},
		{"lending rejected", "digitization:Scan Lab", lendingPick(Rejected, "digitization:Scan Lab"), ErrWrongState, []string{"Rejected"}},
		{"borrowing created", "rs", borrowingAt(Created), ErrWrongState, []string{"Created borrowing request"}},
		{"borrowing completed at RS", "rs", borrowingAt(Completed), ErrWrongState, []string{"Request completed"}},
		{"borrowing completed at pickup", "pickup:Main Library", borrowingAt(Completed), ErrWrongState, []string{"Request completed"}},
		{"borrowing cancelled", "pickup:Main Library", borrowingAt(Cancelled), ErrWrongState, []string{"Cancelled"}},
		{"loan at a pickup desk", "pickup:Main Library", lendingLoan(ItemAtDesk), ErrWrongDesk, []string{"RS desk", "RAPID"}},
		{"loan at digitization", "digitization:Scan Lab", lendingLoan(ItemAtDesk), ErrWrongDesk, []string{"RS desk"}},
		{"lent book at a pickup desk", "pickup:Main Library", lendingLoan(LoanedToPartner), ErrWrongDesk, []string{"RS desk", "RAPID"}},
		{"returning book at digitization", "digitization:Scan Lab", lendingLoan(ReturnInTransit), ErrWrongDesk, []string{"RS desk"}},
		{"returned book", "rs", lendingLoan(Returned), ErrWrongState, []string{"Returned"}},
		{"loan still to pick", "rs", lendingLoan(Created), ErrWrongState, []string{"Created Lending Request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := deepCopy(tt.r)
			got, err := Route(station(t, tt.at), tt.r, code)
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, got)
			var ref *Refusal
			require.ErrorAs(t, err, &ref)
			assertSentence(t, err)
			assert.Contains(t, err.Error(), code, "the message names the scanned code")
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			assert.Equal(t, before, tt.r)
		})
	}
}

// A digitization department typed in another letter case is the same
// department, as pickup desks are (see TestRouteScanTable).
func TestRouteDigitizationNameCaseInsensitive(t *testing.T) {
	got, err := Route(station(t, "digitization:scan lab"), lendingPick(PickRequested, "digitization:Scan Lab"), "39000000001")
	require.NoError(t, err, "pick targets must be compared ignoring letter case")
	assert.Equal(t, ActPickArrived, got)
}

func TestStationSame(t *testing.T) {
	tests := []struct {
		a, b Station
		same bool
	}{
		{RSDesk, RSDesk, true},
		{Station{StationPickup, "Main Library"}, Station{StationPickup, "main LIBRARY"}, true},
		{Station{StationDigitization, "Scan Lab"}, Station{StationDigitization, "SCAN LAB"}, true},
		{Station{StationPickup, "Main Library"}, Station{StationPickup, "Branch"}, false},
		{Station{StationPickup, "Scan Lab"}, Station{StationDigitization, "Scan Lab"}, false},
		{RSDesk, Station{StationPickup, "rs"}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.same, tt.a.Same(tt.b), "%v / %v", tt.a, tt.b)
		assert.Equal(t, tt.same, tt.b.Same(tt.a), "symmetric: %v / %v", tt.b, tt.a)
	}
}

// lendingLoan is a lending request for a loan of the book, picked to the RS desk.
func lendingLoan(st State) Request {
	r := lendingPick(st, "rs")
	r.ServiceType, r.ArticleTitle, r.Pages = "Loan", "", ""
	return r
}
