package main

import (
	"fmt"

	"github.com/illdesk/illdesk/domain"
)

const checkUsage = "check [--json] [--repair]"

// cmdCheck verifies every invariant of the database and the vault; it exits
// 1 with each problem listed when one is found. --repair rebuilds indexes
// and summaries and removes orphan vault files first.
func (s *dataCommands) cmdCheck(args []string) error {
	fs := newFlags("check")
	asJSON := fs.Bool("json", false, "JSON output")
	repair := fs.Bool("repair", false, "rebuild the indexes and summaries, remove orphan vault files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, checkUsage); err != nil {
		return err
	}
	rep, err := s.desk.Check(*repair, s.actor())
	if err != nil {
		return err
	}
	if *asJSON {
		if rep.Problems == nil {
			rep.Problems = []domain.Problem{}
		}
		if err := s.printJSON(rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Repaired {
			s.printf("repaired  %s\n", p.Detail)
		}
		for _, p := range rep.Problems {
			s.printf("%-20s %s\n", p.Kind, p.Detail)
		}
		if rep.Sound() {
			s.printf("The database is sound: %d requests, %d files in the vault.\n", rep.Requests, rep.VaultFiles)
		}
	}
	if rep.Sound() {
		return nil
	}
	hint := "see the list above"
	for _, p := range rep.Problems {
		if p.Repairable {
			hint = "run illdesk check --repair to fix those marked repairable"
			break
		}
	}
	return fmt.Errorf("%d problem(s) found in %s; %s", len(rep.Problems), s.dbPath, hint)
}
