package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckoutProof(t *testing.T) {
	withID := Request{Requester: "Grace Hopper", PatronID: "P-100"}
	withoutID := Request{Requester: "Grace Hopper"}
	tests := []struct {
		name  string
		r     Request
		proof CheckoutProof
		want  error // nil: allowed
		words string
	}{
		{"command line without patron", withID, CheckoutProof{}, nil, ""},
		{"command line, the patron's id", withID, CheckoutProof{PatronID: "P-100"}, nil, ""},
		{"command line, the id in another case with spaces", withID, CheckoutProof{PatronID: " p-100 "}, nil, ""},
		{"command line, another patron", withID, CheckoutProof{PatronID: "P-200"}, ErrPatronMismatch, "not for patron P-200"},
		{"command line, a request without patron id", withoutID, CheckoutProof{PatronID: "P-100"}, ErrPatronMismatch, "no patron id"},
		{"command line, a request without patron id, no id given", withoutID, CheckoutProof{}, nil, ""},
		{"window, the patron's card", withID, CheckoutProof{PatronID: "P-100", Required: true}, nil, ""},
		{"window, no card", withID, CheckoutProof{Required: true}, ErrRequesterUnconfirmed, "Grace Hopper"},
		{"window, another patron's card", withID, CheckoutProof{PatronID: "P-200", Required: true}, ErrRequesterUnconfirmed, "confirm the requester"},
		{"window, confirmed", withID, CheckoutProof{PatronID: "P-200", Required: true, Confirmed: true}, nil, ""},
		{"window, a request without patron id", withoutID, CheckoutProof{PatronID: "P-100", Required: true}, ErrRequesterUnconfirmed, "Grace Hopper"},
		{"window, a request without patron id, confirmed", withoutID, CheckoutProof{Required: true, Confirmed: true}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.proof.Check(tt.r, "39200001")
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.words)
			assert.Contains(t, err.Error(), "39200001")
		})
	}
}

func TestPickupGate(t *testing.T) {
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	type step struct {
		after  time.Duration // since start
		patron string        // a patron card read, or
		item   string        // an item read (Repeated asked first)
		repeat bool          // what Repeated says of the item
		knows  string        // the patron the gate remembers after the step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a double read is ignored", []step{
			{after: 0, item: "I1"}, {after: 500 * time.Millisecond, item: "I1", repeat: true}}},
		{"a read 3 s later counts", []step{
			{after: 0, item: "I1"}, {after: 2999 * time.Millisecond, item: "I1", repeat: true},
			{after: 3 * time.Second, item: "I1"}}},
		{"another item counts", []step{
			{after: 0, item: "I1"}, {after: time.Second, item: "I2"}, {after: 2 * time.Second, item: "I1"}}},
		{"a patron card in between changes nothing", []step{
			{after: 0, item: "I1"}, {after: time.Second, patron: "P-1", knows: "P-1"},
			{after: 2 * time.Second, item: "I1", repeat: true, knows: "P-1"}}},
		{"the patron is remembered for a minute", []step{
			{after: 0, patron: "P-1", knows: "P-1"}, {after: 59 * time.Second, item: "I1", knows: "P-1"},
			{after: time.Minute, item: "I2"}}},
		{"the last card counts", []step{
			{after: 0, patron: "P-1", knows: "P-1"}, {after: time.Second, patron: "P-2", knows: "P-2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := start
			g := NewPickupGate(ClockFunc(func() time.Time { return now }))
			for i, s := range tt.steps {
				now = start.Add(s.after)
				if s.patron != "" {
					g.PatronRead(s.patron, "Name of "+s.patron)
				} else {
					assert.Equal(t, s.repeat, g.Repeated(s.item), "step %d", i)
					if !s.repeat {
						g.ItemRead(s.item)
					}
				}
				id, name := g.Patron()
				assert.Equal(t, s.knows, id, "step %d", i)
				assert.Equal(t, s.knows, g.Proof().PatronID, "step %d", i)
				assert.True(t, g.Proof().Required)
				if s.knows != "" {
					assert.Equal(t, "Name of "+s.knows, name)
				}
			}
		})
	}
}

// A check-out at the pickup desk with proof: the request's patron checks
// it out; refused proof changes nothing; the patron's card is found among
// the desk's hold shelf only.
func TestScanWithCheckoutProof(t *testing.T) {
	f := newDeskFixture(t)
	r := f.borrowing("RAPID", "", func(in *BorrowingInput) { in.PatronID = "P-100" })
	other := f.borrowing("RAPID", "", func(in *BorrowingInput) { in.PatronID = "P-200"; in.Pickup = "Branch" })
	for _, x := range []struct {
		id, barcode string
		at          Actor
	}{{r.ID, "39200001", atMain}, {other.ID, "39200002", atBranch}} {
		_, err := f.desk.Receive(x.id, x.barcode, atRS)
		require.NoError(t, err)
		_, err = f.desk.Scan(x.barcode, "", x.at)
		require.NoError(t, err)
	}

	for _, tt := range []struct {
		code string
		at   Station
		name string
		ok   bool
	}{
		{"P-100", atMain.Station, "Pat Patron", true},
		{" p-100 ", atMain.Station, "Pat Patron", true},
		{"P-200", atMain.Station, "", false}, // on the hold shelf at Branch
		{"P-200", atBranch.Station, "Pat Patron", true},
		{"39200001", atMain.Station, "", false}, // an item
		{"P-100", RSDesk, "", false},
		{"", atMain.Station, "", false},
	} {
		name, ok, err := f.desk.PatronOnHold(tt.code, tt.at)
		require.NoError(t, err)
		assert.Equal(t, tt.ok, ok, "%q at %s", tt.code, tt.at.Label())
		assert.Equal(t, tt.name, name)
	}

	before := f.store.snapshot()
	_, err := f.desk.ScanWith("39200001", "", atMain, CheckoutProof{PatronID: "P-200"})
	f.refused(err, ErrPatronMismatch, before)
	_, err = f.desk.ScanWith("39200001", "", atMain, CheckoutProof{Required: true})
	f.refused(err, ErrRequesterUnconfirmed, before)
	var ref *Refusal
	require.ErrorAs(t, err, &ref)
	require.Len(t, ref.Candidates, 1)
	assert.Equal(t, r.ID, ref.Candidates[0].ID)

	res, err := f.desk.ScanWith("39200001", "", atMain, CheckoutProof{PatronID: "P-100", Required: true})
	require.NoError(t, err)
	assert.Equal(t, ActCheckout, res.Action)
	assert.Equal(t, Loaned, f.stored(r.ID).State)
	// a proof matters only to a check-out: the check-in goes on as before
	res, err = f.desk.ScanWith("39200001", "", atMain, CheckoutProof{PatronID: "P-999", Required: true})
	require.NoError(t, err)
	assert.Equal(t, ActCheckin, res.Action)
}
