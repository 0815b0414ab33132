package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// LendingForm is the form for a new lending request (Ctrl+Shift+N): what a
// partner asked for on paper, by phone or by email, recorded as illdesk
// lend new records it.
type LendingForm struct {
	link
	desk lendingDesk
	// created shows the lending list once a request is made.
	created func()
	// the form open now: its fields, where it says why it was refused, and
	// its dialog
	fields  *lendingFields
	refused *widget.Label
	dialog  dialog.Dialog
	scroll  *container.Scroll
}

// lendingDesk is what the lending form asks of the desk.
type lendingDesk interface {
	Partners() ([]domain.Partner, error)
	NewLending(in domain.LendingInput, by domain.Actor) (domain.Request, error)
}

// lendingFields are the lending form's fields, in the order Tab visits them.
type lendingFields struct {
	partner, externalID                                 *keyEntry
	title, articleTitle, author, volume, issue, year    *keyEntry
	pages, issn, isbn, doi                              *keyEntry
	service, format                                     *keySelect
	needBefore, note, location, callNumber, itemBarcode *keyEntry
	partners                                            []domain.Partner
}

// formatChoices are the format field's choices, the first for none given.
var formatChoices = []string{"Not known", domain.FormatElectronic.Label(), domain.FormatPhysical.Label()}

// input is the request the fields describe, read with the rules lend new
// reads its options with; the desk's refusals name what else is wrong.
func (fs *lendingFields) input() (domain.LendingInput, error) {
	in := domain.LendingInput{Partner: partnerMatch(fs.partner.Text, fs.partners), ExternalID: fs.externalID.Text,
		Note: fs.note.Text}
	in.Citation = domain.Citation{Title: fs.title.Text, ArticleTitle: fs.articleTitle.Text, Author: fs.author.Text,
		Volume: fs.volume.Text, Number: fs.issue.Text, Year: fs.year.Text, Pages: fs.pages.Text, ISSN: fs.issn.Text,
		ISBN: fs.isbn.Text, DOI: fs.doi.Text}
	in.Holdings = domain.Holdings{Location: fs.location.Text, CallNumber: fs.callNumber.Text, ItemBarcode: strings.TrimSpace(fs.itemBarcode.Text)}
	var err error
	if in.ServiceType, err = domain.ParseLendingService(fs.service.Selected); err != nil {
		return in, err
	}
	switch fs.format.SelectedIndex() {
	case 1:
		in.Format = domain.FormatElectronic
	case 2:
		in.Format = domain.FormatPhysical
	}
	in.NeededBy, err = needBefore(fs.needBefore.Text)
	return in, err
}

// needBefore reads a form's need-before date, YYYY-MM-DD; blank is none.
func needBefore(text string) (time.Time, error) {
	d := strings.TrimSpace(text)
	if d == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(domain.DateLayout, d, time.Local)
	if err != nil {
		return time.Time{}, &domain.Refusal{Kind: domain.ErrInvalidInput,
			Msg: fmt.Sprintf("“%s” is not a date: write the need-before date as YYYY-MM-DD, e.g. 2026-03-01.", d)}
	}
	return t, nil
}

// partnerMatch reads the partner field as a partner's code: a choice
// "CODE — Name", a code typed, or the one partner whose code or name holds
// what was typed.
func partnerMatch(text string, partners []domain.Partner) string {
	if m := partnerMatches(text, partners); len(m) == 1 {
		return m[0].Code
	}
	return partnerCode(text, partners)
}

// partnerMatches are the partners whose choice holds text, ignoring case;
// the one partner named exactly when there is one; none for blank text.
func partnerMatches(text string, partners []domain.Partner) []domain.Partner {
	var out []domain.Partner
	for _, i := range partnerIndexes(text, partners) {
		out = append(out, partners[i])
	}
	return out
}

// partnerIndexes are the indexes of partnerMatches.
func partnerIndexes(text string, partners []domain.Partner) []int {
	return matching(text, len(partners), func(i int) (string, string) { return partnerChoice(partners[i]), partners[i].Code })
}

// partnerHint says which partners the partner field's text matches, as it
// is typed.
func partnerHint(text string, partners []domain.Partner) string {
	return matchHint(text, partnerIndexes(text, partners), hintWords{
		blank: fmt.Sprintf("Type a code or name: %d partners.", len(partners)),
		none:  "No partner matches: add it with Tools > Add partner…",
		one:   func(i int) string { return "Partner: " + partnerChoice(partners[i]) },
		short: func(i int) string { return partners[i].Code },
	})
}

// matching are the indexes of the n choices whose text holds what was
// typed, ignoring case; the one choice named exactly, by its text or its
// key, when there is one; none for blank text.
func matching(typed string, n int, choice func(i int) (text, key string)) []int {
	q := strings.ToLower(strings.TrimSpace(typed))
	if q == "" {
		return nil
	}
	var out []int
	for i := range n {
		text, key := choice(i)
		if q == strings.ToLower(key) || q == strings.ToLower(text) {
			return []int{i}
		}
		if strings.Contains(strings.ToLower(text), q) {
			out = append(out, i)
		}
	}
	return out
}

// hintWords are what the line under a matched field says: with nothing
// typed, when nothing matches, for the one match, and the short name of
// each of several.
type hintWords struct {
	blank, none string
	one, short  func(i int) string
}

// matchHint words the matches m of typed for the line under the field.
func matchHint(typed string, m []int, w hintWords) string {
	if strings.TrimSpace(typed) == "" {
		return w.blank
	}
	switch len(m) {
	case 0:
		return w.none
	case 1:
		return w.one(m[0])
	}
	var names []string
	for n, i := range m {
		if n == 6 {
			names = append(names, fmt.Sprintf("and %d more", len(m)-n))
			break
		}
		names = append(names, w.short(i))
	}
	return "Matches " + strings.Join(names, ", ") + " — type more."
}

// matchLine is the line under a field matched as staff type (the forms'
// Partner, the borrowing form's Pickup): a plain entry with this line
// below it, rather than a drop-down whose arrow Tab would stop on and
// which suggests nothing until it is opened. hint words the text typed.
func matchLine(e *keyEntry, hint func(string) string) *widget.Label {
	l := widget.NewLabel(hint(e.Text))
	l.Wrapping = fyne.TextWrapWord
	changed := e.OnChanged
	e.OnChanged = func(s string) {
		if changed != nil {
			changed(s)
		}
		l.SetText(hint(s))
	}
	return l
}

// ShowNewLending opens the form for a new lending request (Ctrl+Shift+N).
// A refusal shows under the form, which stays open with what was typed.
func (f *LendingForm) ShowNewLending() {
	partners, err := f.desk.Partners()
	if err != nil {
		f.fail(err)
		return
	}
	e := func(placeholder string) *keyEntry {
		x := f.dialogs.entry(false)
		x.SetPlaceHolder(placeholder)
		return x
	}
	fs := &lendingFields{partners: partners,
		partner: e("Partner code or name"), externalID: e("The partner's request number"),
		title: e("Journal or book title"), articleTitle: e("Article or chapter title"), author: e(""),
		volume: e(""), issue: e(""), year: e(""), pages: e("e.g. 12-30"), issn: e(""), isbn: e(""), doi: e(""),
		needBefore: e("YYYY-MM-DD"), note: e("Internal note"), location: e("Holdings location"),
		callNumber: e(""), itemBarcode: e("Barcode of the item to pull")}
	fs.service = f.dialogs.selector(domain.LendingServices, nil)
	fs.service.SetSelected("copy")
	fs.format = f.dialogs.selector(formatChoices, nil)
	fs.format.SetSelectedIndex(0)
	f.fields, f.refused = fs, errorLabel()
	entries := []*keyEntry{fs.partner, fs.externalID, fs.title, fs.articleTitle, fs.author, fs.volume, fs.issue,
		fs.year, fs.pages, fs.issn, fs.isbn, fs.doi, fs.needBefore, fs.note, fs.location, fs.callNumber, fs.itemBarcode}
	for _, x := range entries {
		// a refusal goes once staff type again, so it never names what they fixed
		x.OnChanged = func(string) { f.refused.SetText("") }
	}
	hint := matchLine(fs.partner, func(s string) string { return partnerHint(s, partners) })
	form := widget.NewForm(
		widget.NewFormItem("Partner *", fs.partner),
		widget.NewFormItem("", hint),
		widget.NewFormItem("External id *", fs.externalID),
		widget.NewFormItem("Title *", fs.title),
		widget.NewFormItem("Article / chapter", fs.articleTitle),
		widget.NewFormItem("Author", fs.author),
		widget.NewFormItem("Volume", fs.volume),
		widget.NewFormItem("Issue", fs.issue),
		widget.NewFormItem("Year", fs.year),
		widget.NewFormItem("Pages", fs.pages),
		widget.NewFormItem("ISSN", fs.issn),
		widget.NewFormItem("ISBN", fs.isbn),
		widget.NewFormItem("DOI", fs.doi),
		widget.NewFormItem("Service", fs.service),
		widget.NewFormItem("Format", fs.format),
		widget.NewFormItem("Need before", fs.needBefore),
		widget.NewFormItem("Note", fs.note),
		widget.NewFormItem("Location", fs.location),
		widget.NewFormItem("Call number", fs.callNumber),
		widget.NewFormItem("Item barcode", fs.itemBarcode),
	)
	save := f.dialogs.button("Save  (Return)", nil, f.Submit)
	save.Importance = widget.HighImportance
	var body fyne.CanvasObject
	body, f.scroll = scrolledForm(form, entries, f.refused)
	f.dialog = f.dialogs.open("New lending request", body, "Cancel", save, fyne.NewSize(640, 760), fs.partner)
}

// Submit records the request the open form describes (Return, Save) and
// closes the form; a refusal shows under the form, which keeps what was
// typed.
func (f *LendingForm) Submit() {
	in, err := f.fields.input()
	if err == nil {
		_, err = f.CreateLending(in)
	}
	if err != nil {
		f.refused.SetText(f.dialogs.refusal(err))
		return
	}
	f.dialog.Hide()
}

// CreateLending records a new lending request and selects it in the
// lending list.
func (f *LendingForm) CreateLending(in domain.LendingInput) (domain.Request, error) {
	r, err := f.desk.NewLending(in, f.actor())
	if err != nil {
		return domain.Request{}, err
	}
	f.created()
	f.acted(r, fmt.Sprintf("Lending request %s for “%s” from %s created.", r.Ref(), r.Title, r.Partner))
	return r, nil
}

// scrolledForm is the body of a long form's dialog: the form scrolls, and
// each of its fields is scrolled into sight when it gets the focus; below
// it, outside the scroll, what is in below (the refusal, Save) stays in
// sight on a small laptop screen.
func scrolledForm(form fyne.CanvasObject, fields []*keyEntry, below ...fyne.CanvasObject) (fyne.CanvasObject, *container.Scroll) {
	scroll := container.NewVScroll(form)
	for _, x := range fields {
		x.onFocus = func() { showInScroll(scroll, x) }
	}
	return container.NewBorder(nil, container.NewVBox(below...), nil, nil, scroll), scroll
}

// showInScroll scrolls s, as little as it takes, so that o, somewhere in its
// content, is in sight: Tab into a field below the fold brings it up.
func showInScroll(s *container.Scroll, o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s.Content).Y
	switch {
	case top < s.Offset.Y:
		s.ScrollToOffset(fyne.NewPos(0, top))
	case top+o.Size().Height > s.Offset.Y+s.Size().Height:
		s.ScrollToOffset(fyne.NewPos(0, top+o.Size().Height-s.Size().Height))
	}
}
