package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// AuditDialog is the audit log the top bar's history button opens.
type AuditDialog struct {
	link
	desk auditDesk
}

// auditDesk is what the audit log asks of the desk.
type auditDesk interface {
	Audit(f domain.AuditFilter) ([]domain.AuditEntry, error)
}

// AuditLog returns the audit trail for the filter fields as staff type them
// (operator, since date YYYY-MM-DD, request reference), newest first.
func (v *AuditDialog) AuditLog(operator, since, ref string) ([]domain.AuditEntry, error) {
	f := domain.AuditFilter{Operator: operator, Ref: ref}
	if strings.TrimSpace(since) != "" {
		t, err := domain.ParseAuditTime(since, nil, false)
		if err != nil {
			return nil, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", since)}
		}
		f.Since = t
	}
	return v.desk.Audit(f)
}

// ShowAudit opens the audit log: every change with who, where and when,
// filtered by operator, date and request, and exported as CSV.
func (v *AuditDialog) ShowAudit() {
	operator := v.dialogs.entry(false)
	operator.SetPlaceHolder("Operator")
	since := v.dialogs.entry(false)
	since.SetPlaceHolder("Since YYYY-MM-DD")
	ref := v.dialogs.entry(false)
	ref.SetPlaceHolder("Request (external id or id)")
	var entries []domain.AuditEntry
	list := widget.NewList(func() int { return len(entries) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := entries[i]
			text := fmt.Sprintf("%s  %s  %s  %s→%s  %s at %s", e.At.Local().Format("2006-01-02 15:04"), e.Ref, e.ActionLabel, e.From, e.To, e.Operator, e.Desk)
			if e.Note != "" {
				text += " — " + strings.ReplaceAll(e.Note, "\n", " ")
			}
			o.(*widget.Label).SetText(text)
		})
	status := widget.NewLabel("")
	load := func() {
		var err error
		if entries, err = v.AuditLog(operator.Text, since.Text, ref.Text); err != nil {
			entries = nil
			status.SetText(v.dialogs.refusal(err))
		} else {
			status.SetText(fmt.Sprintf("%d entries", len(entries)))
		}
		list.Refresh()
	}
	for _, e := range []*keyEntry{operator, since, ref} {
		e.OnSubmitted = func(string) { load() }
	}
	export := widget.NewButton("Export CSV…", func() {
		v.dialogs.saveFile("Export the audit log", "illdesk-audit.csv", func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			defer w.Close()
			if err := domain.WriteAuditCSV(w, entries); err != nil {
				status.SetText("The CSV could not be written: " + err.Error())
				return
			}
			path := filepath.FromSlash(w.URI().Path()) // C:\... on Windows, as staff know it
			if w.URI().Scheme() == "file" {
				// the log names staff and patrons: readable by this user only
				_ = os.Chmod(path, 0o600)
			}
			status.SetText(fmt.Sprintf("%d entries written to %s", len(entries), path))
		})
	})
	filters := container.NewGridWithColumns(4, operator, since, ref, widget.NewButton("Filter", load))
	content := container.NewBorder(filters, container.NewBorder(nil, nil, nil, export, status), nil, nil, list)
	d := dialog.NewCustom("Audit log", "Close", content, v.dialogs.win)
	load()
	v.dialogs.show(d, fyne.NewSize(1000, 600), operator)
}
