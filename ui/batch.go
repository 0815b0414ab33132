package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// BatchBar appears above the list when requests are marked: it says how
// many and offers the batch actions.
type BatchBar struct {
	label *widget.Label
	box   *fyne.Container
}

func newBatchBar(m *MainWindow) *BatchBar {
	b := &BatchBar{label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	reject := widget.NewButtonWithIcon("Reject marked…", theme.CancelIcon(), m.ShowRejectMarked)
	reject.Importance = widget.DangerImportance
	b.box = container.NewHBox(b.label,
		reject,
		widget.NewButtonWithIcon("Pick marked…", theme.MailForwardIcon(), m.ShowPickMarked),
		widget.NewButtonWithIcon("Print slips", theme.DocumentPrintIcon(), m.PrintMarkedSlips),
		widget.NewButtonWithIcon("Clear marks", theme.ContentClearIcon(), m.list.ClearMarks))
	b.box.Hide()
	return b
}

func (b *BatchBar) show(n int) {
	if n == 0 {
		b.box.Hide()
		return
	}
	b.label.SetText(fmt.Sprintf("%d marked:", n))
	b.box.Show()
}

// ShowRejectMarked asks for one reason and notes for every marked request.
func (m *MainWindow) ShowRejectMarked() {
	n := len(m.list.Marked())
	m.dialogs.reject(fmt.Sprintf("Reject %d marked requests", n), fmt.Sprintf("Reject %d requests", n), m.RejectMarked)
}

// RejectMarked rejects every marked request with one reason; those that
// cannot be rejected are named and stay as they were.
func (m *MainWindow) RejectMarked(reason domain.Reason, note, partnerNote string) error {
	ids := m.list.Marked()
	if len(ids) == 0 {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Mark the requests to reject first."}
	}
	if _, err := domain.ParseReason(string(reason)); err != nil {
		return err // nothing tried: the dialog stays open
	}
	return m.batchDone("rejected", m.desk.RejectMany(ids, reason, note, partnerNote, m.actor()))
}

// ShowPickMarked asks where the marked requests' items go.
func (m *MainWindow) ShowPickMarked() {
	var targets []domain.Station
	for _, st := range m.scan.Stations() {
		if st.Kind == domain.StationRS || st.Kind == domain.StationDigitization {
			targets = append(targets, st)
		}
	}
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = t.Label()
	}
	target := widget.NewSelect(labels, nil)
	target.SetSelectedIndex(0)
	d := dialog.NewForm(fmt.Sprintf("Pick %d marked requests", len(m.list.Marked())), "Create and print slips", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("To", target)}, func(ok bool) {
			if ok && len(targets) > 0 {
				_ = m.PickMarked(targets[max(target.SelectedIndex(), 0)])
			}
		}, m.win)
	m.dialogs.show(d, fyne.NewSize(420, 200), nil)
}

// PickMarked creates pick requests for the marked requests and opens their
// slips in one PDF.
func (m *MainWindow) PickMarked(to domain.Station) error {
	ids := m.list.Marked()
	res := m.desk.PickMany(ids, to, m.actor())
	var picked []string
	for _, r := range res {
		if r.Err == nil {
			picked = append(picked, r.Request.ID)
		}
	}
	err := m.batchDone("picked to "+to.Label(), res)
	if len(picked) > 0 {
		m.openSlips(picked)
	}
	return err
}

// PrintMarkedSlips opens the pick slips of the marked requests in one PDF.
func (m *MainWindow) PrintMarkedSlips() {
	m.openSlips(m.list.Marked())
}

func (m *MainWindow) openSlips(ids []string) {
	path, err := m.desk.WritePickSlips(ids)
	if err != nil {
		m.showError(err)
		return
	}
	u, err := url.Parse(storage.NewFileURI(path).String())
	if err == nil {
		err = m.app.OpenURL(u)
	}
	if err != nil {
		m.showError(err)
	}
}

// batchDone reports a batch action: how many went through and, by name,
// the requests that were refused and why. Those refused stay marked.
func (m *MainWindow) batchDone(verb string, res []domain.BatchResult) error {
	var problems []string
	var changed []domain.Summary
	for _, r := range res {
		if r.Err != nil {
			ref := r.Ref
			if found, ok := m.list.find(r.Ref); ok {
				ref = found.Ref()
			}
			problems = append(problems, ref+": "+refusalText(r.Err))
			continue
		}
		delete(m.list.view.marked, r.Request.ID)
		changed = append(changed, r.Request.Summary())
	}
	m.list.updateRows(changed...)
	m.batch.show(len(m.list.Marked()))
	done := len(res) - len(problems)
	msg := fmt.Sprintf("%d of %d requests %s.", done, len(res), verb)
	m.FocusScanBar()
	if len(problems) > 0 {
		slices.Sort(problems)
		full := msg + " Not done: " + strings.Join(problems, " · ")
		m.showError(&domain.Refusal{Kind: domain.ErrInvalidInput, Msg: full})
		m.banner.show(full, false, false)
		return nil
	}
	m.showInfo(msg)
	m.banner.show(msg, true, false)
	return nil
}
