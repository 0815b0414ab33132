// Package cups prints through CUPS, the printing system of Linux and
// macOS, with its command-line tools: lp sends a job, lpstat tells the
// printers, the default one and whether the scheduler runs. It implements
// domain.Printer; its errors are Refusals that say in plain words what
// went wrong (no such printer, CUPS not running), never the tools' output,
// which they keep as Detail.
package cups

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// Printer is domain.Printer on CUPS.
type Printer struct{}

var _ domain.Printer = Printer{}

// Print sends the PDF at path to the printer as one job. It checks the
// scheduler runs and the printer exists first: lp says a printer does not
// exist also when the scheduler is down.
func (Printer) Print(ctx context.Context, printer, path string) error {
	if err := scheduler(ctx); err != nil {
		return err
	}
	if _, stderr, err := run(ctx, "lpstat", "-p", printer); err != nil {
		return refusal(printer, stderr, err)
	}
	if _, stderr, err := run(ctx, "lp", "-d", printer, path); err != nil {
		return refusal(printer, stderr, err)
	}
	return nil
}

// DefaultPrinter is the default destination lpstat -d names, "" when
// there is none.
func (Printer) DefaultPrinter(ctx context.Context) (string, error) {
	if err := scheduler(ctx); err != nil {
		return "", err
	}
	out, stderr, err := run(ctx, "lpstat", "-d")
	if err != nil {
		return "", refusal("", stderr, err)
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(out), "system default destination:")
	if !ok {
		return "", nil
	}
	return strings.TrimSpace(name), nil
}

// Printers lists the printers lpstat -p names, in its order.
func (Printer) Printers(ctx context.Context) ([]string, error) {
	if err := scheduler(ctx); err != nil {
		return nil, err
	}
	out, stderr, err := run(ctx, "lpstat", "-p")
	if err != nil {
		if strings.Contains(stderr, "No destinations added") {
			return nil, nil
		}
		return nil, refusal("", stderr, err)
	}
	return printerNames(out), nil
}

// printerNames reads lpstat -p: a line "printer NAME is idle. …" or
// "printer NAME disabled since …" for each printer, and indented lines
// saying more.
func printerNames(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "printer" {
			names = append(names, f[1])
		}
	}
	return names
}

// scheduler refuses when CUPS is missing or its scheduler does not run.
func scheduler(ctx context.Context) error {
	out, stderr, err := run(ctx, "lpstat", "-r")
	if err != nil {
		return refusal("", stderr, err)
	}
	if !strings.Contains(out, "scheduler is running") {
		return refusal("", out, nil)
	}
	return nil
}

// run runs a CUPS tool in the C locale, whose words refusal reads.
func run(ctx context.Context, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C", "LANGUAGE=C")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err = cmd.Run(); ctx.Err() != nil {
		err = fmt.Errorf("%v: %w", err, ctx.Err())
	}
	return out.String(), errOut.String(), err
}

// refusal says in plain words why a CUPS tool failed, from its error and
// what it wrote (said); the printer is the one the job was for, "" for
// none.
func refusal(printer, said string, err error) error {
	detail := strings.TrimSpace(said)
	if err != nil {
		detail = strings.TrimSpace(err.Error() + ": " + detail)
	}
	ref := func(kind error, format string, args ...any) error {
		return &domain.Refusal{Kind: kind, Msg: fmt.Sprintf(format, args...), Detail: detail}
	}
	lower := strings.ToLower(said)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return ref(domain.ErrPrintingUnavailable, "CUPS, the printing system, is not installed on this computer, so nothing was printed.")
	case errors.Is(err, context.DeadlineExceeded):
		return ref(domain.ErrPrintingUnavailable, "CUPS, the printing system, did not answer in time, so nothing was printed.")
	case strings.Contains(lower, "scheduler is not running"), strings.Contains(lower, "unable to connect"):
		return ref(domain.ErrPrintingUnavailable, "CUPS, the printing system, is not running on this computer, so nothing was printed.")
	case printer != "" && (strings.Contains(lower, "invalid destination") || strings.Contains(lower, "does not exist")):
		return ref(domain.ErrPrinterNotFound, "There is no printer named %s on this computer.", printer)
	case printer != "" && strings.Contains(lower, "not accepting"):
		return ref(domain.ErrPrintFailed, "The printer %s is not accepting jobs now.", printer)
	case printer != "":
		return ref(domain.ErrPrintFailed, "The printer %s did not take the job.", printer)
	}
	return ref(domain.ErrPrintingUnavailable, "CUPS, the printing system, could not tell this computer's printers.")
}
