package main

import (
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// The commands of borrowing from lenders over ISO 18626: asking the lender
// to renew or for the status, resending after the lender asked for changes,
// closing by hand a request whose lender's answer never came, and
// attaching a copy the lender sent by email.

func (s *requestCommands) cmdRenew(args []string) error {
	return s.refOnly("renew", args, s.desk.Renew)
}

func (s *requestCommands) cmdStatusRequest(args []string) error {
	return s.refOnly("status-request", args, s.desk.StatusRequest)
}

// refOnly runs a command that takes one request and nothing else.
func (s *requestCommands) refOnly(name string, args []string, do func(string, domain.Actor) (domain.Request, error)) error {
	fs := newFlags(name)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, name+" REF"); err != nil {
		return err
	}
	return s.done(do(pos[0], s.actor()))
}

func (s *requestCommands) cmdResend(args []string) error {
	fs := newFlags("resend")
	var fix domain.Citation
	citationFlags(fs, &fix)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "resend REF [--title T] [--volume V] ... (the corrected citation fields)"); err != nil {
		return err
	}
	return s.done(s.desk.Resend(pos[0], fix, s.actor()))
}

func (s *requestCommands) cmdClose(args []string) error {
	fs := newFlags("close")
	note := fs.String("note", "", "why the request is closed by hand")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "close REF --note TEXT"); err != nil {
		return err
	}
	return s.done(s.desk.Close(pos[0], *note, s.actor()))
}

func (s *requestCommands) cmdAttachCopy(args []string) error {
	fs := newFlags("attach-copy")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, "attach-copy REF FILE"); err != nil {
		return err
	}
	return s.done(s.desk.AttachCopy(pos[0], pos[1], s.actor()))
}

// showLender adds a borrowing request's lenders to show's rows.
func showLender(row func(k, v string), r domain.Request) {
	if len(r.Lenders) == 0 {
		return
	}
	var attempts []string
	for _, a := range r.Lenders {
		line := a.Partner + " " + a.RequestID + " " + a.Outcome
		if a.Note != "" {
			line += " (" + a.Note + ")"
		}
		attempts = append(attempts, line)
	}
	row("Lenders", strings.Join(attempts, "; "))
	if !r.LenderDueDate.IsZero() {
		row("Lender's due date", r.LenderDueDate.Format(domain.DateLayout))
	}
	row("Lender's item id", r.LenderItemID)
	row("Flags", strings.Join(r.Flags, ", "))
	if r.Copy != nil && r.Copy.Problem != "" {
		row("Copy not fetched", r.Copy.Problem)
	}
}

// showBorrowing prints the settings of our Request to lenders that are set.
func (s *configCommands) showBorrowing(pickups []string) error {
	keys := [][2]string{{"library-name", domain.SettingLibraryName}, {"library-email", domain.SettingLibraryEmail},
		{"send-patron-id", domain.SettingSendPatronID}, {"copy-delivery", domain.SettingCopyDelivery}}
	for _, p := range pickups {
		if p = strings.TrimSpace(p); p != "" {
			keys = append(keys, [2]string{"pickup-address " + p, domain.SettingPickupAddress + p})
		}
	}
	for _, k := range keys {
		v, err := s.desk.BorrowingSetting(k[1])
		if err != nil {
			return err
		}
		if v != "" {
			s.printf("%-25s %s\n", k[0], v)
		}
	}
	return nil
}
