package domain

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	// PBKDF2 at full strength takes a noticeable moment per PIN; the tests
	// hash many. Every hash records its own work factor.
	pinIterations = 1_000
}

var (
	mainDesk   = Station{Kind: StationPickup, Name: "Main Library"}
	branchDesk = Station{Kind: StationPickup, Name: "Branch"}
)

// as is the operator name acting at a station.
func as(name string, at Station) Actor { return Actor{Operator: name, Station: at} }

// withStaff sets up four operators: fay holds every role (the first, so a
// fulfillment operator), rita only requests, cora only circulation and finn
// only fulfillment. None has a PIN or a desk restriction.
func withStaff(t *testing.T, f *deskFixture) {
	t.Helper()
	_, err := f.desk.AddOperator(OperatorInput{Name: "fay", Roles: AllRoles()}, Actor{})
	require.NoError(t, err)
	for _, o := range []OperatorInput{
		{Name: "rita", Roles: []Role{RoleRequests}},
		{Name: "cora", Roles: []Role{RoleCirculation}},
		{Name: "finn", Roles: []Role{RoleFulfillment}},
	} {
		_, err := f.desk.AddOperator(o, as("fay", RSDesk))
		require.NoError(t, err)
	}
}

// borrowedTo makes a borrowing request (pickup Main Library) and, as fay,
// moves its item with barcode code through the scans up to state st.
func (f *deskFixture) borrowedTo(code string, st State) Request {
	f.t.Helper()
	r, err := f.desk.NewBorrowing(BorrowingInput{Partner: "BVB", ExternalID: "BVB-" + code,
		Citation: Citation{Title: "A Borrowed Book"}, Requester: "Pat Patron", RequesterEmail: "pat@example.org",
		Pickup: "Main Library"}, as("fay", RSDesk))
	require.NoError(f.t, err)
	steps := []struct {
		to State
		at Station
	}{{Received, RSDesk}, {OnHoldShelf, mainDesk}, {Loaned, mainDesk}, {ReturnedByPatron, mainDesk}}
	for _, s := range steps {
		if r.State == st {
			break
		}
		sel := ""
		if s.to == Received {
			sel = r.ID
		}
		res, err := f.desk.Scan(code, sel, as("fay", s.at))
		require.NoError(f.t, err)
		r = res.Request
	}
	require.Equal(f.t, st, r.State)
	return r
}

// roleCase is one change staff can make: the role it needs, where it is
// made, what must exist first (made by fay) and the change itself.
type roleCase struct {
	name  string
	need  Role // "" means any operator
	at    Station
	setup func(f *deskFixture) string
	act   func(f *deskFixture, arg string, by Actor) error
}

func lendingCreated(f *deskFixture) string {
	r, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "R-1", Format: FormatPhysical,
		Citation: Citation{Title: "Journal of Tests", Pages: "12-30"}, Holdings: Holdings{ItemBarcode: "39000099"}}, as("fay", RSDesk))
	require.NoError(f.t, err)
	return r.ID
}

func roleCases() []roleCase {
	none := func(*deskFixture) string { return "" }
	return []roleCase{
		{"create lending", RoleRequests, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			_, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "R-9", Citation: Citation{Title: "T"}}, by)
			return err
		}},
		{"create borrowing", RoleRequests, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			_, err := f.desk.NewBorrowing(BorrowingInput{Partner: "BVB", Citation: Citation{Title: "T"}, Requester: "Pat", Pickup: "Main Library"}, by)
			return err
		}},
		{"pick", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			_, err := f.desk.Pick(id, scanLab, "", by)
			return err
		}},
		{"ship", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			_, _, err := f.ship(id, f.pdf(), false, by)
			return err
		}},
		{"reject", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			_, err := f.desk.Reject(id, ReasonNotHeld, "", "", by)
			return err
		}},
		{"batch reject", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			return f.desk.RejectMany([]string{id}, ReasonNotHeld, "", "", by)[0].Err
		}},
		{"bad citation", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			_, err := f.desk.BadCitation(id, "Check the volume.", by)
			return err
		}},
		{"cancel lending", RoleRequests, RSDesk, lendingCreated, func(f *deskFixture, id string, by Actor) error {
			_, err := f.desk.Cancel(id, "withdrawn", by)
			return err
		}},
		{"cancel borrowing", RoleRequests, RSDesk, func(f *deskFixture) string { return f.borrowedTo("39000010", Created).ID },
			func(f *deskFixture, id string, by Actor) error {
				_, err := f.desk.Cancel(id, "", by)
				return err
			}},
		{"receive", RoleRequests, RSDesk, func(f *deskFixture) string { return f.borrowedTo("39000011", Created).ID },
			func(f *deskFixture, id string, by Actor) error {
				_, err := f.desk.Receive(id, "39000011", by)
				return err
			}},
		{"scan: receive at the RS desk", RoleRequests, RSDesk, func(f *deskFixture) string { return f.borrowedTo("39000012", Created).ID },
			func(f *deskFixture, id string, by Actor) error {
				_, err := f.desk.Scan("39000012", id, by)
				return err
			}},
		{"scan: pick arrival at a digitization department", RoleRequests, scanLab, func(f *deskFixture) string {
			id := lendingCreated(f)
			_, err := f.desk.Pick(id, scanLab, "", as("fay", RSDesk))
			require.NoError(f.t, err)
			return "39000099"
		}, func(f *deskFixture, code string, by Actor) error {
			_, err := f.desk.Scan(code, "", by)
			return err
		}},
		{"scan: hold shelf", RoleCirculation, mainDesk, func(f *deskFixture) string { f.borrowedTo("39000013", Received); return "39000013" },
			func(f *deskFixture, code string, by Actor) error {
				_, err := f.desk.Scan(code, "", by)
				return err
			}},
		{"scan: checkout", RoleCirculation, mainDesk, func(f *deskFixture) string { f.borrowedTo("39000014", OnHoldShelf); return "39000014" },
			func(f *deskFixture, code string, by Actor) error {
				_, err := f.desk.Scan(code, "", by)
				return err
			}},
		{"scan: checkin", RoleCirculation, branchDesk, func(f *deskFixture) string { f.borrowedTo("39000015", Loaned); return "39000015" },
			func(f *deskFixture, code string, by Actor) error {
				_, err := f.desk.Scan(code, "", by)
				return err
			}},
		{"scan: complete at the RS desk", RoleFulfillment, RSDesk, func(f *deskFixture) string { f.borrowedTo("39000016", ReturnedByPatron); return "39000016" },
			func(f *deskFixture, code string, by Actor) error {
				_, err := f.desk.Scan(code, "", by)
				return err
			}},
		{"add partner", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			_, err := f.desk.AddPartner(Partner{Code: "NYPL", Name: "New York Public Library"}, by)
			return err
		}},
		{"edit partner", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			_, err := f.desk.EditPartner("RAPID", func(p *Partner) { p.TurnaroundHours = 48 }, by)
			return err
		}},
		{"holidays", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			return f.desk.SetHolidays([]string{"2026-12-24"}, by)
		}},
		{"settings", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			return f.desk.SaveSettings(Settings{PickupLocations: []string{"Main Library"}}, by)
		}},
		{"mail settings", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			return f.desk.SaveMailSettings(MailSettings{Host: "smtp.example.edu", From: "ill@example.edu"}, by)
		}},
		{"notice template", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			return f.desk.SetNoticeTemplate(NoticeTemplate{Subject: "Ready: {{.Title}}", Body: "Dear {{.Patron}}"}, by)
		}},
		{"agency id", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			return f.desk.SetAgencyID("ISIL:US-OURS", by)
		}},
		{"add operator", RoleFulfillment, RSDesk, none, func(f *deskFixture, _ string, by Actor) error {
			_, err := f.desk.AddOperator(OperatorInput{Name: "newbie", Roles: []Role{RoleRequests}}, by)
			return err
		}},
		{"remove operator", RoleFulfillment, RSDesk, func(f *deskFixture) string {
			_, err := f.desk.AddOperator(OperatorInput{Name: "temp", Roles: []Role{RoleCirculation}}, as("fay", RSDesk))
			require.NoError(f.t, err)
			return "temp"
		}, func(f *deskFixture, name string, by Actor) error {
			return f.desk.RemoveOperator(name, by)
		}},
		{"retry a notice", "", mainDesk, func(f *deskFixture) string {
			f.borrowedTo("39000017", OnHoldShelf)
			f.now = f.now.Add(NoticeGrace)
			_, failed, err := f.desk.DeliverNotices(&fakeMailer{reply: func(Notice) (string, error) { return "", errRefused }})
			require.NoError(f.t, err)
			require.Equal(f.t, 1, failed)
			return f.notices()[0].ID
		}, func(f *deskFixture, id string, by Actor) error {
			return f.desk.RetryNotice(id, by)
		}},
	}
}

func TestEveryRoleAndAction(t *testing.T) {
	staff := map[string][]Role{"rita": {RoleRequests}, "cora": {RoleCirculation}, "finn": {RoleFulfillment}, "fay": AllRoles()}
	for _, tc := range roleCases() {
		for _, who := range []string{"rita", "cora", "finn", "fay", "", "zed"} {
			name := who
			if name == "" {
				name = "nobody"
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				f := newDeskFixture(t)
				withStaff(t, f)
				arg := tc.setup(f)
				roles, known := staff[who]
				allowed := known && (tc.need == "" || contains(roles, tc.need))
				before := f.store.snapshot()
				err := tc.act(f, arg, as(who, tc.at))
				if allowed {
					require.NoError(t, err)
					assert.NotEqual(t, before, f.store.snapshot(), "the change was made")
					return
				}
				f.refused(err, ErrNotAllowed, before)
				if tc.need != "" {
					assert.Contains(t, err.Error(), "needs the "+tc.need.Label()+" role")
				}
				switch who {
				case "":
					assert.Contains(t, err.Error(), "Nobody is signed in")
				case "zed":
					assert.Contains(t, err.Error(), "zed is not an operator")
				default:
					assert.Contains(t, err.Error(), "ask a Fulfillment Services Operator to give it to you.")
				}
			})
		}
	}
}

func contains(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestRefusalSentences(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	id := lendingCreated(f)
	_, _, err := f.ship(id, f.pdf(), false, as("cora", RSDesk))
	require.Error(t, err)
	assert.Equal(t, "Shipping needs the Requests Operator role; ask a Fulfillment Services Operator to give it to you.", err.Error())

	_, err = f.desk.AddPartner(Partner{Code: "NEW", Name: "New"})
	require.Error(t, err)
	assert.Equal(t, "Nobody is signed in: adding a partner needs the Fulfillment Services Operator role. Sign in first.", err.Error())

	err = f.desk.Authorize(as("rita", RSDesk), RoleCirculation)
	assert.ErrorIs(t, err, ErrNotAllowed)
	assert.Equal(t, "This change needs the Circulation Desk Operator role; ask a Fulfillment Services Operator to give it to you.", err.Error())
	assert.NoError(t, f.desk.Authorize(as("RITA", RSDesk), RoleRequests), "names ignore letter case")
	assert.NoError(t, f.desk.Authorize(as("cora", RSDesk), ""), "any role")
	assert.ErrorIs(t, f.desk.Authorize(Actor{}, ""), ErrNotAllowed)
}

func TestSingleUserModeIsUnchanged(t *testing.T) {
	f := newDeskFixture(t)
	single, err := f.desk.SingleUser()
	require.NoError(t, err)
	assert.True(t, single)
	for _, need := range append(AllRoles(), "") {
		assert.NoError(t, f.desk.Authorize(Actor{}, need))
	}
	// anyone, even nobody, may do anything; the name given is still recorded
	r, err := f.desk.NewLending(LendingInput{Partner: "RAPID", ExternalID: "R-1", Citation: Citation{Title: "T"}}, Actor{})
	require.NoError(t, err)
	assert.Equal(t, "staff", r.History[0].Actor)
	r, err = f.desk.Reject(r.ID, ReasonNotHeld, "", "", as("whoever", mainDesk))
	require.NoError(t, err)
	assert.Equal(t, "whoever", lastEvent(r).Actor)
	_, err = f.desk.AddPartner(Partner{Code: "NEW", Name: "New"})
	require.NoError(t, err)
	require.NoError(t, f.desk.SetHolidays([]string{"2026-12-24"}))
	require.NoError(t, f.desk.SaveSettings(Settings{}))
	// signing in needs no operator: the name given, every role
	op, err := f.desk.SignIn(" ana ", "", scanLab)
	require.NoError(t, err)
	assert.Equal(t, Operator{Name: "ana", Roles: AllRoles()}, op)
	ops, err := f.desk.Operators()
	require.NoError(t, err)
	assert.Empty(t, ops)
}

func TestFirstOperatorMustHoldFulfillment(t *testing.T) {
	f := newDeskFixture(t)
	before := f.store.snapshot()
	_, err := f.desk.AddOperator(OperatorInput{Name: "rita", Roles: []Role{RoleRequests, RoleCirculation}}, as("rita", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Contains(t, err.Error(), "Fulfillment Services Operator")

	fay, err := f.desk.AddOperator(OperatorInput{Name: " fay ", Roles: []Role{RoleFulfillment, RoleRequests, RoleFulfillment}, Desks: []string{"rs", "RS", "pickup: Main Library"}}, Actor{})
	require.NoError(t, err)
	assert.Equal(t, Operator{Name: "fay", Roles: []Role{RoleRequests, RoleFulfillment}, Desks: []string{"rs", "pickup:Main Library"}}, fay)
	single, err := f.desk.SingleUser()
	require.NoError(t, err)
	assert.False(t, single)

	// from now on only a fulfillment operator manages operators
	for _, by := range []Actor{{}, as("zed", RSDesk), as("fay", scanLab)} {
		before = f.store.snapshot()
		_, err = f.desk.AddOperator(OperatorInput{Name: "rita", Roles: []Role{RoleRequests}}, by)
		f.refused(err, ErrNotAllowed, before)
	}
	_, err = f.desk.AddOperator(OperatorInput{Name: "rita", Roles: []Role{RoleRequests}}, as("fay", RSDesk))
	require.NoError(t, err)
	before = f.store.snapshot()
	_, err = f.desk.AddOperator(OperatorInput{Name: "cora", Roles: []Role{RoleCirculation}}, as("rita", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Contains(t, err.Error(), "Managing operators needs the Fulfillment Services Operator role")

	ops, err := f.desk.Operators()
	require.NoError(t, err)
	require.Len(t, ops, 2)
	assert.Equal(t, "fay", ops[0].Name)
	assert.Equal(t, "rita", ops[1].Name)
}

func TestAddOperatorRefusals(t *testing.T) {
	tests := []struct {
		name string
		in   OperatorInput
		want error
	}{
		{"no name", OperatorInput{Roles: []Role{RoleRequests}}, ErrInvalidInput},
		{"same name, other case", OperatorInput{Name: "FAY", Roles: []Role{RoleRequests}}, ErrOperatorExists},
		{"reserved name", OperatorInput{Name: "Staff", Roles: []Role{RoleRequests}}, ErrInvalidInput},
		{"control character", OperatorInput{Name: "a\tb", Roles: []Role{RoleRequests}}, ErrInvalidInput},
		{"too long", OperatorInput{Name: strings.Repeat("x", 65), Roles: []Role{RoleRequests}}, ErrInvalidInput},
		{"no role", OperatorInput{Name: "rita"}, ErrInvalidInput},
		{"unknown role", OperatorInput{Name: "rita", Roles: []Role{"boss"}}, ErrInvalidInput},
		{"bad desk", OperatorInput{Name: "rita", Roles: []Role{RoleRequests}, Desks: []string{"basement"}}, ErrInvalidStation},
		{"short PIN", OperatorInput{Name: "rita", Roles: []Role{RoleRequests}, PIN: "123"}, ErrInvalidInput},
		{"long PIN", OperatorInput{Name: "rita", Roles: []Role{RoleRequests}, PIN: strings.Repeat("1", 65)}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			_, err := f.desk.AddOperator(OperatorInput{Name: "fay", Roles: []Role{RoleFulfillment}}, Actor{})
			require.NoError(t, err)
			before := f.store.snapshot()
			_, err = f.desk.AddOperator(tt.in, as("fay", RSDesk))
			f.refused(err, tt.want, before)
		})
	}
}

func TestParseRoles(t *testing.T) {
	rs, err := ParseRoles(" Requests, circulation,,fulfillment,requests ")
	require.NoError(t, err)
	assert.Equal(t, []Role{RoleRequests, RoleCirculation, RoleFulfillment}, rs)
	_, err = ParseRoles("requests,admin")
	assert.ErrorIs(t, err, ErrInvalidInput)
	assertSentence(t, err)
	assert.Equal(t, "Circulation Desk Operator", RoleCirculation.Label())
}

func TestRoleFor(t *testing.T) {
	want := map[Action]Role{ActCreate: RoleRequests, ActPick: RoleRequests, ActPickArrived: RoleRequests, ActShip: RoleRequests,
		ActReject: RoleRequests, ActBadCitation: RoleRequests, ActCancel: RoleRequests, ActReceive: RoleRequests,
		ActHoldShelf: RoleCirculation, ActCheckout: RoleCirculation, ActCheckin: RoleCirculation, ActComplete: RoleFulfillment}
	for a, r := range want {
		assert.Equal(t, r, RoleFor(a), a)
	}
}

func TestSignInPIN(t *testing.T) {
	f := newDeskFixture(t)
	_, err := f.desk.AddOperator(OperatorInput{Name: "Fay", Roles: []Role{RoleFulfillment}, PIN: "2468"}, Actor{})
	require.NoError(t, err)
	_, err = f.desk.AddOperator(OperatorInput{Name: "rita", Roles: []Role{RoleRequests}, PIN: "2468"}, as("fay", RSDesk))
	require.NoError(t, err)
	_, err = f.desk.AddOperator(OperatorInput{Name: "cora", Roles: []Role{RoleCirculation}}, as("fay", RSDesk))
	require.NoError(t, err)

	// only salted hashes are stored, never the PIN
	var hashes []string
	for id, v := range f.store.snapshot().Records[memOperators] {
		assert.NotContains(t, string(v), "2468", id)
		var rec memOperator
		require.NoError(t, json.Unmarshal(v, &rec))
		if rec.PINHash != "" {
			assert.True(t, strings.HasPrefix(rec.PINHash, "pbkdf2-sha256$1000$"), rec.PINHash)
			hashes = append(hashes, rec.PINHash)
		}
	}
	require.Len(t, hashes, 2)
	assert.NotEqual(t, hashes[0], hashes[1], "the same PIN hashes differently for each operator")
	ops, err := f.desk.Operators()
	require.NoError(t, err)
	js, err := json.Marshal(ops)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "pbkdf2", "Operator never writes its PIN hash as JSON")

	op, err := f.desk.SignIn("fay", "2468", RSDesk)
	require.NoError(t, err)
	assert.Equal(t, "Fay", op.Name)
	assert.True(t, op.HasPIN())
	op, err = f.desk.SignIn("cora", "", mainDesk)
	require.NoError(t, err, "an operator without a PIN needs none")
	assert.False(t, op.HasPIN())

	var msgs []string
	for _, try := range []struct{ name, pin string }{
		{"fay", "1357"}, {"fay", ""}, {"fay", "2468 "}, {"rita", "1357"}, {"nobody", "2468"}, {"", ""},
	} {
		before := f.store.snapshot()
		_, err := f.desk.SignIn(try.name, try.pin, RSDesk)
		f.refused(err, ErrSignInFailed, before)
		msgs = append(msgs, err.Error())
	}
	for _, m := range msgs {
		assert.Equal(t, msgs[0], m, "an unknown name and a wrong PIN get the same answer")
	}

	assert.False(t, pinMatches("", "2468"))
	assert.False(t, pinMatches("md5$1$x$y", "2468"))
	assert.False(t, pinMatches("pbkdf2-sha256$0$AAAA$AAAA", "2468"))
}

func TestDesksRestriction(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	_, err := f.desk.AddOperator(OperatorInput{Name: "paula", Roles: []Role{RoleCirculation}, Desks: []string{"pickup:Main Library"}}, as("fay", RSDesk))
	require.NoError(t, err)

	op, err := f.desk.SignIn("paula", "", Station{Kind: StationPickup, Name: "main library"})
	require.NoError(t, err)
	assert.Equal(t, []string{"pickup:Main Library"}, op.Desks)
	for _, at := range []Station{branchDesk, RSDesk, {Kind: StationPickup, Name: "Science Library"}} {
		_, err := f.desk.SignIn("paula", "", at)
		require.ErrorIs(t, err, ErrNotAllowed)
		assert.Contains(t, err.Error(), "paula is not allowed to work at "+at.String())
		assertSentence(t, err)
	}

	f.borrowedTo("39000001", Loaned)
	before := f.store.snapshot()
	_, err = f.desk.Scan("39000001", "", as("paula", branchDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Equal(t, "paula is not allowed to work at pickup:Branch; paula works at pickup:Main Library.", err.Error())
	res, err := f.desk.Scan("39000001", "", as("paula", Station{Kind: StationPickup, Name: "MAIN LIBRARY"}))
	require.NoError(t, err)
	assert.Equal(t, ActCheckin, res.Action)
	assert.Equal(t, "paula", lastEvent(res.Request).Actor)
}

func TestRemoveOperator(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	before := f.store.snapshot()
	err := f.desk.RemoveOperator("finn", as("rita", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	err = f.desk.RemoveOperator("nobody", as("fay", RSDesk))
	f.refused(err, ErrOperatorNotFound, before)

	require.NoError(t, f.desk.RemoveOperator("FINN", as("fay", RSDesk)))
	require.NoError(t, f.desk.RemoveOperator("rita", as("fay", RSDesk)))
	before = f.store.snapshot()
	err = f.desk.RemoveOperator("fay", as("fay", RSDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Contains(t, err.Error(), "last Fulfillment Services Operator")

	ops, err := f.desk.Operators()
	require.NoError(t, err)
	var names []string
	for _, o := range ops {
		names = append(names, o.Name)
	}
	assert.Equal(t, []string{"cora", "fay"}, names)
	_, err = f.desk.SignIn("rita", "", RSDesk)
	assert.ErrorIs(t, err, ErrSignInFailed, "a removed operator can no longer sign in")
}

func TestUndoNeedsTheRoleOfTheChangeOrFulfillment(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	b := f.borrowedTo("39000001", Received)
	_, err := f.desk.Scan("39000001", "", as("cora", mainDesk))
	require.NoError(t, err)

	// rita may not undo cora's change
	before := f.store.snapshot()
	_, err = f.desk.Undo(b.ID, as("rita", mainDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Equal(t, "Undoing another operator's change needs the Fulfillment Services Operator role; ask a Fulfillment Services Operator to give it to you.", err.Error())

	// cora undoes her own
	r, err := f.desk.Undo(b.ID, as("Cora", mainDesk))
	require.NoError(t, err)
	assert.Equal(t, Received, r.State)

	// finn undoes anyone's
	_, err = f.desk.Scan("39000001", "", as("cora", mainDesk))
	require.NoError(t, err)
	r, err = f.desk.Undo(b.ID, as("finn", mainDesk))
	require.NoError(t, err)
	assert.Equal(t, Received, r.State)

	// a change that cannot be undone says why, whoever asks
	before = f.store.snapshot()
	_, err = f.desk.Undo(b.ID, as("rita", RSDesk))
	f.refused(err, ErrCannotUndo, before)
}

func TestUndoOwnChangeNeedsItsRole(t *testing.T) {
	f := newDeskFixture(t)
	b := f.borrowing("BVB", "BVB-1")
	_, err := f.desk.Scan("39000001", b.ID, as("rita", RSDesk))
	require.NoError(t, err)
	_, err = f.desk.Scan("39000001", "", as("rita", mainDesk)) // single-user: allowed
	require.NoError(t, err)
	withStaff(t, f)

	before := f.store.snapshot()
	_, err = f.desk.Undo(b.ID, as("rita", mainDesk))
	f.refused(err, ErrNotAllowed, before)
	assert.Equal(t, "Undoing “Put on hold shelf” needs the Circulation Desk Operator role; ask a Fulfillment Services Operator to give it to you.", err.Error())
}

func TestSystemWorkIsNotAuthorizedPerOperator(t *testing.T) {
	f := newInteropFixture(t)
	withStaff(t, f)
	res, _, err := f.desk.Intake(msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS",
		RequestingRequestID: "R-77", Citation: Citation{Title: "Journal"}}))
	require.NoError(t, err)
	assert.NotEmpty(t, res.Request)

	f.borrowedTo("39000001", OnHoldShelf)
	f.now = f.now.Add(NoticeGrace)
	sent, failed, err := f.desk.DeliverNotices(&fakeMailer{})
	require.NoError(t, err)
	assert.Equal(t, 1, sent)
	assert.Zero(t, failed)
	_, _, err = f.desk.sendMessages(context.Background(), f.desk.dispatch.holder, &fakeTransport{})
	require.NoError(t, err)
}
