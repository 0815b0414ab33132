package ui

import (
	"image"
	"image/draw"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowText is the text of a list cell whose text differs from row to row
// (an external id, a title), drawn into an image the cell owns.
//
// Fyne draws each distinct string it shows into a texture and keeps the
// texture for a minute after its last use (fyne-io/fyne#5486). Scrolling
// through a list of 100,000 requests shows thousands of distinct ids and
// titles a minute, and their textures grew the window by tens of megabytes.
// A rowText's image, and its texture, is replaced as soon as the cell shows
// another row, so the list's text takes memory for the rows on screen only.
type rowText struct {
	widget.BaseWidget
	text       string
	style      fyne.TextStyle
	importance widget.Importance
	// ellipsis ends text that does not fit with "…"; otherwise it is cut
	// after the last character that fits.
	ellipsis bool
	raster   *canvas.Raster
}

var _ fyne.Accessible = (*rowText)(nil)

func newRowText() *rowText {
	t := &rowText{}
	t.raster = canvas.NewRaster(t.draw)
	t.raster.Hide()
	t.ExtendBaseWidget(t)
	return t
}

// set shows text in the style and importance, redrawing only when something changed.
func (t *rowText) set(text string, style fyne.TextStyle, imp widget.Importance, ellipsis bool) {
	if t.text == text && t.style == style && t.importance == imp && t.ellipsis == ellipsis {
		return
	}
	t.text, t.style, t.importance, t.ellipsis = text, style, imp, ellipsis
	if text == "" {
		t.raster.Hide()
		return
	}
	t.raster.Show()
	t.raster.Refresh()
}

// AccessibilityLabel is the cell's text, for screen readers.
func (t *rowText) AccessibilityLabel() string { return t.text }

// AccessibilityRole says the cell is text.
func (t *rowText) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleText }

// MinSize is a label's: one line of text with the inner padding around it.
func (t *rowText) MinSize() fyne.Size {
	pad := theme.InnerPadding()
	return fyne.NewSize(2*pad, fyne.MeasureText("M", theme.TextSize(), t.style).Height+2*pad)
}

// CreateRenderer shows the image.
func (t *rowText) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.raster) }

// color is the text's colour for its importance, as a label has it.
func (t *rowText) color() fyne.ThemeColorName {
	switch t.importance {
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// draw renders the text at the cell's size, w×h pixels, placed as a label
// places it: after the inner padding, centred vertically.
func (t *rowText) draw(w, h int) image.Image {
	size := t.raster.Size()
	if w <= 0 || h <= 0 || size.Width <= 0 {
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	pad, textSize := theme.InnerPadding(), theme.TextSize()
	mark := ""
	if t.ellipsis {
		mark = ellipsisMark
	}
	text := fit(t.text, size.Width-2*pad, textSize, t.style, mark)
	line := canvas.NewText(text, theme.Color(t.color()))
	line.TextStyle, line.TextSize = t.style, textSize
	line.Move(fyne.NewPos(pad, (size.Height-line.MinSize().Height)/2))
	line.Resize(line.MinSize())

	c := software.NewTransparentCanvas()
	c.SetPadded(false)
	c.SetScale(float32(w) / size.Width)
	c.SetContent(container.NewWithoutLayout(line))
	c.Resize(size)
	img := c.Capture()
	if img.Bounds() == image.Rect(0, 0, w, h) {
		return img
	}
	// rounding gave a pixel more or less: an image of any other size would
	// be stretched to the cell, and its text blurred
	exact := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(exact, exact.Rect, img, image.Point{}, draw.Src)
	return exact
}

// ellipsisMark ends text cut short.
const ellipsisMark = "…"

// fit returns text whole when it fits width, and otherwise its longest
// beginning that fits with mark (an ellipsis, or nothing to clip) after it:
// text is cut between characters, as a label cuts it.
func fit(text string, width, size float32, style fyne.TextStyle, mark string) string {
	if fyne.MeasureText(text, size, style).Width <= width {
		return text
	}
	runes := []rune(text)
	n := sort.Search(len(runes)+1, func(n int) bool {
		return fyne.MeasureText(string(runes[:n])+mark, size, style).Width > width
	}) - 1
	return string(runes[:max(n, 0)]) + mark
}
