package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// sent lists the request ids of the messages the partners confirmed, in order.
func (f *fixture) sent() []string {
	var ids []string
	for _, m := range f.partners.Received() {
		id, _, _ := strings.Cut(m, " ")
		ids = append(ids, id)
	}
	return ids
}

// isoPartner adds a partner that exchanges ISO 18626 messages.
func (f *fixture) isoPartner(code string) {
	f.t.Helper()
	require.NoError(f.t, f.desk.SetAgencyID("ISIL:US-OURS"))
	_, err := f.desk.AddPartner(domain.Partner{Code: code, Name: code + " library", TurnaroundHours: 24,
		AgencyID: "OCLC:" + code, ISOEndpoint: "http://127.0.0.1:1/iso"})
	require.NoError(f.t, err)
}

func TestWindowActionsSendThroughTheDispatcher(t *testing.T) {
	tests := []struct {
		name   string
		act    func(mw *MainWindow) error
		status domain.State
	}{
		{"reject", func(mw *MainWindow) error { return mw.details.Reject(domain.ReasonNotHeld, "", "") }, domain.Rejected},
		{"bad citation", func(mw *MainWindow) error { return mw.details.BadCitation("Which volume?") }, domain.BadCitation},
		{"cancel", func(mw *MainWindow) error { return mw.details.borrowing.Cancel("found elsewhere") }, domain.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.isoPartner("RAPID")
			r := f.lending("RAPID", "R-1")
			mw := f.open()
			mw.list.SelectRequest(r.ID)
			require.NoError(t, tt.act(mw))
			mw.Wait()
			assert.Equal(t, tt.status, f.state(r.ID))
			assert.Equal(t, []string{"R-1"}, f.sent(), "the answer goes out once the change is committed")
			msgs, err := f.desk.Outbox(r.ID)
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			assert.Equal(t, domain.MessageSent, msgs[0].Status)
		})
	}
}

func TestWindowShowsWhatTheDispatcherCouldNotSend(t *testing.T) {
	f := newFixture(t)
	f.isoPartner("RAPID")
	refused, other := f.lending("RAPID", "R-1"), f.lending("RAPID", "R-2")
	f.partners.Refuse("R-1")
	mw := f.open()
	// background work runs after the handler, as it does off the UI thread
	var later []func()
	mw.spawn = func(fn func()) { later = append(later, fn) }
	runLater := func() {
		for len(later) > 0 {
			fn := later[0]
			later = later[1:]
			fn()
		}
	}
	t.Cleanup(runLater) // before the window closes and waits for them
	for _, r := range []domain.Request{refused, other} {
		mw.list.SelectRequest(r.ID)
		require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	}
	assert.Empty(t, f.sent(), "nothing is sent on the UI thread")
	runLater()
	assert.Equal(t, []string{"R-2"}, f.sent(), "R-1's refusal does not hold up R-2's message to the same partner")
	assert.True(t, strings.HasPrefix(mw.status.Text(), "Message "), mw.status.Text())
	assert.Contains(t, mw.status.Text(), "(Unfilled of R-1) to RAPID was refused: the partner answered ERROR: UnrecognisedDataValue: refused by the test")
	assert.Contains(t, mw.status.Text(), "resend, drop or mark as sent")
}

// refusedInWindow rejects R-1 with RAPID refusing its Unfilled, and opens
// the window on it once the dispatcher has tried it.
func refusedInWindow(t *testing.T) (*fixture, *MainWindow, domain.Request) {
	f := newFixture(t)
	f.isoPartner("RAPID")
	r := f.lending("RAPID", "R-1")
	f.partners.Refuse("R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	mw.Wait()
	f.partners.Refuse("")
	mw.list.SelectRequest(r.ID)
	return f, mw, r
}

func TestRefusedMessageOffersResendDropMarkSent(t *testing.T) {
	tests := []struct {
		label  string
		act    func(mw *MainWindow, id string) error
		status string
		sent   []string
		says   string
		row    string // the message's row in the details afterwards
	}{
		{resendLabel, func(mw *MainWindow, _ string) error {
			mw.details.buttons[resendLabel].OnTapped()
			return nil
		}, domain.MessageSent, []string{"R-1"}, "The Unfilled message to RAPID will be sent again.", "Message Unfilled — sent (http://127.0.0.1:1/iso)"},
		{dropLabel, func(mw *MainWindow, id string) error { return mw.details.queue.DropMessage(id, "told them by phone") },
			domain.MessageDropped, nil, "The Unfilled message to RAPID is dropped.", "Message Unfilled — dropped (told them by phone)"},
		{markSentLabel, func(mw *MainWindow, id string) error { return mw.details.queue.MarkMessageSent(id, "") },
			domain.MessageSent, nil, "The Unfilled message to RAPID is marked as sent.", "Message Unfilled — sent (marked as sent)"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			f, mw, r := refusedInWindow(t)
			for _, label := range []string{resendLabel, dropLabel, markSentLabel} {
				require.Contains(t, mw.details.buttons, label, "a refused message offers %s", label)
			}
			msgs, err := f.desk.Outbox(r.ID)
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			require.Equal(t, domain.MessageRefused, msgs[0].Status)

			require.NoError(t, tt.act(mw, msgs[0].ID))
			mw.Wait()
			msgs, err = f.desk.Outbox(r.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, msgs[0].Status)
			assert.Equal(t, tt.sent, f.sent())
			assert.Equal(t, tt.says, mw.banner.Text())
			var byStaff int
			for _, ev := range mustFind(t, f.desk, r.ID).History {
				if ev.Action == domain.ActMessage && ev.Actor == "tester" {
					byStaff++
				}
			}
			assert.Equal(t, 1, byStaff, "staff's act is in the history")
			mw.list.SelectRequest(r.ID)
			assert.NotContains(t, mw.details.buttons, resendLabel, "nothing refused, nothing offered")
			assert.Contains(t, detailsLabels(mw), tt.row)
		})
	}
}

func TestDroppingARefusedMessageAsksWhy(t *testing.T) {
	f, mw, r := refusedInWindow(t)
	mw.details.buttons[dropLabel].OnTapped()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "it asks for a note")
	msgs, err := f.desk.Outbox(r.ID)
	require.NoError(t, err)
	err = mw.details.queue.DropMessage(msgs[0].ID, " ")
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a drop needs a note")
	msgs, err = f.desk.Outbox(r.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.MessageRefused, msgs[0].Status, "and changes nothing without one")
}

// detailsLabels are the texts of the labels the details pane shows.
func detailsLabels(mw *MainWindow) []string {
	var out []string
	for _, o := range mw.details.box.Objects {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}
