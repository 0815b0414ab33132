package domain

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// domainSentinels are the sentinel errors of errors.go.
var domainSentinels = []error{
	ErrNotFound, ErrAmbiguousRef, ErrPartnerNotFound, ErrPartnerExists, ErrInvalidInput, ErrIllegalTransition,
	ErrReasonRequired, ErrUnknownReason, ErrNoteRequired, ErrInvalidBarcode, ErrBarcodeInUse, ErrDuplicateExternalID,
	ErrUnknownCode, ErrWrongDesk, ErrWrongState, ErrInvalidStation, ErrPreflightRejected, ErrNeedsConfirmation,
	ErrDatabaseLocked, ErrSchemaTooNew,
}

// FuzzImportHistory imports arbitrary bytes as a history file into a desk
// over the in-memory store (partners RAPID and BVB, lending request EXIST-1
// of RAPID already there). ImportHistory must never panic and is all or
// nothing: on error it is a *Refusal wrapping ErrInvalidInput (a domain
// sentinel) whose message is a sentence listing the problems it reports, the
// result counts nothing and the store is exactly as before; on success every
// line was stored, the counts add up, each new request is open or in a final
// state of its side with the import's history, and importing the same file
// again is refused when it named any external id.
func FuzzImportHistory(f *testing.F) {
	for _, name := range []string{"history_good.csv", "history_bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	head := "side,external_id,partner,title,created,closed,final_state\n"
	for _, s := range []string{
		"",
		head,
		"\ufeffTitle,Partner,Final State,Closed,Created,External ID,Side\r\n\"Quoted, with comma\",RAPID,cancelled,2026-02-03,2026-02-02,X-1,Lending\r\n",
		head + "lending,X1,RAPID,T,2026-01-05,,\n",
		head + "lending,X1,RAPID,T,2026-01-05,,\nlending,X1,RAPID,T,2026-01-05,,\n",
		head + "lending,EXIST-1,RAPID,T,2026-01-05,,\n",
		head + "lending,X1,rapid,T,2026-01-05,,\n",
		head + "borrowing,,BVB,T,2026-01-05T09:30:00+01:00,2026-01-06,completed\n",
		head + "lending,X1,RAPID,\"T\"x,2026-01-05,,\n",
		head + "lending,X1,RAPID\n",
		head + "lending,X1,RAPID,T,2027-01-05,,\n",
		head + "\n\n   \nlending,X1,RAPID,\"multi\nline\",2026-01-05,,\n",
		"side,external_id,partner,title,created,closed,final_state,reason\nlending,X1,RAPID,T,2026-01-05,2026-01-06,rejected,NotHeld\n",
		"side,side,external_id,partner,title,created,closed,final_state\n",
		"side,partner,title,created\nlending,RAPID,T,2026-01-05\n",
		",,,\n",
		"\"unterminated\n",
		"%!s,%d\n%v,%x\n",
		"\x00\xff\xfe",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		fx := newDeskFixture(t)
		fx.lending("RAPID", "EXIST-1")
		before := fx.store.snapshot()

		res, err := fx.desk.ImportHistory(bytes.NewReader(data), atRS)
		after := fx.store.snapshot()
		if err != nil {
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("a refused import changed the store: %v", err)
			}
			if res.Imported != 0 || res.Open != 0 || res.Closed != 0 {
				t.Fatalf("a refused import counts requests: %+v", res)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("refusal does not wrap ErrInvalidInput: %v", err)
			}
			if !slices.ContainsFunc(domainSentinels, func(s error) bool { return errors.Is(err, s) }) {
				t.Fatalf("refusal wraps no domain sentinel: %v", err)
			}
			checkRefusal(t, err, "", string(data))
			for i, p := range res.Problems {
				if p.Line < 1 || !strings.HasSuffix(p.Msg, ".") {
					t.Fatalf("bad problem %+v", p)
				}
				if i > 0 && p.Line < res.Problems[i-1].Line {
					t.Fatalf("problems out of order: %+v", res.Problems)
				}
				if i < MaxHistoryProblems && !strings.Contains(err.Error(), p.String()) {
					t.Fatalf("the refusal does not list %q:\n%s", p, err)
				}
			}
			return
		}

		if len(res.Problems) > 0 || res.Imported < 1 || res.Imported != res.Open+res.Closed {
			t.Fatalf("an import without error reports %+v", res)
		}
		if got, want := len(after.Order), len(before.Order)+res.Imported; got != want {
			t.Fatalf("%d requests stored, want %d", got, want)
		}
		named := false
		for _, id := range after.Order[len(before.Order):] {
			r := after.Requests[id]
			if _, ok := after.Partners[r.Partner]; !ok {
				t.Fatalf("request %s names the unknown partner %q", id, r.Partner)
			}
			if r.State != Created && !r.State.Final(r.Side) {
				t.Fatalf("request %s imported in the state %q of %q", id, r.State, r.Side)
			}
			if len(r.History) == 0 || r.History[0].Action != ActCreate || r.History[len(r.History)-1].To != r.State {
				t.Fatalf("request %s has the history %+v", id, r.History)
			}
			for _, ev := range r.History {
				if ev.Actor != historyActor || ev.Desk != historyDesk {
					t.Fatalf("request %s has the event %+v", id, ev)
				}
			}
			named = named || r.ExternalID != ""
		}
		if !named {
			return
		}
		_, err = fx.desk.ImportHistory(bytes.NewReader(data), atRS)
		if err == nil {
			t.Fatalf("the same file was imported twice")
		}
		if !errors.Is(err, ErrInvalidInput) || !reflect.DeepEqual(after, fx.store.snapshot()) {
			t.Fatalf("the second import was not refused cleanly: %v", err)
		}
	})
}
