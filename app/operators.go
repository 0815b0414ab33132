package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/illdesk/illdesk/domain"
)

// signIn signs the session's operator in once the database is open. With no
// operators set up nothing changes: the name given with --operator (or the
// login name) is recorded, as always. Otherwise --operator NAME signs in with
// the PIN in ILLDESK_PIN, and a failed sign-in ends the run; without
// --operator nobody is signed in, so only looking works.
func (s *session) signIn() error {
	single, err := s.desk.SingleUser()
	if err != nil {
		return err
	}
	if single {
		return nil
	}
	if !s.operatorGiven {
		s.operator = ""
		return nil
	}
	op, err := s.desk.SignIn(s.operator, s.getenv("ILLDESK_PIN"), s.station)
	if err != nil {
		return err
	}
	s.operator, s.signedIn = op.Name, true
	return nil
}

// signInHint adds how to sign in to a refusal met without signing in.
func (s *session) signInHint(err error) error {
	if err == nil || s.operator != "" || !errors.Is(err, domain.ErrNotAllowed) {
		return err
	}
	return fmt.Errorf("%w Give --operator NAME, with the PIN in ILLDESK_PIN.", err)
}

// newPIN is the PIN for a new operator: ILLDESK_NEW_PIN, or ILLDESK_PIN
// when nobody signed in with it (setting up the first operator). A
// signed-in operator's own PIN is never given to someone else.
func (s *staffCommands) newPIN() string {
	if pin := s.getenv("ILLDESK_NEW_PIN"); pin != "" {
		return pin
	}
	if s.signedIn {
		return ""
	}
	return s.getenv("ILLDESK_PIN")
}

// operatorView is an operator as operator list --json shows it: never the PIN hash.
type operatorView struct {
	Name   string        `json:"name"`
	Roles  []domain.Role `json:"roles"`
	Desks  []string      `json:"desks"`
	HasPIN bool          `json:"has_pin"`
}

func (s *staffCommands) cmdOperator(args []string) error {
	const usage = "operator add NAME --roles requests,circulation,fulfillment [--desks rs,pickup:LOCATION,digitization:NAME] | operator list [--json] | operator remove NAME"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	switch args[0] {
	case "add":
		fs := newFlags("operator add")
		roles := fs.String("roles", "", "comma-separated roles: requests, circulation, fulfillment")
		desks := fs.String("desks", "", "comma-separated desks the operator may work at (default: all)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "operator add NAME --roles requests,circulation,fulfillment [--desks rs,pickup:LOCATION]  (PIN from ILLDESK_NEW_PIN, or ILLDESK_PIN before anyone signs in)"); err != nil {
			return err
		}
		rs, err := domain.ParseRoles(*roles)
		if err != nil {
			return usageError{err.Error()}
		}
		if len(rs) == 0 {
			return usagef("operator add: --roles is required (requests, circulation, fulfillment)")
		}
		in := domain.OperatorInput{Name: pos[0], Roles: rs, PIN: s.newPIN()}
		for d := range strings.SplitSeq(*desks, ",") {
			if strings.TrimSpace(d) != "" {
				in.Desks = append(in.Desks, d)
			}
		}
		op, err := s.desk.AddOperator(in, s.actor())
		if err != nil {
			return err
		}
		where := "at every desk"
		if len(op.Desks) > 0 {
			where = "at " + strings.Join(op.Desks, ", ")
		}
		pin := "without a PIN"
		if op.HasPIN() {
			pin = "with a PIN"
		}
		s.printf("Added operator %s (%s), %s, %s.\n", op.Name, op.RoleLabels(), where, pin)
		return nil
	case "list":
		asJSON, err := jsonOnly("operator list", args[1:], "operator list [--json]")
		if err != nil {
			return err
		}
		ops, err := s.desk.Operators()
		if err != nil {
			return err
		}
		views := make([]operatorView, 0, len(ops))
		for _, o := range ops {
			views = append(views, operatorView{Name: o.Name, Roles: nonNil(o.Roles), Desks: nonNil(o.Desks), HasPIN: o.HasPIN()})
		}
		if asJSON {
			return s.printJSON(views)
		}
		if len(views) == 0 {
			s.printf("No operators: this workstation runs single-user. Add the first, a Fulfillment Services Operator, with: illdesk operator add NAME --roles fulfillment\n")
			return nil
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLES\tDESKS\tPIN")
		for _, v := range views {
			var roles []string
			for _, r := range v.Roles {
				roles = append(roles, string(r))
			}
			desks, pin := "all", "no"
			if len(v.Desks) > 0 {
				desks = strings.Join(v.Desks, ", ")
			}
			if v.HasPIN {
				pin = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, strings.Join(roles, ","), desks, pin)
		}
		return tw.Flush()
	case "remove":
		fs := newFlags("operator remove")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "operator remove NAME"); err != nil {
			return err
		}
		if err := s.desk.RemoveOperator(pos[0], s.actor()); err != nil {
			return err
		}
		s.printf("Removed operator %s.\n", strings.TrimSpace(pos[0]))
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}
