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

// dispatchFixture is a desk whose partner endpoint, file sender and mailer
// refuse whatever belongs to the request with the external id in refuse.
type dispatchFixture struct {
	*deskFixture
	refuse string
	posts  int
}

func newDispatchFixture(t *testing.T) *dispatchFixture {
	f := &dispatchFixture{deskFixture: newInteropFixture(t)}
	f.desk.dispatch.transport = &fakeTransport{reply: func(_ context.Context, _ Destination, body []byte) ([]byte, error) {
		f.posts++
		if f.refuse != "" && strings.Contains(string(body), `"`+f.refuse+`"`) {
			return nil, errors.New("connection refused") // unreachable: retried
		}
		return []byte("OK"), nil
	}}
	f.desk.dispatch.senders = func(MailSettings) FileSender { return fileSenderFunc(f.sendFile) }
	f.desk.dispatch.mailers = func(MailSettings) Mailer {
		return &fakeMailer{reply: func(n Notice) (string, error) {
			if n.Ref == f.refuse {
				return "", errRefused
			}
			return "smtp:mail.example.edu", nil
		}}
	}
	return f
}

type fileSenderFunc func(Delivery, string) (string, error)

func (s fileSenderFunc) SendFile(d Delivery, path string) (string, error) { return s(d, path) }

func (f *dispatchFixture) sendFile(d Delivery, _ string) (string, error) {
	if d.Ref == f.refuse {
		return "", errors.New("mailbox full")
	}
	return "email:" + d.Target, nil
}

// queues lists every queued item as "REF what: status", in queue order.
func (f *dispatchFixture) queues() []string {
	f.t.Helper()
	var out []string
	for _, m := range f.outbox() {
		out = append(out, fmt.Sprintf("%s message %s: %s", m.Ref, m.Summary, m.Status))
	}
	dls, err := f.desk.Deliveries("")
	require.NoError(f.t, err)
	for _, dl := range dls {
		out = append(out, fmt.Sprintf("%s file %s: %s", dl.Ref, dl.File, dl.Status))
	}
	for _, n := range f.notices() {
		out = append(out, fmt.Sprintf("%s notice: %s", n.Ref, n.Status))
	}
	return out
}

func (f *dispatchFixture) reject(ext string) {
	f.t.Helper()
	_, err := f.desk.Reject(f.lending("RAPID", ext).ID, ReasonNotHeld, "", "", atRS)
	require.NoError(f.t, err)
}

func TestDispatcherPolicy(t *testing.T) {
	type pass struct {
		after        time.Duration // the clock moves on before the pass
		refuse       string        // the request whose items fail in this pass
		cancelled    bool          // the pass's time is up before it starts
		sent, failed int
		next         time.Duration // when the next waiting item is due, from now; 0: none waits
		queues       []string
	}
	tests := []struct {
		name   string
		queue  func(f *dispatchFixture)
		passes []pass
	}{
		{
			name:  "a message is due as soon as it is queued",
			queue: func(f *dispatchFixture) { f.reject("R-1") },
			passes: []pass{
				{sent: 1, queues: []string{"R-1 message Unfilled: sent"}},
				{queues: []string{"R-1 message Unfilled: sent"}},
			},
		},
		{
			name: "a failure holds up only the later messages of its own request",
			queue: func(f *dispatchFixture) {
				f.lending("RAPID", "R-1")
				_, _, err := f.desk.Intake(msg(f.t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}))
				require.NoError(f.t, err)
				_, err = f.desk.Reject(f.stored(f.outbox()[0].RequestID).ID, ReasonNotHeld, "", "", atRS)
				require.NoError(f.t, err)
				f.reject("R-2")
			},
			passes: []pass{
				{refuse: "R-1", sent: 1, failed: 1, next: time.Minute, queues: []string{
					"R-1 message StatusRequestResponse RequestReceived: retrying",
					"R-1 message Unfilled: pending",
					"R-2 message Unfilled: sent",
				}},
				{after: 30 * time.Second, next: 30 * time.Second, queues: []string{
					"R-1 message StatusRequestResponse RequestReceived: retrying",
					"R-1 message Unfilled: pending",
					"R-2 message Unfilled: sent",
				}},
				{after: 30 * time.Second, sent: 2, queues: []string{
					"R-1 message StatusRequestResponse RequestReceived: sent",
					"R-1 message Unfilled: sent",
					"R-2 message Unfilled: sent",
				}},
			},
		},
		{
			name:  "failures back off 1, 2, 4 minutes",
			queue: func(f *dispatchFixture) { f.reject("R-1") },
			passes: []pass{
				{refuse: "R-1", failed: 1, next: time.Minute, queues: []string{"R-1 message Unfilled: retrying"}},
				{after: time.Minute, refuse: "R-1", failed: 1, next: 2 * time.Minute, queues: []string{"R-1 message Unfilled: retrying"}},
				{after: 2 * time.Minute, refuse: "R-1", failed: 1, next: 4 * time.Minute, queues: []string{"R-1 message Unfilled: retrying"}},
				{after: 4 * time.Minute, sent: 1, queues: []string{"R-1 message Unfilled: sent"}},
			},
		},
		{
			name: "a patron notice waits for its grace period, so Undo can withdraw it",
			queue: func(f *dispatchFixture) {
				b := f.borrowing("BVB", "B-1")
				_, err := f.desk.Scan("39001234", b.ID, atRS)
				require.NoError(f.t, err)
				_, err = f.desk.Scan("39001234", "", atMain)
				require.NoError(f.t, err)
			},
			passes: []pass{
				{next: NoticeGrace, queues: []string{"B-1 notice: queued"}},
				{after: NoticeGrace / 2, next: NoticeGrace / 2, queues: []string{"B-1 notice: queued"}},
				{after: NoticeGrace / 2, refuse: "B-1", failed: 1, next: time.Minute, queues: []string{"B-1 notice: failed"}},
				{after: time.Minute, sent: 1, queues: []string{"B-1 notice: sent"}},
			},
		},
		{
			name: "a file that fails holds up no other",
			queue: func(f *dispatchFixture) {
				require.NoError(f.t, f.store.Update(func(tx Tx) error {
					p, _ := tx.Partner("RAPID")
					p.Delivery, p.ISOEndpoint = "email:ill@rapid.example.org", ""
					return tx.PutPartner(p)
				}))
				for _, ext := range []string{"R-1", "R-2"} {
					_, _, err := f.ship(f.lending("RAPID", ext).ID, f.pdf(), false, atRS)
					require.NoError(f.t, err)
				}
			},
			passes: []pass{
				{refuse: "R-1", sent: 1, failed: 1, next: time.Minute, queues: []string{
					"R-1 message CopyCompleted: pending", "R-2 message CopyCompleted: pending",
					"R-1 file R-1.pdf: failed", "R-2 file R-2.pdf: delivered",
				}},
			},
		},
		{
			name:  "a pass whose time is up sends nothing and keeps everything",
			queue: func(f *dispatchFixture) { f.reject("R-1"); f.reject("R-2") },
			passes: []pass{
				{cancelled: true, queues: []string{"R-1 message Unfilled: pending", "R-2 message Unfilled: pending"}},
				{sent: 2, queues: []string{"R-1 message Unfilled: sent", "R-2 message Unfilled: sent"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDispatchFixture(t)
			tt.queue(f)
			for i, p := range tt.passes {
				f.now = f.now.Add(p.after)
				f.refuse = p.refuse
				ctx, cancel := context.WithCancel(context.Background())
				if p.cancelled {
					cancel()
				}
				rep, err := f.desk.Dispatcher().SendDue(ctx)
				cancel()
				require.NoError(t, err)
				assert.Equal(t, p.sent, rep.Sent, "pass %d: sent", i+1)
				assert.Equal(t, p.failed, rep.Failed, "pass %d: failed", i+1)
				if p.next == 0 {
					assert.Zero(t, rep.Next, "pass %d: nothing waits", i+1)
				} else {
					assert.Equal(t, f.now.Add(p.next), rep.Next, "pass %d: next due", i+1)
				}
				assert.Equal(t, p.queues, f.queues(), "pass %d", i+1)
			}
		})
	}
}

func TestDispatcherReportsWhatFails(t *testing.T) {
	f := newDispatchFixture(t)
	f.reject("R-1")
	f.reject("R-2")
	f.refuse = "R-1"
	rep, err := f.desk.Dispatcher().SendDue(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"Messages to RAPID are failing: connection refused"}, rep.Problems)
	assert.Contains(t, lastEvent(f.stored(f.outbox()[0].RequestID)).Note, "will retry at")
}

func TestDispatcherIsKickedAfterEveryCommitThatQueues(t *testing.T) {
	f := newDispatchFixture(t)
	disp := f.desk.Dispatcher()
	kicks := 0
	disp.Notify(func() { kicks++ })
	r := f.lending("RAPID", "R-1")
	assert.Zero(t, disp.Queued(), "recording a request queues nothing")

	_, err := f.desk.Reject(r.ID, "NoSuchReason", "", "", atRS)
	require.Error(t, err)
	assert.Zero(t, disp.Queued(), "a refused action queues nothing")

	_, err = f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	assert.EqualValues(t, 1, disp.Queued())
	assert.Equal(t, 1, kicks)

	f.reject("R-2")
	assert.EqualValues(t, 2, disp.Queued())
	assert.Equal(t, 1, kicks, "changes before the pass starts ask for one pass")
	_, err = disp.SendDue(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, f.posts, "the pass sends both")

	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-2", Action: "StatusRequest"}))
	require.NoError(t, err)
	assert.EqualValues(t, 3, disp.Queued(), "an imported message that is answered kicks too")
	assert.Equal(t, 2, kicks)
}

func TestDispatcherRunSendsWhenKicked(t *testing.T) {
	f := newDispatchFixture(t)
	f.desk.dispatch.transport = isoPoster{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := make(chan QueueReport, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.desk.Dispatcher().Run(ctx, time.Hour, func(rep QueueReport, err error) {
			assert.NoError(t, err)
			reports <- rep
		})
	}()
	// Run starts with a pass over what waits; give it the time to hook its kicks.
	require.Eventually(t, func() bool { return f.desk.Dispatcher().notifySet() }, 5*time.Second, time.Millisecond)
	_, err := f.desk.Reject(f.lending("RAPID", "R-1").ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	select {
	case rep := <-reports:
		assert.Equal(t, 1, rep.Sent, "the kick sends at once, not after the hour")
	case <-time.After(5 * time.Second):
		t.Fatal("the kick did not start a pass")
	}
	cancel()
	<-done
}

// isoPoster is a partner endpoint that accepts every message; safe to use
// from Run's goroutine.
type isoPoster struct{}

func (isoPoster) Post(context.Context, Destination, []byte) ([]byte, error) { return []byte("OK"), nil }

// notifySet reports whether a front end listens to kicks.
func (p *Dispatcher) notifySet() bool {
	p.notifyMu.Lock()
	defer p.notifyMu.Unlock()
	return p.notify != nil
}
