package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzQuarantine takes in arbitrary bytes as a partner message (decoded
// by the JSON test codec into any Incoming) under each unknown-agencies
// setting, from the network or from a staff file, on a desk with the
// partners of the name-clash report and a request of VICTIM-ISO, then
// accepts what it held. It must never panic, and:
//   - no partner that was there is changed or replaced, and VICTIM-ISO's
//     request is not cancelled by anyone but VICTIM-ISO;
//   - a refused message (ERROR) changes nothing;
//   - a network message from an unknown agency under quarantine makes no
//     partner and no request; under refuse it changes nothing;
//   - every partner made has a code of its own (ignoring case) that a
//     partner may have, an agency id of at most MaxAgencyIDLength
//     characters, is marked for review and is in the audit trail.
func FuzzQuarantine(f *testing.F) {
	seeds := []Incoming{
		{Kind: KindRequest, From: "X:VICTIM", To: "ISIL:US-OURS", RequestingRequestID: "X-1", Citation: Citation{Title: "T"}},
		{Kind: KindRequest, From: "OCLC:VICTIMGW", RequestingRequestID: "V-2", Citation: Citation{Title: "T"}},
		{Kind: KindRequest, From: "ISIL:" + strings.Repeat("A", 200), RequestingRequestID: "L", Citation: Citation{Title: "T"}},
		{Kind: KindRequest, From: "X:vIcTiM-iso", RequestingRequestID: "V-1", Citation: Citation{ArticleTitle: "A\nB"}, ReplyAddress: "javascript:alert(1)"},
		{Kind: KindRequest, From: "ISIL:DE-12", RequestingRequestID: "D-1", Citation: Citation{Title: "T"}, ReplyAddress: "https://de-12.example/iso"},
		{Kind: KindRequesting, From: "Y:VICTIM", RequestingRequestID: "V-1", Action: "Cancel"},
		{Kind: KindRequesting, From: "OCLC:VICTIMGW", RequestingRequestID: "V-1", Action: "Cancel"},
		{Kind: KindSupplying, From: "Z:???", RequestingRequestID: "V-1", Status: "Loaned"},
		{Kind: KindConfirmation, From: "Q:Q"},
		{Kind: "dance", From: ":"},
	}
	for i, in := range seeds {
		b, err := json.Marshal(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i%3), i%2 == 0)
	}
	f.Add([]byte("{not json"), uint8(0), true)
	f.Add([]byte(`{"Kind":"request","From":"A:\u0000","RequestingRequestID":"x","Citation":{"title":"t"}}`), uint8(1), true)
	policies := []string{UnknownQuarantine, UnknownAccept, UnknownRefuse}
	f.Fuzz(func(t *testing.T, raw []byte, policy uint8, network bool) {
		fx, victimReq := newVictimFixture(t)
		fx.setUnknownAgencies(policies[int(policy)%len(policies)])
		before := fx.store.snapshot()
		var res ImportResult
		var err error
		if network {
			res, _, err = fx.desk.IntakeFrom(raw, Caller{Addr: "192.0.2.1"})
		} else {
			res, _, err = fx.desk.Intake(raw)
		}
		after := fx.store.snapshot()
		if err != nil && !reflect.DeepEqual(before, after) {
			t.Fatalf("a refused message changed the store: %v", err)
		}
		for code, p := range before.Partners {
			if got, ok := after.Partners[code]; !ok || !reflect.DeepEqual(got, p) {
				t.Fatalf("partner %s changed: %+v → %+v", code, p, got)
			}
		}
		var in Incoming
		known := false
		if json.Unmarshal(raw, &in) == nil {
			for _, p := range before.Partners {
				known = known || (p.AgencyID != "" && strings.EqualFold(p.AgencyID, strings.TrimSpace(in.From)))
			}
		}
		if after.Requests[victimReq.ID].State == Cancelled && !strings.EqualFold(strings.TrimSpace(in.From), "OCLC:VICTIMGW") {
			t.Fatalf("VICTIM-ISO's request was cancelled by %q", in.From)
		}
		if network && !known && in.Kind != KindConfirmation {
			switch policies[int(policy)%len(policies)] {
			case UnknownQuarantine:
				if len(after.Partners) != len(before.Partners) || len(after.Requests) != len(before.Requests) {
					t.Fatalf("a held message made a partner or request: %+v", res)
				}
				if err == nil && res.Held == "" {
					t.Fatalf("an unknown agency's message was answered OK without being held: %+v", res)
				}
			case UnknownRefuse:
				if err == nil || !reflect.DeepEqual(before, after) {
					t.Fatalf("refuse let a message of %q through: %v", in.From, err)
				}
			}
		}
		checkNewPartners(t, fx, before)
		if res.Held != "" {
			mid := fx.store.snapshot()
			if _, err := fx.desk.AcceptHeld(res.Held, ""); err != nil {
				if !reflect.DeepEqual(mid, fx.store.snapshot()) {
					t.Fatalf("a refused accept changed the store: %v", err)
				}
				return
			}
			checkNewPartners(t, fx, mid)
		}
	})
}

// checkNewPartners checks the partners made since before.
func checkNewPartners(t *testing.T, fx *deskFixture, before memData) {
	t.Helper()
	after := fx.store.snapshot()
	codes := map[string]bool{}
	for code := range after.Partners {
		if codes[strings.ToLower(code)] {
			t.Fatalf("two partners have the code %s, ignoring case", code)
		}
		codes[strings.ToLower(code)] = true
	}
	for code, p := range after.Partners {
		if _, ok := before.Partners[code]; ok {
			if !reflect.DeepEqual(p, before.Partners[code]) {
				t.Fatalf("partner %s changed", code)
			}
			continue
		}
		if _, err := checkPartner(p); err != nil {
			t.Fatalf("partner %q is not one a partner may be: %v", code, err)
		}
		if len(p.AgencyID) > MaxAgencyIDLength || !p.NeedsReview {
			t.Fatalf("partner %q made from %d characters of agency id, for review: %v", code, len(p.AgencyID), p.NeedsReview)
		}
		if len(fx.audit(AuditFilter{Action: ActConfigure, Partner: code})) == 0 {
			t.Fatalf("partner %s is not in the audit trail", code)
		}
	}
}
