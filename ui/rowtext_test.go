package ui

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFit(t *testing.T) {
	test.NewTempApp(t)
	size, style := theme.TextSize(), fyne.TextStyle{}
	width := func(s string) float32 { return fyne.MeasureText(s, size, style).Width }
	long := "Journal of Documentation — Information seeking in the digital age"
	tests := []struct {
		name  string
		text  string
		width float32
		mark  string
		want  string
	}{
		{"fits", "Nature", width("Nature"), ellipsisMark, "Nature"},
		{"empty", "", 10, ellipsisMark, ""},
		{"ellipsis", long, width("Journal of Doc" + ellipsisMark), ellipsisMark, "Journal of Doc" + ellipsisMark},
		{"cut between characters, not inside one", "Zeitschrift für Öko", width("Zeitschrift für Ö"+ellipsisMark) - 0.5,
			ellipsisMark, "Zeitschrift für " + ellipsisMark},
		{"no room for a character", long, 1, ellipsisMark, ellipsisMark},
		{"clipped after the last character that fits", "OVERDUE 1h 59m", width("OVERDUE 1h 5") + 0.5, "", "OVERDUE 1h 5"},
		{"clipped to nothing", "OVERDUE", 1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fit(tt.text, tt.width, size, style, tt.mark)
			assert.Equal(t, tt.want, got)
			if got != ellipsisMark {
				assert.LessOrEqual(t, width(got), tt.width)
			}
		})
	}
}

func TestRowTextDrawsItsTextIntoItsOwnImage(t *testing.T) {
	test.NewTempApp(t)
	r := newRowText()
	r.Resize(fyne.NewSize(200, r.MinSize().Height))
	assert.False(t, r.raster.Visible(), "no text, nothing to draw")

	r.set("UM-ISO-550019", fyne.TextStyle{}, widget.MediumImportance, false)
	require.True(t, r.raster.Visible())
	assert.Equal(t, "UM-ISO-550019", r.AccessibilityLabel())
	w, h := 400, int(2*r.MinSize().Height) // a screen at twice the scale
	img := r.draw(w, h)
	require.Equal(t, image.Rect(0, 0, w, h), img.Bounds())
	assert.Greater(t, opaquePixels(img), 100, "the text is drawn")
	_, _, _, a := img.At(1, 1).RGBA()
	assert.Zero(t, a, "around the text the image is clear: the row's highlight shows through")

	r.set("OVERDUE 1h 59m", fyne.TextStyle{Bold: true}, widget.DangerImportance, false)
	r.Resize(fyne.NewSize(fyne.MeasureText("OVERDUE 1h", theme.TextSize(), r.style).Width+2*theme.InnerPadding()+4, r.MinSize().Height))
	img = r.draw(int(r.Size().Width), int(r.Size().Height))
	pad := int(theme.InnerPadding())
	right := img.Bounds().Dx() - pad
	assert.Zero(t, opaquePixels(img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(right, 0, img.Bounds().Dx(), img.Bounds().Dy()))),
		"text that does not fit is cut before the padding, between characters")

	r.set("", fyne.TextStyle{}, widget.MediumImportance, false)
	assert.False(t, r.raster.Visible())
}

func TestRowTextColoursAsALabel(t *testing.T) {
	test.NewTempApp(t)
	r := newRowText()
	for imp, want := range map[widget.Importance]fyne.ThemeColorName{
		widget.MediumImportance:  theme.ColorNameForeground,
		widget.DangerImportance:  theme.ColorNameError,
		widget.SuccessImportance: theme.ColorNameSuccess,
		widget.WarningImportance: theme.ColorNameWarning,
	} {
		r.set("x", fyne.TextStyle{}, imp, false)
		assert.Equal(t, want, r.color(), "importance %v", imp)
	}
	label := widget.NewLabel("M")
	assert.Equal(t, label.MinSize().Height, r.MinSize().Height, "rows are as tall as with labels")
}

// opaquePixels counts the pixels of img that are not fully transparent.
func opaquePixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0 {
				n++
			}
		}
	}
	return n
}
