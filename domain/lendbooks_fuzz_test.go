package domain

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzLendBook runs a book we lend to RAPID through an arbitrary sequence
// of what may happen to it: the borrower's messages (Renew, ShippedReturn,
// Received, Cancel, StatusRequest, or an action read from the fuzzed text),
// scans at the RS desk and elsewhere, Loan, Recall, staff's answers to a
// renewal, days passing and the look for overdue loans, under either
// renewal policy and any renewal limit. It must never panic, and:
//   - every change of state is one of the lending-books table (loanMoves);
//   - a refused step changes nothing;
//   - under auto no more renewals are granted than the limit, and none
//     after a recall;
//   - the due date never moves earlier, and Overdue goes at most once per
//     due date;
//   - every message written for the partner is one the lending-books role
//     sends.
func FuzzLendBook(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 7, 8, 2, 4}, false, uint8(1), "Renew")
	f.Add([]byte{5, 2, 6, 9, 9, 2, 3, 4}, true, uint8(0), "ShippedReturn")
	f.Add([]byte{1, 7, 8, 8, 2, 10, 4, 4}, false, uint8(3), "Cancel")
	f.Add([]byte{11, 0, 12, 1, 13}, true, uint8(2), "%!s\x00")
	f.Fuzz(func(t *testing.T, ops []byte, ask bool, limit uint8, action string) {
		if len(ops) > 40 {
			ops = ops[:40]
		}
		fx, r := newLoanFixture(t)
		max := int(limit % 4)
		if _, err := fx.desk.EditPartner("RAPID", func(p *Partner) {
			p.Renewals = &max
			if ask {
				p.Renew = RenewAsk
			}
		}); err != nil {
			t.Fatal(err)
		}
		n := 0
		say := func(a string) error {
			n++
			raw, err := json.Marshal(Incoming{Kind: KindRequesting, From: "OCLC:RAPID", To: "ISIL:US-OURS",
				RequestingRequestID: "R-LOAN", Action: a, Note: string(rune('a' + n%26)), Timestamp: fx.now.Add(time.Duration(n))})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = fx.desk.Intake(raw)
			return err
		}
		for _, op := range ops {
			before := fx.store.snapshot()
			prev := fx.stored(r.ID)
			var err error
			switch op % 14 {
			case 0:
				_, err = fx.desk.Pick(r.ID, RSDesk, "", atRS)
			case 1:
				_, err = fx.desk.Scan("39100001", "", atRS)
			case 2:
				err = say("Renew")
			case 3:
				err = say("ShippedReturn")
			case 4:
				_, err = fx.desk.Scan("39100001", "", atMain)
			case 5:
				_, _, err = fx.desk.Loan(r.ID, "", time.Time{}, atRS)
			case 6:
				_, err = fx.desk.Recall(r.ID, action, atRS)
			case 7:
				_, err = fx.desk.AnswerRenew(r.ID, true, atRS)
			case 8:
				_, err = fx.desk.AnswerRenew(r.ID, false, atRS)
			case 9:
				fx.now = fx.now.AddDate(0, 0, 10)
				_, err = fx.desk.Dispatcher().QueueOverdue()
			case 10:
				err = say("Received")
			case 11:
				err = say("Cancel")
			case 12:
				err = say(action)
			case 13:
				_, _, err = fx.desk.Loan(r.ID, action, fx.now.AddDate(0, 0, int(limit)), atRS)
			}
			got := fx.stored(r.ID)
			if err != nil && !reflect.DeepEqual(before, fx.store.snapshot()) {
				t.Fatalf("op %d refused (%v) but changed the store", op%14, err)
			}
			if got.DueDate.Before(prev.DueDate) {
				t.Fatalf("op %d moved the due date from %v to %v", op%14, prev.DueDate, got.DueDate)
			}
		}
		got := fx.stored(r.ID)
		for _, ev := range got.History {
			if ev.From != ev.To || ev.Action == ActCreate {
				if want, ok := loanMoves[fromAction{ev.From, ev.Action}]; !ok || want != ev.To {
					t.Fatalf("%s from %q to %q is not in the table", ev.Action, ev.From, ev.To)
				}
			}
		}
		sent := map[string]int{}
		var granted int
		recalled := false
		for _, o := range fx.sent(r.ID) {
			sent[o.Reason+"/"+o.Status]++
			switch o.Reason {
			case "StatusChange":
				switch o.Status {
				case "Loaned", "LoanCompleted", "Overdue":
				case "Recalled":
					recalled = true
				default:
					t.Fatalf("a StatusChange to %s is not one lending books sends", o.Status)
				}
			case "CancelResponse", "StatusRequestResponse", "RenewResponse":
			default:
				t.Fatalf("a %s / %s message is not one lending books sends", o.Reason, o.Status)
			}
			if o.Reason == "RenewResponse" && o.AnswerYesNo == "Y" && o.Status != "Loaned" {
				t.Fatalf("a renewal granted with status %s", o.Status)
			}
			if o.Reason == "RenewResponse" && o.AnswerYesNo == "Y" {
				granted++
				if !ask && recalled {
					t.Fatalf("a renewal granted after the recall")
				}
			}
		}
		if !ask && granted > max {
			t.Fatalf("%d renewals granted, the limit is %d", granted, max)
		}
		if sent["StatusChange/Overdue"] > 1+granted {
			t.Fatalf("%d Overdue for %d due dates", sent["StatusChange/Overdue"], 1+granted)
		}
	})
}
