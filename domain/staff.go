package domain

import (
	"slices"
	"strings"
	"time"
)

// StaffService keeps the operators (names, roles, desks, PINs), signs them
// in and shows the audit trail of what they did.
type StaffService struct {
	*core
}

// AddOperator sets up an operator. The first operator must hold the
// Fulfillment Services role (someone has to manage operators and
// settings); from then on only a Fulfillment Services Operator adds
// operators, and every change at this workstation needs a signed-in operator.
func (d *StaffService) AddOperator(in OperatorInput, by Actor) (Operator, error) {
	if err := d.allow(by, RoleFulfillment, "Managing operators"); err != nil {
		return Operator{}, err
	}
	o, err := checkOperatorInput(in)
	if err != nil {
		return Operator{}, err
	}
	if in.PIN != "" {
		if o.PINHash, err = hashPIN(in.PIN); err != nil {
			return Operator{}, err
		}
	}
	err = d.store.Update(func(tx Tx) error {
		ops, err := loadOperators(tx)
		if err != nil {
			return err
		}
		if len(ops) == 0 && !o.Has(RoleFulfillment) {
			return refuse(ErrNotAllowed, "The first operator must be a %s, so that someone can manage operators and settings: add fulfillment to %s's roles.",
				RoleFulfillment.Label(), o.Name)
		}
		if err := authorize(ops, by, RoleFulfillment, "Managing operators"); err != nil {
			return err
		}
		if old, ok := findOperator(ops, o.Name); ok {
			return refuse(ErrOperatorExists, "An operator named %s already exists.", old.Name)
		}
		if err := d.auditConfig(tx, by, "operator "+o.Name, nil, o); err != nil {
			return err
		}
		return tx.PutOperator(o)
	})
	if err != nil {
		return Operator{}, err
	}
	return o, nil
}

// Operators lists the operators ordered by name. Their PIN hashes are
// included for the desk's own use; Operator never writes them as JSON.
func (d *StaffService) Operators() ([]Operator, error) {
	var ops []Operator
	err := d.store.View(func(tx Tx) error {
		var err error
		ops, err = loadOperators(tx)
		return err
	})
	return ops, err
}

// SingleUser reports whether no operators are set up: then the workstation
// runs without sign-in and every action is allowed.
func (d *StaffService) SingleUser() (bool, error) {
	ops, err := d.Operators()
	return len(ops) == 0, err
}

// RemoveOperator removes an operator; only a Fulfillment Services Operator
// may, and never the last one.
func (d *StaffService) RemoveOperator(name string, by Actor) error {
	return d.store.Update(func(tx Tx) error {
		ops, err := loadOperators(tx)
		if err != nil {
			return err
		}
		if err := authorize(ops, by, RoleFulfillment, "Managing operators"); err != nil {
			return err
		}
		o, ok := findOperator(ops, name)
		if !ok {
			return refuse(ErrOperatorNotFound, "No operator is named %q.", strings.TrimSpace(name))
		}
		if o.Has(RoleFulfillment) {
			n := 0
			for _, other := range ops {
				if other.Has(RoleFulfillment) {
					n++
				}
			}
			if n == 1 {
				return refuse(ErrNotAllowed, "%s is the last %s; give the fulfillment role to another operator first, so that someone can still manage operators and settings.",
					o.Name, RoleFulfillment.Label())
			}
		}
		if err := d.auditConfig(tx, by, "operator "+o.Name, o, nil); err != nil {
			return err
		}
		return tx.DeleteOperator(o.Name)
	})
}

// SignIn checks an operator's name and PIN (an operator without a PIN needs
// none) and that the operator may work at the station. An unknown name and a
// wrong PIN get the same refusal (ErrSignInFailed), so names cannot be
// guessed; a desk not allowed is refused with ErrNotAllowed. With no
// operators set up anyone signs in: the result carries the name given and
// every role. The window and the command line then act as
// Actor{Operator: op.Name, Station: at}.
func (d *StaffService) SignIn(name, pin string, at Station) (Operator, error) {
	ops, err := d.Operators()
	if err != nil {
		return Operator{}, err
	}
	if len(ops) == 0 {
		return Operator{Name: strings.TrimSpace(name), Roles: AllRoles()}, nil
	}
	wrong := refuse(ErrSignInFailed, "Unknown operator or wrong PIN; check both and try again.")
	o, ok := findOperator(ops, name)
	switch {
	case !ok:
		pinMatches(decoyHash(), pin) // take as long as a wrong PIN
		return Operator{}, wrong
	case o.HasPIN() && !pinMatches(o.PINHash, pin):
		return Operator{}, wrong
	case !o.AllowedAt(at):
		return Operator{}, deskRefusal(o, at)
	}
	return o, nil
}

// Authorize checks that the actor may make a change that needs the role
// (need "" accepts any role): always, with no operators set up; otherwise
// the actor must be an operator who holds the role and may work at the
// actor's station. Refusals wrap ErrNotAllowed.
func (d *StaffService) Authorize(by Actor, need Role) error {
	return d.allow(by, need, "This change")
}

// Audit returns the history events of every request that pass the filter,
// newest first; entries made at the same time are ordered by request id,
// and within one request the later entry first. It reads everything in one
// transaction. A Ref that names no request, or several, is refused as Find
// refuses it.
func (d *StaffService) Audit(f AuditFilter) ([]AuditEntry, error) {
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Since.After(f.Until) {
		return nil, refuse(ErrInvalidInput, "The audit period starts (%s) after it ends (%s): swap the dates.",
			f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	}
	partner := strings.TrimSpace(f.Partner)
	var out []AuditEntry
	add := func(r Request) {
		if partner != "" && !strings.EqualFold(r.Partner, partner) {
			return
		}
		// newest first within the request, so the stable sort keeps the
		// later of two entries made at the same moment on top
		for i := len(r.History) - 1; i >= 0; i-- {
			if ev := r.History[i]; f.match(ev) {
				out = append(out, auditEntry(r, ev))
			}
		}
	}
	err := d.store.View(func(tx Tx) error {
		if strings.TrimSpace(f.Ref) != "" {
			r, err := resolve(tx, f.Ref)
			if err != nil {
				return err
			}
			add(r)
			return nil
		}
		cfg, err := configAudit(tx, f)
		if err != nil {
			return err
		}
		out = append(out, cfg...)
		return tx.ForEachRequest(func(r Request) error {
			add(r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b AuditEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.RequestID, b.RequestID)
	})
	return out, nil
}
