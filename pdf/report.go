package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/illdesk/illdesk/domain"
)

var _ domain.ReportWriter = Documents{}

// Report layout, in points.
const (
	repTitleSize   = 20.0
	repSubSize     = 10.5
	repHeadSize    = 13.0
	repTextSize    = 10.0
	repCellSize    = 9.5
	repLineLead    = 16.0 // label/value line height
	repRowH        = 17.0 // table row height
	repCellPad     = 6.0  // space left and right of a table cell's text
	repFooterSpace = 30.0 // kept free above the bottom margin for the footer
)

// WriteReport writes r as a PDF at out (A4, or US Letter when d.Letter is
// set): the title large, the subtitle, then each section's heading, its
// label/value lines in two aligned columns and its table with a header row
// and ruled rows. Content that does not fit flows onto further pages, each
// with "Page N of M" in the footer; a table continued on a new page repeats
// its heading and header row. Text outside Windows-1252 prints as "?", and
// cells too wide for their column end in "…". out is written through a
// temporary file and renamed into place.
func (d Documents) WriteReport(r domain.Report, out string) error {
	conf := newConfig(model.CREATE)
	media := pageA4
	if d.Letter {
		media = pageLetter
	}
	dim := media.Dimensions()
	ctx, err := pdfcpu.CreateContextWithXRefTable(conf, &dim)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	l := &reportLayout{xt: ctx.XRefTable, media: media}
	l.draw(r)
	title := winAnsi(r.Title)
	if title == "" {
		title = "Report"
	}
	for i, c := range l.pages {
		l.footer(c, title, i+1, len(l.pages))
		if err := c.addPage(ctx, media); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	setInfo(ctx, strings.TrimSpace(r.Title), strings.TrimSpace(r.Subtitle))
	return writeAtomic(out, func(w io.Writer) error { return api.WriteContext(ctx, w) })
}

// reportLayout places a report on pages, one canvas per page; the footers
// are drawn once the number of pages is known.
type reportLayout struct {
	xt     *model.XRefTable
	media  *types.Rectangle
	pages  []*canvas
	c      *canvas // the current page
	x0, x1 float64 // left and right edges of the content
	y      float64 // the current baseline position, going down
}

// newPage starts a page; the pages share their font resources.
func (l *reportLayout) newPage() {
	c := newCanvas(l.xt)
	if l.c != nil {
		c.fontIDs, c.fonts = l.c.fontIDs, l.c.fonts
	}
	l.pages = append(l.pages, c)
	l.c = c
	l.x0 = (l.media.Width() - contentWidth) / 2
	l.x1 = l.x0 + contentWidth
	l.y = l.media.Height() - topMargin
}

// fits reports whether h more points fit on the current page.
func (l *reportLayout) fits(h float64) bool {
	return l.y-h >= bottomMargin+repFooterSpace
}

// need starts a new page unless h more points fit, and reports whether it did.
func (l *reportLayout) need(h float64) bool {
	if l.fits(h) {
		return false
	}
	l.newPage()
	return true
}

func (l *reportLayout) draw(r domain.Report) {
	l.newPage()
	c := l.c
	title := winAnsi(r.Title)
	if title == "" {
		title = "Report"
	}
	for i, t := range wrap(title, fontBold, repTitleSize, contentWidth, 2) {
		if i > 0 {
			l.y -= repTitleSize * 1.2
		}
		c.text(l.x0, l.y-repTitleSize, fontBold, repTitleSize, t, ink)
	}
	l.y -= repTitleSize + 8
	if sub := winAnsi(r.Subtitle); sub != "" {
		for _, t := range wrap(sub, fontRegular, repSubSize, contentWidth, 2) {
			l.y -= repSubSize + 4
			c.text(l.x0, l.y, fontRegular, repSubSize, t, muted)
		}
	}
	l.y -= 10
	c.hline(l.x0, l.x1, l.y, 1, rule)
	l.y -= 8

	for _, s := range r.Sections {
		l.section(s)
	}
}

// heading draws a section heading; cont marks a continuation on a new page.
func (l *reportLayout) heading(h string, cont bool) {
	if h == "" {
		return
	}
	if cont {
		h += " (continued)"
	}
	l.y -= repHeadSize + 14
	l.c.text(l.x0, l.y, fontBold, repHeadSize, clip(h, fontBold, repHeadSize, contentWidth), ink)
	l.y -= 8
}

func (l *reportLayout) section(s domain.ReportSection) {
	head := winAnsi(s.Heading)
	headH := 0.0
	if head != "" {
		headH = repHeadSize + 22
	}
	// Keep the heading with the first line or the first rows of its table.
	first := 0.0
	switch {
	case len(s.Lines) > 0:
		first = repLineLead + 4
	case len(s.Columns) > 0 || len(s.Rows) > 0:
		first = 2*repRowH + 4
	}
	l.need(headH + first)
	l.heading(head, false)
	if len(s.Lines) > 0 {
		l.lines(head, s.Lines)
	}
	if len(s.Columns) > 0 || len(s.Rows) > 0 {
		if len(s.Lines) > 0 {
			l.y -= 8
		}
		l.table(head, s.Columns, s.Rows)
	}
	l.y -= 4
}

// lines draws label/value pairs: labels on the left, values aligned in a
// second column; a long value wraps onto up to three lines.
func (l *reportLayout) lines(head string, pairs [][2]string) {
	labelW := 0.0
	for _, p := range pairs {
		labelW = max(labelW, textWidth(winAnsi(p[0]), fontRegular, repTextSize))
	}
	labelW = min(max(labelW+18, 120), contentWidth/2)
	valueW := contentWidth - labelW
	for _, p := range pairs {
		vals := wrap(winAnsi(p[1]), fontBold, repTextSize, valueW, 3)
		h := repLineLead * float64(max(len(vals), 1))
		if l.need(h + 2) {
			l.heading(head, true)
		}
		l.y -= repLineLead - 4
		l.c.text(l.x0, l.y, fontRegular, repTextSize, clip(winAnsi(p[0]), fontRegular, repTextSize, labelW-12), muted)
		for i, v := range vals {
			if i > 0 {
				l.y -= repLineLead
			}
			l.c.text(l.x0+labelW, l.y, fontBold, repTextSize, v, ink)
		}
		l.y -= 4
		l.c.hline(l.x0, l.x1, l.y, 0.25, panel-0.05)
	}
}

// table draws a header row on a grey band and the rows below it, each ruled
// off; numeric columns are right-aligned, and a table without rows says
// "No entries". On a new page the heading and the
// header row are repeated.
func (l *reportLayout) table(head string, cols []string, rows [][]string) {
	n := len(cols)
	for _, r := range rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return
	}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return winAnsi(r[i])
		}
		return ""
	}
	// Natural widths, then the widths that fill the content width.
	natural := make([]float64, n)
	numeric := make([]bool, n)
	for i := range n {
		natural[i] = textWidth(cell(cols, i), fontBold, repCellSize)
		numeric[i] = true
		seen := false
		for _, r := range rows {
			v := cell(r, i)
			natural[i] = max(natural[i], textWidth(v, fontRegular, repCellSize))
			if v != "" {
				seen = true
				numeric[i] = numeric[i] && isNumber(v)
			}
		}
		numeric[i] = numeric[i] && seen
		natural[i] += 2 * repCellPad
	}
	widths := columnWidths(natural, numeric, contentWidth)

	header := func() {
		if len(cols) == 0 {
			return
		}
		l.c.fillRect(l.x0, l.y-repRowH, contentWidth, repRowH, panel)
		l.row(cols, widths, numeric, fontBold, label)
	}
	header()
	if len(rows) == 0 {
		l.row([]string{"No entries"}, []float64{contentWidth}, []bool{false}, fontRegular, muted)
		return
	}
	for _, r := range rows {
		if l.need(repRowH + 2) {
			l.heading(head, true)
			header()
		}
		vals := make([]string, n)
		for i := range n {
			vals[i] = cell(r, i)
		}
		l.row(vals, widths, numeric, fontRegular, ink)
	}
}

// row draws one table row below l.y, ruled off underneath, and moves down.
func (l *reportLayout) row(vals []string, widths []float64, numeric []bool, fontName string, gray float64) {
	base := l.y - repRowH + (repRowH-repCellSize)/2 + 2
	x := l.x0
	for i, w := range widths {
		v := ""
		if i < len(vals) {
			v = winAnsi(vals[i])
		}
		v = clip(v, fontName, repCellSize, w-2*repCellPad)
		if numeric[i] {
			l.c.textRight(x+w-repCellPad, base, fontName, repCellSize, v, gray)
		} else {
			l.c.text(x+repCellPad, base, fontName, repCellSize, v, gray)
		}
		x += w
	}
	l.y -= repRowH
	l.c.hline(l.x0, l.x1, l.y, 0.5, rule)
}

func (l *reportLayout) footer(c *canvas, title string, page, pages int) {
	pg := "Page " + strconv.Itoa(page) + " of " + strconv.Itoa(pages)
	pw := textWidth(pg, fontRegular, 8)
	c.hline(l.x0, l.x1, bottomMargin+12, 0.5, rule)
	c.text(l.x0, bottomMargin, fontRegular, 8, clip(title, fontRegular, 8, contentWidth-pw-24), muted)
	c.textRight(l.x1, bottomMargin, fontRegular, 8, pg, muted)
}

// clip is the encoded s on one line no wider than width, ending in "…" when
// cut.
func clip(s, fontName string, size, width float64) string {
	if s == "" {
		return ""
	}
	if lines := wrap(s, fontName, size, width, 1); len(lines) > 0 {
		return lines[0]
	}
	return ""
}

// columnWidths makes natural column widths fill total: spare room goes to
// the text columns (to all if every column is numeric), and when the columns
// are too wide the widest are narrowed to a common width.
func columnWidths(natural []float64, numeric []bool, total float64) []float64 {
	w := append([]float64(nil), natural...)
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	if sum <= total {
		grow, growSum := 0, 0.0
		for i := range w {
			if !numeric[i] {
				grow++
				growSum += w[i]
			}
		}
		spare := total - sum
		for i := range w {
			switch {
			case grow == 0:
				w[i] += spare / float64(len(w))
			case !numeric[i]:
				w[i] += spare * w[i] / growSum
			}
		}
		return w
	}
	// Find the cap c with sum(min(w_i, c)) = total.
	lo, hi := 0.0, total
	for range 50 {
		c := (lo + hi) / 2
		s := 0.0
		for _, v := range w {
			s += min(v, c)
		}
		if s > total {
			hi = c
		} else {
			lo = c
		}
	}
	for i := range w {
		w[i] = min(w[i], lo)
	}
	return w
}

// isNumber reports whether s reads as a figure ("12", "83.5 %", "1,204",
// "4.2 h", "-3"), to be right-aligned.
func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	for _, suffix := range []string{"%", "h"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, suffix))
	}
	if s == "" {
		return false
	}
	digits := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == '.' || r == ',' || r == ' ':
		case (r == '-' || r == '+') && i == 0:
		default:
			return false
		}
	}
	return digits
}
