package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// BatchBar appears above the list when requests are marked: it says how
// many and offers the batch actions.
type BatchBar struct {
	link
	desk  batchDesk
	label *widget.Label
	box   *fyne.Container

	// marked are the ids of the marked requests, in list order; find
	// loads one; stations are the desks items may go to.
	marked   func() []string
	find     func(ref string) (domain.Request, bool)
	stations func() []domain.Station
	// done unmarks the requests a batch action changed and puts them in
	// the list.
	done func(changed []domain.Summary)
}

// batchDesk is what the batch bar asks of the desk.
type batchDesk interface {
	RejectMany(refs []string, reason domain.Reason, note, partnerNote string, by domain.Actor) []domain.BatchResult
	PickMany(refs []string, to domain.Station, by domain.Actor) []domain.BatchResult
}

func newBatchBar(l link, d batchDesk, clearMarks func()) *BatchBar {
	b := &BatchBar{link: l, desk: d, label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	reject := widget.NewButtonWithIcon("Reject marked…", theme.CancelIcon(), b.ShowRejectMarked)
	reject.Importance = widget.DangerImportance
	b.box = container.NewHBox(b.label,
		reject,
		widget.NewButtonWithIcon("Pick marked…", theme.MailForwardIcon(), b.ShowPickMarked),
		widget.NewButtonWithIcon("Print slips", theme.DocumentPrintIcon(), b.PrintMarkedSlips),
		widget.NewButtonWithIcon("Clear marks", theme.ContentClearIcon(), clearMarks))
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
func (b *BatchBar) ShowRejectMarked() {
	n := len(b.marked())
	b.dialogs.reject(fmt.Sprintf("Reject %d marked requests", n), fmt.Sprintf("Reject %d requests", n), b.RejectMarked)
}

// RejectMarked rejects every marked request with one reason; those that
// cannot be rejected are named and stay as they were.
func (b *BatchBar) RejectMarked(reason domain.Reason, note, partnerNote string) error {
	ids := b.marked()
	if len(ids) == 0 {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Mark the requests to reject first."}
	}
	if _, err := domain.ParseReason(string(reason)); err != nil {
		return err // nothing tried: the dialog stays open
	}
	return b.batchDone("rejected", b.desk.RejectMany(ids, reason, note, partnerNote, b.actor()))
}

// ShowPickMarked asks where the marked requests' items go.
func (b *BatchBar) ShowPickMarked() {
	var targets []domain.Station
	for _, st := range b.stations() {
		if st.Kind == domain.StationRS || st.Kind == domain.StationDigitization {
			targets = append(targets, st)
		}
	}
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = t.Label()
	}
	target := b.dialogs.selector(labels, nil)
	target.SetSelectedIndex(0)
	var d dialog.Dialog
	create := b.dialogs.button("Create and print slips", nil, func() {
		d.Hide()
		if len(targets) > 0 {
			_ = b.PickMarked(targets[max(target.SelectedIndex(), 0)])
		}
	})
	create.Importance = widget.HighImportance
	d = b.dialogs.open(fmt.Sprintf("Pick %d marked requests", len(b.marked())),
		widget.NewForm(widget.NewFormItem("To", target)), "Cancel", create, fyne.NewSize(420, 200), target)
}

// PickMarked creates pick requests for the marked requests and prints their
// slips as one job, or opens them as one PDF, as slip-output says.
func (b *BatchBar) PickMarked(to domain.Station) error {
	ids := b.marked()
	res := b.desk.PickMany(ids, to, b.actor())
	var picked []string
	for _, r := range res {
		if r.Err == nil {
			picked = append(picked, r.Request.ID)
		}
	}
	err := b.batchDone("picked to "+to.Label(), res)
	if len(picked) > 0 {
		b.pickSlips(picked)
	}
	return err
}

// PrintMarkedSlips prints the pick slips of the marked requests as one job,
// or opens them as one PDF, as slip-output says.
func (b *BatchBar) PrintMarkedSlips() {
	b.pickSlips(b.marked())
}

// batchDone reports a batch action: how many went through and, by name,
// the requests that were refused and why. Those refused stay marked.
func (b *BatchBar) batchDone(verb string, res []domain.BatchResult) error {
	var problems []string
	var changed []domain.Summary
	for _, r := range res {
		if r.Err != nil {
			ref := r.Ref
			if found, ok := b.find(r.Ref); ok {
				ref = found.Ref()
			}
			problems = append(problems, ref+": "+refusalText(r.Err))
			continue
		}
		changed = append(changed, r.Request.Summary())
	}
	b.done(changed)
	b.show(len(b.marked()))
	done := len(res) - len(problems)
	msg := fmt.Sprintf("%d of %d requests %s.", done, len(res), verb)
	b.focus()
	if len(problems) > 0 {
		slices.Sort(problems)
		full := msg + " Not done: " + strings.Join(problems, " · ")
		b.announce(full, false, false)
		return nil
	}
	b.announce(msg, true, false)
	return nil
}
