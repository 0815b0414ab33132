package ui

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// DropArea is where the scan for the selected lending request is collected,
// checked and shipped: files dropped (anywhere on the window) or browsed are
// prepared off the UI thread (combined in order and preflighted), and the
// shipment's Allowed decides whether Ship is enabled.
type DropArea struct {
	// state
	requestID string
	requested string // the requested pages, e.g. "12-30"
	files     []string
	shipment  *domain.Shipment // the prepared scan, nil until prepared
	failed    error            // why the scan could not be prepared
	busy      bool
	confirmed bool

	frame    *canvas.Rectangle
	hint     *widget.Label
	list     *widget.Label
	progress *widget.ProgressBarInfinite
	verdict  *widget.Label
	confirm  *widget.Check
	ship     *widget.Button
	browse   *widget.Button
	clear    *widget.Button
	result   *fyne.Container
	box      *fyne.Container
}

func newDropArea(onBrowse, onClear, onShip func()) *DropArea {
	a := &DropArea{
		frame:    canvas.NewRectangle(color.Transparent),
		hint:     widget.NewLabelWithStyle("Drop files here", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list:     widget.NewLabel(""),
		progress: widget.NewProgressBarInfinite(),
		verdict:  widget.NewLabel(""),
		browse:   widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), onBrowse),
		clear:    widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), onClear),
		ship:     widget.NewButtonWithIcon("Ship  ("+shortcutText("Enter")+")", theme.MailSendIcon(), onShip),
	}
	a.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	a.frame.StrokeWidth = 2
	a.frame.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	a.list.Wrapping = fyne.TextWrapWord
	a.verdict.Wrapping = fyne.TextWrapWord
	a.ship.Importance = widget.HighImportance
	a.confirm = widget.NewCheck("I have checked the warning — ship it anyway", func(on bool) {
		a.confirmed = on
		a.render()
	})
	sub := widget.NewLabel("A PDF, or page images (JPEG, PNG, TIFF) combined in drop order.")
	sub.Wrapping = fyne.TextWrapWord
	a.result = container.NewVBox(a.list, a.progress, a.verdict, a.confirm,
		container.NewBorder(nil, nil, a.clear, nil, a.ship))
	inner := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.UploadIcon()), a.browse, a.hint),
		sub, a.result)
	a.box = container.NewStack(a.frame, container.NewPadded(inner))
	a.render()
	return a
}

func (a *DropArea) object() fyne.CanvasObject { return a.box }

// collecting reports whether the area holds files for its request, or is
// checking them: work staff would lose if another request took its place.
func (a *DropArea) collecting() bool { return len(a.files) > 0 || a.busy }

// reset empties the area for a request.
func (a *DropArea) reset(r domain.Request) {
	a.requestID, a.requested = r.ID, r.Pages
	a.files, a.shipment, a.failed, a.busy, a.confirmed = nil, nil, nil, false, false
	a.confirm.SetChecked(false)
	a.render()
}

// ready reports whether the collected scan may be shipped now.
func (a *DropArea) ready() bool {
	return !a.busy && a.shipment != nil && a.shipment.Allowed(a.confirmed) == nil
}

// checked reports whether the collected files have been prepared, well or not.
func (a *DropArea) checked() bool { return a.shipment != nil || a.failed != nil }

// render brings the widgets in line with the state.
func (a *DropArea) render() {
	if len(a.files) == 0 && !a.busy && !a.checked() {
		a.result.Hide()
	} else {
		a.result.Show()
	}
	if len(a.files) == 0 {
		a.list.SetText("")
		a.list.Hide()
	} else {
		names := make([]string, len(a.files))
		for i, f := range a.files {
			names[i] = filepath.Base(f)
		}
		a.list.SetText(strings.Join(names, "\n"))
		a.list.Show()
	}
	if a.busy {
		a.progress.Show()
		a.progress.Start()
	} else {
		a.progress.Stop()
		a.progress.Hide()
	}
	a.confirm.Hide()
	switch {
	case a.failed != nil:
		a.verdict.Show()
		a.verdict.Importance = widget.DangerImportance
		a.verdict.SetText("Cannot ship: " + refusalText(a.failed))
	case a.shipment == nil:
		a.verdict.SetText("")
		a.verdict.Hide()
	default:
		a.verdict.Show()
		r := a.shipment.Report
		text := r.Message
		switch r.Verdict {
		case domain.VerdictAccept:
			a.verdict.Importance = widget.SuccessImportance
			text = "Ready to ship: " + a.facts()
		case domain.VerdictWarn:
			a.verdict.Importance = widget.WarningImportance
			text = "Warning: " + text
			a.confirm.Show()
		default:
			a.verdict.Importance = widget.DangerImportance
			text = "Cannot ship: " + text
		}
		if r.Verdict == domain.VerdictWarn && r.Pages > 0 {
			text += "\n" + a.facts()
		}
		a.verdict.SetText(text)
	}
	if a.ready() {
		a.ship.Enable()
	} else {
		a.ship.Disable()
	}
	if len(a.files) == 0 || a.busy {
		a.clear.Disable()
	} else {
		a.clear.Enable()
	}
}

// facts is the page count against the requested pages, and the size.
func (a *DropArea) facts() string {
	r := a.shipment.Report
	pages := fmt.Sprintf("%d pages", r.Pages)
	if r.Pages == 1 {
		pages = "1 page"
	}
	if want, ok := domain.ExpectedPages(a.requested); ok {
		pages += fmt.Sprintf(" (pages %s requested: %d)", a.requested, want)
	}
	return pages + ", " + domain.HumanBytes(r.Bytes)
}
