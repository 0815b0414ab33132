package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeILS records the calls it is asked and answers each with err, after
// running during (which may change the desk meanwhile).
type fakeILS struct {
	calls  []string
	err    error
	during func(call string)
}

func (f *fakeILS) answer(call string) error {
	f.calls = append(f.calls, call)
	if f.during != nil {
		f.during(call)
	}
	return f.err
}

func (f *fakeILS) LookupUser(context.Context, string) (ILSUser, error) { return ILSUser{}, nil }
func (f *fakeILS) AcceptItem(_ context.Context, a ILSAccept) error {
	return f.answer(fmt.Sprintf("AcceptItem %s %s %s %s %s", a.ItemBarcode, a.PatronID, a.Title, a.Author, a.PickupLocation))
}
func (f *fakeILS) CheckOutItem(_ context.Context, patronID, itemBarcode, _ string) error {
	return f.answer("CheckOutItem " + patronID + " " + itemBarcode)
}
func (f *fakeILS) CheckInItem(_ context.Context, itemBarcode string) error {
	return f.answer("CheckInItem " + itemBarcode)
}
func (f *fakeILS) DeleteItem(_ context.Context, itemBarcode string) error {
	return f.answer("DeleteItem " + itemBarcode)
}
func (f *fakeILS) LookupItem(context.Context, string) (ILSItem, error) {
	return ILSItem{}, nil
}
func (f *fakeILS) Where() string { return "https://ils.example.edu/ncip" }

// ilsFixture is a desk whose ILS is ils, with ncip-steps steps.
func ilsFixture(t *testing.T, steps string) (*deskFixture, *fakeILS) {
	f := newDeskFixture(t)
	return f, f.withILS(steps)
}

// withILS gives the desk a fake ILS, with ncip-steps steps.
func (f *deskFixture) withILS(steps string) *fakeILS {
	ils := &fakeILS{}
	f.desk.ILSService.ils = func(NCIPSettings) (ILS, error) { return ils, nil }
	require.NoError(f.t, f.desk.SetNCIPSetting(KeyNCIPURL, "https://ils.example.edu/ncip"))
	require.NoError(f.t, f.desk.SetNCIPSetting(KeyNCIPSteps, steps))
	require.NoError(f.t, f.desk.SetNCIPSetting(KeyNCIPPickupCodes, "Main Library=MAIN"))
	return ils
}

func TestILSStepsAlongABorrowedBook(t *testing.T) {
	f, ils := ilsFixture(t, "accept,checkout,checkin")
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100"; in.Author = "Ada Author" })
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	for _, want := range []State{OnHoldShelf, Loaned, ReturnedByPatron} {
		res, err := f.desk.Scan("39200001", "", atMain)
		require.NoError(t, err)
		assert.Equal(t, want, res.Request.State)
	}
	assert.Equal(t, []string{"AcceptItem 39200001 P100 A Borrowed Book Ada Author MAIN",
		"CheckOutItem P100 39200001", "CheckInItem 39200001"}, ils.calls)
}

func TestILSStepCalledOnlyWhenListed(t *testing.T) {
	for _, tc := range []struct {
		steps string
		want  []string
	}{
		{"", nil},
		{"checkin", []string{"CheckInItem 39200001"}},
		{"accept", []string{"AcceptItem 39200001 P100 A Borrowed Book  MAIN"}},
	} {
		f, ils := ilsFixture(t, tc.steps)
		r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
		res, err := f.desk.Scan("39200001", r.ID, atRS)
		require.NoError(t, err)
		assert.Equal(t, Received, res.Request.State)
		for range 3 {
			_, err := f.desk.Scan("39200001", "", atMain)
			require.NoError(t, err)
		}
		assert.Equal(t, tc.want, ils.calls, "ncip-steps %q", tc.steps)
	}
}

func TestILSStepRefusedChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		is    error
		words string
	}{
		{"refused", &ILSRefusal{Call: "CheckOutItem", Problems: []ILSProblem{{Type: "User Blocked", Detail: "Fines over limit"}}},
			ErrILSRefused, "CheckOutItem: User Blocked: Fines over limit"},
		{"unreachable", fmt.Errorf("%w: connection refused", ErrILSUnreachable), ErrILSUnreachable,
			"The ILS at https://ils.example.edu/ncip did not answer: the ILS could not be reached: connection refused; nothing was changed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ils := ilsFixture(t, "checkout")
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
			_, err := f.desk.Receive(r.ID, "39200001", atRS)
			require.NoError(t, err)
			_, err = f.desk.Scan("39200001", "", atMain)
			require.NoError(t, err)
			before := f.stored(r.ID)
			ils.err = tc.err
			_, err = f.desk.Scan("39200001", "", atMain)
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.words)
			assert.Equal(t, before, f.stored(r.ID))
			assert.Equal(t, []string{"CheckOutItem P100 39200001"}, ils.calls)
		})
	}
}

func TestILSReceiveRefusedChangesNothing(t *testing.T) {
	f, ils := ilsFixture(t, "accept")
	ils.err = &ILSRefusal{Call: "AcceptItem", Problems: []ILSProblem{{Type: "Duplicate Item"}}}
	r := f.borrowing("BVB", "BVB-1")
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.ErrorIs(t, err, ErrILSRefused)
	assert.Contains(t, err.Error(), "AcceptItem: Duplicate Item")
	assert.Equal(t, Created, f.stored(r.ID).State)
	assert.Empty(t, f.stored(r.ID).ItemBarcode)
}

func TestILSCheckoutWithoutPatronIDIsSkipped(t *testing.T) {
	f, ils := ilsFixture(t, "checkout")
	r := f.borrowing("BVB", "BVB-1")
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39200001", "", atMain)
	require.NoError(t, err)
	res, err := f.desk.Scan("39200001", "", atMain)
	require.NoError(t, err)
	assert.Equal(t, Loaned, res.Request.State)
	assert.True(t, strings.HasSuffix(res.Message, "The ILS was not told of this checkout: the request has no patron id."), res.Message)
	assert.Empty(t, ils.calls)
}

func TestILSStepMovedMeanwhileIsRefused(t *testing.T) {
	f, ils := ilsFixture(t, "checkin")
	r := f.borrowing("BVB", "BVB-1")
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	for range 2 {
		_, err = f.desk.Scan("39200001", "", atMain)
		require.NoError(t, err)
	}
	loaned := f.stored(r.ID)
	call, _, err := f.desk.ILSService.callStep(loaned, ActCheckin, "39200001")
	require.NoError(t, err)
	moved := loaned
	moved.State = ReturnedByPatron
	err = call.stale(moved, ActComplete)
	require.True(t, errors.Is(err, ErrWrongState), "%v", err)
	assert.Contains(t, err.Error(), "changed while the ILS was asked")
	assert.NoError(t, call.stale(loaned, ActCheckin))
	assert.Equal(t, []string{"CheckInItem 39200001"}, ils.calls)
}
