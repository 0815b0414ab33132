package domain

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soundDesk fills a desk with requests in many states, shipped, undone,
// noticed and imported, all by the desk's own use cases.
func soundDesk(t *testing.T) (*deskFixture, Request) {
	f := newDeskFixture(t)
	shipped := f.lending("RAPID", "RAPID-1")
	_, _, err := f.ship(shipped.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	f.lending("RAPID", "RAPID-2")
	_, err = f.desk.Reject(f.lending("BVB", "BVB-9").ID, Reasons()[0], "", "", atRS)
	require.NoError(t, err)
	f.onHoldShelf("3900001")
	f.borrowedTo("3900002", Loaned)
	undone := f.borrowedTo("3900003", Received)
	_, err = f.desk.Undo(undone.ID, atRS)
	require.NoError(t, err)
	_, err = f.desk.ImportHistory(strings.NewReader("side,partner,external_id,title,created,final_state,closed\n"+
		"lending,RAPID,OLD-1,Old title,2025-01-06,shipped_digitally,2025-01-07\n"+
		"borrowing,BVB,OLD-2,Old book,2025-01-06,completed,2025-02-07\n"), atRS)
	require.NoError(t, err)
	_, err = f.desk.Seed(30, 1, atRS)
	require.NoError(t, err)
	return f, f.stored(shipped.ID)
}

func (f *deskFixture) check(repair bool) CheckReport {
	f.t.Helper()
	rep, err := f.desk.Check(repair, atRS)
	require.NoError(f.t, err)
	return rep
}

func kinds(ps []Problem) []ProblemKind {
	var out []ProblemKind
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

func TestCheckSoundDesk(t *testing.T) {
	f, _ := soundDesk(t)
	rep := f.check(false)
	assert.Empty(t, rep.Problems)
	assert.True(t, rep.Sound())
	assert.Equal(t, 1, rep.VaultFiles)
	assert.Greater(t, rep.Requests, 30)
}

func TestCheckFindsBrokenInvariants(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(f *deskFixture, shipped Request)
		want    ProblemKind
		repair  bool // check --repair fixes it
	}{
		{"vault file missing", func(f *deskFixture, s Request) { delete(f.vault.files, s.ShippedFile.Name) }, ProblemVaultMissing, false},
		{"vault file changed", func(f *deskFixture, s Request) { f.vault.files[s.ShippedFile.Name] = []byte("%PDF-1.7 other") }, ProblemVaultMismatch, false},
		{"orphan vault file", func(f *deskFixture, _ Request) { f.vault.files["RAPID-77.pdf"] = []byte("%PDF-1.7 crash") }, ProblemVaultOrphan, true},
		{"shipped here without file", func(f *deskFixture, s Request) {
			delete(f.vault.files, s.ShippedFile.Name)
			s.ShippedFile = nil
			f.put(s)
		}, ProblemNoFileRecorded, false},
		{"illegal transition", func(f *deskFixture, s Request) {
			s.History[len(s.History)-1].Action = ActReceive
			f.put(s)
		}, ProblemHistory, false},
		{"history ends elsewhere", func(f *deskFixture, s Request) {
			s.State = Rejected
			f.put(s)
		}, ProblemHistory, false},
		{"history breaks", func(f *deskFixture, s Request) {
			s.History[len(s.History)-1].From = ItemAtDesk
			f.put(s)
		}, ProblemHistory, false},
		{"empty history", func(f *deskFixture, s Request) {
			s.History = nil
			f.put(s)
		}, ProblemHistory, false},
		{"orphan outgoing message", func(f *deskFixture, _ Request) {
			require.NoError(f.t, f.store.Update(func(tx Tx) error {
				return tx.PutOutboxMessage(OutboxMessage{ID: "0001", RequestID: "gone"})
			}))
		}, ProblemOrphanRecord, false},
		{"orphan ILS call", func(f *deskFixture, _ Request) {
			require.NoError(f.t, f.store.Update(func(tx Tx) error {
				return tx.PutILSCall(ILSCall{ID: "0001", RequestID: "gone", Call: CallDeleteItem})
			}))
		}, ProblemOrphanRecord, false},
		{"orphan notice", func(f *deskFixture, _ Request) {
			require.NoError(f.t, f.store.Update(func(tx Tx) error {
				return tx.PutNotice(Notice{ID: "n-1", RequestID: "gone"})
			}))
		}, ProblemOrphanRecord, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, shipped := soundDesk(t)
			tt.breakIt(f, shipped)
			rep := f.check(false)
			require.Equal(t, []ProblemKind{tt.want}, kinds(rep.Problems))
			p := rep.Problems[0]
			assert.Equal(t, tt.repair, p.Repairable)
			assertSentence(t, refuse(ErrInvalidInput, "%s", p.Detail))

			rep = f.check(true)
			if tt.repair {
				assert.Empty(t, rep.Problems)
				assert.Equal(t, []ProblemKind{tt.want}, kinds(rep.Repaired))
				assert.True(t, f.check(false).Sound())
			} else {
				assert.Equal(t, []ProblemKind{tt.want}, kinds(rep.Problems), "repair leaves what it cannot fix")
				assert.Empty(t, rep.Repaired)
			}
		})
	}
}

// put stores a request as it is, past the desk's rules, to break it.
func (f *deskFixture) put(r Request) {
	f.t.Helper()
	require.NoError(f.t, f.store.Update(func(tx Tx) error { return tx.PutRequest(r) }))
}

func TestCheckRepairNeedsFulfillment(t *testing.T) {
	f, _ := soundDesk(t)
	_, err := f.desk.AddOperator(OperatorInput{Name: "lead", Roles: AllRoles()}, Actor{})
	require.NoError(t, err)
	_, err = f.desk.AddOperator(OperatorInput{Name: "clerk", Roles: []Role{RoleCirculation}}, as("lead", RSDesk))
	require.NoError(t, err)
	_, err = f.desk.Check(true, as("clerk", RSDesk))
	require.Error(t, err)
	rep, err := f.desk.Check(false, as("clerk", RSDesk))
	require.NoError(t, err, "checking alone needs no role")
	assert.True(t, rep.Sound())
	rep, err = f.desk.Check(true, as("lead", RSDesk))
	require.NoError(t, err)
	assert.True(t, rep.Sound())
}
