package domain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCodec reads and writes messages as JSON, so the desk's interop can be
// tested without XML.
type fakeCodec struct{}

func (fakeCodec) Decode(raw []byte) (Incoming, error) {
	var in Incoming
	if err := json.Unmarshal(raw, &in); err != nil {
		return Incoming{}, errors.New("line 1: not a message")
	}
	return in, nil
}

func (fakeCodec) Encode(o Outgoing) ([]byte, error) { return json.Marshal(o) }

func (fakeCodec) Confirm(in Incoming, _ time.Time, p *MessageProblem) ([]byte, error) {
	if p != nil {
		return []byte("ERROR " + p.ErrorType + ": " + p.Value), nil
	}
	return []byte("OK " + in.Kind), nil
}

func (fakeCodec) ConfirmUndecodable([]byte, error, time.Time) []byte {
	return []byte("ERROR BadlyFormedMessage")
}

// Restamp rewrites the JSON message's timestamp.
func (fakeCodec) Restamp(body []byte, now time.Time) ([]byte, error) {
	var o Outgoing
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, err
	}
	o.Timestamp = now
	return json.Marshal(o)
}

func (fakeCodec) ConfirmationOK(reply []byte) (bool, string, error) {
	if !strings.HasPrefix(string(reply), "OK") && !strings.HasPrefix(string(reply), "ERROR") {
		return false, "", errors.New("not a confirmation: " + string(reply))
	}
	return strings.HasPrefix(string(reply), "OK"), string(reply), nil
}

func newInteropFixture(t *testing.T) *deskFixture {
	f := newDeskFixture(t)
	f.desk.codec = fakeCodec{}
	require.NoError(t, f.desk.SetAgencyID("ISIL:US-OURS"))
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, err := tx.Partner("RAPID")
		if err != nil {
			return err
		}
		p.AgencyID, p.ISOEndpoint = "OCLC:RAPID", "http://127.0.0.1:1/iso"
		return tx.PutPartner(p)
	}))
	return f
}

func msg(t *testing.T, in Incoming) []byte {
	b, err := json.Marshal(in)
	require.NoError(t, err)
	return b
}

func (f *deskFixture) outbox() []OutboxMessage {
	f.t.Helper()
	ms, err := f.desk.Outbox("")
	require.NoError(f.t, err)
	return ms
}

func (f *deskFixture) lastMessage() Outgoing {
	f.t.Helper()
	ms := f.outbox()
	require.NotEmpty(f.t, ms)
	var o Outgoing
	require.NoError(f.t, json.Unmarshal(ms[len(ms)-1].Body, &o))
	return o
}

func TestIntakeRequestFromUnknownAgency(t *testing.T) {
	f := newInteropFixture(t)
	raw := msg(t, Incoming{Kind: KindRequest, From: "ISIL:DE-12", To: "ISIL:US-OURS", RequestingRequestID: "DE12-0001",
		Citation:    Citation{Title: "Journal of Things", ArticleTitle: "On things", Pages: "1-10", Volume: "3"},
		ServiceType: "Copy", Note: "urgent please"})
	res, conf, err := f.desk.Intake(raw)
	require.NoError(t, err)
	assert.Equal(t, "OK request", string(conf))
	assert.Equal(t, "DE-12", res.NewPartner)
	p := f.partner("DE-12")
	assert.True(t, p.NeedsReview, "a new partner is marked for review")
	assert.Equal(t, "ISIL:DE-12", p.AgencyID)
	r := f.stored(res.Request)
	assert.Equal(t, "DE12-0001", r.ExternalID)
	assert.Equal(t, Lending, r.Side)
	assert.Equal(t, "On things", r.ArticleTitle)
	assert.Equal(t, "Copy", r.ServiceType)
	assert.Equal(t, f.desk.Calendar().AddBusinessHours(f.now, 24), r.Deadline)
	assert.Contains(t, r.InternalNote, "urgent please")

	before := f.store.snapshot()
	again, conf2, err := f.desk.Intake(raw)
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, conf, conf2, "the same answer as the first time")
	assert.Equal(t, before, f.store.snapshot(), "the same message twice changes nothing")
}

func TestIntakeRefusalsChangeNothing(t *testing.T) {
	f := newInteropFixture(t)
	l := f.lending("RAPID", "R-1")
	cases := []struct {
		name  string
		raw   []byte
		conf  string
		words string
	}{
		{"not a message", []byte("<garbage"), "ERROR BadlyFormedMessage", "cannot be read"},
		{"no title", msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", RequestingRequestID: "X"}), "ERROR UnrecognisedDataElement", "no title"},
		{"not for us", msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:ELSEWHERE", RequestingRequestID: "X", Citation: Citation{Title: "T"}}), "ERROR UnrecognisedDataValue", "addressed to"},
		{"duplicate request id", msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", RequestingRequestID: "R-1", Citation: Citation{Title: "T"}}), "ERROR UnrecognisedDataValue", "already has request"},
		{"unknown action", msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "Dance"}), "ERROR UnsupportedActionType", "not supported"},
		{"unknown request", msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "NOPE", Action: "Cancel"}), "ERROR UnrecognisedDataValue", "No lending request"},
		{"unknown agency", msg(t, Incoming{Kind: KindSupplying, From: "OCLC:WHO", RequestingRequestID: l.ID, Status: "Loaned"}), "ERROR UnrecognisedDataValue", "not one of our partners"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.store.snapshot()
			_, conf, err := f.desk.Intake(tc.raw)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.words)
			assert.True(t, strings.HasPrefix(string(conf), tc.conf), "confirmation %q", conf)
			assert.Equal(t, before, f.store.snapshot())
		})
	}
}

func TestIntakeCancelAndStatusRequest(t *testing.T) {
	f := newInteropFixture(t)
	l := f.lending("RAPID", "R-1")
	_, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}))
	require.NoError(t, err)
	o := f.lastMessage()
	assert.Equal(t, "StatusRequestResponse", o.Reason)
	assert.Equal(t, "RequestReceived", o.Status)

	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "Cancel", Note: "found elsewhere"}))
	require.NoError(t, err)
	assert.Equal(t, Cancelled, f.stored(l.ID).State)
	o = f.lastMessage()
	assert.Equal(t, "CancelResponse", o.Reason)
	assert.Equal(t, "Y", o.AnswerYesNo)

	shipped := f.lending("RAPID", "R-2")
	_, _, err = f.ship(shipped.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	_, _, err = f.desk.Intake(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-2", Action: "Cancel"}))
	require.NoError(t, err)
	assert.Equal(t, ShippedDigitally, f.stored(shipped.ID).State)
	assert.Equal(t, "N", f.lastMessage().AnswerYesNo, "too late to cancel")
}

func TestEveryActionProducesItsMessage(t *testing.T) {
	f := newInteropFixture(t)
	ship := f.lending("RAPID", "R-1")
	_, _, err := f.ship(ship.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	o := f.lastMessage()
	assert.Equal(t, Outgoing{Kind: KindSupplying, From: "ISIL:US-OURS", To: "OCLC:RAPID", RequestingRequestID: "R-1",
		SupplyingRequestID: ship.ID, Timestamp: f.now, Reason: "RequestResponse", Status: "CopyCompleted", DateSent: f.now}, o)

	rej := f.lending("RAPID", "R-2")
	_, err = f.desk.Reject(rej.ID, ReasonNotOnShelf, "", "missing", atRS)
	require.NoError(t, err)
	o = f.lastMessage()
	assert.Equal(t, "Unfilled", o.Status)
	assert.Equal(t, "NotOnShelf", o.ReasonUnfilled)
	assert.Equal(t, "missing", o.Note)

	bad := f.lending("RAPID", "R-3")
	_, err = f.desk.BadCitation(bad.ID, "no such volume", atRS)
	require.NoError(t, err)
	o = f.lastMessage()
	assert.Equal(t, "RetryPossible", o.Status)
	assert.Equal(t, "NotFoundAsCited", o.ReasonRetry)

	b := f.borrowing("RAPID", "LENDER-9", func(in *BorrowingInput) { in.Pickup = "Main Library" })
	o = f.lastMessage()
	assert.Equal(t, KindRequest, o.Kind)
	assert.Equal(t, b.ID+"-1", o.RequestingRequestID, "the first attempt's id")
	_, err = f.desk.Receive(b.ID, "39200001", atRS)
	require.NoError(t, err)
	assert.Equal(t, "Received", f.lastMessage().Action)
	for _, at := range []Actor{atMain, atMain, atMain, atRS} {
		_, err := f.desk.Scan("39200001", "", at)
		require.NoError(t, err)
	}
	assert.Equal(t, "ShippedReturn", f.lastMessage().Action)

	before := len(f.outbox())
	plain := f.lending("BVB", "B-1") // BVB has no agency id: no messages
	_, err = f.desk.Reject(plain.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	assert.Len(t, f.outbox(), before)
}

// fakeTransport answers OK, or what reply says; partners are sent to in
// parallel, so it keeps what it was given under a lock.
type fakeTransport struct {
	mu    sync.Mutex
	posts []Destination
	reply func(ctx context.Context, to Destination, body []byte) ([]byte, error)
}

func (t *fakeTransport) Post(ctx context.Context, to Destination, body []byte) ([]byte, error) {
	t.mu.Lock()
	t.posts = append(t.posts, to)
	t.mu.Unlock()
	if t.reply != nil {
		return t.reply(ctx, to, body)
	}
	return []byte("OK"), nil
}

func TestExportMessagesForPartnersWithoutEndpoint(t *testing.T) {
	f := newInteropFixture(t)
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, _ := tx.Partner("RAPID")
		p.ISOEndpoint = ""
		return tx.PutPartner(p)
	}))
	r := f.lending("RAPID", "R/1")
	_, err := f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	written := map[string][]byte{}
	n, err := f.desk.ExportMessages(func(name string, body []byte) error { written[name] = body; return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	for name := range written {
		assert.NotContains(t, name, "/")
		assert.Contains(t, name, "Unfilled")
	}
	n, err = f.desk.ExportMessages(func(string, []byte) error { return nil })
	require.NoError(t, err)
	assert.Zero(t, n, "exported once")
	assert.Equal(t, MessageExported, f.outbox()[0].Status)
}

type fakeSender struct {
	got  []Delivery
	fail bool
}

func (s *fakeSender) SendFile(d Delivery, path string) (string, error) {
	if s.fail {
		return "", errors.New("mailbox full")
	}
	s.got = append(s.got, d)
	return d.Method + ":" + d.Target, nil
}

func TestDeliveriesByPartnerMethod(t *testing.T) {
	f := newInteropFixture(t)
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, _ := tx.Partner("RAPID")
		p.Delivery = "email:ill@rapid.example.org"
		return tx.PutPartner(p)
	}))
	r := f.lending("RAPID", "R-1")
	shipped, _, err := f.ship(r.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	assert.Equal(t, "Email", f.lastMessage().SentVia)
	s := &fakeSender{fail: true}
	_, failed, err := f.desk.deliverFiles(context.Background(), f.desk.dispatch.holder, s)
	require.NoError(t, err)
	assert.Equal(t, 1, failed)
	dls, err := f.desk.Deliveries(r.ID)
	require.NoError(t, err)
	require.Len(t, dls, 1)
	assert.Equal(t, DeliveryFailed, dls[0].Status)
	assert.Equal(t, "mailbox full", dls[0].LastError)
	f.now = f.now.Add(time.Hour)
	s.fail = false
	delivered, _, err := f.desk.deliverFiles(context.Background(), f.desk.dispatch.holder, s)
	require.NoError(t, err)
	assert.Equal(t, 1, delivered)
	assert.Equal(t, shipped.ShippedFile.Name, s.got[0].File)
	assert.Contains(t, lastEvent(f.stored(r.ID)).Note, "delivered by email")

	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, _ := tx.Partner("RAPID")
		p.Delivery = "iso"
		if err := tx.PutSetting(SettingPublicURL, "http://ill.example.edu:8626/"); err != nil {
			return err
		}
		return tx.PutPartner(p)
	}))
	r2 := f.lending("RAPID", "R-2")
	_, _, err = f.ship(r2.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	o := f.lastMessage()
	assert.Equal(t, "URL", o.SentVia)
	assert.True(t, strings.HasPrefix(o.DeliveryURL, "http://ill.example.edu:8626/files/"), o.DeliveryURL)
	id := strings.TrimPrefix(o.DeliveryURL, "http://ill.example.edu:8626/files/")
	dl, err := f.desk.DeliveryFile(id)
	require.NoError(t, err)
	assert.Equal(t, "R-2.pdf", dl.File)
	_, err = f.desk.DeliveryFile(dls[0].ID)
	assert.ErrorIs(t, err, ErrNotFound, "email deliveries are not downloadable")
}

func TestEmailSizeLimitRefusesBeforeShip(t *testing.T) {
	f := newInteropFixture(t)
	require.NoError(t, f.store.Update(func(tx Tx) error {
		p, _ := tx.Partner("BVB")
		p.Delivery = "email:ill@bvb.example.org"
		return tx.PutPartner(p)
	}))
	f.pf.report.Bytes = 5_000_000 // BVB takes 1 MB
	r := f.lending("BVB", "B-1")
	before := f.store.snapshot()
	_, rep, err := f.ship(r.ID, f.pdf(), true, atRS)
	f.refused(err, ErrPreflightRejected, before)
	assert.Equal(t, "too_large", rep.Reason)
	assert.Contains(t, err.Error(), "by email")
}

func TestParseDelivery(t *testing.T) {
	for in, want := range map[string][2]string{
		"email:ill@x.org": {"email", "ill@x.org"}, "folder:/srv/out": {"folder", "/srv/out"}, "iso": {"iso", ""}, "": {"", ""},
	} {
		m, tg, err := ParseDelivery(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, [2]string{m, tg})
	}
	for _, bad := range []string{"email:nobody", "folder:", "fax:123", "iso:x"} {
		_, _, err := ParseDelivery(bad)
		assert.ErrorIs(t, err, ErrInvalidInput, bad)
	}
}

func TestUndoWithdrawsAnUnsentMessageAndRefusesASentOne(t *testing.T) {
	f := newInteropFixture(t)
	r := f.lending("RAPID", "R-1")
	_, err := f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	require.Len(t, f.outbox(), 1)
	undone, err := f.desk.Undo(r.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, Created, undone.State)
	assert.Empty(t, f.outbox(), "the Unfilled message never leaves")
	assert.Contains(t, lastEvent(undone).Note, "withdrawn")

	_, err = f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	_, _, err = f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, &fakeTransport{})
	require.NoError(t, err)
	before := f.store.snapshot()
	_, err = f.desk.Undo(r.ID, atRS)
	f.refused(err, ErrCannotUndo, before)
	assert.Contains(t, err.Error(), "already gone to RAPID")
}
