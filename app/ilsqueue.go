package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/illdesk/illdesk/domain"
)

// cmdILS looks after the calls to the library's ILS that wait in the
// dispatcher's queue: ils queue list|retry|drop.
func (s *partnerCommands) cmdILS(args []string) error {
	const usage = "ils queue list [--json] [--all] | ils queue retry ID | ils queue drop ID --note TEXT"
	if len(args) < 2 || args[0] != "queue" {
		return usagef("usage: illdesk %s", usage)
	}
	verb, args := args[1], args[2:]
	switch verb {
	case "list":
		fs := newFlags("ils queue list")
		asJSON := fs.Bool("json", false, "JSON output")
		all := fs.Bool("all", false, "also the calls made at once during a scan")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		return s.listILSCalls(*asJSON, *all)
	case "retry", "drop":
		fs := newFlags("ils queue " + verb)
		want := "ils queue retry ID"
		var note *string
		if verb == "drop" {
			want = "ils queue drop ID --note TEXT"
			note = fs.String("note", "", "why the call is dropped (e.g. done in the ILS by hand)")
		}
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, want); err != nil {
			return err
		}
		var c domain.ILSCall
		if verb == "retry" {
			c, err = s.desk.RetryILSCall(pos[0], s.actor())
		} else {
			c, err = s.desk.DropILSCall(pos[0], *note, s.actor())
		}
		if err != nil {
			return err
		}
		if _, err := s.sendQueued(); err != nil {
			return err
		}
		return s.printILSCalls(c.RequestID, c.ID)
	}
	return usagef("usage: illdesk %s", usage)
}

// listILSCalls prints the ILS calls: a table, or {"calls": [...]}.
func (s *partnerCommands) listILSCalls(asJSON, all bool) error {
	calls, err := s.desk.ILSCalls("", all)
	if err != nil {
		return err
	}
	if asJSON {
		return s.printJSON(map[string]any{"calls": nonNil(calls)})
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREQUEST\tCALL\tITEM\tSTATUS\tATTEMPTS\tWHY")
	for _, c := range calls {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c.ID, c.Ref, c.Call, c.ItemBarcode, c.Status, c.Attempts, ilsCallWhy(c))
	}
	return tw.Flush()
}

// printILSCalls prints, after a retry or a drop, where the call with the
// id now stands.
func (s *partnerCommands) printILSCalls(requestID, id string) error {
	calls, err := s.desk.ILSCalls(requestID, false)
	if err != nil {
		return err
	}
	for _, c := range calls {
		if c.ID == id {
			s.printf("%s: %s %s\n", c.Name(), c.Status, ilsCallWhy(c))
		}
	}
	return nil
}

// ilsCallWhy says why a call is where it is: the ILS's words, the note of
// a dropped call, what it is for.
func ilsCallWhy(c domain.ILSCall) string {
	switch c.Status {
	case domain.MessageRetrying:
		return fmt.Sprintf("%s; next try at %s", c.LastError, c.NextTry.Local().Format("2006-01-02 15:04:05"))
	case domain.MessageRefused:
		return "refused: " + c.LastError
	case domain.MessageDropped:
		return c.Note
	}
	switch c.For {
	case domain.ILSForCompensation:
		return "undoes the ILS's " + c.Step + " step: our change could not be saved"
	case domain.ILSForUndo:
		return "undoes the ILS's " + c.Step + " step: the scan was undone"
	}
	return c.LastError
}

// ilsReport names, on standard error, each queued ILS call that is failing
// or that the ILS refused, and says how many there are.
func (s *partnerCommands) ilsReport() (int, error) {
	calls, err := s.desk.ILSCalls("", false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range calls {
		switch c.Status {
		case domain.MessageRefused: // its why says it was refused
			fmt.Fprintf(s.stderr, "%s: %s\n", c.Name(), ilsCallWhy(c))
		case domain.MessageRetrying:
			fmt.Fprintf(s.stderr, "%s: retrying: %s\n", c.Name(), ilsCallWhy(c))
		default:
			continue
		}
		n++
	}
	return n, nil
}
