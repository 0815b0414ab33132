package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// detailActions are the handlers the details pane's buttons call.
type detailActions struct {
	eresources, moveRequest, digitization, reprintSlip, reject, badCitation, cancel func()
	// receive takes the barcode typed or scanned into the Receive field.
	receive func(barcode string)
	// retryNotice sends a failed patron notice again.
	retryNotice func(id string)
}

// DetailsPane is the right pane: the request as the requester filled it in,
// our holdings, e-resources, notes, the actions legal in its state, the
// drop area for the scan and the history.
type DetailsPane struct {
	desk    *domain.Desk
	actions detailActions
	drop    *DropArea
	box     *fyne.Container
	scroll  *container.Scroll
	empty   *widget.Label
	// buttons holds the action buttons shown for the current request, by label.
	buttons map[string]*widget.Button
	// receiveEntry is the Receive field of a borrowing request awaiting receipt.
	receiveEntry *keyEntry
	// navKey and shortcut pass keys from the pane's fields to the window.
	navKey   func(*fyne.KeyEvent) bool
	shortcut func(fyne.Shortcut) bool
}

func newDetailsPane(d *domain.Desk, drop *DropArea, a detailActions) *DetailsPane {
	p := &DetailsPane{desk: d, drop: drop, actions: a, box: container.NewVBox(),
		empty:   widget.NewLabel("Select a request in the list, or scan its external identifier."),
		buttons: map[string]*widget.Button{}}
	p.empty.Wrapping = fyne.TextWrapWord
	p.scroll = container.NewVScroll(p.box)
	p.clear()
	return p
}

func (p *DetailsPane) object() fyne.CanvasObject { return p.scroll }

// clear shows the hint that nothing is selected.
func (p *DetailsPane) clear() {
	p.buttons = map[string]*widget.Button{}
	p.box.Objects = []fyne.CanvasObject{p.empty}
	p.box.Refresh()
}

// show fills the pane for a request.
// queues are what waits for, or went to, the patron and the partner about a request.
type queues struct {
	notices    []domain.Notice
	messages   []domain.OutboxMessage
	deliveries []domain.Delivery
}

func (p *DetailsPane) show(r domain.Request, q queues) {
	p.buttons = map[string]*widget.Button{}
	p.receiveEntry = nil
	var objs []fyne.CanvasObject
	add := func(o ...fyne.CanvasObject) { objs = append(objs, o...) }

	// Everything wraps, so that on a small screen the pane can be narrow
	// and leave the list its room.
	add(wrappedRich(r.Ref(), widget.RichTextStyleHeading))
	status := widget.NewLabelWithStyle(r.StatusLabel()+"  ·  "+r.Partner+"  ·  "+sideLabel(r.Side),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	status.Wrapping = fyne.TextWrapWord
	add(status)
	if left, ok := p.desk.TimeLeft(r.Deadline); ok && r.Active() {
		t := widget.NewLabelWithStyle("Time left: "+formatTimeLeft(left, ok)+"  (due "+dateTime(r.Deadline)+")",
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Wrapping = fyne.TextWrapWord
		if left < urgentLeft {
			t.Importance = widget.DangerImportance
		}
		add(t)
	}

	if line := citationLine(r); line != "" {
		add(wrappedRich(line, widget.RichTextStyleSubHeading))
	}
	if r.Side == domain.Lending && r.Can(domain.ActShip) {
		add(p.drop.object())
	}
	if r.Side == domain.Borrowing && r.Can(domain.ActReceive) {
		add(p.receiveRow())
	}
	if acts := p.actionButtons(r); len(acts) > 0 {
		add(container.NewGridWrap(fyne.NewSize(230, theme.Size(theme.SizeNameText)*2.6), acts...))
	}

	add(sectionTitle("Requested"))
	title := widget.NewLabelWithStyle(r.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	add(title)
	if r.ArticleTitle != "" {
		add(wrapped(r.ArticleTitle))
	}
	if r.Author != "" {
		add(wrapped(r.Author))
	}
	add(fields(
		"Journal", r.Journal, "ISSN", r.ISSN, "ISBN", r.ISBN, "DOI", r.DOI, "OCLC", r.OCLC,
		"Service", r.ServiceType, "Format", r.Format.Label())...)

	if r.Side == domain.Borrowing {
		add(sectionTitle("Patron"))
		add(fields("Requester", r.Requester, "Email", r.RequesterEmail, "Pickup", r.Pickup,
			"Item barcode", r.ItemBarcode, "Hold until", dateOnly(r.HoldUntil), "Due", dateOnly(r.DueDate))...)
	} else {
		add(sectionTitle("Holdings"))
		if r.Location == "" && r.CallNumber == "" && r.ItemBarcode == "" {
			add(widget.NewLabel("No print holdings recorded."))
		}
		add(fields("Location", r.Location, "Call number", r.CallNumber, "Item barcode", r.ItemBarcode)...)
		if r.PickTarget != "" {
			st, _ := domain.ParseStation(r.PickTarget)
			add(fields("Pick to", st.Label())...)
		}
		if len(r.EResources) > 0 {
			add(sectionTitle("E-resource collections"))
			for _, e := range r.EResources {
				if u, err := url.Parse(e.URL); err == nil {
					add(widget.NewHyperlink(e.Name, u))
				} else {
					add(widget.NewLabel(e.Name + " " + e.URL))
				}
			}
		}
	}
	if len(q.notices) > 0 {
		add(sectionTitle("Patron notice"))
		for _, n := range q.notices {
			add(p.noticeRow(n))
		}
	}
	if len(q.messages) > 0 || len(q.deliveries) > 0 {
		add(sectionTitle("To the partner"))
		for _, msg := range q.messages {
			add(queueRow("Message "+msg.Summary, msg.Status, msg.Where, msg.LastError, msg.Status == domain.MessageFailed))
		}
		for _, d := range q.deliveries {
			add(queueRow(fmt.Sprintf("File %s by %s", d.File, d.Method), d.Status, d.Where, d.LastError, d.Status == domain.DeliveryFailed))
		}
	}
	if r.InternalNote != "" || r.PartnerNote != "" || r.RejectReason != "" {
		add(sectionTitle("Notes"))
		add(fields("Reject reason", reasonLabel(r.RejectReason), "Internal", r.InternalNote, "To partner", r.PartnerNote)...)
	}
	if f := r.ShippedFile; f != nil {
		add(sectionTitle("Shipped file"))
		add(fields("File", f.Name, "Pages", fmt.Sprint(f.Pages), "Size", domain.HumanBytes(f.Bytes), "SHA-256", f.SHA256)...)
	}

	add(sectionTitle("History"))
	for i := len(r.History) - 1; i >= 0; i-- {
		ev := r.History[i]
		line := fmt.Sprintf("%s — %s — %s at %s", dateTime(ev.At), ev.Action.Label(), ev.Actor, ev.Desk)
		if ev.Note != "" {
			line += "\n" + ev.Note
		}
		add(wrapped(line))
	}
	p.box.Objects = objs
	p.box.Refresh()
	p.scroll.ScrollToTop()
}

// actionButtons makes the buttons for the actions legal in the request's state.
func (p *DetailsPane) actionButtons(r domain.Request) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	button := func(label string, icon fyne.Resource, imp widget.Importance, fn func()) {
		b := widget.NewButtonWithIcon(label, icon, fn)
		b.Importance = imp
		p.buttons[label] = b
		out = append(out, b)
	}
	if r.Side == domain.Lending {
		if r.Can(domain.ActShip) {
			button("Download Electronic Resource", theme.DownloadIcon(), widget.MediumImportance, p.actions.eresources)
		}
		if r.Can(domain.ActPick) {
			button("Create Move Request", theme.MailForwardIcon(), widget.MediumImportance, p.actions.moveRequest)
			button("Create Digitization Request", theme.DocumentIcon(), widget.MediumImportance, p.actions.digitization)
		}
		if r.State == domain.PickRequested {
			button("Print pick slip again", theme.DocumentPrintIcon(), widget.MediumImportance, p.actions.reprintSlip)
		}
		if r.Can(domain.ActReject) {
			button("Reject", theme.CancelIcon(), widget.DangerImportance, p.actions.reject)
		}
		if r.Can(domain.ActBadCitation) {
			button("Bad citation", theme.QuestionIcon(), widget.WarningImportance, p.actions.badCitation)
		}
	}
	if r.Side == domain.Borrowing && r.Can(domain.ActCancel) {
		button("Cancel request", theme.CancelIcon(), widget.DangerImportance, p.actions.cancel)
	}
	return out
}

func sectionTitle(s string) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle(strings.ToUpper(s), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// wrappedRich is styled text that wraps at word boundaries.
func wrappedRich(s string, style widget.RichTextStyle) *widget.RichText {
	t := widget.NewRichText(&widget.TextSegment{Text: s, Style: style})
	t.Wrapping = fyne.TextWrapWord
	return t
}

// fields lays out label/value pairs, skipping blank values.
func fields(kv ...string) []fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		k := widget.NewLabelWithStyle(kv[i], fyne.TextAlignLeading, fyne.TextStyle{})
		v := widget.NewLabelWithStyle(kv[i+1], fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		v.Wrapping = fyne.TextWrapWord
		form.Add(k)
		form.Add(v)
	}
	if len(form.Objects) == 0 {
		return nil
	}
	return []fyne.CanvasObject{form}
}

func dateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("Mon 2 Jan 2006")
}

func reasonLabel(r domain.Reason) string {
	if r == "" {
		return ""
	}
	return r.Label()
}

// receiveRow is the Receive field: scan or type the barcode of the temporary
// item stuck on the book, then Return (or Go).
func (p *DetailsPane) receiveRow() fyne.CanvasObject {
	p.receiveEntry = newKeyEntry()
	p.receiveEntry.SetPlaceHolder("Scan or type the item barcode to receive")
	submit := func(code string) {
		if p.actions.receive != nil {
			p.actions.receive(code)
		}
	}
	p.receiveEntry.OnSubmitted = submit
	p.receiveEntry.onKey = p.navKey
	p.receiveEntry.onShortcut = p.shortcut
	entry := p.receiveEntry
	goButton := widget.NewButtonWithIcon("Go", theme.ConfirmIcon(), func() { submit(entry.Text) })
	goButton.Importance = widget.HighImportance
	label := widget.NewLabelWithStyle("Receive", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(nil, nil, label, goButton, entry)
}

// noticeRow shows one patron notice: where it stands, and Retry when it failed.
func (p *DetailsPane) noticeRow(n domain.Notice) fyne.CanvasObject {
	text := fmt.Sprintf("%s to %s — %s", n.Subject, n.To, n.Status.Label())
	switch {
	case n.Status == domain.NoticeSent:
		text += " " + dateTime(n.SentAt) + " (" + n.Where + ")"
	case n.LastError != "":
		text += ": " + n.LastError
	}
	l := wrapped(text)
	switch n.Status {
	case domain.NoticeSent:
		l.Importance = widget.SuccessImportance
	case domain.NoticeFailed:
		l.Importance = widget.DangerImportance
	}
	if n.Status != domain.NoticeFailed {
		return l
	}
	id := n.ID
	retry := widget.NewButtonWithIcon("Retry now", theme.ViewRefreshIcon(), func() { p.actions.retryNotice(id) })
	p.buttons["Retry now"] = retry
	return container.NewBorder(nil, nil, nil, retry, l)
}

// queueRow shows one message or file on its way to the partner: sent,
// waiting, or failed with the reason (it is retried).
func queueRow(what, status, where, lastErr string, failed bool) fyne.CanvasObject {
	text := what + " — " + status
	switch {
	case failed:
		text += ": " + lastErr + " (will retry)"
	case where != "":
		text += " (" + where + ")"
	}
	l := wrapped(text)
	switch {
	case failed:
		l.Importance = widget.DangerImportance
	case status == domain.MessageSent || status == domain.DeliveryDelivered:
		l.Importance = widget.SuccessImportance
	}
	return l
}
