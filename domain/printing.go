package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Printer sends PDFs to the printers of the computer the desk runs on.
// Its errors wrap ErrPrinterNotFound, ErrPrintingUnavailable or
// ErrPrintFailed, as Refusals whose messages say it plainly.
type Printer interface {
	// Print sends the PDF at path to the printer named, as one job.
	Print(ctx context.Context, printer, path string) error
	// DefaultPrinter is the system's default printer, "" when it has none.
	DefaultPrinter(ctx context.Context) (string, error)
	// Printers lists the names of the system's printers.
	Printers(ctx context.Context) ([]string, error)
}

// Setting keys of printing.
const (
	// SettingPrinter is the printer slips go to; "" is the system's default.
	SettingPrinter = "printer"
	// SettingSlipOutput is what the window does with pick slips.
	SettingSlipOutput = "slip_output"
)

// What the window does with pick slips (SettingSlipOutput).
const (
	// SlipOutputPDF opens them as a PDF in the system's viewer.
	SlipOutputPDF = "pdf"
	// SlipOutputPrint sends them to the printer.
	SlipOutputPrint = "print"
)

// DefaultPrintTimeout bounds handing one job to the printing service.
const DefaultPrintTimeout = 30 * time.Second

// PrintSettings are how pick slips are printed.
type PrintSettings struct {
	// Printer is the printer's name, "" for the system's default printer.
	Printer string `json:"printer"`
	// SlipOutput is SlipOutputPDF or SlipOutputPrint.
	SlipOutput string `json:"slip_output"`
}

// PrintService prints pick slips and keeps the printing settings.
type PrintService struct {
	*core
	slips   *LendingService
	printer Printer
}

// PrintSettings reads the printing settings, with their defaults.
func (d *PrintService) PrintSettings() (PrintSettings, error) {
	var ps PrintSettings
	err := d.store.View(func(tx Tx) error {
		var err error
		ps, err = printSettings(tx)
		return err
	})
	return ps, err
}

func printSettings(tx Tx) (PrintSettings, error) {
	printer, err := tx.Setting(SettingPrinter)
	if err != nil {
		return PrintSettings{}, err
	}
	output, err := tx.Setting(SettingSlipOutput)
	if err != nil {
		return PrintSettings{}, err
	}
	if output != SlipOutputPrint {
		output = SlipOutputPDF
	}
	return PrintSettings{Printer: printer, SlipOutput: output}, nil
}

// Printers lists the system's printers, for staff to choose from; nil
// when the desk cannot print.
func (d *PrintService) Printers(ctx context.Context) ([]string, error) {
	if d.printer == nil {
		return nil, refuse(ErrPrintingUnavailable, "This workstation cannot print.")
	}
	return d.printer.Printers(ctx)
}

// SetPrinter sets the printer slips go to: a printer's name, or "" (or
// "default") for the system's default printer. A name the system's list of
// printers lacks is refused; when the system cannot list its printers the
// name is taken as typed. It is a Fulfillment Services Operator's task,
// audited like every setting.
func (d *PrintService) SetPrinter(ctx context.Context, name string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the printer"); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if strings.EqualFold(name, "default") {
		name = ""
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) || len(name) > 127 {
		return refuse(ErrInvalidInput, "%q is not a printer's name.", name)
	}
	if name != "" && d.printer != nil {
		if known, err := d.printer.Printers(ctx); err == nil && !slices.Contains(known, name) {
			return refuse(ErrPrinterNotFound, "There is no printer named %s on this computer%s.", name, printerChoice(known))
		}
	}
	return d.putPrintSetting(actorOf(by), "printer", func(ps *PrintSettings) { ps.Printer = name })
}

// printerChoice names the printers there are, for a refusal.
func printerChoice(known []string) string {
	if len(known) == 0 {
		return "; it has none"
	}
	return "; its printers are " + strings.Join(known, ", ")
}

// SetSlipOutput sets what the window does with pick slips: "pdf" opens
// them in the PDF viewer, "print" sends them to the printer. It is a
// Fulfillment Services Operator's task, audited like every setting.
func (d *PrintService) SetSlipOutput(v string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing what happens to pick slips"); err != nil {
		return err
	}
	v = strings.ToLower(strings.TrimSpace(v))
	if v != SlipOutputPDF && v != SlipOutputPrint {
		return refuse(ErrInvalidInput, "%q is not a choice for pick slips: use print or pdf.", v)
	}
	return d.putPrintSetting(actorOf(by), "slip output", func(ps *PrintSettings) { ps.SlipOutput = v })
}

// putPrintSetting changes the printing settings and audits the change, in
// one transaction.
func (d *PrintService) putPrintSetting(by Actor, what string, edit func(*PrintSettings)) error {
	return d.store.Update(func(tx Tx) error {
		before, err := printSettings(tx)
		if err != nil {
			return err
		}
		after := before
		edit(&after)
		if err := d.auditConfig(tx, by, what, before, after); err != nil {
			return err
		}
		if err := tx.PutSetting(SettingPrinter, after.Printer); err != nil {
			return err
		}
		return tx.PutSetting(SettingSlipOutput, after.SlipOutput)
	})
}

// PrintedSlips says where pick slips went: the printer, and the PDF it
// was sent.
type PrintedSlips struct {
	Printer string
	File    string
}

// PrintPickSlips writes the pick slips of the requests into one PDF (at
// out, or in the work folder's slips folder when out is "") and sends it
// to the printer as one job: the printer named, else the one set, else
// the system's default. Without any printer, or for a request without a
// pick slip, it refuses before anything is written.
func (d *PrintService) PrintPickSlips(ctx context.Context, refs []string, printer, out string) (PrintedSlips, error) {
	if d.printer == nil {
		return PrintedSlips{}, refuse(ErrPrintingUnavailable, "This workstation cannot print.")
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultPrintTimeout)
	defer cancel()
	dest, err := d.destination(ctx, printer)
	if err != nil {
		return PrintedSlips{}, err
	}
	path, err := d.slips.WritePickSlipsTo(refs, out)
	if err != nil {
		return PrintedSlips{}, err
	}
	if err := d.printer.Print(ctx, dest, path); err != nil {
		var ref *Refusal
		if !errors.As(err, &ref) {
			err = &Refusal{Kind: ErrPrintFailed, Msg: fmt.Sprintf("The printer %s did not take the pick slips.", dest), Detail: err.Error()}
		}
		return PrintedSlips{}, err
	}
	return PrintedSlips{Printer: dest, File: path}, nil
}

// destination is the printer a job goes to: the one named, the one set,
// or the system's default.
func (d *PrintService) destination(ctx context.Context, named string) (string, error) {
	if named = strings.TrimSpace(named); named != "" {
		return named, nil
	}
	ps, err := d.PrintSettings()
	if err != nil {
		return "", err
	}
	if ps.Printer != "" {
		return ps.Printer, nil
	}
	def, err := d.printer.DefaultPrinter(ctx)
	if err != nil {
		return "", err
	}
	if def == "" {
		return "", refuse(ErrNoPrinter, "No printer is set and this computer has no default printer.")
	}
	return def, nil
}
