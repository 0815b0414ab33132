package ui

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// detailsDesk is what the details pane asks of the desk.
type detailsDesk interface {
	TimeLeft(deadline time.Time) (left time.Duration, ok bool)
	Pick(ref string, to domain.Station, itemBarcode string, by domain.Actor) (domain.Request, error)
	Reject(ref string, reason domain.Reason, note, partnerNote string, by domain.Actor) (domain.Request, error)
	BadCitation(ref, partnerNote string, by domain.Actor) (domain.Request, error)
	lenderDesk
	lentBookDesk
	queueDesk
	LookUpHoldings(ctx context.Context, ref string, by domain.Actor) (domain.Request, error)
	ResolverLink(r domain.Request) (domain.EResource, bool)
}

// DetailsPane is the right pane: the request as the requester filled it in,
// our holdings, e-resources, notes, the actions legal in its state (and
// their dialogs), the drop area for the scan and the history.
type DetailsPane struct {
	link
	desk detailsDesk
	// dropArea is the drop area's canvas object, shown for a lending
	// request that may ship.
	dropArea fyne.CanvasObject
	// selected is the request shown (ListPane.Selected); settings the
	// department's settings; stations the desks a request may go to.
	selected func() (domain.Request, bool)
	settings func() domain.Settings
	stations func() []domain.Station
	box      *fyne.Container
	scroll   *container.Scroll
	empty    *widget.Label
	// shown is the id of the request in the pane: showing it again (its
	// holdings arrived, a partner's message) keeps the pane where staff
	// scrolled it; another request starts at the top.
	shown string
	// buttons holds the action buttons shown for the current request, by label.
	buttons map[string]*widget.Button
	// borrowing and lent are the parts of the pane for a borrowing
	// request and for a book we lend: their rows and actions; queue is
	// what waits for, or went to, the patron and the partner.
	borrowing *borrowingSection
	lent      *lentBookSection
	queue     *queueSection
}

func newDetailsPane(l link, d detailsDesk, dropArea fyne.CanvasObject) *DetailsPane {
	p := &DetailsPane{link: l, desk: d, dropArea: dropArea, box: container.NewVBox(),
		empty:   widget.NewLabel("Select a request in the list, or scan its external identifier."),
		buttons: map[string]*widget.Button{}}
	p.empty.Wrapping = fyne.TextWrapWord
	selected := func() (domain.Request, bool) { return p.selected() }
	p.borrowing = &borrowingSection{link: l, desk: d, selected: selected}
	p.lent = &lentBookSection{link: l, desk: d, selected: selected}
	p.queue = &queueSection{link: l, desk: d, selected: selected}
	p.scroll = container.NewVScroll(p.box)
	p.clear()
	return p
}

func (p *DetailsPane) object() fyne.CanvasObject { return p.scroll }

// clear shows the hint that nothing is selected.
func (p *DetailsPane) clear() {
	p.buttons = map[string]*widget.Button{}
	p.shown = ""
	p.box.Objects = []fyne.CanvasObject{p.empty}
	p.box.Refresh()
}

// show fills the pane for a request.
func (p *DetailsPane) show(r domain.Request, q queues) {
	p.buttons = map[string]*widget.Button{}
	p.borrowing.receiveEntry = nil
	var objs []fyne.CanvasObject
	add := func(o ...fyne.CanvasObject) { objs = append(objs, o...) }
	keep := func(b *widget.Button) { p.buttons[b.Text] = b }

	// Everything wraps, so that on a small screen the pane can be narrow
	// and leave the list its room.
	add(wrappedRich(detailsHeading(r), widget.RichTextStyleHeading))
	status := widget.NewLabelWithStyle(r.StatusLabel()+"  ·  "+r.Partner+"  ·  "+sideLabel(r.Side),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	status.Wrapping = fyne.TextWrapWord
	add(status)
	if left, ok := p.desk.TimeLeft(r.Deadline); ok && r.ClockRuns() {
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
		add(p.dropArea)
	}
	if r.Side == domain.Borrowing && r.Can(domain.ActReceive) {
		add(p.borrowing.receiveRow())
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
		add(p.borrowing.rows(r)...)
	} else {
		add(sectionTitle("Holdings"))
		if r.Location == "" && r.CallNumber == "" && r.ItemBarcode == "" {
			add(widget.NewLabel("No print holdings recorded."))
		}
		add(fields("Location", r.Location, "Call number", r.CallNumber, "Item barcode", r.ItemBarcode)...)
		add(p.catalogueRows(r)...)
		if r.PickTarget != "" {
			st, _ := domain.ParseStation(r.PickTarget)
			add(fields("Pick to", st.Label())...)
		}
		add(p.lent.rows(r)...)
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
	add(p.queue.rows(q, keep)...)
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
	if r.ID != p.shown {
		p.shown = r.ID
		p.scroll.ScrollToTop()
	}
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
			button("Download Electronic Resource", theme.DownloadIcon(), widget.MediumImportance, p.ShowEResources)
		}
		if r.Can(domain.ActPick) {
			button("Create Move Request", theme.MailForwardIcon(), widget.MediumImportance, func() { p.ShowPick(domain.StationRS) })
			button("Create Digitization Request", theme.DocumentIcon(), widget.MediumImportance, func() { p.ShowPick(domain.StationDigitization) })
		}
		if r.State == domain.PickRequested {
			button("Print pick slip again", theme.DocumentPrintIcon(), widget.MediumImportance, p.ReprintSlip)
		}
		if r.Can(domain.ActReject) {
			button("Reject", theme.CancelIcon(), widget.DangerImportance, p.ShowReject)
		}
		if r.Can(domain.ActBadCitation) {
			button("Bad citation", theme.QuestionIcon(), widget.WarningImportance, p.ShowBadCitation)
		}
		p.lent.actions(r, button)
	}
	if r.Side == domain.Borrowing {
		p.borrowing.actions(r, button)
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

// open shows a request with what waits for, or went to, its patron and partner.
func (p *DetailsPane) open(r domain.Request) {
	p.show(r, p.queue.load(r))
}

// catalogueRows are what the library's catalogue said of the title: each
// holding and where it came from, "Not found in the catalogue" with Reject
// NotHeld, or why the lookup failed; then Look up holdings.
func (p *DetailsPane) catalogueRows(r domain.Request) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, h := range r.CatalogueHoldings {
		line := strings.Join(nonBlank(h.Location, h.CallNumber, h.ItemBarcode), "  ·  ")
		if h.Note != "" {
			line += "  (" + h.Note + ")"
		}
		out = append(out, wrapped(line+"\nfrom "+h.Source))
	}
	if l := r.Lookup; l != nil {
		switch {
		case l.Problem != "":
			w := wrapped("The catalogue could not be searched (" + dateTime(l.At) + "): " + l.Problem)
			w.Importance = widget.WarningImportance
			out = append(out, w)
		case l.NotFound:
			out = append(out, wrapped("Not found in the catalogue ("+l.Source+", "+dateTime(l.At)+")."))
			if r.Can(domain.ActReject) {
				b := widget.NewButtonWithIcon(rejectNotHeldLabel, theme.CancelIcon(), p.RejectNotHeld)
				b.Importance = widget.DangerImportance
				p.buttons[rejectNotHeldLabel] = b
				out = append(out, container.NewHBox(b))
			}
		}
	}
	if r.Active() {
		b := widget.NewButtonWithIcon(lookUpLabel, theme.SearchIcon(), p.LookUpHoldings)
		p.buttons[lookUpLabel] = b
		out = append(out, container.NewHBox(b))
	}
	return out
}

// The labels of the catalogue's buttons.
const (
	lookUpLabel        = "Look up holdings"
	rejectNotHeldLabel = "Reject: not held"
)

// LookUpHoldings looks the selected request's holdings up in the catalogue,
// off Fyne's goroutine, and shows them when they arrive; the status line
// says when the catalogue could not be searched.
func (p *DetailsPane) LookUpHoldings() {
	r, ok := p.selected()
	if !ok {
		return
	}
	by := p.actor()
	p.info("Looking up " + r.Ref() + " in the catalogue…")
	p.run(func() {
		got, err := p.desk.LookUpHoldings(context.Background(), r.ID, by)
		p.do(func() {
			if got.ID != "" {
				p.refresh(got.ID)
			}
			if err != nil {
				p.fail(err)
				return
			}
			p.sayLookup(got)
		})
	})
}

// sayLookup puts on the status line what the last lookup of r found.
func (p *DetailsPane) sayLookup(r domain.Request) {
	switch l := r.Lookup; {
	case l == nil:
	case l.Problem != "":
		p.fail(&domain.Refusal{Kind: domain.ErrCatalogue, Msg: r.Ref() + ": the catalogue could not be searched: " + l.Problem})
	case l.NotFound:
		p.info(r.Ref() + ": not found in the catalogue.")
	default:
		p.info(fmt.Sprintf("%s: %d holdings found in the catalogue.", r.Ref(), len(r.CatalogueHoldings)))
	}
}

// LookedUp shows what a lookup in the background (of a request just
// created, here or through a partner's message) stored in r: call it on
// Fyne's goroutine. Its row is read again a moment from now; when r is in
// the details pane, the pane shows the holdings at once and the status
// line says what was found, as after Look up holdings, since staff may be
// reading that request while its holdings arrive.
func (m *MainWindow) LookedUp(r domain.Request) {
	if r.ID != m.list.selected {
		m.RefreshSoon(r.ID)
		return
	}
	m.list.refreshRequests([]string{r.ID})
	m.details.sayLookup(r)
}

// RejectNotHeld rejects the selected request with reason NotHeld, as the
// catalogue does not have the title.
func (p *DetailsPane) RejectNotHeld() {
	if err := p.Reject(domain.ReasonNotHeld, "Not found in the catalogue", ""); err != nil {
		p.fail(err)
	}
}

// ---- the actions' dialogs ----

// ShowEResources lists the e-resource collections that hold the title, each a
// link that opens in the browser, and the catalogue search; "None of them
// has it" leads straight to Reject.
func (p *DetailsPane) ShowEResources() {
	r, ok := p.selected()
	if !ok {
		return
	}
	box := container.NewVBox()
	eres := r.EResources
	if e, ok := p.desk.ResolverLink(r); ok {
		eres = append([]domain.EResource{e}, eres...)
	}
	if len(eres) == 0 {
		box.Add(widget.NewLabel("No e-resource collections are recorded for this title."))
	}
	for _, e := range eres {
		if u, err := url.Parse(e.URL); err == nil {
			box.Add(p.dialogs.link(e.Name, u))
		}
	}
	box.Add(widget.NewSeparator())
	if link, ok := p.settings().CatalogueSearch(r); ok {
		if u, err := url.Parse(link); err == nil {
			box.Add(p.dialogs.link("Search the catalogue for “"+r.Title+"”", u))
		}
	} else {
		box.Add(wrapped("No catalogue search link is set up; set one with: illdesk config set catalogue-url URL"))
	}
	var d dialog.Dialog
	none := p.dialogs.button("None of them has it: Reject", nil, func() {
		d.Hide()
		p.ShowReject()
	})
	none.Importance = widget.DangerImportance
	box.Add(none)
	d = p.dialogs.open("Download Electronic Resource — "+r.Ref(), box, "Close", nil, fyne.Size{}, nil)
}

// ShowPick asks for the item and target of a move request (kind rs) or a
// digitization request (kind digitization).
func (p *DetailsPane) ShowPick(kind domain.StationKind) {
	r, ok := p.selected()
	if !ok {
		return
	}
	barcode := p.dialogs.entry(false)
	found := r.HoldingBarcodes()
	barcode.SetText(r.ItemBarcode)
	if r.ItemBarcode == "" && len(found) > 0 {
		barcode.SetText(found[0])
	}
	barcode.SetPlaceHolder("Item barcode")
	var targets []domain.Station
	if kind == domain.StationRS {
		targets = []domain.Station{domain.RSDesk}
	} else {
		for _, st := range p.stations() {
			if st.Kind == domain.StationDigitization {
				targets = append(targets, st)
			}
		}
	}
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = t.Label()
	}
	target := p.dialogs.selector(labels, nil)
	target.SetSelectedIndex(0)
	holdings := widget.NewLabel(strings.Join(nonBlank(r.Location, r.CallNumber), "  ·  "))
	if holdings.Text == "" {
		holdings.SetText("No print holdings recorded")
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Holdings", holdings),
		widget.NewFormItem("Item barcode", barcode),
	}
	if len(found) > 1 {
		items = append(items, widget.NewFormItem("In the catalogue", p.dialogs.selector(found, barcode.SetText)))
	}
	items = append(items, widget.NewFormItem("To", target))
	title := "Create Move Request"
	if kind == domain.StationDigitization {
		title = "Create Digitization Request"
	}
	var d dialog.Dialog
	create := p.dialogs.button("Create and print slip", nil, func() {
		d.Hide()
		if len(targets) > 0 {
			p.Pick(targets[max(target.SelectedIndex(), 0)], barcode.Text)
		}
	})
	create.Importance = widget.HighImportance
	d = p.dialogs.open(title+" — "+r.Ref(), widget.NewForm(items...), "Cancel", create, fyne.NewSize(520, 280), barcode)
}

// Pick creates the pick request for the selected request and prints its
// slip, or opens it, as slip-output says.
func (p *DetailsPane) Pick(to domain.Station, itemBarcode string) {
	r, ok := p.selected()
	if !ok {
		return
	}
	r, err := p.desk.Pick(r.ID, to, itemBarcode, p.actor())
	if err != nil {
		p.fail(err)
		return
	}
	p.acted(r, "Pick From Shelf requested to "+to.Label()+": pull "+r.ItemBarcode+" and scan it there.")
	p.pickSlips([]string{r.ID})
}

// ReprintSlip prints the selected request's pick slip again, or opens it,
// as slip-output says.
func (p *DetailsPane) ReprintSlip() {
	if r, ok := p.selected(); ok {
		p.pickSlips([]string{r.ID})
	}
}

// ShowReject asks for the reason (required), an internal note and a note to the partner.
func (p *DetailsPane) ShowReject() {
	r, ok := p.selected()
	if !ok {
		return
	}
	p.dialogs.reject("Reject "+r.Ref(), "Reject request", p.Reject)
}

// Reject rejects the selected lending request; a refusal changes nothing and is returned.
func (p *DetailsPane) Reject(reason domain.Reason, note, partnerNote string) error {
	r, ok := p.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request to reject first."}
	}
	r, err := p.desk.Reject(r.ID, reason, note, partnerNote, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, r.Ref()+" rejected: "+r.RejectReason.Label()+".")
	return nil
}

// ShowBadCitation asks for the note to the borrowing library (required).
func (p *DetailsPane) ShowBadCitation() {
	r, ok := p.selected()
	if !ok {
		return
	}
	p.dialogs.note("Bad citation — "+r.Ref(), "What should the borrowing library fix? (required)", "Send back as bad citation",
		p.BadCitation)
}

// BadCitation returns the selected request as a bad citation with a note to the partner.
func (p *DetailsPane) BadCitation(partnerNote string) error {
	r, ok := p.selected()
	if !ok {
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Select the request first."}
	}
	r, err := p.desk.BadCitation(r.ID, partnerNote, p.actor())
	if err != nil {
		return err
	}
	p.acted(r, r.Ref()+" returned to "+r.Partner+" as a bad citation.")
	return nil
}
