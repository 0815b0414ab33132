package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/code128"
)

// quietModules is the blank margin, in modules, on each side of a Code 128
// symbol; scanners need at least 10.
const quietModules = 10

// pxPerModule is how many image pixels one module (the narrowest bar) gets.
// Whole pixels per module keep the bars crisp when a viewer smooths the
// image while scaling it.
const pxPerModule = 4

// code128Image renders content as a Code 128 symbol with its quiet zones, as
// an 8-bit grey PNG. modules is the symbol's width in modules, quiet zones
// included; the image is modules*pxPerModule pixels wide and a few pixels
// high (it is stretched to the height wanted on the page).
func code128Image(content string) (pngData []byte, modules int, err error) {
	bc, err := code128.Encode(content)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot draw %q as a Code 128 barcode: %w", content, err)
	}
	bars := bc.Bounds().Dx()
	modules = bars + 2*quietModules
	const height = 8
	img := image.NewGray(image.Rect(0, 0, modules*pxPerModule, height))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for m := range bars {
		if !isDark(bc.At(bc.Bounds().Min.X+m, bc.Bounds().Min.Y)) {
			continue
		}
		for y := range height {
			for p := range pxPerModule {
				img.SetGray((quietModules+m)*pxPerModule+p, y, color.Gray{Y: 0})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), modules, nil
}

func isDark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 0x80
}
