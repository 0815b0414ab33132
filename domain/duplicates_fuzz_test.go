package domain

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzIncomingRetry takes in arbitrary bytes as a partner message (decoded
// by the JSON test codec into any Incoming) on a desk with RAPID's request
// R-1, then the same message as a partner retries it: with a new header
// timestamp and a new token. It must never panic, and what was accepted
// once is a duplicate the second time and changes nothing.
func FuzzIncomingRetry(f *testing.F) {
	seeds := []Incoming{
		{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"},
		{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "Cancel", Note: "found it"},
		{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "Received"},
		{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS", RequestingRequestID: "R-2", Citation: Citation{Title: "T", Pages: "1-2"}},
		{Kind: KindRequest, From: "ISIL:DE-12", RequestingRequestID: "D-1", Citation: Citation{Title: "T"}, NeededBy: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: KindSupplying, From: "OCLC:RAPID", RequestingRequestID: "R-1", Status: "Loaned", DueDate: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: KindConfirmation, From: "OCLC:RAPID"},
	}
	for _, in := range seeds {
		b, err := json.Marshal(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("{not json"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fx := newInteropFixture(t)
		fx.lending("RAPID", "R-1")
		if _, _, err := fx.desk.Intake(raw); err != nil {
			return
		}
		var in Incoming
		if err := json.Unmarshal(raw, &in); err != nil {
			t.Fatalf("accepted what the codec cannot read: %v", err)
		}
		in.Timestamp = in.Timestamp.Add(time.Minute)
		in.SecurityCode += "-renewed"
		retry, err := json.Marshal(in)
		if err != nil {
			return // a time json cannot write
		}
		fx.now = fx.now.Add(time.Minute)
		before := fx.store.snapshot()
		res, _, err := fx.desk.Intake(retry)
		if err != nil {
			t.Fatalf("a retry of an accepted message is refused: %v", err)
		}
		if !res.Duplicate {
			t.Fatalf("a retry is not known as one: %+v", res)
		}
		if !reflect.DeepEqual(before, fx.store.snapshot()) {
			t.Fatalf("a retry changed the store")
		}
	})
}
