package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// The settings window asks for the values staff know, each in a field of
// its own, and writes them in the stored format config set and partner
// edit read. A stored value the fields cannot show is kept and shown as
// it is, and saved again unchanged until staff replace it.

// listField edits a list setting as rows, one entry each, with Add and
// Remove, so that staff type no separators.
type listField struct {
	host        *dialogHost
	placeholder string
	rows        []*keyEntry
	lines       []fyne.CanvasObject
	list        *fyne.Container
	box         *fyne.Container
}

func newListField(host *dialogHost, items []string, placeholder, add string) *listField {
	l := &listField{host: host, placeholder: placeholder, list: container.NewVBox()}
	for _, it := range items {
		l.Add(it)
	}
	b := host.button(add, theme.ContentAddIcon(), func() {
		l.Add("")
		l.host.win.Canvas().Focus(l.rows[len(l.rows)-1])
	})
	l.box = container.NewVBox(l.list, container.NewHBox(b))
	return l
}

// Add appends a row showing v.
func (l *listField) Add(v string) {
	e := l.host.entry(false)
	e.SetPlaceHolder(l.placeholder)
	e.SetText(v)
	remove := l.host.button("", theme.DeleteIcon(), func() {
		if i := slices.Index(l.rows, e); i >= 0 {
			l.Remove(i)
		}
	})
	line := container.NewBorder(nil, nil, nil, remove, e)
	l.rows = append(l.rows, e)
	l.lines = append(l.lines, line)
	l.list.Add(line)
}

// Remove takes out row i.
func (l *listField) Remove(i int) {
	l.list.Remove(l.lines[i])
	l.rows = slices.Delete(l.rows, i, i+1)
	l.lines = slices.Delete(l.lines, i, i+1)
}

// Values are the rows as typed, blank ones left out.
func (l *listField) Values() []string {
	var out []string
	for _, e := range l.rows {
		if v := strings.TrimSpace(e.Text); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// keptNote is the line under a structured field that shows a stored value
// the field cannot, kept as it is until staff choose to replace it.
type keptNote struct {
	stored string
	kept   bool
	box    *fyne.Container
}

func newKeptNote(host *dialogHost, stored string, onReplace func()) *keptNote {
	k := &keptNote{stored: stored, kept: true}
	label := widget.NewLabel("Kept as stored: " + domain.OneLine(stored))
	label.Truncation = fyne.TextTruncateEllipsis
	replace := host.button("Replace with the fields above", nil, func() {
		k.kept = false
		k.box.Hide()
		if onReplace != nil {
			onReplace()
		}
	})
	k.box = container.NewBorder(nil, nil, nil, replace, label)
	return k
}

// barcodeCharLabels word the characters a barcode shape offers.
var barcodeCharLabels = map[string]string{
	string(domain.BarcodeAnyChars):      "any letters, digits and signs",
	string(domain.BarcodeDigits):        "digits only",
	string(domain.BarcodeLettersDigits): "letters and digits",
}

// barcodeField edits the barcode pattern as a shape: the start, the
// characters and the length; a pattern written by hand is kept.
type barcodeField struct {
	prefix, minLen, maxLen *keyEntry
	chars                  *keySelect
	kept                   *keptNote
	// try takes a barcode to check against the rule as the fields show it;
	// verdict says whether it is accepted
	try     *keyEntry
	verdict *widget.Label
	box     *fyne.Container
}

func newBarcodeField(host *dialogHost, stored string) *barcodeField {
	f := &barcodeField{prefix: host.entry(false), minLen: host.entry(false), maxLen: host.entry(false)}
	f.prefix.SetPlaceHolder("e.g. 39 (empty: any start)")
	f.minLen.SetPlaceHolder("from")
	f.maxLen.SetPlaceHolder("to")
	var opts []string
	for _, c := range domain.BarcodeCharsList {
		opts = append(opts, barcodeCharLabels[string(c)])
	}
	f.chars = host.selector(opts, nil)
	shape, ok := domain.ParseBarcodeShape(stored)
	if !ok {
		shape = domain.BarcodeShape{Chars: domain.BarcodeAnyChars}
	}
	f.prefix.SetText(shape.Prefix)
	f.chars.SetSelected(barcodeCharLabels[string(shape.Chars)])
	if shape.MinLen > 0 {
		f.minLen.SetText(strconv.Itoa(shape.MinLen))
	}
	if shape.MaxLen > 0 {
		f.maxLen.SetText(strconv.Itoa(shape.MaxLen))
	}
	length := container.NewHBox(sized(f.minLen, 80), widget.NewLabel("to"), sized(f.maxLen, 80), widget.NewLabel("characters"))
	rows := []fyne.CanvasObject{container.New(layout.NewFormLayout(),
		widget.NewLabel("Starts with"), f.prefix,
		widget.NewLabel("Followed by"), f.chars,
		widget.NewLabel("Length"), length)}
	f.try = host.entry(false)
	f.try.SetPlaceHolder("try a barcode, e.g. scan one here")
	f.verdict = widget.NewLabel("")
	f.verdict.Truncation = fyne.TextTruncateEllipsis
	f.try.OnChanged = func(string) { f.check() }
	for _, e := range []*keyEntry{f.prefix, f.minLen, f.maxLen} {
		e.OnChanged = func(string) { f.check() }
	}
	f.chars.OnChanged = func(string) { f.check() }
	if !ok {
		f.kept = newKeptNote(host, stored, f.check)
		rows = append(rows, f.kept.box)
	}
	rows = append(rows, container.NewGridWithColumns(2, f.try, f.verdict))
	f.box = container.NewVBox(rows...)
	return f
}

// check says whether the barcode typed in try passes the rule the fields
// show.
func (f *barcodeField) check() {
	code := strings.TrimSpace(f.try.Text)
	if code == "" {
		f.verdict.SetText("")
		return
	}
	pattern, err := f.Pattern()
	var rule domain.BarcodeRule
	if err == nil {
		rule, err = domain.NewBarcodeRule(pattern)
	}
	switch {
	case err != nil: // the fields themselves are wrong: say how
		f.verdict.SetText(refusalText(err))
	case rule.Check(code) != nil:
		f.verdict.SetText("Not accepted by this rule")
	default:
		f.verdict.SetText("Accepted")
	}
}

// sized gives o a width of its own in a row.
func sized(o fyne.CanvasObject, width float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(width, o.MinSize().Height), o)
}

// Pattern is the barcode_pattern to store: the kept one, or the shape's.
func (f *barcodeField) Pattern() (string, error) {
	if f.kept != nil && f.kept.kept {
		return f.kept.stored, nil
	}
	num := func(e *keyEntry, what string) (int, error) {
		t := strings.TrimSpace(e.Text)
		if t == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return 0, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The " + what + " length of a barcode must be a whole number, e.g. 10."}
		}
		return n, nil
	}
	lo, err := num(f.minLen, "shortest")
	if err != nil {
		return "", err
	}
	hi, err := num(f.maxLen, "longest")
	if err != nil {
		return "", err
	}
	return domain.BarcodeShape{Prefix: strings.TrimSpace(f.prefix.Text),
		Chars: domain.BarcodeChars(valueOf(barcodeCharLabels, f.chars.Selected)), MinLen: lo, MaxLen: hi}.Pattern()
}

// deliveryLabels word the partner delivery methods; "" is none.
var deliveryLabels = map[string]string{
	"":                    "None (staff send the file)",
	domain.DeliveryEmail:  "Email",
	domain.DeliveryFolder: "Folder",
	domain.DeliveryISO:    "ISO 18626 download link",
}

// deliveryField edits a partner's delivery method: a choice, and the
// address or folder the choice needs.
type deliveryField struct {
	method *keySelect
	target *keyEntry
	stored string
	// shown is what the fields showed of stored: unchanged, stored is kept
	shown string
	kept  *keptNote
	box   *fyne.Container
}

func newDeliveryField(host *dialogHost) *deliveryField {
	f := &deliveryField{target: host.entry(false)}
	f.method = host.selector([]string{deliveryLabels[""], deliveryLabels[domain.DeliveryEmail],
		deliveryLabels[domain.DeliveryFolder], deliveryLabels[domain.DeliveryISO]}, func(string) { f.showTarget() })
	f.kept = newKeptNote(host, "", nil)
	f.box = container.NewVBox(f.method, f.target, f.kept.box)
	f.Set("")
	return f
}

// Set shows a stored delivery method.
func (f *deliveryField) Set(stored string) {
	f.stored = stored
	method, target, err := domain.ParseDelivery(stored)
	f.kept.kept = err != nil
	if err != nil {
		method, target = "", ""
		f.kept.stored = stored
		f.kept.box.Objects[0].(*widget.Label).SetText("Kept as stored: " + domain.OneLine(stored))
		f.kept.box.Show()
	} else {
		f.kept.box.Hide()
	}
	f.method.SetSelected(deliveryLabels[method])
	f.target.SetText(target)
	f.showTarget()
	f.shown = f.value()
}

func (f *deliveryField) showTarget() {
	switch valueOf(deliveryLabels, f.method.Selected) {
	case domain.DeliveryEmail:
		f.target.SetPlaceHolder("the partner's address for files, e.g. ill@partner.example.edu")
		f.target.Show()
	case domain.DeliveryFolder:
		f.target.SetPlaceHolder("the folder files are copied into, e.g. /srv/outgoing/partner")
		f.target.Show()
	default:
		f.target.Hide()
	}
}

func (f *deliveryField) value() string {
	method := valueOf(deliveryLabels, f.method.Selected)
	switch method {
	case "", domain.DeliveryISO:
		return method
	}
	return method + ":" + strings.TrimSpace(f.target.Text)
}

// Value is the delivery to store, written as partner edit --delivery
// takes it: the stored one while the fields show it unchanged.
func (f *deliveryField) Value() string {
	if f.kept.kept || f.value() == f.shown {
		return f.stored
	}
	return f.value()
}

// agencyTypes are the agency id types offered; others may be typed.
var agencyTypes = []string{"ISIL", "OCLC", "DNUCNI", "RESHARE"}

// agencyField edits an ISO 18626 agency id as its type and its value.
type agencyField struct {
	typ           *keySelectEntry
	value         *keyEntry
	stored, shown string
	box           *fyne.Container
}

func newAgencyField(host *dialogHost) *agencyField {
	f := &agencyField{typ: host.suggest(agencyTypes), value: host.entry(false)}
	f.typ.SetPlaceHolder("type, e.g. ISIL")
	f.value.SetPlaceHolder("the id in that scheme, e.g. US-MIU")
	f.box = container.NewBorder(nil, nil, sized(f.typ, 170), nil, f.value)
	return f
}

// Set shows a stored agency id, TYPE:VALUE; one without a type shows
// whole as the value.
func (f *agencyField) Set(stored string) {
	f.stored = stored
	typ, val, ok := strings.Cut(stored, ":")
	if !ok {
		typ, val = "", stored
	}
	f.typ.SetText(strings.TrimSpace(typ))
	f.value.SetText(strings.TrimSpace(val))
	f.shown = f.join()
}

func (f *agencyField) join() string {
	typ, val := strings.TrimSpace(f.typ.Text), strings.TrimSpace(f.value.Text)
	if typ == "" && val == "" {
		return ""
	}
	if typ == "" {
		return val
	}
	return typ + ":" + val
}

// Value is the agency id to store, TYPE:VALUE: the stored one while the
// fields show it unchanged. A value without a type is refused.
func (f *agencyField) Value() (string, error) {
	if f.join() == f.shown {
		return f.stored, nil
	}
	if strings.TrimSpace(f.typ.Text) == "" && strings.TrimSpace(f.value.Text) != "" {
		return "", &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "Choose the kind of agency id, e.g. ISIL or OCLC, beside the id."}
	}
	return f.join(), nil
}
