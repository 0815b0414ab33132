package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUndoReversesEachScanStep(t *testing.T) {
	f := newDeskFixture(t)
	b := f.borrowing("RAPID", "B-1", func(in *BorrowingInput) { in.Pickup = "Main Library" })
	steps := []struct {
		name  string
		do    func() error
		state State
		check func(r Request)
	}{
		{"receive", func() error { _, err := f.desk.Receive(b.ID, "39200001", atRS); return err }, Created,
			func(r Request) { assert.Empty(t, r.ItemBarcode, "the temporary item is gone") }},
		{"hold shelf", func() error { _, err := f.desk.Scan("39200001", "", atMain); return err }, Received,
			func(r Request) { assert.True(t, r.HoldUntil.IsZero()) }},
		{"checkout", func() error { _, err := f.desk.Scan("39200001", "", atMain); return err }, OnHoldShelf,
			func(r Request) { assert.True(t, r.DueDate.IsZero()) }},
		{"checkin", func() error { _, err := f.desk.Scan("39200001", "", atBranch); return err }, Loaned, nil},
		{"complete", func() error { _, err := f.desk.Scan("39200001", "", atRS); return err }, ReturnedByPatron, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			require.NoError(t, s.do())
			f.now = f.now.Add(time.Minute)
			r, err := f.desk.Undo(b.ID, atRS)
			require.NoError(t, err)
			assert.Equal(t, s.state, r.State)
			last := r.History[len(r.History)-1]
			assert.Equal(t, ActUndo, last.Action)
			assert.Equal(t, s.state, last.To)
			assert.Contains(t, last.Note, "Undid")
			if s.check != nil {
				s.check(f.stored(b.ID))
			}
			// redo the step so the next one can run
			require.NoError(t, s.do())
		})
	}
	assert.Equal(t, Completed, f.stored(b.ID).State)
}

func TestUndoRefusals(t *testing.T) {
	f := newDeskFixture(t)
	fresh := f.lending("RAPID", "L-1")
	before := f.store.snapshot()
	_, err := f.desk.Undo(fresh.ID, atRS)
	f.refused(err, ErrCannotUndo, before)

	shipped := f.lending("RAPID", "L-2")
	_, _, err = f.ship(shipped.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	before = f.store.snapshot()
	_, err = f.desk.Undo(shipped.ID, atRS)
	f.refused(err, ErrCannotUndo, before)
	assert.Contains(t, err.Error(), "left the building")

	late := f.lending("RAPID", "L-3")
	_, err = f.desk.Reject(late.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	f.now = f.now.Add(UndoWindow + time.Minute)
	before = f.store.snapshot()
	_, err = f.desk.Undo(late.ID, atRS)
	f.refused(err, ErrCannotUndo, before)
	assert.Contains(t, err.Error(), "15 minutes")

	twice := f.lending("RAPID", "L-4")
	_, err = f.desk.Reject(twice.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	r, err := f.desk.Undo(twice.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, Created, r.State)
	assert.Empty(t, r.RejectReason)
	before = f.store.snapshot()
	_, err = f.desk.Undo(twice.ID, atRS)
	f.refused(err, ErrCannotUndo, before)
}

func TestUndoCompleteRefusedWhenBarcodeReused(t *testing.T) {
	f := newDeskFixture(t)
	a := f.borrowing("RAPID", "B-1", func(in *BorrowingInput) { in.Pickup = "Main Library" })
	_, err := f.desk.Receive(a.ID, "39200001", atRS)
	require.NoError(t, err)
	for _, at := range []Actor{atMain, atMain, atMain, atRS} {
		_, err := f.desk.Scan("39200001", "", at)
		require.NoError(t, err)
	}
	b := f.borrowing("RAPID", "B-2")
	_, err = f.desk.Receive(b.ID, "39200001", atRS)
	require.NoError(t, err)
	before := f.store.snapshot()
	_, err = f.desk.Undo(a.ID, atRS)
	f.refused(err, ErrBarcodeInUse, before)
}

func TestUndoPickClearsTarget(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "L-1", func(in *LendingInput) { in.ItemBarcode = "39000001" })
	_, err := f.desk.Pick(l.ID, scanLab, "", atRS)
	require.NoError(t, err)
	r, err := f.desk.Undo(l.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, Created, r.State)
	assert.Empty(t, r.PickTarget)
	assert.Empty(t, r.ActiveBarcode(), "the item barcode no longer routes scans")
}

func TestUndoHoldShelfWithdrawsTheQueuedNotice(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39200001", func(in *BorrowingInput) { in.RequesterEmail = "ada@example.edu" })
	require.Len(t, f.notices(), 1)
	undone, err := f.desk.Undo(r.ID, atMain)
	require.NoError(t, err)
	assert.Equal(t, Received, undone.State)
	assert.Contains(t, lastEvent(undone).Note, "notice withdrawn")
	assert.Empty(t, f.notices(), "the patron is not told about a shelf the item is not on")
}

func TestUndoHoldShelfAfterAFailedSendIsStillPossible(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39200001", func(in *BorrowingInput) { in.RequesterEmail = "ada@example.edu" })
	_, failed, err := f.desk.DeliverNotices(&fakeMailer{reply: func(Notice) (string, error) { return "", errRefused }})
	require.NoError(t, err)
	require.Equal(t, 1, failed)
	undone, err := f.desk.Undo(r.ID, atMain)
	require.NoError(t, err, "a failed delivery attempt does not block the undo")
	assert.Equal(t, Received, undone.State)
}

func TestUndoHoldShelfRefusedOnceTheNoticeWasSent(t *testing.T) {
	f := newDeskFixture(t)
	r := f.onHoldShelf("39200001", func(in *BorrowingInput) { in.RequesterEmail = "ada@example.edu" })
	sent, _, err := f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	require.Equal(t, 1, sent)
	before := f.store.snapshot()
	_, err = f.desk.Undo(r.ID, atMain)
	f.refused(err, ErrCannotUndo, before)
	assert.Contains(t, err.Error(), "already gone")
}
