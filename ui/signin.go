package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	ttwidget "github.com/dweymouth/fyne-tooltip/widget"

	"github.com/illdesk/illdesk/domain"
)

// prefOperator is the preference key remembering who signed in last here.
const prefOperator = "operator"

// OperatorPane is who works at this window: the operator's name on the
// top bar, the Switch operator button and the sign-in dialog. Until
// someone signs in where operators are set up, changes are refused.
type OperatorPane struct {
	link
	desk  signInDesk
	prefs fyne.Preferences
	name  string // the operator who acts from this window
	label *widget.Label
	// button opens the sign-in dialog (Switch operator).
	button *ttwidget.Button
	// stations are the desks; station is where this workstation stands,
	// and setStation sets it (the scan bar's).
	stations   func() []domain.Station
	station    func() domain.Station
	setStation func(domain.Station)
}

// signInDesk is what signing in asks of the desk.
type signInDesk interface {
	SingleUser() (bool, error)
	Operators() ([]domain.Operator, error)
	SignIn(name, pin string, at domain.Station) (domain.Operator, error)
}

func newOperatorPane(l link, d signInDesk, prefs fyne.Preferences, name string) *OperatorPane {
	p := &OperatorPane{link: l, desk: d, prefs: prefs, name: name, label: widget.NewLabel(name)}
	p.button = toolButton(theme.AccountIcon(), "Sign in or switch operator", p.ShowSignIn)
	return p
}

// needsSignIn reports whether changes need a signed-in operator that the
// window does not have yet.
func (p *OperatorPane) needsSignIn() bool {
	single, err := p.desk.SingleUser()
	if err != nil {
		p.fail(err)
		return false
	}
	return !single && p.name == ""
}

// ShowSignIn asks who works here and at which desk (Switch operator does the
// same). Until someone signs in, looking works but changes are refused.
func (p *OperatorPane) ShowSignIn() {
	ops, err := p.desk.Operators()
	if err != nil {
		p.fail(err)
		return
	}
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.Name
	}
	h := p.dialogs
	who := h.selector(names, nil)
	if last := p.prefs.String(prefOperator); last != "" {
		who.SetSelected(last)
	} else if len(names) > 0 {
		who.SetSelected(names[0])
	}
	pin := h.entry(false)
	pin.Password = true
	pin.SetPlaceHolder("PIN (if you have one)")
	desks := make([]string, len(p.stations()))
	for i, st := range p.stations() {
		desks[i] = st.Label()
	}
	desk := h.selector(desks, nil)
	desk.SetSelected(p.station().Label())
	errLabel := errorLabel()
	var d dialog.Dialog
	signIn := h.button("Sign in", nil, func() {
		st := p.station()
		for _, s := range p.stations() {
			if s.Label() == desk.Selected {
				st = s
			}
		}
		if err := p.SignIn(who.Selected, pin.Text, st); err != nil {
			errLabel.SetText(h.refusal(err))
			pin.SetText("")
			return
		}
		d.Hide()
	})
	signIn.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem("Operator", who), widget.NewFormItem("PIN", pin), widget.NewFormItem("Desk", desk))
	// Cancel leaves the window as it was: whoever signed in last stays, and
	// with no one signed in staff can still look things up while changes
	// are refused until they sign in (Desk > Sign in) — as at a shared
	// desk someone may just want to see a request. The operator is filled
	// in from the last sign-in, so the PIN is the field to type first.
	d = h.open("Sign in to ILL Desk", container.NewVBox(form, errLabel), "Cancel", signIn, fyne.NewSize(460, 300), pin)
}

// SignIn checks an operator's PIN and desk and makes them the one who acts
// from this window; the name and desk are remembered.
func (p *OperatorPane) SignIn(name, pin string, at domain.Station) error {
	op, err := p.desk.SignIn(name, pin, at)
	if err != nil {
		return err
	}
	p.name = op.Name
	p.prefs.SetString(prefOperator, op.Name)
	p.label.SetText(op.Name + " · " + op.RoleLabels())
	p.setStation(at)
	p.info(op.Name + " signed in at the " + at.Label() + ".")
	return nil
}
