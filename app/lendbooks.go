package main

import (
	"time"

	"github.com/illdesk/illdesk/domain"
)

// cmdLoan lends the book of a lending request to its partner (Loaned sent).
func (s *requestCommands) cmdLoan(args []string) error {
	const usage = "loan REF [--item-barcode B] [--due YYYY-MM-DD]"
	fs := newFlags("loan")
	barcode := fs.String("item-barcode", "", "barcode of the book that goes to the partner (default: the request's)")
	dueText := fs.String("due", "", "due date, YYYY-MM-DD (default: the partner's loan period from today)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, usage); err != nil {
		return err
	}
	var due time.Time
	if *dueText != "" {
		if due, err = parseStatsDay(*dueText); err != nil {
			return usagef("loan: %v", err)
		}
	}
	r, warn, err := s.desk.Loan(pos[0], *barcode, due, s.actor())
	if err != nil {
		return err
	}
	s.printf("%s: %s — item %s, due %s\n", r.Ref(), r.StatusLabel(), r.ItemBarcode, r.DueDate.Format(domain.DateLayout))
	if warn != "" {
		s.printf("%s\n", warn)
	}
	return s.reported(r)
}

// cmdRecall asks the partner to return a book we lend (Recalled sent).
func (s *requestCommands) cmdRecall(args []string) error {
	fs := newFlags("recall")
	note := fs.String("note", "", "note to the partner")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "recall REF [--note TEXT]"); err != nil {
		return err
	}
	r, err := s.desk.Recall(pos[0], *note, s.actor())
	if err != nil {
		return err
	}
	s.printf("%s: %s — recalled, due %s\n", r.Ref(), r.StatusLabel(), r.DueDate.Format(domain.DateLayout))
	return s.reported(r)
}

// cmdRenewAnswer answers a partner's Renew that waits for staff.
func (s *requestCommands) cmdRenewAnswer(args []string) error {
	const usage = "renew-answer REF yes|no"
	pos, err := parse(newFlags("renew-answer"), args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, usage); err != nil {
		return err
	}
	var yes bool
	switch pos[1] {
	case "yes":
		yes = true
	case "no":
	default:
		return usagef("renew-answer: answer yes or no, not %q\nusage: illdesk %s", pos[1], usage)
	}
	r, err := s.desk.AnswerRenew(pos[0], yes, s.actor())
	if err != nil {
		return err
	}
	if yes {
		s.printf("%s: renewal granted, due %s\n", r.Ref(), r.DueDate.Format(domain.DateLayout))
	} else {
		s.printf("%s: renewal refused, due %s\n", r.Ref(), r.DueDate.Format(domain.DateLayout))
	}
	return s.reported(r)
}

// reported sends and reports what an action on r queued, as done does
// after its own first line.
func (s *requestCommands) reported(r domain.Request) error {
	if s.desk.Dispatcher().Queued() == s.sentMark {
		return nil
	}
	return s.reportQueues(r.ID)
}

// lendService reads lend new's --service as the ISO 18626 service type,
// with the domain's rule and the command line's words.
func lendService(v string) (string, error) {
	s, err := domain.ParseLendingService(v)
	if err != nil {
		return "", usagef("lend new: --service is copy, loan or copy-or-loan, not %q", v)
	}
	return s, nil
}
