package main

import (
	"bytes"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/illdesk/illdesk/domain"
)

const auditUsage = "audit [--json] [REF] [--operator NAME] [--since DATE] [--until DATE] [--action ACTION] [--partner CODE] [--csv FILE]\n" +
	"  DATE is YYYY-MM-DD (local time; --until includes the whole day) or an RFC 3339 time;\n" +
	"  --csv - writes the CSV to standard output"

// cmdAudit shows the audit trail: every change, undo, patron notice and
// partner message of all requests (or of one, REF), newest first, as a
// table, as JSON or as a CSV file for spreadsheets.
func (s *staffCommands) cmdAudit(args []string) error {
	fs := newFlags("audit")
	asJSON := fs.Bool("json", false, "JSON output")
	operator := fs.String("operator", "", "only this operator's entries (any case)")
	since := fs.String("since", "", "from this date or time on")
	until := fs.String("until", "", "up to this date (inclusive) or time")
	action := fs.String("action", "", "only entries of this action, e.g. hold_shelf, undo, notice, message")
	partner := fs.String("partner", "", "only requests of this partner")
	csvPath := fs.String("csv", "", "write the entries as CSV to this file (- for standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("usage: illdesk %s", auditUsage)
	}
	if *asJSON && *csvPath != "" {
		return usagef("audit: use either --json or --csv, not both")
	}
	f := domain.AuditFilter{Operator: *operator, Partner: *partner}
	if len(pos) == 1 {
		f.Ref = pos[0]
	}
	if *since != "" {
		if f.Since, err = domain.ParseAuditTime(*since, time.Local, false); err != nil {
			return usagef("audit: --since %v", err)
		}
	}
	if *until != "" {
		if f.Until, err = domain.ParseAuditTime(*until, time.Local, true); err != nil {
			return usagef("audit: --until %v", err)
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Since.After(f.Until) {
		return usagef("audit: --since %s is after --until %s", *since, *until)
	}
	if *action != "" {
		if f.Action, err = domain.ParseAction(*action); err != nil {
			return usagef("audit: --action %v", err)
		}
	}
	es, err := s.desk.Audit(f)
	if err != nil {
		return err
	}
	switch {
	case *csvPath == "-":
		return domain.WriteAuditCSV(s.stdout, es)
	case *csvPath != "":
		var buf bytes.Buffer
		if err := domain.WriteAuditCSV(&buf, es); err != nil {
			return err
		}
		// the trail names patrons: readable by this user only
		if err := os.WriteFile(s.local(*csvPath), buf.Bytes(), 0o600); err != nil {
			return err
		}
		s.printf("Wrote %d audit entries to %s.\n", len(es), *csvPath)
		return nil
	case *asJSON:
		return s.printJSON(nonNil(es))
	}
	if len(es) == 0 {
		s.printf("No audit entries match.\n")
		return nil
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tREF\tACTION\tFROM → TO\tOPERATOR\tDESK\tNOTE")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04"), e.Ref,
			e.ActionLabel, fromTo(e.From, e.To), e.Operator, e.Desk, truncate(domain.OneLine(e.Note), 80))
	}
	return tw.Flush()
}

// fromTo writes a state change as staff read it in the table: "a → b", the
// state alone for an entry that changed none, "→ b" for a creation.
func fromTo(from, to domain.State) string {
	switch {
	case from == to:
		return string(to)
	case from == "":
		return "→ " + string(to)
	}
	return string(from) + " → " + string(to)
}
