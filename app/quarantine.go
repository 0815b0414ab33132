package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/illdesk/illdesk/domain"
)

// heldLine is a held message as quarantine list --json shows it: without
// its bytes, with its short id and the code accepting it would give.
type heldLine struct {
	domain.HeldMessage
	Ref           string `json:"ref"`
	SuggestedCode string `json:"suggested_code,omitempty"`
	// Raw, shallower than the held message's own, hides the message's
	// bytes: they are the stranger's, not for a listing.
	Raw string `json:"raw,omitempty"`
}

func (s *partnerCommands) cmdQuarantine(args []string) error {
	const usage = "quarantine list [--json] [--all] | quarantine accept ID [--code CODE] | quarantine refuse ID [--note TEXT]"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	switch args[0] {
	case "list":
		fs := newFlags("quarantine list")
		asJSON := fs.Bool("json", false, "JSON output")
		all := fs.Bool("all", false, "also the messages accepted or refused")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		return s.listHeld(*asJSON, *all)
	case "accept":
		fs := newFlags("quarantine accept")
		code := fs.String("code", "", "the new partner's code (default: one made from the agency id)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "quarantine accept ID [--code CODE]"); err != nil {
			return err
		}
		res, err := s.desk.AcceptHeld(pos[0], *code, s.actor())
		if err != nil {
			return err
		}
		s.printDecision(res)
		return nil
	case "refuse":
		fs := newFlags("quarantine refuse")
		note := fs.String("note", "", "why, for the record")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "quarantine refuse ID [--note TEXT]"); err != nil {
			return err
		}
		res, err := s.desk.RefuseHeld(pos[0], *note, s.actor())
		if err != nil {
			return err
		}
		s.printDecision(res)
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func (s *partnerCommands) listHeld(asJSON, all bool) error {
	held, err := s.desk.Quarantine(all)
	if err != nil {
		return err
	}
	lines := make([]heldLine, 0, len(held))
	for _, h := range held {
		l := heldLine{HeldMessage: h, Ref: h.Ref()}
		if h.Status == domain.HeldWaiting {
			if l.SuggestedCode, err = s.desk.SuggestPartnerCode(h.Agency); err != nil {
				return err
			}
		}
		lines = append(lines, l)
	}
	if asJSON {
		return s.printJSON(lines)
	}
	if len(lines) == 0 {
		s.printf("No messages from unknown agencies wait.\n")
		return nil
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tAGENCY\tWHAT\tTITLE\tPROPOSED ADDRESS\tFROM\tSTATUS")
	for _, l := range lines {
		what := l.Kind
		if l.Action != "" {
			what += " " + l.Action
		}
		status := string(l.Status)
		if l.Partner != "" {
			status += " as " + l.Partner
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Ref, l.Received.Local().Format("2006-01-02 15:04"),
			domain.OneLine(l.Agency), domain.OneLine(what), domain.OneLine(l.Title), domain.OneLine(l.ReplyAddress), domain.OneLine(l.Addr), status)
	}
	return tw.Flush()
}

// printDecision tells what accepting or refusing did, message by message.
func (s *partnerCommands) printDecision(res domain.QuarantineResult) {
	s.printf("%s\n", domain.OneLine(res.Outcome))
	for _, m := range res.Messages {
		s.printf("  %s: %s\n", m.Ref(), domain.OneLine(firstOf(m.Note, string(m.Status))))
	}
}
