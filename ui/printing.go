package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// printingDesk is what the settings' Printing tab asks of the desk.
type printingDesk interface {
	PrintSettings() (domain.PrintSettings, error)
	SetPrinter(ctx context.Context, name string, by ...domain.Actor) error
	SetSlipOutput(v string, by ...domain.Actor) error
	Printers(ctx context.Context) ([]string, error)
}

// systemDefault is the printer choice that follows the system's default
// printer (the setting's "").
const systemDefault = "System default"

// slipOutputs are the choices of what the window does with pick slips,
// as staff read them, by setting value.
var slipOutputs = []struct{ value, label string }{
	{domain.SlipOutputPDF, "Open them as a PDF"},
	{domain.SlipOutputPrint, "Send them to the printer"},
}

// printSlips gives staff the pick slips of the requests as slip-output
// says: opened as one PDF in the system's viewer, or sent to the printer
// as one job, off Fyne's goroutine.
func (m *MainWindow) printSlips(ids []string) {
	ps, err := m.desk.PrintSettings()
	if err != nil {
		m.status.fail(err)
		return
	}
	if ps.SlipOutput != domain.SlipOutputPrint {
		m.openSlips(ids)
		return
	}
	m.run(func() {
		printed, err := m.desk.PrintPickSlips(context.Background(), ids, "", "")
		m.Do(func() {
			if err != nil {
				m.status.fail(printAdvice(err))
				return
			}
			noun := "Pick slip"
			if len(ids) > 1 {
				noun = fmt.Sprintf("%d pick slips", len(ids))
			}
			m.status.info(fmt.Sprintf("%s sent to the printer %s.", noun, printed.Printer))
		})
	})
}

// printAdvice adds to a refusal for want of a printer where the window
// sets one.
func printAdvice(err error) error {
	var ref *domain.Refusal
	if errors.As(err, &ref) && (errors.Is(err, domain.ErrNoPrinter) || errors.Is(err, domain.ErrPrinterNotFound)) {
		return &domain.Refusal{Kind: ref.Kind, Msg: ref.Msg + " Choose a printer in Settings, on the Printing tab.", Detail: ref.Detail}
	}
	return err
}

// SavePrinting stores the printer (systemDefault for the system's default)
// and what the window does with pick slips (a slipOutputs value); the first
// refusal stops there and is returned.
func (sd *SettingsDialog) SavePrinting(printer, output string) error {
	if printer == systemDefault {
		printer = ""
	}
	if err := sd.desk.SetPrinter(context.Background(), printer, sd.actor()); err != nil {
		return err
	}
	if err := sd.desk.SetSlipOutput(output, sd.actor()); err != nil {
		return err
	}
	sd.info("Printing settings saved.")
	return nil
}

// LoadPrinters fills the printer choice with the system's printers, off
// Fyne's goroutine: the choice keeps the system's default and the printer
// set; a system that cannot list its printers leaves it at that.
func (sd *SettingsDialog) LoadPrinters(choice *widget.Select) {
	sd.run(func() {
		names, err := sd.desk.Printers(context.Background())
		sd.do(func() {
			if err != nil {
				sd.log("Printers not listed: " + refusalText(err))
				return
			}
			options := slices.Clone(choice.Options)
			for _, n := range names {
				if !slices.Contains(options, n) {
					options = append(options, n)
				}
			}
			choice.SetOptions(options)
		})
	})
}

func (sd *SettingsDialog) printingForm(report func(error)) fyne.CanvasObject {
	ps, err := sd.desk.PrintSettings()
	report(err)
	options := []string{systemDefault}
	if ps.Printer != "" {
		options = append(options, ps.Printer)
	}
	printer := sd.dialogs.selector(options, nil)
	printer.SetSelected(firstNonEmpty(ps.Printer, systemDefault))
	sd.LoadPrinters(&printer.Select)
	labels := make([]string, len(slipOutputs))
	selected := slipOutputs[0].label
	for i, o := range slipOutputs {
		labels[i] = o.label
		if o.value == ps.SlipOutput {
			selected = o.label
		}
	}
	output := sd.dialogs.selector(labels, nil)
	output.SetSelected(selected)
	save := sd.dialogs.button("Save", nil, func() {
		value := domain.SlipOutputPDF
		for _, o := range slipOutputs {
			if o.label == output.Selected {
				value = o.value
			}
		}
		report(sd.SavePrinting(printer.Selected, value))
	})
	save.Importance = widget.HighImportance
	note := wrapped("Print pick slip and Print slips follow the slip output: a PDF opened in your viewer, " +
		"or one job sent straight to the printer. From the command line: illdesk slip REF --print.")
	return container.NewVBox(widget.NewForm(
		widget.NewFormItem("Printer", printer),
		widget.NewFormItem("Pick slips", output)),
		save, note)
}
