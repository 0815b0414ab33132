package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestSignInBeforeChanges(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	_, err := f.desk.AddOperator(domain.OperatorInput{Name: "finn", Roles: []domain.Role{domain.RoleFulfillment, domain.RoleRequests}, PIN: "2468"}, domain.Actor{})
	require.NoError(t, err)
	_, err = f.desk.AddOperator(domain.OperatorInput{Name: "cora", Roles: []domain.Role{domain.RoleCirculation}}, domain.Actor{Operator: "finn"})
	require.NoError(t, err)

	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true})
	mw.spawn = func(fn func()) { fn() }
	defer mw.Window().Close()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "with operators set up the window asks who works here")
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	mw.list.SelectRequest(r.ID)
	require.ErrorIs(t, mw.details.Reject(domain.ReasonNotHeld, "", ""), domain.ErrNotAllowed, "no change before signing in")
	assert.Equal(t, domain.Created, f.state(r.ID))

	require.ErrorIs(t, mw.signin.SignIn("finn", "0000", domain.RSDesk), domain.ErrSignInFailed)
	require.NoError(t, mw.signin.SignIn("cora", "", domain.RSDesk))
	err = mw.details.Reject(domain.ReasonNotHeld, "", "")
	require.ErrorIs(t, err, domain.ErrNotAllowed)
	assert.Contains(t, err.Error(), "Requests Operator", "the refusal names the role needed")

	require.NoError(t, mw.signin.SignIn("finn", "2468", domain.RSDesk))
	assert.Equal(t, "finn", f.app.Preferences().String(prefOperator), "the operator is remembered")
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	got := mustFind(t, f.desk, r.ID)
	assert.Equal(t, "finn", got.History[len(got.History)-1].Actor)
}
