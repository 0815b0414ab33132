package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// refreshAttention counts the requests that need attention and shows the
// count on the title bar and its button. What it reads from the store (the
// outbox, the deliveries) is read off the UI thread; the requests are the
// window's listing, checked on the UI thread, which owns it.
func (m *MainWindow) refreshAttention() {
	m.run(func() {
		c, err := m.desk.PrepareAttention()
		m.Do(func() {
			if err != nil {
				m.showError(err)
				return
			}
			m.showAttentionCount(c.Among(m.list.listing))
		})
	})
}

// showAttentionCount puts what needs attention on the title bar and its button.
func (m *MainWindow) showAttentionCount(list []domain.Attention) {
	m.attention = list
	title := WindowTitle
	if n := len(list); n > 0 {
		title = fmt.Sprintf("%s — %d need attention", WindowTitle, n)
		m.attentionButton.SetText(fmt.Sprintf("%d need attention", n))
		m.attentionButton.Importance = widget.WarningImportance
	} else {
		m.attentionButton.SetText("Nothing waiting")
		m.attentionButton.Importance = widget.LowImportance
	}
	m.attentionButton.Refresh()
	m.win.SetTitle(title)
}

// ShowAttention lists what needs attention, most urgent first; choosing a
// line opens that request.
func (m *MainWindow) ShowAttention() {
	c, err := m.desk.PrepareAttention()
	if err != nil {
		m.showError(err)
		return
	}
	items := c.Among(m.list.listing)
	m.showAttentionCount(items)
	var d dialog.Dialog
	list := widget.NewList(func() int { return len(items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			a := items[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s — %s", a.Request.Ref(), a.Request.Title, a.Why))
		})
	list.OnSelected = func(i widget.ListItemID) {
		r := items[i].Request
		d.Hide()
		m.list.revealRequest(r)
	}
	var content fyne.CanvasObject = list
	if len(items) == 0 {
		content = widget.NewLabel("Nothing needs attention: no request has waited too long, no loan is overdue, nothing to a partner is failing.")
	}
	d = dialog.NewCustom("Needs attention", "Close", content, m.win)
	m.dialogs.show(d, fyne.NewSize(900, 500), nil)
}

// Attention is what needs attention now, most urgent first.
func (m *MainWindow) Attention() []domain.Attention { return m.attention }
