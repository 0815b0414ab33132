package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// prefOperator is the preference key remembering who signed in last here.
const prefOperator = "operator"

// needsSignIn reports whether changes need a signed-in operator that the
// window does not have yet.
func (m *MainWindow) needsSignIn() bool {
	single, err := m.desk.SingleUser()
	if err != nil {
		m.showError(err)
		return false
	}
	return !single && m.operator == ""
}

// ShowSignIn asks who works here and at which desk (Switch operator does the
// same). Until someone signs in, looking works but changes are refused.
func (m *MainWindow) ShowSignIn() {
	ops, err := m.desk.Operators()
	if err != nil {
		m.showError(err)
		return
	}
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.Name
	}
	who := widget.NewSelect(names, nil)
	if last := m.app.Preferences().String(prefOperator); last != "" {
		who.SetSelected(last)
	} else if len(names) > 0 {
		who.SetSelected(names[0])
	}
	pin := widget.NewPasswordEntry()
	pin.SetPlaceHolder("PIN (if you have one)")
	desks := make([]string, len(m.scan.Stations()))
	for i, st := range m.scan.Stations() {
		desks[i] = st.Label()
	}
	desk := widget.NewSelect(desks, nil)
	desk.SetSelected(m.scan.Station().Label())
	errLabel := errorLabel()
	var d dialog.Dialog
	signIn := newDefaultButton("Sign in", func() {
		st := m.scan.Station()
		for _, s := range m.scan.Stations() {
			if s.Label() == desk.Selected {
				st = s
			}
		}
		if err := m.SignIn(who.Selected, pin.Text, st); err != nil {
			errLabel.SetText(refusalText(err))
			pin.SetText("")
			return
		}
		d.Hide()
	})
	pin.OnSubmitted = func(string) { signIn.OnTapped() }
	form := widget.NewForm(widget.NewFormItem("Operator", who), widget.NewFormItem("PIN", pin), widget.NewFormItem("Desk", desk))
	d = dialog.NewCustomWithoutButtons("Sign in to ILL Desk", container.NewVBox(form, errLabel, signIn), m.win)
	m.dialogs.show(d, fyne.NewSize(460, 280), pin)
}

// SignIn checks an operator's PIN and desk and makes them the one who acts
// from this window; the name and desk are remembered.
func (m *MainWindow) SignIn(name, pin string, at domain.Station) error {
	op, err := m.desk.SignIn(name, pin, at)
	if err != nil {
		return err
	}
	m.operator = op.Name
	m.app.Preferences().SetString(prefOperator, op.Name)
	m.operatorLabel.SetText(op.Name + " · " + op.RoleLabels())
	m.SetStation(at)
	m.showInfo(op.Name + " signed in at the " + at.Label() + ".")
	return nil
}
