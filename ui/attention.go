package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// AttentionButton says on the top bar, and on the window's title, how many
// requests need attention, and lists them when pressed.
type AttentionButton struct {
	link
	desk      attentionDesk
	button    *widget.Button
	attention []domain.Attention
	// listing is every request's summary (the list's); reveal selects one;
	// setTitle puts the window's title.
	listing  func() *domain.Listing
	reveal   func(domain.Summary)
	setTitle func(string)
}

// attentionDesk is what the attention button asks of the desk.
type attentionDesk interface {
	PrepareAttention() (domain.AttentionCheck, error)
}

func newAttentionButton(l link, d attentionDesk) *AttentionButton {
	b := &AttentionButton{link: l, desk: d}
	b.button = widget.NewButtonWithIcon("", theme.WarningIcon(), b.ShowAttention)
	return b
}

// refresh counts the requests that need attention and shows the
// count on the title bar and its button. What it reads from the store (the
// outbox, the deliveries) is read off the UI thread; the requests are the
// window's listing, checked on the UI thread, which owns it.
func (b *AttentionButton) refresh() {
	b.run(func() {
		c, err := b.desk.PrepareAttention()
		b.do(func() {
			if err != nil {
				b.fail(err)
				return
			}
			b.showCount(c.Among(b.listing()))
		})
	})
}

// showCount puts what needs attention on the title bar and its button.
func (b *AttentionButton) showCount(list []domain.Attention) {
	b.attention = list
	title := WindowTitle
	if n := len(list); n > 0 {
		title = fmt.Sprintf("%s — %d need attention", WindowTitle, n)
		b.button.SetText(fmt.Sprintf("%d need attention", n))
		b.button.Importance = widget.WarningImportance
	} else {
		b.button.SetText("Nothing waiting")
		b.button.Importance = widget.LowImportance
	}
	b.button.Refresh()
	b.setTitle(title)
}

// ShowAttention lists what needs attention, most urgent first; choosing a
// line opens that request.
func (b *AttentionButton) ShowAttention() {
	c, err := b.desk.PrepareAttention()
	if err != nil {
		b.fail(err)
		return
	}
	items := c.Among(b.listing())
	b.showCount(items)
	var d dialog.Dialog
	list := widget.NewList(func() int { return len(items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			a := items[i]
			if a.Partner != "" {
				o.(*widget.Label).SetText(a.Why)
				return
			}
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s — %s", a.Request.Ref(), a.Request.Title, a.Why))
		})
	list.OnSelected = func(i widget.ListItemID) {
		r := items[i].Request
		d.Hide()
		if items[i].Partner == "" { // a partner's item is seen to in Settings
			b.reveal(r)
		}
	}
	var content fyne.CanvasObject = list
	if len(items) == 0 {
		content = widget.NewLabel("Nothing needs attention: no request has waited too long, no loan is overdue, nothing to a partner is failing.")
	}
	d = dialog.NewCustom("Needs attention", "Close", content, b.dialogs.win)
	b.dialogs.show(d, fyne.NewSize(900, 500), nil)
}

// Attention is what needs attention now, most urgent first.
func (b *AttentionButton) Attention() []domain.Attention { return b.attention }
