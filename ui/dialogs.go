package ui

import (
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// actor is who acts from this window, and where.
func (m *MainWindow) actor() domain.Actor {
	return domain.Actor{Operator: m.operator, Station: m.scan.Station()}
}

// afterAction updates the request's row, keeps it in view and reports the
// result, with Undo for a few seconds when the change can be undone.
func (m *MainWindow) afterAction(r domain.Request, msg string) {
	m.list.showChanged(r.Summary())
	m.showInfo(msg)
	ok, _ := r.CanUndo(m.desk.Now())
	undo := ""
	if ok {
		undo = r.ID
	}
	m.scan.madeChange(undo)
	m.banner.show(msg, true, ok)
	m.refreshAttention()
	m.FocusScanBar()
}

// showDialog shows a dialog as the window's current one: Escape closes it,
// and closing it returns the focus to the scan bar.
func (m *MainWindow) showDialog(d dialog.Dialog, size fyne.Size, focus fyne.Focusable) {
	m.dialog = d
	d.SetOnClosed(func() {
		m.dialog = nil
		m.FocusScanBar()
	})
	if size.Width > 0 {
		d.Resize(size)
	}
	d.Show()
	if focus != nil {
		m.win.Canvas().Focus(focus)
	}
}

// dialogEntry is an entry for dialogs that closes the dialog on Escape.
func (m *MainWindow) dialogEntry(multiLine bool) *keyEntry {
	e := newKeyEntry()
	e.MultiLine = multiLine
	e.Wrapping = fyne.TextWrapWord
	if !multiLine {
		e.Wrapping = fyne.TextWrapOff
	}
	e.onKey = func(k *fyne.KeyEvent) bool {
		if k.Name == fyne.KeyEscape && m.dialog != nil {
			m.dialog.Hide()
			return true
		}
		return false
	}
	return e
}

// ---- Download Electronic Resource ----

// ShowEResources lists the e-resource collections that hold the title, each a
// link that opens in the browser, and the catalogue search; "None of them
// has it" leads straight to Reject.
func (m *MainWindow) ShowEResources() {
	r, ok := m.Selected()
	if !ok {
		return
	}
	box := container.NewVBox()
	if len(r.EResources) == 0 {
		box.Add(widget.NewLabel("No e-resource collections are recorded for this title."))
	}
	for _, e := range r.EResources {
		if u, err := url.Parse(e.URL); err == nil {
			box.Add(widget.NewHyperlink(e.Name, u))
		}
	}
	box.Add(widget.NewSeparator())
	if link, ok := m.settings.CatalogueSearch(r); ok {
		if u, err := url.Parse(link); err == nil {
			box.Add(widget.NewHyperlink("Search the catalogue for “"+r.Title+"”", u))
		}
	} else {
		box.Add(wrapped("No catalogue search link is set up; set one with: illdesk config set catalogue-url URL"))
	}
	var d dialog.Dialog
	none := widget.NewButton("None of them has it: Reject", func() {
		d.Hide()
		m.ShowReject()
	})
	none.Importance = widget.DangerImportance
	box.Add(none)
	d = dialog.NewCustom("Download Electronic Resource — "+r.Ref(), "Close", box, m.win)
	m.showDialog(d, fyne.Size{}, nil)
}

// ---- Pick From Shelf ----

// ShowPick asks for the item and target of a move request (kind rs) or a
// digitization request (kind digitization).
func (m *MainWindow) ShowPick(kind domain.StationKind) {
	r, ok := m.Selected()
	if !ok {
		return
	}
	barcode := m.dialogEntry(false)
	barcode.SetText(r.ItemBarcode)
	barcode.SetPlaceHolder("Item barcode")
	var targets []domain.Station
	if kind == domain.StationRS {
		targets = []domain.Station{domain.RSDesk}
	} else {
		for _, st := range m.scan.Stations() {
			if st.Kind == domain.StationDigitization {
				targets = append(targets, st)
			}
		}
	}
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = t.Label()
	}
	target := widget.NewSelect(labels, nil)
	target.SetSelectedIndex(0)
	holdings := widget.NewLabel(strings.Join(nonBlank(r.Location, r.CallNumber), "  ·  "))
	if holdings.Text == "" {
		holdings.SetText("No print holdings recorded")
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Holdings", holdings),
		widget.NewFormItem("Item barcode", barcode),
		widget.NewFormItem("To", target),
	}
	title := "Create Move Request"
	if kind == domain.StationDigitization {
		title = "Create Digitization Request"
	}
	d := dialog.NewForm(title+" — "+r.Ref(), "Create and print slip", "Cancel", items, func(ok bool) {
		if ok && len(targets) > 0 {
			m.Pick(targets[max(target.SelectedIndex(), 0)], barcode.Text)
		}
	}, m.win)
	m.showDialog(d, fyne.NewSize(520, 260), barcode)
}

// Pick creates the pick request for the selected request and opens its slip.
func (m *MainWindow) Pick(to domain.Station, itemBarcode string) {
	r, ok := m.Selected()
	if !ok {
		return
	}
	r, err := m.desk.Pick(r.ID, to, itemBarcode, m.actor())
	if err != nil {
		m.showError(err)
		return
	}
	m.afterAction(r, "Pick From Shelf requested to "+to.Label()+": pull "+r.ItemBarcode+" and scan it there.")
	m.openSlip(r.ID)
}

// ReprintSlip opens the selected request's pick slip again.
func (m *MainWindow) ReprintSlip() {
	if r, ok := m.Selected(); ok {
		m.openSlip(r.ID)
	}
}

func (m *MainWindow) openSlip(id string) { m.openSlips([]string{id}) }

// ---- Reject, Bad citation, Cancel ----

// ShowReject asks for the reason (required), an internal note and a note to the partner.
func (m *MainWindow) ShowReject() {
	r, ok := m.Selected()
	if !ok {
		return
	}
	m.rejectDialog("Reject "+r.Ref(), "Reject request", m.Reject)
}

// rejectDialog asks for a reason and notes and calls reject until it succeeds.
func (m *MainWindow) rejectDialog(title, action string, reject func(reason domain.Reason, note, partnerNote string) error) {
	reasons := domain.Reasons()
	labels := make([]string, len(reasons))
	for i, rs := range reasons {
		labels[i] = rs.Label()
	}
	reason := widget.NewSelect(labels, nil)
	reason.PlaceHolder = "Choose a reason (required)"
	note := m.dialogEntry(true)
	note.SetPlaceHolder("Internal note (required for Other)")
	partnerNote := m.dialogEntry(true)
	partnerNote.SetPlaceHolder("Note to the borrowing library")
	errLabel := errorLabel()
	form := widget.NewForm(
		widget.NewFormItem("Reason", reason),
		widget.NewFormItem("Internal note", note),
		widget.NewFormItem("To partner", partnerNote))
	var d dialog.Dialog
	submit := widget.NewButton(action, func() {
		var code domain.Reason
		if i := reason.SelectedIndex(); i >= 0 {
			code = reasons[i]
		}
		if err := reject(code, note.Text, partnerNote.Text); err != nil {
			errLabel.SetText(refusalText(err))
			return
		}
		d.Hide()
	})
	submit.Importance = widget.DangerImportance
	d = dialog.NewCustom(title, "Cancel", container.NewVBox(form, errLabel, submit), m.win)
	m.showDialog(d, fyne.NewSize(560, 420), note)
}

// Reject rejects the selected lending request; a refusal changes nothing and is returned.
func (m *MainWindow) Reject(reason domain.Reason, note, partnerNote string) error {
	r, ok := m.Selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request to reject first."}
	}
	r, err := m.desk.Reject(r.ID, reason, note, partnerNote, m.actor())
	if err != nil {
		return err
	}
	m.afterAction(r, r.Ref()+" rejected: "+r.RejectReason.Label()+".")
	return nil
}

// ShowBadCitation asks for the note to the borrowing library (required).
func (m *MainWindow) ShowBadCitation() {
	r, ok := m.Selected()
	if !ok {
		return
	}
	m.noteDialog("Bad citation — "+r.Ref(), "What should the borrowing library fix? (required)", "Send back as bad citation",
		m.BadCitation)
}

// BadCitation returns the selected request as a bad citation with a note to the partner.
func (m *MainWindow) BadCitation(partnerNote string) error {
	r, ok := m.Selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := m.desk.BadCitation(r.ID, partnerNote, m.actor())
	if err != nil {
		return err
	}
	m.afterAction(r, r.Ref()+" returned to "+r.Partner+" as a bad citation.")
	return nil
}

// ShowCancel asks why the selected request is cancelled.
func (m *MainWindow) ShowCancel() {
	r, ok := m.Selected()
	if !ok {
		return
	}
	m.noteDialog("Cancel "+r.Ref(), "Why is it cancelled?", "Cancel request", m.Cancel)
}

// Cancel cancels the selected request.
func (m *MainWindow) Cancel(note string) error {
	r, ok := m.Selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := m.desk.Cancel(r.ID, note, m.actor())
	if err != nil {
		return err
	}
	m.afterAction(r, r.Ref()+" cancelled.")
	return nil
}

// noteDialog asks for one note and calls submit until it succeeds.
func (m *MainWindow) noteDialog(title, placeholder, action string, submit func(string) error) {
	note := m.dialogEntry(true)
	note.SetPlaceHolder(placeholder)
	note.SetMinRowsVisible(4)
	errLabel := errorLabel()
	var d dialog.Dialog
	b := widget.NewButton(action, func() {
		if err := submit(note.Text); err != nil {
			errLabel.SetText(refusalText(err))
			return
		}
		d.Hide()
	})
	b.Importance = widget.WarningImportance
	d = dialog.NewCustom(title, "Close", container.NewVBox(note, errLabel, b), m.win)
	m.showDialog(d, fyne.NewSize(520, 320), note)
}

// openFileDialog asks for one file and calls pick with its path.
func openFileDialog(w fyne.Window, pick func(string)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		pick(filepath.Clean(path))
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".PDF", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// nonBlank keeps the strings that are not empty.
func nonBlank(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// errorLabel is where a dialog says why its action was refused.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
