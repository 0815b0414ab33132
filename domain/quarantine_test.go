package domain

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var network = Caller{Addr: "192.0.2.7"}

// newVictimFixture has the partners of the name-clash report: VICTIM
// (ISIL:DE-VICTIM) and VICTIM-ISO (OCLC:VICTIMGW, with an endpoint, email
// delivery and a size limit) with a lending request V-1.
func newVictimFixture(t *testing.T) (*deskFixture, Request) {
	f := newInteropFixture(t)
	_, err := f.desk.AddPartner(Partner{Code: "VICTIM", Name: "Victim library", AgencyID: "ISIL:DE-VICTIM"})
	require.NoError(t, err)
	_, err = f.desk.AddPartner(Partner{Code: "VICTIM-ISO", Name: "Victim gateway", AgencyID: "OCLC:VICTIMGW",
		ISOEndpoint: "https://victim.example.org/iso18626", Delivery: "email:ill@victim.example.org", MaxFileBytes: 5_000_000})
	require.NoError(t, err)
	return f, f.lending("VICTIM-ISO", "V-1")
}

func strangerRequest(t *testing.T, agency, id string) []byte {
	return msg(t, Incoming{Kind: KindRequest, From: agency, To: "ISIL:US-OURS", RequestingRequestID: id,
		Citation: Citation{Title: "Stolen Goods"}, ReplyAddress: "https://" + strings.ToLower(strings.ReplaceAll(agency, ":", ".")) + ".example/iso"})
}

func (f *deskFixture) setUnknownAgencies(v string) {
	f.t.Helper()
	require.NoError(f.t, f.desk.SetUnknownAgencies(v))
}

func (f *deskFixture) partners() []Partner {
	f.t.Helper()
	ps, err := f.desk.Partners()
	require.NoError(f.t, err)
	return ps
}

func (f *deskFixture) held() []HeldMessage {
	f.t.Helper()
	hs, err := f.desk.Quarantine(true)
	require.NoError(f.t, err)
	return hs
}

func TestNameClashCannotHijackAPartner(t *testing.T) {
	cases := []struct {
		name   string
		policy string
		// newCodes are the partners the two strangers' requests make.
		newCodes []string
	}{
		{"quarantine", UnknownQuarantine, nil},
		{"accept", UnknownAccept, []string{"VICTIM-ISO-2", "VICTIM-ISO-3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, victimReq := newVictimFixture(t)
			f.setUnknownAgencies(tc.policy)
			victim := f.partner("VICTIM-ISO")
			for _, agency := range []string{"X:VICTIM", "Y:VICTIM"} {
				_, conf, err := f.desk.IntakeFrom(strangerRequest(t, agency, agency+"-1"), network)
				require.NoError(t, err)
				assert.Equal(t, "OK request", string(conf))
			}
			_, conf, _ := f.desk.IntakeFrom(msg(t, Incoming{Kind: KindRequesting, From: "Y:VICTIM", RequestingRequestID: "V-1", Action: "Cancel"}), network)
			if tc.policy == UnknownQuarantine {
				assert.Equal(t, "OK requestingAgencyMessage", string(conf), "held like the rest")
			} else {
				assert.True(t, strings.HasPrefix(string(conf), "ERROR"), "%s", conf)
			}

			assert.Equal(t, victim, f.partner("VICTIM-ISO"), "VICTIM-ISO is untouched")
			assert.Equal(t, Created, f.stored(victimReq.ID).State, "its request is not cancelled")
			var codes []string
			for _, p := range f.partners() {
				if p.Code != "RAPID" && p.Code != "BVB" && p.Code != "VICTIM" && p.Code != "VICTIM-ISO" {
					codes = append(codes, p.Code)
					assert.True(t, p.NeedsReview, p.Code)
					assert.Empty(t, p.ISOEndpoint, "an address a message proposes is not used unreviewed")
				}
			}
			assert.Equal(t, tc.newCodes, codes)
			for _, code := range tc.newCodes {
				es := f.audit(AuditFilter{Action: ActConfigure, Partner: code})
				require.Len(t, es, 1, "a partner made by a message is audited")
				assert.Equal(t, "ISO 18626", es[0].Operator)
				assert.Equal(t, "interop", es[0].Desk)
				assert.Contains(t, es[0].Note, "needs_review: (none) → true")
			}
		})
	}
}

func TestAcceptingAStrangerNeverTouchesAnotherPartner(t *testing.T) {
	f, victimReq := newVictimFixture(t)
	victim := f.partner("VICTIM-ISO")
	for _, raw := range [][]byte{strangerRequest(t, "X:VICTIM", "X-1"), strangerRequest(t, "Y:VICTIM", "Y-1"),
		msg(t, Incoming{Kind: KindRequesting, From: "Y:VICTIM", RequestingRequestID: "V-1", Action: "Cancel"})} {
		res, _, err := f.desk.IntakeFrom(raw, network)
		require.NoError(t, err)
		assert.NotEmpty(t, res.Held)
	}
	held := f.held()
	require.Len(t, held, 3)
	code, err := f.desk.SuggestPartnerCode("Y:VICTIM")
	require.NoError(t, err)
	assert.Equal(t, "VICTIM-ISO-2", code, "the first free code")

	res, err := f.desk.AcceptHeld(held[1].Ref(), "", atRS)
	require.NoError(t, err)
	assert.Equal(t, "VICTIM-ISO-2", res.Partner)
	require.Len(t, res.Messages, 2, "both messages of Y:VICTIM")
	assert.Equal(t, HeldAccepted, res.Messages[0].Status)
	assert.Contains(t, res.Messages[0].Note, "New lending request")
	assert.Contains(t, res.Messages[1].Note, "Not applied: No lending request", "the Cancel finds no request of its own partner")
	assert.Equal(t, victim, f.partner("VICTIM-ISO"))
	assert.Equal(t, Created, f.stored(victimReq.ID).State)
	assert.Equal(t, "https://y.victim.example/iso", f.partner("VICTIM-ISO-2").ISOEndpoint, "the proposed address, once accepted")
	assert.Equal(t, HeldWaiting, f.held()[0].Status, "X:VICTIM still waits")
}

func TestStrangersAreHeldNotListed(t *testing.T) {
	f := newInteropFixture(t)
	partnersBefore := f.partners()
	before := f.store.snapshot()
	for i := range 500 {
		agency := fmt.Sprintf("ISIL:XX-STRANGER-%03d", i)
		res, conf, err := f.desk.IntakeFrom(strangerRequest(t, agency, "S-1"), network)
		require.NoError(t, err)
		require.Equal(t, "OK request", string(conf))
		require.NotEmpty(t, res.Held)
		require.Empty(t, res.NewPartner)
	}
	assert.Equal(t, partnersBefore, f.partners(), "no partner is made")
	assert.Equal(t, before.Requests, f.store.snapshot().Requests, "the request list is untouched")
	assert.Len(t, f.held(), 500)
	c, err := f.desk.PrepareAttention()
	require.NoError(t, err)
	assert.Equal(t, 500, c.Held(), "Needs attention tells they wait")
	h := f.held()[7]
	assert.Equal(t, "ISIL:XX-STRANGER-007", h.Agency)
	assert.Equal(t, "Stolen Goods", h.Title)
	assert.Equal(t, "192.0.2.7", h.Addr)
	assert.Equal(t, "https://isil.xx-stranger-007.example/iso", h.ReplyAddress)
	assert.Equal(t, HeldWaiting, h.Status)
}

func TestQuarantineBounds(t *testing.T) {
	f := newInteropFixture(t)
	for i := range MaxHeldPerAgency {
		_, _, err := f.desk.IntakeFrom(strangerRequest(t, "ISIL:XX-LOUD", fmt.Sprint("L-", i)), network)
		require.NoError(t, err)
	}
	before := f.store.snapshot()
	res, conf, err := f.desk.IntakeFrom(strangerRequest(t, "ISIL:XX-LOUD", "L-more"), network)
	require.ErrorIs(t, err, ErrBadMessage)
	assert.True(t, strings.HasPrefix(string(conf), "ERROR UnrecognisedDataValue"), "%s", conf)
	assert.Contains(t, res.Outcome, "was not stored")
	assert.Equal(t, before, f.store.snapshot())

	require.NoError(t, f.store.Update(func(tx Tx) error {
		for i := range MaxHeld - MaxHeldPerAgency {
			if err := tx.PutHeldMessage(HeldMessage{ID: fmt.Sprintf("filler-%04d", i), Agency: fmt.Sprint("ISIL:F-", i), Status: HeldWaiting}); err != nil {
				return err
			}
		}
		return nil
	}))
	before = f.store.snapshot()
	res, _, err = f.desk.IntakeFrom(strangerRequest(t, "ISIL:XX-NEW", "N-1"), network)
	require.ErrorIs(t, err, ErrBadMessage)
	assert.Contains(t, res.Outcome, "Too many messages")
	assert.Equal(t, before, f.store.snapshot(), "nothing stored beyond the total cap")
	_, _, err = f.desk.IntakeFrom(msg(t, Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-9", Action: "StatusRequest"}), network)
	assert.ErrorContains(t, err, "No lending request", "partners are not held up by the cap")

	big := msg(t, Incoming{Kind: KindRequest, From: "ISIL:XX-BIG", To: "ISIL:US-OURS", RequestingRequestID: "B-1",
		Citation: Citation{Title: strings.Repeat("x", MaxHeldBytes)}})
	g := newInteropFixture(t)
	before = g.store.snapshot()
	_, _, err = g.desk.IntakeFrom(big, network)
	require.ErrorIs(t, err, ErrBadMessage)
	assert.Equal(t, before, g.store.snapshot(), "a message over the size bound is not stored")
}

func TestUnknownAgencyRefusals(t *testing.T) {
	long := "ISIL:" + strings.Repeat("A", 10_000)
	cases := []struct {
		name   string
		policy string
		raw    []byte
		staff  bool // a file staff import, not a network message
		conf   string
		words  string
	}{
		{"10 KB agency, quarantine", UnknownQuarantine, strangerRequest(t, long, "L-1"), false, "ERROR UnrecognisedDataValue", "at most 100"},
		{"10 KB agency, accept", UnknownAccept, strangerRequest(t, long, "L-1"), false, "ERROR UnrecognisedDataValue", "at most 100"},
		{"10 KB agency, staff file", UnknownQuarantine, strangerRequest(t, long, "L-1"), true, "ERROR UnrecognisedDataValue", "at most 100"},
		{"refuse", UnknownRefuse, strangerRequest(t, "ISIL:XX-1", "R-1"), false, "ERROR UnrecognisedDataValue", "are refused"},
		{"not TYPE:VALUE", UnknownQuarantine, strangerRequest(t, "NOCOLON", "R-1"), false, "ERROR UnrecognisedDataValue", "not TYPE:VALUE"},
		{"control characters", UnknownQuarantine, strangerRequest(t, "ISIL:A\nB", "R-1"), false, "ERROR UnrecognisedDataValue", "characters"},
		{"line separator", UnknownAccept, strangerRequest(t, "ISIL:A\u2028B", "R-1"), false, "ERROR UnrecognisedDataValue", "characters"},
		{"not for us", UnknownQuarantine, msg(t, Incoming{Kind: KindRequest, From: "ISIL:XX-2", To: "ISIL:ELSEWHERE", RequestingRequestID: "X", Citation: Citation{Title: "T"}}), false, "ERROR UnrecognisedDataValue", "addressed to"},
		{"no title", UnknownQuarantine, msg(t, Incoming{Kind: KindRequest, From: "ISIL:XX-2", RequestingRequestID: "X"}), false, "ERROR UnrecognisedDataElement", "no title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newInteropFixture(t)
			f.setUnknownAgencies(tc.policy)
			before := f.store.snapshot()
			var res ImportResult
			var conf []byte
			var err error
			if tc.staff {
				res, conf, err = f.desk.Intake(tc.raw)
			} else {
				res, conf, err = f.desk.IntakeFrom(tc.raw, network)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.words)
			assert.Less(t, len(err.Error()), 400, "the value is not echoed whole")
			assert.Less(t, len(res.Outcome), 400)
			assert.True(t, strings.HasPrefix(string(conf), tc.conf), "confirmation %q", conf)
			assert.Equal(t, before, f.store.snapshot(), "nothing stored")
		})
	}
}

func TestStaffFilesStillMakeThePartner(t *testing.T) {
	f, _ := newVictimFixture(t)
	res, conf, err := f.desk.Intake(strangerRequest(t, "X:VICTIM", "X-1"))
	require.NoError(t, err)
	assert.Equal(t, "OK request", string(conf))
	assert.Equal(t, "VICTIM-ISO-2", res.NewPartner, "a free code, never an existing partner's")
	p := f.partner("VICTIM-ISO-2")
	assert.True(t, p.NeedsReview)
	assert.Equal(t, "X:VICTIM", p.AgencyID)
	assert.Empty(t, p.ISOEndpoint)
	assert.Empty(t, f.held())
	assert.Len(t, f.audit(AuditFilter{Action: ActConfigure, Partner: "VICTIM-ISO-2"}), 1)
}

func TestFreePartnerCode(t *testing.T) {
	f := newInteropFixture(t)
	cases := map[string]string{
		"ISIL:DE-12":                          "DE-12",
		"ISIL:rapid":                          "rapid-ISO", // RAPID is taken, whatever the case
		"OCLC:a b/c\\d":                       "a-b-c-d",
		"OCLC:" + strings.Repeat("Z", 90):     strings.Repeat("Z", 24),
		"OCLC:???":                            "PARTNER",
		"OCLC:Bibliothèque":                   "Biblioth-que",
		"ISIL:../../etc":                      "..-..-etc",
		"X:<script>alert(1)</script>":         "script-alert-1---script",
		"OCLC:" + strings.Repeat("é", 40):     "PARTNER",
		"ISIL:BVB":                            "BVB-ISO",
		"ISIL:DE-12-with-a-fairly-long-value": "DE-12-with-a-fairly-long",
	}
	for agency, want := range cases {
		var got string
		require.NoError(t, f.store.View(func(tx Tx) (err error) { got, err = freePartnerCode(tx, agency); return err }))
		assert.Equal(t, want, got, agency)
		_, err := checkPartner(Partner{Code: got, Name: "x"})
		assert.NoError(t, err, "a code a partner may have")
	}
}

func TestAcceptAndRefuseHeldMessages(t *testing.T) {
	f := newInteropFixture(t)
	for _, raw := range [][]byte{strangerRequest(t, "ISIL:DE-NEW", "N-1"), strangerRequest(t, "ISIL:DE-NEW", "N-2"),
		strangerRequest(t, "ISIL:DE-ODD", "O-1")} {
		_, _, err := f.desk.IntakeFrom(raw, network)
		require.NoError(t, err)
	}
	held := f.held()
	require.Len(t, held, 3)

	before := f.store.snapshot()
	_, err := f.desk.AcceptHeld(held[0].ID, "RAPID", atRS)
	f.refused(err, ErrPartnerExists, before)
	_, err = f.desk.AcceptHeld("nope", "", atRS)
	f.refused(err, ErrNotFound, before)

	res, err := f.desk.AcceptHeld(held[0].ID, "NEWLIB", atRS)
	require.NoError(t, err)
	assert.True(t, res.NewPartner)
	assert.Contains(t, res.Outcome, "2 of 2")
	p := f.partner("NEWLIB")
	assert.True(t, p.NeedsReview)
	assert.Equal(t, "https://isil.de-new.example/iso", p.ISOEndpoint)
	var refs []string
	for _, r := range f.desk.searchAll(t) {
		if r.Partner == "NEWLIB" {
			refs = append(refs, r.ExternalID)
		}
	}
	assert.ElementsMatch(t, []string{"N-1", "N-2"}, refs, "the held requests are in the list now")
	assert.Empty(t, f.outbox(), "accepting sends nothing by itself")
	es := f.audit(AuditFilter{Action: ActConfigure})
	var whats []string
	for _, e := range es {
		whats = append(whats, e.Ref+" by "+e.Operator)
	}
	assert.Contains(t, whats, "partner NEWLIB by "+atRS.Operator)
	assert.Contains(t, whats, "quarantine "+held[0].Ref()+" by "+atRS.Operator)

	before = f.store.snapshot()
	_, err = f.desk.AcceptHeld(held[1].ID, "", atRS)
	f.refused(err, ErrInvalidInput, before)

	res, err = f.desk.RefuseHeld(held[2].Ref(), "  not a library we know ", atRS)
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	assert.Equal(t, HeldRefused, res.Messages[0].Status)
	assert.Equal(t, "not a library we know", res.Messages[0].Note)
	assert.Empty(t, f.outbox(), "refusing sends nothing")
	assert.Empty(t, f.desk.mustQuarantine(t), "nothing waits")
	assert.Len(t, f.partners(), 3, "RAPID, BVB and NEWLIB only")
}

func (d *Desk) searchAll(t *testing.T) []Request {
	t.Helper()
	var out []Request
	require.NoError(t, d.store.View(func(tx Tx) error {
		return tx.ForEachRequest(func(r Request) error { out = append(out, r); return nil })
	}))
	return out
}

func (d *Desk) mustQuarantine(t *testing.T) []HeldMessage {
	t.Helper()
	hs, err := d.Quarantine(false)
	require.NoError(t, err)
	return hs
}

func TestKnownPartnersAreNotHeld(t *testing.T) {
	f := newInteropFixture(t)
	res, conf, err := f.desk.IntakeFrom(msg(t, Incoming{Kind: KindRequest, From: "oclc:rapid", To: "ISIL:US-OURS",
		RequestingRequestID: "R-7", Citation: Citation{Title: "Known"}}), network)
	require.NoError(t, err)
	assert.Equal(t, "OK request", string(conf))
	assert.Empty(t, res.Held)
	assert.Equal(t, "RAPID", f.stored(res.Request).Partner)
}

func TestSetUnknownAgencies(t *testing.T) {
	f := newInteropFixture(t)
	v, err := f.desk.UnknownAgencies()
	require.NoError(t, err)
	assert.Equal(t, UnknownQuarantine, v, "the default")
	before := f.store.snapshot()
	f.refused(f.desk.SetUnknownAgencies("ignore"), ErrInvalidInput, before)
	require.NoError(t, f.desk.SetUnknownAgencies(" Refuse "))
	v, err = f.desk.UnknownAgencies()
	require.NoError(t, err)
	assert.Equal(t, UnknownRefuse, v)
	var notes []string
	for _, e := range f.audit(AuditFilter{Action: ActConfigure}) {
		if e.Ref == "unknown agencies" {
			notes = append(notes, e.Note)
		}
	}
	assert.Equal(t, []string{"unknown_agencies: quarantine → refuse"}, notes, "audited once")
}

func TestOutcomesQuoteWhatMessagesSay(t *testing.T) {
	f := newInteropFixture(t)
	b := f.borrowing("RAPID", "")
	for _, in := range []Incoming{
		{Kind: KindRequest, From: "OCLC:RAPID", RequestingRequestID: "R-1\r\n09:00:00 forged", Citation: Citation{Title: "T\n09:00:00 forged line"}},
		{Kind: KindSupplying, From: "OCLC:RAPID", RequestingRequestID: b.ID, Status: "Loaned\n09:00:00 forged"},
		{Kind: KindRequesting, From: "ISIL:XX\u2028", RequestingRequestID: "S-1", Action: "Cancel"},
		{Kind: "x\ny", From: "OCLC:RAPID"},
	} {
		res, _, _ := f.desk.IntakeFrom(msg(t, in), network)
		assert.NotContains(t, res.Outcome, "\n", "a message's values cannot start a log line of their own: %q", res.Outcome)
		assert.NotContains(t, res.Outcome, "\r")
		assert.NotContains(t, res.Outcome, "\u2028")
	}
}

func TestDecidingOnHeldMessagesNeedsFulfillment(t *testing.T) {
	f := newInteropFixture(t)
	withStaff(t, f)
	res, _, err := f.desk.IntakeFrom(strangerRequest(t, "ISIL:DE-NEW", "N-1"), network)
	require.NoError(t, err)
	before := f.store.snapshot()
	_, err = f.desk.AcceptHeld(res.Held, "", as("rita", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	_, err = f.desk.RefuseHeld(res.Held, "", as("rita", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	f.refused(f.desk.SetUnknownAgencies(UnknownAccept, as("rita", RSDesk)), ErrNotAllowed, before)

	// staff added the agency as a partner meanwhile: accepting applies the
	// held request to that partner and makes none
	_, err = f.desk.AddPartner(Partner{Code: "NEW", Name: "New library", AgencyID: "isil:de-new"}, as("finn", RSDesk))
	require.NoError(t, err)
	_, err = f.desk.AcceptHeld(res.Held, "OTHER", as("finn", RSDesk))
	require.ErrorIs(t, err, ErrPartnerExists)
	acc, err := f.desk.AcceptHeld(res.Held, "", as("finn", RSDesk))
	require.NoError(t, err)
	assert.False(t, acc.NewPartner)
	assert.Equal(t, "NEW", acc.Partner)
	assert.Contains(t, acc.Messages[0].Note, `New lending request "N-1" from NEW`)
}

func TestAProposedAddressThatIsNoEndpointIsNotStored(t *testing.T) {
	f := newInteropFixture(t)
	res, _, err := f.desk.IntakeFrom(msg(t, Incoming{Kind: KindRequest, From: "ISIL:DE-ODD", RequestingRequestID: "O-1",
		Citation: Citation{Title: "T"}, ReplyAddress: "javascript:alert(1)"}), network)
	require.NoError(t, err)
	acc, err := f.desk.AcceptHeld(res.Held, "")
	require.NoError(t, err)
	assert.Contains(t, acc.Outcome, `The address the message proposed, "javascript:alert(1)", is no endpoint and was not stored.`)
	assert.Empty(t, f.partner("DE-ODD").ISOEndpoint)
}
