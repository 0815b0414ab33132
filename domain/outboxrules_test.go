package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answeringTransport answers each post with what answer says for the
// message's requesting request id (the fake codec's JSON), OK when it says
// nothing, and counts the posts per id.
type answeringTransport struct {
	answer func(ext string) ([]byte, error)
	posts  map[string]int
	bodies []Outgoing
}

func (t *answeringTransport) Post(_ context.Context, _ Destination, body []byte) ([]byte, error) {
	var o Outgoing
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, err
	}
	if t.posts == nil {
		t.posts = map[string]int{}
	}
	t.posts[o.RequestingRequestID]++
	t.bodies = append(t.bodies, o)
	if t.answer != nil {
		if reply, err := t.answer(o.RequestingRequestID); reply != nil || err != nil {
			return reply, err
		}
	}
	return []byte("OK"), nil
}

// statuses is each message of the outbox as "EXT SUMMARY: STATUS".
func (f *deskFixture) statuses() []string {
	f.t.Helper()
	var out []string
	for _, m := range f.outbox() {
		var o Outgoing
		require.NoError(f.t, json.Unmarshal(m.Body, &o))
		out = append(out, fmt.Sprintf("%s %s: %s", o.RequestingRequestID, m.Summary, m.Status))
	}
	return out
}

func (f *deskFixture) pass(t Transport) (sent, failed int) {
	f.t.Helper()
	sent, failed, err := f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, t)
	require.NoError(f.t, err)
	return sent, failed
}

// rejected queues Unfilled for a new lending request of RAPID.
func (f *deskFixture) rejected(ext string) {
	f.t.Helper()
	_, err := f.desk.Reject(f.lending("RAPID", ext).ID, ReasonNotHeld, "", "", atRS)
	require.NoError(f.t, err)
}

// historyNotes are the notes of r's history, in order.
func (f *deskFixture) historyNotes(id string) string {
	var notes []string
	for _, ev := range f.stored(id).History {
		notes = append(notes, ev.Note)
	}
	return strings.Join(notes, "\n")
}

func TestContentRefusalHoldsOnlyItsRequest(t *testing.T) {
	for name, answer := range map[string]func() ([]byte, error){
		"ERROR confirmation": func() ([]byte, error) { return []byte("ERROR UnrecognisedDataValue: no such ISSN"), nil },
		"400":                func() ([]byte, error) { return nil, &PartnerAnswer{Status: 400, Text: "no such ISSN"} },
		"404":                func() ([]byte, error) { return nil, &PartnerAnswer{Status: 404, Text: "no such ISSN"} },
		"409":                func() ([]byte, error) { return nil, &PartnerAnswer{Status: 409, Text: "no such ISSN"} },
		"422":                func() ([]byte, error) { return nil, &PartnerAnswer{Status: 422, Text: "no such ISSN"} },
	} {
		t.Run(name, func(t *testing.T) {
			f := newInteropFixture(t)
			f.queueTwo("RAPID", "R-1")
			f.rejected("R-2")
			tr := &answeringTransport{answer: func(ext string) ([]byte, error) {
				if ext == "R-1" {
					return answer()
				}
				return nil, nil
			}}
			sent, failed := f.pass(tr)
			assert.Equal(t, [2]int{1, 1}, [2]int{sent, failed})
			assert.Equal(t, []string{"R-1 StatusRequestResponse RequestReceived: refused", "R-1 Unfilled: pending", "R-2 Unfilled: sent"}, f.statuses())
			refused := f.outbox()[0]
			assert.Contains(t, refused.Why, "no such ISSN", "the partner's answer word for word")
			assert.Equal(t, "waits behind the refused StatusRequestResponse RequestReceived message "+refused.ID, f.outbox()[1].Why)
			assert.Contains(t, f.historyNotes(refused.RequestID), "no such ISSN")
			var items []string
			for _, a := range f.needsAttention(t) {
				if a.Request.ID == refused.RequestID {
					items = append(items, a.Why)
				}
			}
			require.Len(t, items, 1)
			assert.Contains(t, items[0], "no such ISSN")
			assert.Contains(t, items[0], refused.ID)

			f.now = f.now.Add(2 * time.Hour)
			f.rejected("R-3")
			sent, failed = f.pass(tr)
			assert.Equal(t, [2]int{1, 0}, [2]int{sent, failed}, "R-3 goes; the refused message is not posted again by itself")
			assert.Equal(t, 1, tr.posts["R-1"])

			_, err := f.desk.ResendMessage(refused.ID, atRS)
			require.NoError(t, err)
			tr.answer = nil
			sent, _ = f.pass(tr)
			assert.Equal(t, 2, sent, "resent, and the message it held goes after it")
			assert.Equal(t, []string{"R-1 StatusRequestResponse RequestReceived: sent", "R-1 Unfilled: sent", "R-2 Unfilled: sent", "R-3 Unfilled: sent"}, f.statuses())
		})
	}
}

func TestCredentialRefusalHoldsThePartner(t *testing.T) {
	for _, status := range []int{401, 403, 415} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newInteropFixture(t)
			withISOPartners(f, "OTHER")
			f.rejected("R-1")
			f.rejected("R-2")
			_, err := f.desk.Reject(f.lending("OTHER", "O-1").ID, ReasonNotHeld, "", "", atRS)
			require.NoError(t, err)
			tr := &answeringTransport{answer: func(ext string) ([]byte, error) {
				if strings.HasPrefix(ext, "R-") {
					return nil, &PartnerAnswer{Status: status, Text: "bad token"}
				}
				return nil, nil
			}}
			sent, failed := f.pass(tr)
			assert.Equal(t, [2]int{1, 1}, [2]int{sent, failed}, "one refusal stops RAPID; OTHER goes on")
			assert.Equal(t, []string{"R-1 Unfilled: refused", "R-2 Unfilled: pending", "O-1 Unfilled: sent"}, f.statuses())
			assert.Equal(t, 1, tr.posts["R-1"]+tr.posts["R-2"])
			assert.Contains(t, f.outbox()[1].Why, "check the partner's settings")

			var items []Attention
			for _, a := range f.needsAttention(t) {
				if a.Partner == "RAPID" && strings.HasPrefix(a.Why, "Check the partner's settings") {
					items = append(items, a)
				}
			}
			require.Len(t, items, 1, "one item for the partner")
			assert.Contains(t, items[0].Why, "bad token")

			f.now = f.now.Add(3 * time.Hour)
			sent, failed = f.pass(tr)
			assert.Equal(t, [2]int{0, 0}, [2]int{sent, failed}, "RAPID waits for staff")

			tr.answer = nil
			_, err = f.desk.EditPartner("RAPID", func(p *Partner) { p.Name = "RapidILL (new token)" })
			require.NoError(t, err)
			sent, _ = f.pass(tr)
			assert.Equal(t, 2, sent, "a partner edit lets its messages go")
			assert.Equal(t, []string{"R-1 Unfilled: sent", "R-2 Unfilled: sent", "O-1 Unfilled: sent"}, f.statuses())
		})
	}
}

func TestTransientFailuresRetryWithCappedBackoff(t *testing.T) {
	for name, answer := range map[string]error{
		"500":     &PartnerAnswer{Status: 500, Text: "oops"},
		"503":     &PartnerAnswer{Status: 503},
		"429":     &PartnerAnswer{Status: 429},
		"network": errors.New("connection refused"),
	} {
		t.Run(name, func(t *testing.T) {
			f := newInteropFixture(t)
			f.queueTwo("RAPID", "R-1")
			f.rejected("R-2")
			down := true
			tr := &answeringTransport{answer: func(string) ([]byte, error) {
				if down {
					return nil, answer
				}
				return nil, nil
			}}
			var waits []time.Duration
			for range 12 {
				f.pass(tr)
				for _, m := range f.outbox() {
					assert.Contains(t, []string{MessageRetrying, MessagePending}, m.Status, "never refused, never dropped")
				}
				next, err := f.desk.dispatch.nextDue()
				require.NoError(t, err)
				waits = append(waits, next.Sub(f.now))
				f.now = next
			}
			assert.Equal(t, time.Minute, waits[0])
			assert.Equal(t, 2*time.Minute, waits[1])
			assert.Equal(t, time.Hour, waits[len(waits)-1], "capped at an hour")
			for _, w := range waits {
				assert.LessOrEqual(t, w, time.Hour)
			}
			down = false
			f.pass(tr)
			assert.Equal(t, []string{"R-1 StatusRequestResponse RequestReceived: sent", "R-1 Unfilled: sent", "R-2 Unfilled: sent"}, f.statuses(),
				"nothing lost once the partner recovers, in order")
		})
	}
}

func TestRetryBackoffIsShortenedBySetting(t *testing.T) {
	assert.Equal(t, time.Minute, retryBackoff(0, 1))
	assert.Equal(t, time.Second, retryBackoff(time.Second, 1))
	assert.Equal(t, 4*time.Second, retryBackoff(time.Second, 3))
	assert.Equal(t, time.Hour, retryBackoff(time.Second, 40))
	assert.Equal(t, time.Hour, retryBackoff(time.Minute, 1000))
}

func TestOutboxActions(t *testing.T) {
	refusing := &answeringTransport{answer: func(string) ([]byte, error) { return nil, &PartnerAnswer{Status: 422, Text: "bad"} }}
	tests := []struct {
		name   string
		act    func(f *deskFixture, id string) (OutboxMessage, error)
		want   []string
		status string
		note   string
	}{
		{name: "drop", act: func(f *deskFixture, id string) (OutboxMessage, error) {
			return f.desk.DropMessage(id, "told them by phone", atRS)
		}, want: []string{"R-1 StatusRequestResponse RequestReceived: dropped", "R-1 Unfilled: sent"}, status: MessageDropped, note: "told them by phone"},
		{name: "mark as sent", act: func(f *deskFixture, id string) (OutboxMessage, error) {
			return f.desk.MarkMessageSent(id, "sent by email", atRS)
		}, want: []string{"R-1 StatusRequestResponse RequestReceived: sent", "R-1 Unfilled: sent"}, status: MessageSent, note: "sent by email"},
		{name: "resend by the end of its id", act: func(f *deskFixture, id string) (OutboxMessage, error) {
			return f.desk.ResendMessage(id[len(id)-6:], atRS)
		}, want: []string{"R-1 StatusRequestResponse RequestReceived: sent", "R-1 Unfilled: sent"}, status: MessagePending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInteropFixture(t)
			f.queueTwo("RAPID", "R-1")
			f.pass(refusing)
			id := f.outbox()[0].ID
			m, err := tt.act(f, id)
			require.NoError(t, err)
			assert.Equal(t, tt.status, m.Status)
			assert.Equal(t, tt.note, m.Note)
			f.pass(&answeringTransport{})
			assert.Equal(t, tt.want, f.statuses())
			var byStaff []string
			for _, ev := range f.stored(m.RequestID).History {
				if ev.Actor == "ana" && ev.Action == ActMessage {
					byStaff = append(byStaff, ev.Note)
				}
			}
			assert.Len(t, byStaff, 1, "staff's act is in the request's history")
			_, err = tt.act(f, id)
			assert.ErrorIs(t, err, ErrNotUnsent, "done once")
		})
	}
	t.Run("refused", func(t *testing.T) {
		f := newInteropFixture(t)
		f.queueTwo("RAPID", "R-1")
		f.pass(refusing)
		id := f.outbox()[0].ID
		before := f.store.snapshot()
		_, err := f.desk.DropMessage(id, " ", atRS)
		f.refused(err, ErrInvalidInput, before)
		_, err = f.desk.ResendMessage("nothing-like-it", atRS)
		f.refused(err, ErrNotFound, before)
		_, err = f.desk.ResendMessage("", atRS)
		f.refused(err, ErrInvalidInput, before)
	})
}

func TestCancellingWithdrawsUnsentMessages(t *testing.T) {
	f := newInteropFixture(t)
	other := f.lending("RAPID", "R-1")
	_, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}))
	require.NoError(t, err)
	l := f.lending("RAPID", "R-2")
	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-2", Action: "StatusRequest"}))
	require.NoError(t, err)
	f.pass(&answeringTransport{answer: func(string) ([]byte, error) { return nil, &PartnerAnswer{Status: 422, Text: "bad"} }})
	f.now = f.now.Add(time.Minute)
	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-2", Action: "StatusRequest", Note: "again"}))
	require.NoError(t, err)
	f.now = f.now.Add(time.Minute)
	_, err = f.desk.Cancel(l.ID, "patron withdrew", atRS)
	require.NoError(t, err)
	got := map[string][]string{}
	for _, m := range f.outbox() {
		got[m.RequestID] = append(got[m.RequestID], m.Summary+": "+m.Status+" "+m.Note)
	}
	assert.Equal(t, []string{
		"StatusRequestResponse RequestReceived: dropped " + WithdrawnNote, // refused
		"StatusRequestResponse RequestReceived: dropped " + WithdrawnNote, // pending behind it
		"CancelResponse Cancelled: pending ",
	}, got[l.ID], "what the cancellation queues itself is kept")
	assert.Equal(t, []string{"StatusRequestResponse RequestReceived: refused "}, got[other.ID], "another request's messages are left alone")
}

func TestHeaderTimestampIsTheTimeOfSending(t *testing.T) {
	f := newInteropFixture(t)
	f.rejected("R-1")
	queued := f.now
	f.now = f.now.Add(90 * time.Minute)
	tr := &answeringTransport{}
	f.pass(tr)
	require.Len(t, tr.bodies, 1)
	assert.Equal(t, f.now, tr.bodies[0].Timestamp.UTC())
	var stored Outgoing
	require.NoError(t, json.Unmarshal(f.outbox()[0].Body, &stored))
	assert.Equal(t, queued, stored.Timestamp, "the stored message is as it was queued")
}

func TestRetryBackoffSettingReachesTheQueue(t *testing.T) {
	f := newInteropFixture(t)
	f.desk.retryBackoff = 2 * time.Second
	f.rejected("R-1")
	down := &answeringTransport{answer: func(string) ([]byte, error) { return nil, &PartnerAnswer{Status: 500} }}
	f.pass(down)
	assert.Equal(t, f.now.Add(2*time.Second), f.outbox()[0].NextTry)
	f.now = f.now.Add(2 * time.Second)
	f.pass(down)
	assert.Equal(t, f.now.Add(4*time.Second), f.outbox()[0].NextTry, "doubling from the shortened first wait")
}

func TestUndoingACancelQueuesItsWithdrawnMessagesAgain(t *testing.T) {
	f := newInteropFixture(t)
	l := f.lending("RAPID", "R-1")
	_, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}))
	require.NoError(t, err)
	f.now = f.now.Add(time.Minute)
	_, err = f.desk.Cancel(l.ID, "patron withdrew", atRS)
	require.NoError(t, err)
	require.Equal(t, []string{"R-1 StatusRequestResponse RequestReceived: dropped", "R-1 CancelResponse Cancelled: pending"}, f.statuses())

	f.now = f.now.Add(time.Minute)
	r, err := f.desk.Undo(l.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, []string{"R-1 StatusRequestResponse RequestReceived: pending"}, f.statuses(), "the cancellation's answer goes, what it withdrew comes back")
	assert.Contains(t, r.History[len(r.History)-1].Note, "message StatusRequestResponse RequestReceived to the partner queued again")
	assert.Equal(t, "", f.outbox()[0].Note)
	sent, _ := f.pass(&answeringTransport{})
	assert.Equal(t, 1, sent, "and is sent")
}
