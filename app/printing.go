package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/illdesk/illdesk/domain"
)

// cmdSlip writes the pick slips of requests as one PDF, or prints them as
// one job: slip REF... [--out FILE.pdf] [--print] [--printer NAME].
func (s *requestCommands) cmdSlip(args []string) error {
	const usage = "slip REF... [--out FILE.pdf] [--print] [--printer NAME]"
	fs := newFlags("slip")
	out := fs.String("out", "", "write the PDF to FILE (default: the work folder's slips folder)")
	toPrinter := fs.Bool("print", false, "send the slips to the printer as one job")
	printer := fs.String("printer", "", "the printer to send them to (default: config set printer, else the system's); implies --print")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	path := s.local(*out)
	if !*toPrinter && *printer == "" {
		written, err := s.desk.WritePickSlipsTo(pos, path)
		if err != nil {
			return err
		}
		s.printf("%s: %s\n", slipsNoun(len(pos)), written)
		return nil
	}
	printed, err := s.desk.PrintPickSlips(context.Background(), pos, *printer, path)
	if err != nil {
		return printAdvice(err)
	}
	s.printf("%s sent to the printer %s as one job: %s\n", slipsNoun(len(pos)), printed.Printer, printed.File)
	return nil
}

// slipsNoun is "Pick slip" or "Pick slips", as pick says it.
func slipsNoun(n int) string {
	if n == 1 {
		return "Pick slip"
	}
	return "Pick slips"
}

// printAdvice adds to a refusal to print how to choose a printer from the
// command line.
func printAdvice(err error) error {
	if errors.Is(err, domain.ErrNoPrinter) || errors.Is(err, domain.ErrPrinterNotFound) {
		return fmt.Errorf("%w Choose one with --printer NAME, or set it with illdesk config set printer NAME.", err)
	}
	return err
}

// setPrinting sets the printer or what the window does with pick slips,
// for config set.
func (s *configCommands) setPrinting(key, value string) error {
	if key == "printer" {
		return s.desk.SetPrinter(context.Background(), value, s.actor())
	}
	return s.desk.SetSlipOutput(value, s.actor())
}

// showPrinting prints the printing settings, for config show.
func (s *configCommands) showPrinting() error {
	ps, err := s.desk.PrintSettings()
	if err != nil {
		return err
	}
	printer := ps.Printer
	if printer == "" {
		printer = "(the system's default)"
	}
	s.printf("%-25s %s\n", "printer", printer)
	s.printf("%-25s %s\n", "slip-output", ps.SlipOutput)
	return nil
}
