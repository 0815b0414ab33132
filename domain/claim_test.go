package domain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherProcess is a second desk over the fixture's store, as another window
// or illdesk serve on the same department database: its own dispatcher,
// with its own holder id, and the same clock.
func (f *deskFixture) otherProcess() *Desk {
	f.t.Helper()
	d := NewDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Folders: f.folders,
		Clock:    ClockFunc(func() time.Time { return f.now }),
		Calendar: mustCalendar(f.t, time.UTC, "2026-03-09"),
		Secrets:  fakeSecrets{},
		NewID:    f.desk.newID})
	d.codec = f.desk.codec
	return d
}

// gatedSend is one process's sending: every send it makes is counted and
// answered by answer, which may block until the test lets it go on.
type gatedSend struct {
	mu     sync.Mutex
	sends  int
	answer func() error
}

func (g *gatedSend) send() error {
	g.mu.Lock()
	g.sends++
	answer := g.answer
	g.mu.Unlock()
	if answer == nil {
		return nil
	}
	return answer()
}

func (g *gatedSend) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sends
}

// queueKind is one of the dispatcher's queues, for the claim tests: how an
// item is queued in it, how a desk is made to send it through g, the
// item's status as the queue lists it, and how long a claim on it runs.
type queueKind struct {
	name   string
	lease  time.Duration
	queue  func(f *deskFixture)
	sendBy func(f *deskFixture, d *Desk, g *gatedSend)
	status func(f *deskFixture) string
}

var queueKinds = []queueKind{
	{
		name:  "partner message",
		lease: DefaultSendTimeout + leaseMargin,
		queue: func(f *deskFixture) {
			_, err := f.desk.Reject(f.lending("RAPID", "R-1").ID, ReasonNotHeld, "", "", atRS)
			require.NoError(f.t, err)
		},
		sendBy: func(_ *deskFixture, d *Desk, g *gatedSend) {
			d.dispatch.transport = &fakeTransport{reply: func(context.Context, Destination, []byte) ([]byte, error) {
				if err := g.send(); err != nil {
					return nil, err
				}
				return []byte("OK"), nil
			}}
		},
		status: func(f *deskFixture) string {
			ms := f.outbox()
			require.Len(f.t, ms, 1)
			return ms[0].Status
		},
	},
	{
		name:  "patron notice",
		lease: adapterSendLease + leaseMargin,
		queue: func(f *deskFixture) { f.onHoldShelf("39001234") },
		sendBy: func(_ *deskFixture, d *Desk, g *gatedSend) {
			d.dispatch.mailers = func(MailSettings) Mailer {
				return &fakeMailer{reply: func(Notice) (string, error) { return "smtp:mail.example.edu", g.send() }}
			}
		},
		status: func(f *deskFixture) string {
			ns := f.notices()
			require.Len(f.t, ns, 1)
			return string(ns[0].Status)
		},
	},
	{
		name:  "shipped file",
		lease: adapterSendLease + leaseMargin,
		queue: func(f *deskFixture) {
			require.NoError(f.t, f.store.Update(func(tx Tx) error {
				p, err := tx.Partner("RAPID")
				p.Delivery, p.ISOEndpoint = "email:ill@rapid.example.org", ""
				return errors.Join(err, tx.PutPartner(p))
			}))
			_, _, err := f.ship(f.lending("RAPID", "R-1").ID, f.pdf(), false, atRS)
			require.NoError(f.t, err)
		},
		sendBy: func(_ *deskFixture, d *Desk, g *gatedSend) {
			d.dispatch.senders = func(MailSettings) FileSender {
				return fileSenderFunc(func(dl Delivery, _ string) (string, error) { return "email:" + dl.Target, g.send() })
			}
		},
		status: func(f *deskFixture) string {
			dls, err := f.desk.Deliveries("")
			require.NoError(f.t, err)
			require.Len(f.t, dls, 1)
			return dls[0].Status
		},
	},
	{
		name:  "ILS call",
		lease: DefaultNCIPTimeout + leaseMargin,
		queue: func(f *deskFixture) {
			f.withILS("delete")
			r := f.borrowing("BVB", "BVB-1", func(in *BorrowingInput) { in.PatronID = "P100" })
			_, err := f.desk.Receive(r.ID, "39200001", atRS)
			require.NoError(f.t, err)
			for _, at := range []Actor{atMain, atMain, atMain, atRS} {
				_, err := f.desk.Scan("39200001", "", at)
				require.NoError(f.t, err)
			}
		},
		sendBy: func(_ *deskFixture, d *Desk, g *gatedSend) {
			ils := &fakeILS{}
			ils.during = func(string) { ils.err = g.send() }
			d.ILSService.ils = func(NCIPSettings) (ILS, error) { return ils, nil }
		},
		status: func(f *deskFixture) string {
			calls, err := f.desk.ILSCalls("", false)
			require.NoError(f.t, err)
			require.Len(f.t, calls, 1)
			return calls[0].Status
		},
	},
}

// passAsync starts a pass of d's dispatcher and returns what it reports
// once it ends.
func passAsync(d *Desk) func() (QueueReport, error) {
	type result struct {
		rep QueueReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := d.Dispatcher().SendDue(context.Background())
		done <- result{rep, err}
	}()
	return func() (QueueReport, error) { r := <-done; return r.rep, r.err }
}

// blocking makes g's sends wait: started hears of each send, and each
// returns what is sent on release.
func blocking(g *gatedSend) (started chan struct{}, release chan error) {
	started, release = make(chan struct{}, 1), make(chan error)
	g.answer = func() error {
		started <- struct{}{}
		return <-release
	}
	return started, release
}

// Two processes send from one store: the one that claims an item sends it,
// the other passes it over while the claim runs, and it goes out once.
func TestDispatchersSendEachItemOnce(t *testing.T) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) {
			f := newInteropFixture(t)
			k.queue(f)
			waiting := k.status(f)
			one, two := f.desk, f.otherProcess()
			var first, second gatedSend
			k.sendBy(f, one, &first)
			k.sendBy(f, two, &second)
			started, release := blocking(&first)

			wait := passAsync(one)
			<-started // the first process claimed the item and is sending it
			rep, err := two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Zero(t, rep.Sent, "the second pass sends nothing")
			assert.Zero(t, rep.Failed, "a claimed item is no failure")
			assert.Zero(t, second.count())
			assert.Equal(t, waiting, k.status(f), "a claimed item keeps its status while it is sent")

			release <- nil
			rep, err = wait()
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Sent)
			rep, err = two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Zero(t, rep.Sent+rep.Failed, "nothing is left to send")
			assert.Equal(t, 1, first.count()+second.count(), "the item went out once")
			assert.NotEqual(t, waiting, k.status(f))
		})
	}
}

// A process that claimed an item and never finishes (it hung, or crashed)
// holds it only until its lease lapses: then the other process sends it,
// and the first one's late failure does not undo that.
func TestDispatcherSendsWhatALapsedLeaseHeld(t *testing.T) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) {
			f := newInteropFixture(t)
			k.queue(f)
			waiting := k.status(f)
			one, two := f.desk, f.otherProcess()
			var first, second gatedSend
			k.sendBy(f, one, &first)
			k.sendBy(f, two, &second)
			started, release := blocking(&first)

			wait := passAsync(one)
			<-started
			rep, err := two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Zero(t, rep.Sent+rep.Failed)

			f.now = f.now.Add(k.lease - time.Second)
			rep, err = two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Zero(t, rep.Sent+rep.Failed, "the lease still runs")
			f.now = f.now.Add(time.Second)
			rep, err = two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Sent, "the lapsed lease no longer holds the item")
			assert.Equal(t, 1, second.count())
			sent := k.status(f)
			assert.NotEqual(t, waiting, sent)

			release <- errors.New("connection reset") // the first process comes back, too late
			rep, err = wait()
			require.NoError(t, err)
			assert.Equal(t, sent, k.status(f), "its failure is not recorded over the item sent")
		})
	}
}

// A failed send clears the claim and keeps its back-off, for every
// process: none tries the item again before it is due.
func TestDispatcherFailureKeepsItsBackoff(t *testing.T) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) {
			f := newInteropFixture(t)
			k.queue(f)
			one, two := f.desk, f.otherProcess()
			first := gatedSend{answer: func() error { return errRefused }}
			var second gatedSend
			k.sendBy(f, one, &first)
			k.sendBy(f, two, &second)

			rep, err := one.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Failed)
			failed := k.status(f)
			rep, err = two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Zero(t, rep.Sent+rep.Failed, "the other process waits for the back-off too")
			assert.Equal(t, f.now.Add(time.Minute), rep.Next, "due again after the back-off, not after a lease")
			assert.Zero(t, second.count())
			assert.Equal(t, failed, k.status(f))

			f.now = f.now.Add(time.Minute)
			rep, err = two.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Sent)
			assert.Equal(t, 1, second.count())
		})
	}
}

// While another process posts a message, the outbox lists it as pending and
// being sent, and Needs attention does not flag its request.
func TestOutboxShowsAClaimedMessageAsBeingSent(t *testing.T) {
	f := newInteropFixture(t)
	queueKinds[0].queue(f)
	var g gatedSend
	queueKinds[0].sendBy(f, f.desk, &g)
	started, release := blocking(&g)
	wait := passAsync(f.desk)
	<-started

	other := f.otherProcess()
	ms, err := other.Outbox("")
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, MessagePending, ms[0].Status)
	assert.Equal(t, "being sent now (claimed until "+f.now.Add(DefaultSendTimeout+leaseMargin).Local().Format("2006-01-02 15:04:05")+")", ms[0].Why)
	assert.Empty(t, f.attention(ms[0].RequestID))

	release <- nil
	_, err = wait()
	require.NoError(t, err)
	ms, err = other.Outbox("")
	require.NoError(t, err)
	assert.Equal(t, MessageSent, ms[0].Status)
	assert.Zero(t, ms[0].Lease, "the outcome clears the claim")
}
