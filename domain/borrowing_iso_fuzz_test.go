package domain

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// FuzzLenderMessages plays a script of lenders' messages (each three
// bytes: the lender and attempt answered, the status, the reason and
// answer) at a request sent to the rota RAPID, then BVB. It must never
// fail, and after every message:
//   - the request is in a borrowing state, its partner the current lender;
//   - each attempt is the rota's lender in turn, with the id ID-n;
//   - an answer to an attempt that is not the current one, or the same
//     message again, changes neither state, attempts, flags nor the
//     lender's due date.
func FuzzLenderMessages(f *testing.F) {
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{0, 7, 0, 1, 3, 0, 0, 3, 0})    // Unfilled, BVB Loaned, a late RAPID Loaned
	f.Add([]byte{0, 6, 0, 0, 1, 0, 0, 10, 3})   // RetryPossible, WillSupply, CancelResponse
	f.Add([]byte{0, 3, 0, 0, 5, 2, 0, 4, 1})    // Loaned, Recalled, Overdue
	f.Add([]byte{0, 3, 0, 0, 3, 5, 0, 9, 0})    // Loaned, RenewResponse, LoanCompleted
	f.Add([]byte{2, 7, 0, 3, 7, 0, 0, 8, 0, 1}) // answers from nobody we asked
	statuses := []string{"RequestReceived", "WillSupply", "ExpectToSupply", "Loaned", "Overdue", "Recalled",
		"RetryPossible", "Unfilled", "CopyCompleted", "LoanCompleted", "CompletedWithoutReturn", "Cancelled"}
	reasons := []string{"RequestResponse", "StatusChange", "StatusRequestResponse", "Notification", "CancelResponse", "RenewResponse"}
	agencies := []string{"OCLC:RAPID", "ISIL:DE-BVB"}
	f.Fuzz(func(t *testing.T, script []byte) {
		fx := newRotaFixture(t)
		r := fx.rota()
		for i := 0; i+2 < len(script) && i < 3*12; i += 3 {
			who, n := int(script[i]%2), int(script[i]/2%3)+1
			in := Incoming{Kind: KindSupplying, From: agencies[who], To: "ISIL:US-OURS", RequestingRequestID: r.ID + "-" + strconv.Itoa(n),
				SupplyingRequestID: "S", Status: statuses[int(script[i+1])%len(statuses)], Reason: reasons[int(script[i+2])%len(reasons)],
				DueDate: wednesday.AddDate(0, 1, int(script[i+1]/16)), ItemID: "L-" + strconv.Itoa(n)}
			if in.Reason == "CancelResponse" || in.Reason == "RenewResponse" {
				in.AnswerYesNo = []string{"Y", "N"}[script[i+2]/8%2]
			}
			before := fx.stored(r.ID)
			for again := range 2 {
				fx.now = fx.now.Add(time.Minute)
				in.Timestamp = fx.now
				_, _, err := fx.desk.Intake(msg(t, in))
				after := fx.stored(r.ID)
				if !slices.Contains(States(Borrowing), after.State) {
					t.Fatalf("state %q is not a borrowing state", after.State)
				}
				if after.Partner != after.CurrentLender() {
					t.Fatalf("partner %s is not the current lender %s", after.Partner, after.CurrentLender())
				}
				for k, a := range after.Lenders {
					if a.Partner != after.Rota[k] || a.RequestID != r.ID+"-"+strconv.Itoa(k+1) {
						t.Fatalf("attempt %d is %+v", k+1, a)
					}
				}
				stale := in.RequestingRequestID != before.Lenders[len(before.Lenders)-1].RequestID
				if (err != nil || stale || again == 1) && (before.State != after.State || !reflect.DeepEqual(before.Flags, after.Flags) ||
					!before.LenderDueDate.Equal(after.LenderDueDate) || !reflect.DeepEqual(before.Lenders, after.Lenders)) {
					t.Fatalf("%+v (refused: %v, again: %v) changed %+v into %+v", in, err, again == 1, before, after)
				}
				before = after
			}
		}
	})
}
