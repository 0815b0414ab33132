package pdf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	pdffont "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/unicode/norm"
)

// The standard PDF fonts used; they need no embedding and, with
// WinAnsiEncoding, cover Latin-1 plus the Windows-1252 extras (€, –, “ ”, …).
const (
	fontRegular = "Helvetica"
	fontBold    = "Helvetica-Bold"
	fontMono    = "Courier-Bold"
)

// canvas writes one page's content stream by hand. pdfcpu's own text
// layout (create.FromJSON, stamps) rewrites % sequences as page numbers and
// turns a typed backslash-n into a line break, so titles would not always
// come out as typed; here pdfcpu supplies the objects, the font metrics and
// the string escaping, and the text is written exactly.
type canvas struct {
	xt      *model.XRefTable
	buf     bytes.Buffer
	fontIDs map[string]string // font name → resource name
	fonts   types.Dict
	xobjs   types.Dict
	err     error // the first error; later drawing is skipped
}

func newCanvas(xt *model.XRefTable) *canvas {
	return &canvas{xt: xt, fontIDs: map[string]string{}, fonts: types.Dict{}, xobjs: types.Dict{}}
}

func (c *canvas) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// fontID returns the page resource name of a standard font, adding it.
func (c *canvas) fontID(name string) string {
	if id, ok := c.fontIDs[name]; ok {
		return id
	}
	ir, err := pdffont.CoreFontDict(c.xt, name)
	if err != nil {
		c.fail(fmt.Errorf("font %s: %w", name, err))
		return ""
	}
	id := "F" + strconv.Itoa(len(c.fontIDs)+1)
	c.fontIDs[name] = id
	c.fonts[id] = *ir
	return id
}

// text draws s (already encoded with winAnsi) with its baseline starting at
// x, y in the given grey (0 black, 1 white).
func (c *canvas) text(x, y float64, fontName string, size float64, s string, gray float64) {
	if c.err != nil || s == "" {
		return
	}
	id := c.fontID(fontName)
	esc, err := types.Escape(s)
	if err != nil {
		c.fail(err)
		return
	}
	fmt.Fprintf(&c.buf, "BT /%s %s Tf %s g %s %s Td (%s) Tj ET\n", id, num(size), num(gray), num(x), num(y), *esc)
}

// textRight draws s so that it ends at x.
func (c *canvas) textRight(x, y float64, fontName string, size float64, s string, gray float64) {
	c.text(x-textWidth(s, fontName, size), y, fontName, size, s, gray)
}

// textCenter draws s centred on x.
func (c *canvas) textCenter(x, y float64, fontName string, size float64, s string, gray float64) {
	c.text(x-textWidth(s, fontName, size)/2, y, fontName, size, s, gray)
}

// fillRect paints a rectangle in a grey.
func (c *canvas) fillRect(x, y, w, h, gray float64) {
	fmt.Fprintf(&c.buf, "%s g %s %s %s %s re f\n", num(gray), num(x), num(y), num(w), num(h))
}

// strokeRect outlines a rectangle.
func (c *canvas) strokeRect(x, y, w, h, lineWidth, gray float64) {
	fmt.Fprintf(&c.buf, "%s w %s G %s %s %s %s re S\n", num(lineWidth), num(gray), num(x), num(y), num(w), num(h))
}

// hline draws a horizontal line.
func (c *canvas) hline(x1, x2, y, lineWidth, gray float64) {
	fmt.Fprintf(&c.buf, "%s w %s G %s %s m %s %s l S\n", num(lineWidth), num(gray), num(x1), num(y), num(x2), num(y))
}

// image places an encoded image (PNG, JPEG, TIFF) with its lower left corner
// at x, y, stretched to w×h.
func (c *canvas) image(data []byte, x, y, w, h float64) {
	if c.err != nil {
		return
	}
	ir, _, _, err := model.CreateImageResource(c.xt, bytes.NewReader(data))
	if err != nil {
		c.fail(fmt.Errorf("image: %w", err))
		return
	}
	id := "Im" + strconv.Itoa(len(c.xobjs)+1)
	c.xobjs[id] = *ir
	fmt.Fprintf(&c.buf, "q %s 0 0 %s %s %s cm /%s Do Q\n", num(w), num(h), num(x), num(y), id)
}

// addPage appends the page drawn so far to ctx's page tree.
func (c *canvas) addPage(ctx *model.Context, mediaBox *types.Rectangle) error {
	if c.err != nil {
		return c.err
	}
	pagesRef, err := ctx.Pages()
	if err != nil {
		return err
	}
	pagesDict, err := ctx.DereferenceDict(*pagesRef)
	if err != nil {
		return err
	}
	sd, err := c.xt.NewStreamDictForBuf(c.buf.Bytes())
	if err != nil {
		return err
	}
	if err := sd.Encode(); err != nil {
		return err
	}
	contents, err := c.xt.IndRefForNewObject(*sd)
	if err != nil {
		return err
	}
	res := types.Dict{"ProcSet": types.NewNameArray("PDF", "Text", "ImageB")}
	if len(c.fonts) > 0 {
		res["Font"] = c.fonts
	}
	if len(c.xobjs) > 0 {
		res["XObject"] = c.xobjs
	}
	page := types.Dict{
		"Type":      types.Name("Page"),
		"Parent":    *pagesRef,
		"MediaBox":  mediaBox.Array(),
		"Resources": res,
		"Contents":  *contents,
	}
	pageRef, err := c.xt.IndRefForNewObject(page)
	if err != nil {
		return err
	}
	if err := model.AppendPageTree(pageRef, 1, pagesDict); err != nil {
		return err
	}
	ctx.PageCount++
	return nil
}

// winAnsi encodes s for the standard fonts: NFC first (so that a decomposed
// "o" + combining diaeresis becomes "ö"), white space runs become one space,
// and characters outside Windows-1252 become "?".
func winAnsi(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			b.WriteByte(byte(r))
		default:
			e := model.DecodeUTF8ToByte(string(r)) // the Windows-1252 extras, else " "
			if e == " " {
				e = "?"
			}
			b.WriteString(e)
		}
	}
	return b.String()
}

// textWidth is the width of the encoded s in points.
func textWidth(s, fontName string, size float64) float64 {
	w, err := font.TextWidthFloat(s, fontName, size)
	if err != nil {
		return float64(len(s)) * size * 0.6
	}
	return w
}

// fitSize is the largest size from max down to min at which s fits width.
func fitSize(s, fontName string, max, min, width float64) float64 {
	size := max
	for size > min && textWidth(s, fontName, size) > width {
		size -= 0.5
	}
	return size
}

// ellipsis is "…" in Windows-1252.
const ellipsis = "\x85"

// wrap breaks the encoded s into at most maxLines lines no wider than width,
// at spaces where it can and inside a word where it must. Text that does not
// fit ends the last line with an ellipsis.
func wrap(s, fontName string, size, width float64, maxLines int) []string {
	fits := func(t string) bool { return textWidth(t, fontName, size) <= width }
	var lines []string
	line := ""
	words := strings.Split(s, " ")
	for i := 0; i < len(words); i++ {
		w := words[i]
		cand := w
		if line != "" {
			cand = line + " " + w
		}
		if fits(cand) {
			line = cand
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
			i-- // the word starts the next line
			continue
		}
		// A word wider than the line: break it.
		n := len(w)
		for n > 1 && !fits(w[:n]) {
			n--
		}
		lines = append(lines, w[:n])
		words[i] = w[n:]
		i--
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		last := lines[maxLines-1]
		for last != "" && !fits(last+ellipsis) {
			last = last[:len(last)-1]
		}
		lines = append(lines[:maxLines-1], strings.TrimRight(last, " ")+ellipsis)
	}
	return lines
}
