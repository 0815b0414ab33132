package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	errILSDown   = fmt.Errorf("%w: connection refused", ErrILSUnreachable)
	errILSBlocks = &ILSRefusal{Call: "X", Problems: []ILSProblem{{Type: "Unknown Item", Detail: "no such item"}}}
)

// send has the desk's dispatcher make one pass over its queues.
func (f *deskFixture) send() QueueReport {
	f.t.Helper()
	rep, err := f.desk.Dispatcher().SendDue(context.Background())
	require.NoError(f.t, err)
	return rep
}

// ilsQueue is what ils queue list shows of a request: each queued call's
// name and status.
func (f *deskFixture) ilsQueue(id string) []string {
	f.t.Helper()
	calls, err := f.desk.ILSCalls(id, false)
	require.NoError(f.t, err)
	var out []string
	for _, c := range calls {
		out = append(out, c.Call+" "+c.Status)
	}
	return out
}

// ilsCallIDs are the ids of a request's queued ILS calls.
func (f *deskFixture) ilsCallIDs(id string) []string {
	f.t.Helper()
	calls, err := f.desk.ILSCalls(id, false)
	require.NoError(f.t, err)
	var out []string
	for _, c := range calls {
		out = append(out, c.ID)
	}
	return out
}

// attention is why the request needs attention, "" when it does not.
func (f *deskFixture) attention(id string) string {
	f.t.Helper()
	as, err := f.desk.NeedsAttention()
	require.NoError(f.t, err)
	for _, a := range as {
		if a.Request.ID == id {
			return a.Why
		}
	}
	return ""
}

// toStep takes a borrowing request for P100 with barcode 39200001 up to
// (not through) the scan of action a, and returns the scan that makes it.
func (f *deskFixture) toStep(r Request, a Action) func() (ScanResult, error) {
	f.t.Helper()
	receive := func() (ScanResult, error) { return f.desk.Scan("39200001", r.ID, atRS) }
	if a == ActReceive {
		return receive
	}
	_, err := receive()
	require.NoError(f.t, err)
	scans := map[Action]int{ActCheckout: 1, ActCheckin: 2}[a]
	for range scans {
		_, err := f.desk.Scan("39200001", "", atMain)
		require.NoError(f.t, err)
	}
	return func() (ScanResult, error) { return f.desk.Scan("39200001", "", atMain) }
}

func TestILSDeleteItemGoesAfterTheCompletingScan(t *testing.T) {
	f, ils := ilsFixture(t, "accept,checkout,checkin,delete")
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	for range 3 {
		_, err := f.desk.Scan("39200001", "", atMain)
		require.NoError(t, err)
	}
	res, err := f.desk.Scan("39200001", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, Completed, res.Request.State)
	assert.Len(t, ils.calls, 3, "DeleteItem waits for the commit")
	assert.Equal(t, []string{"DeleteItem pending"}, f.ilsQueue(r.ID))
	rep := f.send()
	assert.Equal(t, 1, rep.Sent)
	assert.Equal(t, []string{"AcceptItem 39200001 P100 A Borrowed Book  MAIN",
		"CheckOutItem P100 39200001", "CheckInItem 39200001", "DeleteItem 39200001"}, ils.calls)
	assert.Equal(t, []string{"DeleteItem sent"}, f.ilsQueue(r.ID))
	h := f.stored(r.ID).History
	assert.Equal(t, "ILS call DeleteItem of item 39200001 sent to https://ils.example.edu/ncip", h[len(h)-1].Note)
	all, err := f.desk.ILSCalls(r.ID, true)
	require.NoError(t, err)
	assert.Len(t, all, 4, "the calls made at once are kept too")
}

// A book returned to a lender over ISO 18626 leaves us too: its temporary
// item is deleted after the scan, as ShippedReturn is sent.
func TestILSDeleteItemWhenReturnedToLender(t *testing.T) {
	f := newRotaFixture(t)
	ils := f.withILS("delete")
	r := f.rota()
	f.lenderSays("OCLC:RAPID", r.ID+"-1", func(in *Incoming) { in.Status, in.ItemID = "Loaned", "LEND-9" })
	_, err := f.desk.Scan("LEND-9", "", atRS)
	require.NoError(t, err)
	for range 3 {
		_, err := f.desk.Scan("LEND-9", "", atMain)
		require.NoError(t, err)
	}
	res, err := f.desk.Scan("LEND-9", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ReturnedToLender, res.Request.State)
	assert.Empty(t, ils.calls)
	f.send()
	assert.Equal(t, []string{"DeleteItem LEND-9"}, ils.calls)
}

func TestILSDeleteItemRefusedWaitsForStaff(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		act          func(f *deskFixture, id string) error
		calls        int
	}{
		{"retried", MessageSent, func(f *deskFixture, id string) error { _, err := f.desk.RetryILSCall(id, atRS); return err }, 2},
		{"dropped", MessageDropped, func(f *deskFixture, id string) error {
			_, err := f.desk.DropILSCall(id, "deleted in the ILS by hand", atRS)
			return err
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ils := ilsFixture(t, "delete")
			r := f.borrowing("BVB", "BVB-1")
			f.toStep(r, ActCheckin)()
			ils.err = errILSBlocks
			_, err := f.desk.Scan("39200001", "", atRS)
			require.NoError(t, err, "DeleteItem never refuses the scan")
			assert.Equal(t, 1, f.send().Failed)
			assert.Equal(t, []string{"DeleteItem refused"}, f.ilsQueue(r.ID))
			assert.Contains(t, f.attention(r.ID), "The ILS refused the DeleteItem call of item 39200001")
			assert.Contains(t, f.attention(r.ID), "X: Unknown Item: no such item")
			assert.Zero(t, f.send().Failed, "a refused call is not sent again by itself")
			calls, err := f.desk.ILSCalls(r.ID, false)
			require.NoError(t, err)
			ils.err = nil
			require.NoError(t, tc.act(f, calls[0].ID[len(calls[0].ID)-6:]))
			f.send()
			assert.Equal(t, []string{"DeleteItem " + tc.status}, f.ilsQueue(r.ID))
			assert.Len(t, ils.calls, tc.calls)
			assert.Empty(t, f.attention(r.ID))
			_, err = f.desk.DropILSCall(calls[0].ID, "again", atRS)
			assert.ErrorIs(t, err, ErrILSCallDone)
		})
	}
}

func TestILSDropNeedsANote(t *testing.T) {
	f, _ := ilsFixture(t, "delete")
	_, err := f.desk.DropILSCall("whatever", " ", atRS)
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = f.desk.RetryILSCall("nope", atRS)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestILSUnreachableQueuesTheCall(t *testing.T) {
	for _, tc := range []struct {
		step   string
		action Action
		state  State
		call   string
	}{
		{StepAccept, ActReceive, Received, "AcceptItem 39200001 P100 A Borrowed Book  MAIN"},
		{StepCheckout, ActCheckout, Loaned, "CheckOutItem P100 39200001"},
		{StepCheckin, ActCheckin, ReturnedByPatron, "CheckInItem 39200001"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			f, ils := ilsFixture(t, tc.step)
			require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPUnreachable, UnreachableQueue))
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
			scan := f.toStep(r, tc.action)
			ils.err = errILSDown
			res, err := scan()
			require.NoError(t, err, "with ncip-unreachable queue the step goes ahead")
			assert.Equal(t, tc.state, res.Request.State)
			name := strings.Fields(tc.call)[0]
			assert.Contains(t, res.Message, "The ILS did not answer, so its "+name+" call is queued")
			assert.Equal(t, []string{name + " pending"}, f.ilsQueue(r.ID))
			h := res.Request.History
			assert.Contains(t, h[len(h)-1].Note, "ILS call "+name+" of item 39200001 queued: the ILS at https://ils.example.edu/ncip did not answer")

			rep := f.send()
			assert.Equal(t, 1, rep.Failed)
			assert.Equal(t, f.now.Add(time.Minute), rep.Next, "retried after the back-off")
			assert.Contains(t, rep.Problems, fmt.Sprintf("ILS call %s %s of item 39200001 (%s) is failing: the ILS could not be reached: connection refused",
				f.ilsCallIDs(r.ID)[0], name, r.Ref()))
			assert.Equal(t, []string{name + " retrying"}, f.ilsQueue(r.ID))
			assert.Contains(t, f.attention(r.ID), "The ILS call "+name+" of item 39200001 is failing: the ILS could not be reached: connection refused")
			ils.err = nil
			assert.Zero(t, f.send().Sent, "not before its back-off")
			f.now = f.now.Add(2 * time.Minute)
			assert.Equal(t, 1, f.send().Sent)
			assert.Equal(t, []string{name + " sent"}, f.ilsQueue(r.ID))
			assert.Equal(t, []string{tc.call, tc.call, tc.call}, ils.calls, "asked at the scan, then by two passes")
			assert.Empty(t, f.attention(r.ID))
		})
	}
}

// A request's queued calls go in order: a later one waits for the earlier.
func TestILSQueuedCallsKeepTheirOrder(t *testing.T) {
	f, ils := ilsFixture(t, "accept,checkout")
	require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPUnreachable, UnreachableQueue))
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	ils.err = errILSDown
	for _, scan := range []func() (ScanResult, error){
		func() (ScanResult, error) { return f.desk.Scan("39200001", r.ID, atRS) },
		func() (ScanResult, error) { return f.desk.Scan("39200001", "", atMain) },
		func() (ScanResult, error) { return f.desk.Scan("39200001", "", atMain) },
	} {
		_, err := scan()
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"AcceptItem pending", "CheckOutItem pending"}, f.ilsQueue(r.ID))
	ils.calls, ils.err = nil, nil
	assert.Equal(t, 2, f.send().Sent)
	assert.Equal(t, []string{"AcceptItem 39200001 P100 A Borrowed Book  MAIN", "CheckOutItem P100 39200001"}, ils.calls)
}

func TestILSCommitFailsAfterTheILSSaidYes(t *testing.T) {
	errWrite := errors.New("write failed")
	for _, tc := range []struct {
		name      string
		step      string
		action    Action
		failQueue bool
		queued    []string
		words     string
	}{
		{"accept", StepAccept, ActReceive, false, []string{"DeleteItem pending"},
			"write failed. The ILS had made its AcceptItem of item 39200001: a DeleteItem call undoing it is queued (ils queue list)."},
		{"checkout", StepCheckout, ActCheckout, false, []string{"CheckInItem pending"},
			"The ILS had made its CheckOutItem of item 39200001: a CheckInItem call undoing it is queued"},
		{"checkin", StepCheckin, ActCheckin, false, nil,
			"The ILS has made its CheckInItem of item 39200001: scan the item again to record it here."},
		{"the queue fails too", StepAccept, ActReceive, true, nil,
			"and undoing it could not be queued (queue full): set the ILS right by hand (DeleteItem of item 39200001)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ils := ilsFixture(t, tc.step)
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
			scan := f.toStep(r, tc.action)
			before := f.stored(r.ID)
			f.store.failPut = func(Request) error { return errWrite }
			if tc.failQueue {
				f.store.failPutILSCall = func(c ILSCall) error {
					if c.Direct {
						return nil
					}
					return errors.New("queue full")
				}
			}
			_, err := scan()
			require.ErrorIs(t, err, errWrite)
			assert.Contains(t, err.Error(), tc.words)
			f.store.failPut, f.store.failPutILSCall = nil, nil
			assert.Equal(t, before, f.stored(r.ID), "our change is not saved")
			assert.Equal(t, tc.queued, f.ilsQueue(r.ID))
			f.send()
			if len(tc.queued) > 0 {
				call := strings.Fields(tc.queued[0])[0]
				assert.True(t, strings.HasPrefix(ils.calls[len(ils.calls)-1], call+" "), "the ILS was sent %s last: %v", call, ils.calls)
			}
		})
	}
}

// The request is cancelled while the ILS creates its temporary item: the
// receipt is refused and the temporary item deleted again.
func TestILSStaleChangeIsCompensated(t *testing.T) {
	f, ils := ilsFixture(t, "accept")
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	ils.during = func(string) {
		ils.during = nil
		_, err := f.desk.Cancel(r.ID, "patron no longer needs it", atRS)
		require.NoError(t, err)
	}
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.ErrorIs(t, err, ErrWrongState)
	assert.Contains(t, err.Error(), "changed while the ILS was asked (it is now Cancelled); nothing was changed here. "+
		"The ILS had made its AcceptItem of item 39200001: a DeleteItem call undoing it is queued")
	f.send()
	assert.Equal(t, "DeleteItem 39200001", ils.calls[len(ils.calls)-1])
}

func TestILSUndoQueuesTheInverseCall(t *testing.T) {
	for _, tc := range []struct {
		step    string
		action  Action
		inverse string
	}{
		{StepAccept, ActReceive, "DeleteItem 39200001"},
		{StepCheckout, ActCheckout, "CheckInItem 39200001"},
		{StepCheckin, ActCheckin, "CheckOutItem P100 39200001"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			f, ils := ilsFixture(t, tc.step)
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
			scan := f.toStep(r, tc.action)
			_, err := scan()
			require.NoError(t, err)
			require.Len(t, ils.calls, 1)
			u, err := f.desk.Undo(r.ID, atRS)
			require.NoError(t, err)
			name := strings.Fields(tc.inverse)[0]
			assert.Contains(t, u.History[len(u.History)-1].Note, "ILS call "+name+" of item 39200001 queued to undo its")
			assert.Equal(t, []string{name + " pending"}, f.ilsQueue(r.ID))
			assert.Equal(t, 1, f.send().Sent)
			assert.Equal(t, tc.inverse, ils.calls[1])
			// the step again, and its undo again: the ILS is told each time, once
			_, err = scan()
			require.NoError(t, err)
			_, err = f.desk.Undo(r.ID, atRS)
			require.NoError(t, err)
			f.send()
			assert.Len(t, ils.calls, 4)
		})
	}
}

// A check-in of a request without a patron id cannot be undone in the ILS
// by a call: staff are told to do it there.
func TestILSUndoOfACheckInWithoutPatron(t *testing.T) {
	f, ils := ilsFixture(t, "checkin")
	r := f.borrowing("BVB", "BVB-1")
	_, err := f.toStep(r, ActCheckin)()
	require.NoError(t, err)
	u, err := f.desk.Undo(r.ID, atMain)
	require.NoError(t, err)
	assert.Contains(t, u.History[len(u.History)-1].Note, "the ILS has made its CheckInItem of item 39200001, "+
		"and the request has no patron id to check it out to again: do it in the ILS by hand")
	assert.Empty(t, f.ilsQueue(r.ID))
	assert.Equal(t, []string{"CheckInItem 39200001"}, ils.calls)
}

// A step whose call still waits in the queue is undone by withdrawing it.
func TestILSUndoWithdrawsAQueuedCall(t *testing.T) {
	f, ils := ilsFixture(t, "accept")
	require.NoError(t, f.desk.SetNCIPSetting(KeyNCIPUnreachable, UnreachableQueue))
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	ils.err = errILSDown
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	u, err := f.desk.Undo(r.ID, atRS)
	require.NoError(t, err)
	assert.Contains(t, u.History[len(u.History)-1].Note, "ILS call AcceptItem of item 39200001 withdrawn before it was sent")
	assert.Equal(t, []string{"AcceptItem dropped"}, f.ilsQueue(r.ID))
	ils.err = nil
	assert.Zero(t, f.send().Sent)
	assert.Len(t, ils.calls, 1)
}

// Undoing the completing scan withdraws its DeleteItem while it waits; once
// sent, the temporary item is not made again and the undo says so.
func TestILSUndoOfTheCompletingScan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sent  bool
		queue []string
		note  string
	}{
		{"waiting", false, []string{"DeleteItem dropped"}, "ILS call DeleteItem of item 39200001 withdrawn before it was sent"},
		{"sent", true, []string{"DeleteItem sent"}, "the ILS has made its DeleteItem of item 39200001: set it right there by hand if needed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ils := ilsFixture(t, "delete")
			r := f.borrowing("BVB", "BVB-1")
			f.toStep(r, ActCheckin)()
			_, err := f.desk.Scan("39200001", "", atRS)
			require.NoError(t, err)
			if tc.sent {
				f.send()
			}
			u, err := f.desk.Undo(r.ID, atRS)
			require.NoError(t, err)
			assert.Equal(t, ReturnedByPatron, u.State)
			assert.Contains(t, u.History[len(u.History)-1].Note, tc.note)
			f.send()
			assert.Equal(t, tc.queue, f.ilsQueue(r.ID))
			assert.Len(t, ils.calls, map[bool]int{false: 0, true: 1}[tc.sent])
		})
	}
}

// retryingStore runs each change twice, as a database does after a
// conflict: the first run is thrown away.
type retryingStore struct{ Store }

var errConflict = errors.New("serialization failure")

func (s retryingStore) Update(fn func(Tx) error) error {
	if err := s.Store.Update(func(tx Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errConflict
	}); !errors.Is(err, errConflict) {
		return err
	}
	return s.Store.Update(fn)
}

func TestILSCallNotRepeatedWhenATransactionIsRetried(t *testing.T) {
	f, ils := ilsFixture(t, "accept,delete")
	qs := f.desk.core.store.(queueingStore)
	qs.Store = retryingStore{qs.Store}
	f.desk.core.store = qs
	r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
	_, err := f.desk.Receive(r.ID, "39200001", atRS)
	require.NoError(t, err)
	_, err = f.desk.Undo(r.ID, atRS)
	require.NoError(t, err)
	f.send()
	assert.Equal(t, []string{"AcceptItem 39200001 P100 A Borrowed Book  MAIN", "DeleteItem 39200001"}, ils.calls)
	assert.Equal(t, []string{"DeleteItem sent"}, f.ilsQueue(r.ID), "one call queued, however often its transaction ran")
}
