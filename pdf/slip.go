package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Slip is what a pick slip shows: staff print it, pull the item from the
// shelf and put the slip in it.
type Slip struct {
	Kind         string    // "Move request" or "Digitization request"
	To           string    // where the item goes: "RS desk", "Scan Lab (digitization)"
	ExternalID   string    // the partner's request number, printed large and as a barcode
	Partner      string    // the library asking
	Title        string    // journal or book title
	ArticleTitle string    // article or chapter title
	Author       string    // author of the article or book
	Volume       string    // citation volume
	Number       string    // citation issue number
	Year         string    // citation year
	Pages        string    // citation pages, e.g. "117-135"
	Location     string    // shelf location of our copy
	CallNumber   string    // call number of our copy
	ItemBarcode  string    // the item's barcode, printed as a Code 128 barcode
	Requested    time.Time // when the request arrived; zero to leave out
	Deadline     time.Time // when it must be filled; zero to leave out
	Letter       bool      // US Letter paper instead of A4
}

// Page sizes in points.
var (
	pageA4     = types.RectForDim(595.28, 841.89)
	pageLetter = types.RectForDim(612, 792)
)

// Layout constants, in points.
const (
	contentWidth = 515.0 // fits A4 and Letter with margins of at least 40
	topMargin    = 40.0
	bottomMargin = 36.0
)

// Greys: 0 is black, 1 white.
const (
	ink    = 0.0
	muted  = 0.35 // secondary text
	label  = 0.45 // small capitals labels
	rule   = 0.75 // lines and borders
	panel  = 0.93 // background of the location panel
	header = 0.12 // background of the heading band
)

// PickSlip writes a one-page PDF pick slip for s to out (A4, or US Letter when
// s.Letter is set): a heading band with the kind of request, where the item
// goes and the deadline; the external identifier, large and as a Code 128
// barcode; the shelf location and call number; the citation with volume,
// issue, year and pages in boxes; and the item barcode as Code 128 with its
// digits. Text outside Windows-1252 (Latin-1 and a few extras) prints as "?".
// out is written through a temporary file and renamed into place.
func PickSlip(s Slip, out string) error {
	conf := newConfig(model.CREATE)
	media := pageA4
	if s.Letter {
		media = pageLetter
	}
	dim := media.Dimensions()
	ctx, err := pdfcpu.CreateContextWithXRefTable(conf, &dim)
	if err != nil {
		return fmt.Errorf("pick slip: %w", err)
	}
	c := newCanvas(ctx.XRefTable)
	drawSlip(c, s, media)
	if err := c.addPage(ctx, media); err != nil {
		return fmt.Errorf("pick slip: %w", err)
	}
	setInfo(ctx, "Pick slip "+strings.TrimSpace(s.ExternalID), strings.TrimSpace(s.Kind+" to "+s.To))
	return writeAtomic(out, func(w io.Writer) error { return api.WriteContext(ctx, w) })
}

// setInfo gives the document a title and subject (shown by viewers and in
// the print queue); pdfcpu adds producer and dates when writing.
func setInfo(ctx *model.Context, title, subject string) {
	d := types.NewDict()
	for k, v := range map[string]string{"Title": title, "Subject": subject} {
		if esc, err := types.EscapedUTF16String(v); err == nil {
			d.InsertString(k, *esc)
		}
	}
	if ir, err := ctx.IndRefForNewObject(d); err == nil {
		ctx.Info = ir
	}
}

// dateTime formats a time for the slip, or "" for the zero time.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Mon 2 Jan 2006, 15:04")
}

// orDash is s, or an em dash when s is empty.
func orDash(s string) string {
	if s == "" {
		return "\x97"
	}
	return s
}

func drawSlip(c *canvas, s Slip, media *types.Rectangle) {
	x0 := (media.Width() - contentWidth) / 2
	x1 := x0 + contentWidth
	y := media.Height() - topMargin

	kind := winAnsi(s.Kind)
	to := winAnsi(s.To)
	id := winAnsi(s.ExternalID)

	// Heading band: kind and destination on the left, deadline on the right.
	const bandH = 76.0
	c.fillRect(x0, y-bandH, contentWidth, bandH, header)
	right := 0.0
	if d := winAnsi(dateTime(s.Deadline)); d != "" {
		size := 15.0
		right = textWidth(d, fontBold, size)
		c.textRight(x1-18, y-28, fontBold, 8, "DEADLINE", 0.7)
		c.textRight(x1-18, y-47, fontBold, size, d, 1)
		right += 24
	}
	avail := contentWidth - 36 - right
	size := fitSize(orDash(kind), fontBold, 26, 16, avail)
	c.text(x0+18, y-35, fontBold, size, wrap(orDash(kind), fontBold, size, avail, 1)[0], 1)
	if to != "" {
		lead := "Deliver to: "
		c.text(x0+18, y-60, fontRegular, 14, lead, 0.85)
		w := textWidth(lead, fontRegular, 14)
		lines := wrap(to, fontBold, 14, avail-w, 1)
		c.text(x0+18+w, y-60, fontBold, 14, lines[0], 1)
	}
	y -= bandH + 28

	// Request number, partner, date received; the number as a barcode on the right.
	const codeArea = 200.0
	textArea := contentWidth - codeArea - 20
	c.text(x0, y, fontBold, 8, "REQUEST NUMBER", label)
	idSize := fitSize(orDash(id), fontBold, 34, 16, textArea)
	c.text(x0, y-34, fontBold, idSize, wrap(orDash(id), fontBold, idSize, textArea, 1)[0], ink)
	if p := winAnsi(s.Partner); p != "" {
		lead := "Partner: "
		c.text(x0, y-56, fontRegular, 12, lead, muted)
		w := textWidth(lead, fontRegular, 12)
		c.text(x0+w, y-56, fontBold, 12, wrap(p, fontBold, 12, textArea-w, 1)[0], ink)
	}
	if r := winAnsi(dateTime(s.Requested)); r != "" {
		c.text(x0, y-72, fontRegular, 10, "Requested "+r, muted)
	}
	if s.ExternalID != "" {
		drawBarcode(c, s.ExternalID, x1, y+4, codeArea, 40, 1.0, 9, alignRight)
	}
	y -= 88
	c.hline(x0, x1, y, 0.75, rule)
	y -= 20

	// Where the item is: a grey panel, call number largest. Both wrap to a
	// second line rather than lose characters.
	inner := contentWidth - 32
	loc := wrap(orDash(winAnsi(s.Location)), fontBold, 15, inner, 2)
	call := orDash(winAnsi(s.CallNumber))
	callSize := fitSize(call, fontBold, 28, 18, inner)
	calls := wrap(call, fontBold, callSize, inner, 2)
	callLead := callSize * 1.15
	panelH := 20 + 20 + 18*float64(len(loc)-1) + 22 + callSize + 2 + callLead*float64(len(calls)-1) + 16
	c.fillRect(x0, y-panelH, contentWidth, panelH, panel)
	py := y - 20
	c.text(x0+16, py, fontBold, 8, "LOCATION", label)
	py -= 20
	for i, l := range loc {
		if i > 0 {
			py -= 18
		}
		c.text(x0+16, py, fontBold, 15, l, ink)
	}
	py -= 22
	c.text(x0+16, py, fontBold, 8, "CALL NUMBER", label)
	py -= callSize + 2
	for i, l := range calls {
		if i > 0 {
			py -= callLead
		}
		c.text(x0+16, py, fontBold, callSize, l, ink)
	}
	y -= panelH + 26

	// Citation: labelled lines, then volume, issue, year and pages in boxes.
	c.text(x0, y, fontBold, 8, "CITATION", label)
	y -= 20
	const labelW = 62.0
	valueW := contentWidth - labelW
	row := func(name, value, fontName string, size, lead float64, maxLines int) {
		if value == "" {
			return
		}
		c.text(x0, y, fontRegular, 9, name, label)
		for _, l := range wrap(value, fontName, size, valueW, maxLines) {
			c.text(x0+labelW, y, fontName, size, l, ink)
			y -= lead
		}
		y -= 5
	}
	row("Title", orDash(winAnsi(s.Title)), fontBold, 14, 17, 3)
	row("Article", winAnsi(s.ArticleTitle), fontRegular, 12, 15, 3)
	row("Author", winAnsi(s.Author), fontRegular, 12, 15, 2)
	y -= 4

	cells := []struct {
		name, value string
		weight      float64
	}{
		{"VOLUME", s.Volume, 1}, {"ISSUE", s.Number, 1}, {"YEAR", s.Year, 1}, {"PAGES", s.Pages, 1.6},
	}
	const cellH, gap = 52.0, 8.0
	total := 0.0
	for _, cell := range cells {
		total += cell.weight
	}
	unit := (contentWidth - gap*float64(len(cells)-1)) / total
	cx := x0
	for _, cell := range cells {
		w := unit * cell.weight
		c.strokeRect(cx, y-cellH, w, cellH, 0.75, rule)
		c.text(cx+10, y-15, fontBold, 8, cell.name, label)
		v := orDash(winAnsi(cell.value))
		vs := fitSize(v, fontBold, 22, 10, w-20)
		c.text(cx+10, y-40, fontBold, vs, wrap(v, fontBold, vs, w-20, 1)[0], ink)
		cx += w + gap
	}
	y -= cellH + 30

	// The item: its barcode on the left, a box for the picker on the right.
	c.text(x0, y, fontBold, 8, "ITEM BARCODE", label)
	if s.ItemBarcode != "" {
		drawBarcode(c, s.ItemBarcode, x0, y-10, 300, 54, 1.2, 13, alignBars)
	} else {
		c.text(x0, y-30, fontRegular, 12, "No item barcode on record: scan the item's own label.", muted)
	}
	const boxW, boxH = 170.0, 72.0
	bx := x1 - boxW
	c.strokeRect(bx, y-8-boxH, boxW, boxH, 0.75, rule)
	c.text(bx+10, y-28, fontRegular, 9, "Picked by", label)
	c.hline(bx+58, bx+boxW-10, y-28, 0.5, rule)
	c.text(bx+10, y-50, fontRegular, 9, "Date", label)
	c.hline(bx+58, bx+boxW-10, y-50, 0.5, rule)
	c.strokeRect(bx+10, y-73, 9, 9, 0.75, muted)
	c.text(bx+25, y-72, fontRegular, 9, "Not on shelf", label)

	// Footer.
	foot := winAnsi(strings.Join(nonEmpty("ILL Desk pick slip", s.Kind, s.ExternalID), "  •  "))
	c.hline(x0, x1, bottomMargin+12, 0.5, rule)
	c.text(x0, bottomMargin, fontRegular, 8, wrap(foot, fontRegular, 8, contentWidth, 1)[0], muted)
}

// How drawBarcode places a symbol relative to x.
const (
	alignRight = iota // the symbol, quiet zone included, ends at x
	alignBars         // the first bar is at x; the text under it starts there too
)

// drawBarcode draws content as Code 128 with its top at top: modules
// maxModule points wide at most, narrower to fit width (quiet zones
// included), bars height points high, and the text under it in Courier of
// size textSize.
func drawBarcode(c *canvas, content string, x, top, width, height, maxModule, textSize float64, align int) {
	t := winAnsi(content)
	data, modules, err := code128Image(content)
	if err != nil {
		// Not encodable (Code 128 is ASCII only): the text alone still helps.
		const note = "(cannot be printed as a barcode)"
		if align == alignRight {
			c.textRight(x, top-height/2, fontMono, textSize, t, ink)
			c.textRight(x, top-height/2-12, fontRegular, 8, note, muted)
		} else {
			c.text(x, top-height/2, fontMono, textSize, t, ink)
			c.text(x, top-height/2-12, fontRegular, 8, note, muted)
		}
		return
	}
	mw := min(maxModule, width/float64(modules))
	w := mw * float64(modules)
	quiet := quietModules * mw
	left := x - quiet // alignBars
	if align == alignRight {
		left = x - w
	}
	c.image(data, left, top-height, w, height)
	ty := top - height - textSize - 2
	if align == alignBars {
		c.text(x, ty, fontMono, textSize, t, ink)
		return
	}
	c.textCenter(left+w/2, ty, fontMono, textSize, t, ink)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
