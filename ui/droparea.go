package ui

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// dropDesk is what the drop area asks of the desk.
type dropDesk interface {
	Prepare(ref string, files []string, by domain.Actor) (domain.Shipment, error)
	Ship(s domain.Shipment, acceptWarnings bool, by domain.Actor) (domain.Request, error)
	WaitingScans(dir string, rs []domain.Summary) ([]domain.WaitingScan, error)
	Intake(raw []byte) (domain.ImportResult, []byte, error)
}

// DropArea is where the scan for the selected lending request is collected,
// checked and shipped: files dropped (anywhere on the window) or browsed are
// prepared off the UI thread (combined in order and preflighted), and the
// shipment's Allowed decides whether Ship is enabled. It also watches the
// scan folder for scans named after open requests, and receives the partner
// messages (ISO 18626 files) dropped on the window.
type DropArea struct {
	link
	desk dropDesk
	win  fyne.Window
	// spawn starts background work that Wait does not wait for.
	spawn func(func())

	// selectedRequest is the request in the details pane, selectedID its
	// id, selectedRow its row in the list (-1 when not listed).
	selectedRequest func() (domain.Request, bool)
	selectedID      func() string
	selectedRow     func() int
	// shippable are the requests a dropped file may be named after.
	shippable func() []domain.Summary
	// reveal selects a request, bringing it into view.
	reveal func(domain.Summary)
	// shipped shows a request just shipped and moves on from the row index.
	shipped func(r domain.Request, index int)
	// received shows the requests partner messages changed, and the last.
	received func(changed []string, last string)
	// scanFolder is the watched folder ("" for none); markWaiting marks
	// the requests with a scan waiting in it.
	scanFolder  func() string
	markWaiting func(map[string]bool)
	// arrived is told the file names of scans found since the folder's
	// last look (never at the first look, which finds what was there).
	arrived func(names []string)
	// looked is set once the scan folder has been looked at.
	looked bool

	// state
	waiting   map[string]string // request id → waiting scan in the scan folder
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

func newDropArea(l link, d dropDesk, win fyne.Window) *DropArea {
	a := &DropArea{link: l, desk: d, win: win, waiting: map[string]string{},
		frame:    canvas.NewRectangle(color.Transparent),
		hint:     widget.NewLabelWithStyle("Drop files here", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list:     widget.NewLabel(""),
		progress: widget.NewProgressBarInfinite(),
		verdict:  widget.NewLabel(""),
	}
	a.browse = widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), a.BrowseFiles)
	a.clear = widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), a.ClearFiles)
	a.ship = widget.NewButtonWithIcon("Ship  ("+shortcutText("Enter")+")", theme.MailSendIcon(), a.ShipSelected)
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

// open shows the area for a request just selected, with the scan waiting
// for it in the scan folder, if any.
func (a *DropArea) open(r domain.Request) {
	a.reset(r)
	if path, ok := a.waiting[r.ID]; ok {
		a.AddFiles([]string{path})
	}
}

// follow empties the area when the request shown is another one.
func (a *DropArea) follow(r domain.Request) {
	if a.requestID != r.ID {
		a.reset(r)
	}
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

// DropURIs handles files dropped anywhere on the window: a file named after
// an open request's external identifier selects that request; the files go
// to the selected request's drop area.
func (a *DropArea) DropURIs(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, filepath.FromSlash(u.Path()))
		}
	}
	a.DropFiles(paths)
}

// DropFiles is DropURIs with plain paths. ISO 18626 messages (.xml) are
// received as partner messages; other files are scans.
func (a *DropArea) DropFiles(paths []string) {
	var xmls, scans []string
	for _, p := range paths {
		if strings.EqualFold(filepath.Ext(p), ".xml") {
			xmls = append(xmls, p)
		} else {
			scans = append(scans, p)
		}
	}
	if len(xmls) > 0 {
		a.ImportMessages(xmls)
	}
	paths = scans
	if len(paths) == 0 {
		return
	}
	shippable := a.shippable()
	for _, p := range paths {
		for _, r := range shippable {
			if domain.NamedAfter(p, r) {
				if r.ID != a.selectedID() {
					a.reveal(r)
				}
				a.AddFiles(paths)
				return
			}
		}
	}
	a.AddFiles(paths)
}

// AddFiles adds scanned files to the selected request's drop area and
// prepares the result for shipping off the UI thread.
func (a *DropArea) AddFiles(paths []string) {
	r, ok := a.selectedRequest()
	if !ok || r.Side != domain.Lending || !r.Can(domain.ActShip) {
		a.fail(&domain.Refusal{Kind: domain.ErrInvalidInput,
			Msg: "Select the lending request to ship first (scan or click its external identifier), then drop the scan."})
		return
	}
	a.files = append(a.files, paths...)
	a.prepareScan(r.ID, r.Ref())
}

// prepareScan checks the drop area's files again for the request, off the
// UI thread, and shows the report.
func (a *DropArea) prepareScan(id, ref string) {
	a.shipment, a.failed, a.confirmed = nil, nil, false
	a.confirm.SetChecked(false)
	a.busy = true
	a.render()
	files := append([]string(nil), a.files...)
	a.run(func() {
		s, err := a.desk.Prepare(id, files, a.actor())
		a.do(func() {
			if a.requestID != id || len(a.files) != len(files) {
				return // the selection or the files changed meanwhile
			}
			a.busy = false
			if err != nil {
				a.failed = err
				a.log(fmt.Sprintf("%s: scan checked: %s — %s", ref, domain.VerdictReject, refusalText(err)))
			} else {
				a.shipment = &s
				a.log(fmt.Sprintf("%s: scan checked: %s — %s", ref, s.Report.Verdict, s.Report.Message))
			}
			a.render()
		})
	})
}

// BrowseFiles opens a file dialog to add a scan.
func (a *DropArea) BrowseFiles() {
	a.dialogs.openFile("Add a scan", scanExts, func(path string) { a.AddFiles([]string{path}) })
}

// ClearFiles empties the drop area.
func (a *DropArea) ClearFiles() {
	if r, ok := a.selectedRequest(); ok {
		a.reset(r)
	}
	a.focus()
}

// ConfirmWarnings ticks (or unticks) the confirmation a warned file needs.
func (a *DropArea) ConfirmWarnings(ok bool) { a.confirm.SetChecked(ok) }

// ShipSelected ships the checked scan of the selected request (Ctrl+Enter, ⌘Return on macOS).
// The file is stored and the request closed off the UI thread; the list then
// moves on to the next most urgent request.
func (a *DropArea) ShipSelected() {
	r, ok := a.selectedRequest()
	switch {
	case !ok:
		a.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select a request to ship first."})
		return
	case a.busy:
		a.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The scan is still being checked; ship it when the check is done."})
		return
	case a.failed != nil:
		a.fail(&domain.Refusal{Kind: domain.ErrPreflightRejected, Msg: refusalText(a.failed) + " Nothing was shipped."})
		return
	case a.shipment == nil:
		a.fail(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Drop the scanned PDF on the window (or Browse for it) before shipping."})
		return
	}
	s, accept := *a.shipment, a.confirmed
	if err := s.Allowed(accept); err != nil {
		a.fail(shipRefusal(err))
		return
	}
	index := a.selectedRow()
	a.busy = true
	a.render()
	a.run(func() {
		shipped, err := a.desk.Ship(s, accept, a.actor())
		a.do(func() {
			a.busy = false
			if err != nil {
				a.render()
				a.fail(shipRefusal(err))
				if errors.Is(err, domain.ErrShipmentChanged) && a.requestID == r.ID {
					a.prepareScan(r.ID, r.Ref())
				}
				return
			}
			delete(a.waiting, r.ID)
			a.shipped(shipped, index)
			f := shipped.ShippedFile
			a.info(fmt.Sprintf("%s shipped digitally: %s, %d pages, %s.", shipped.Ref(), f.Name, f.Pages, domain.HumanBytes(f.Bytes)))
			a.focus()
		})
	})
}

// shipRefusal words for the window the refusals that speak of what staff
// do in it; others keep domain's sentence.
func shipRefusal(err error) error {
	switch {
	case errors.Is(err, domain.ErrNeedsConfirmation):
		return &domain.Refusal{Kind: domain.ErrNeedsConfirmation, Msg: "The scan has a warning: tick “I have checked the warning” to ship it anyway."}
	case errors.Is(err, domain.ErrShipmentChanged):
		return &domain.Refusal{Kind: domain.ErrShipmentChanged, Msg: "The scan changed after it was checked, so nothing was shipped: it is being checked again."}
	}
	return err
}

// checkScanFolder looks for scans named after open requests in the watched
// folder, reading the folder off the UI thread. Call it from any goroutine.
func (a *DropArea) checkScanFolder() {
	a.do(func() {
		dir := a.scanFolder()
		if dir == "" {
			return
		}
		all := a.shippable()
		a.spawn(func() {
			found, err := a.desk.WaitingScans(dir, all)
			a.do(func() {
				if err != nil {
					a.fail(err)
					return
				}
				a.setWaiting(found)
			})
		})
	})
}

// setWaiting marks the requests that have a scan waiting in the scan folder.
func (a *DropArea) setWaiting(found []domain.WaitingScan) {
	next := map[string]string{}
	marks := map[string]bool{}
	for _, w := range found {
		next[w.RequestID] = w.Path
		marks[w.RequestID] = true
	}
	changed := len(next) != len(a.waiting)
	var names []string
	for id, p := range next {
		if a.waiting[id] != p {
			changed = true
			names = append(names, filepath.Base(p))
			if id == a.selectedID() && len(a.files) == 0 {
				defer a.AddFiles([]string{p})
			}
		}
	}
	a.waiting = next
	if a.looked && len(names) > 0 && a.arrived != nil {
		slices.Sort(names)
		a.arrived(names)
	}
	a.looked = true
	if changed {
		a.markWaiting(marks)
	}
}

// ImportMessages receives partner messages (ISO 18626 files) dropped on the
// window; each is applied or refused whole, and the last request it touched
// is shown.
func (a *DropArea) ImportMessages(paths []string) {
	var last domain.ImportResult
	var problems, changed []string
	ok := 0
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			problems = append(problems, filepath.Base(p)+": cannot be read")
			continue
		}
		res, _, err := a.desk.Intake(raw)
		if err != nil {
			problems = append(problems, filepath.Base(p)+": "+refusalText(err))
			continue
		}
		ok++
		last = res
		if res.Request != "" {
			changed = append(changed, res.Request)
		}
	}
	a.received(changed, last.Request)
	msg := last.Outcome
	if len(paths) > 1 {
		msg = fmt.Sprintf("%d of %d partner messages received. %s", ok, len(paths), msg)
	}
	if len(problems) > 0 {
		a.announce(strings.TrimSpace(msg+" "+strings.Join(problems, " · ")), false, false)
		return
	}
	a.announce(msg, true, false)
}
