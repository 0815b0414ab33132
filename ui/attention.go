package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	ttwidget "github.com/dweymouth/fyne-tooltip/widget"

	"github.com/illdesk/illdesk/domain"
)

// AttentionButton says on the top bar, and on the window's title, how many
// requests need attention, and lists them when pressed.
type AttentionButton struct {
	link
	desk   attentionDesk
	button *ttwidget.Button
	// count is how many things need attention; the list itself is made
	// when staff open it, not kept (thousands, on a department database).
	count int
	// listing is every request's summary (the list's); reveal selects one;
	// counted is told when the count may have changed (the title).
	listing func() *domain.Listing
	// server says the list is the department database's own, with no
	// listing: the requests are then checked there (CountAttention,
	// CheckAttention). checking is set while a check runs or pauses after
	// it, again when one was asked meanwhile; after waits on Fyne's
	// goroutine (MainWindow.after).
	server          bool
	checking, again bool
	after           func(d time.Duration, fn func())
	reveal          func(domain.Summary)
	counted         func()
	// summary is what the title says of them ("" when nothing waits).
	summary string
	// held is how many messages from unknown libraries wait; quarantine
	// opens them.
	held       int
	quarantine func()
	// review opens a partner's settings, for the items about a partner.
	review func(code string)
}

// attentionDesk is what the attention button asks of the desk.
type attentionDesk interface {
	PrepareAttention() (domain.AttentionCheck, error)
	CheckAttention() (domain.AttentionCheck, []domain.Attention, error)
	CountAttention() (domain.AttentionCheck, int, error)
}

func newAttentionButton(l link, d attentionDesk) *AttentionButton {
	b := &AttentionButton{link: l, desk: d}
	b.button = toolButton(theme.WarningIcon(), "Needs attention: requests past a deadline or waiting too long, failing messages", b.ShowAttention)
	return b
}

// refresh counts the requests that need attention and shows the
// count on the title bar and its button. What it reads from the store (the
// outbox, the deliveries) is read off the UI thread; the requests are the
// window's listing, checked on the UI thread, which owns it.
//
// On a department database the check reads every active request from the
// server, tens of thousands at a large department: one check runs at a
// time, and those asked meanwhile (after every scan of a busy desk) are
// made once, attentionPause after it ends.
func (b *AttentionButton) refresh() {
	if b.server {
		if b.checking {
			b.again = true
			return
		}
		b.checking = true
		b.run(func() {
			c, n, err := b.desk.CountAttention()
			b.do(func() {
				if err != nil {
					b.fail(err)
				} else {
					b.showCount(n, c.Held())
				}
				if !b.again {
					b.checking = false
					return
				}
				b.again = false
				b.after(attentionPause, func() {
					b.checking = false
					b.refresh()
				})
			})
		})
		return
	}
	b.run(func() {
		c, err := b.desk.PrepareAttention()
		b.do(func() {
			if err != nil {
				b.fail(err)
				return
			}
			b.showCount(len(c.Among(b.listing())), c.Held())
		})
	})
}

// check lists what needs attention now, with the check it came from.
func (b *AttentionButton) check() (domain.AttentionCheck, []domain.Attention, error) {
	if b.server {
		return b.desk.CheckAttention()
	}
	c, err := b.desk.PrepareAttention()
	if err != nil {
		return c, nil, err
	}
	return c, c.Among(b.listing()), nil
}

// attentionPause is how long after a check of a department database the
// checks asked meanwhile are made.
const attentionPause = 5 * time.Second

// showCount puts how many things need attention, and how many messages
// from unknown libraries wait, on the title bar and its button.
func (b *AttentionButton) showCount(n, held int) {
	b.count, b.held = n, held
	var parts []string
	if n > 0 {
		parts = append(parts, fmt.Sprintf("%d need attention", n))
	}
	if held > 0 {
		parts = append(parts, fmt.Sprintf("%d from unknown libraries", held))
	}
	if len(parts) > 0 {
		// the title says which; the button, kept short beside the scan
		// bar, counts each held message as one more thing to look at
		b.button.SetText(fmt.Sprintf("%d need attention", n+held))
		b.button.Importance = widget.WarningImportance
	} else {
		b.button.SetText("Nothing waiting")
		b.button.Importance = widget.LowImportance
	}
	b.button.Refresh()
	b.summary = strings.Join(parts, ", ")
	b.counted()
}

// ShowAttention lists what needs attention, most urgent first; choosing a
// line opens that request.
func (b *AttentionButton) ShowAttention() {
	c, items, err := b.check()
	if err != nil {
		b.fail(err)
		return
	}
	b.showCount(len(items), c.Held())
	var d dialog.Dialog
	list := b.dialogs.list(func() int { return len(items) },
		func() fyne.CanvasObject {
			side := widget.NewLabelWithStyle("Borrowing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, container.NewGridWrap(side.MinSize(), side), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			side := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
			side.SetText(attentionSide(items[i]))
			row.Objects[0].(*widget.Label).SetText(attentionLine(items[i]))
		})
	list.OnSelected = func(i widget.ListItemID) {
		d.Hide()
		if code := items[i].Partner; code != "" {
			b.review(code) // a partner's item is seen to in its settings
			return
		}
		b.reveal(items[i].Request)
	}
	var content fyne.CanvasObject = list
	if len(items) == 0 {
		content = widget.NewLabel("Nothing needs attention: no request has waited too long, no loan is overdue, nothing to a partner is failing.")
	}
	if b.held > 0 && b.quarantine != nil {
		review := b.dialogs.button(fmt.Sprintf("%d messages from unknown libraries wait: review them…", b.held),
			theme.MailComposeIcon(), func() {
				d.Hide()
				b.quarantine()
			})
		review.Importance = widget.WarningImportance
		review.Alignment = widget.ButtonAlignLeading
		content = container.NewBorder(review, nil, nil, nil, content)
	}
	d = b.dialogs.open("Needs attention", content, "Close", nil, fyne.NewSize(900, 500), nil)
}

// attentionSide is the first column of a Needs attention line: which side
// of the desk the request is on, or that the line is about a partner.
func attentionSide(a domain.Attention) string {
	if a.Partner != "" {
		return "Partner"
	}
	return sideLabel(a.Request.Side)
}

// attentionLine is the rest of a Needs attention line: the request and why.
func attentionLine(a domain.Attention) string {
	if a.Partner != "" {
		return a.Why
	}
	return fmt.Sprintf("%s  %s — %s", a.Request.ListRef(), a.Request.Title, a.Why)
}

// Attention lists what needs attention now, most urgent first, as the
// dialog does.
func (b *AttentionButton) Attention() ([]domain.Attention, error) {
	_, items, err := b.check()
	return items, err
}

// Count is how many things the button last said need attention.
func (b *AttentionButton) Count() int { return b.count }

// Held is how many messages from unknown libraries wait.
func (b *AttentionButton) Held() int { return b.held }
