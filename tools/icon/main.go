// Command icon draws ILL Desk's application icon, assets/icon.png: a white
// open book inside two curved arrows that chase each other round it (a loan
// going out to another library and coming back) on a blue rounded square.
// The shapes are few and bold so that the icon still reads at 16 px.
//
//	go run ./tools/icon                          # writes assets/icon.png, 1024×1024
//	go run ./tools/icon -size 16 -o /tmp/i16.png # a preview at another size
//
// Every size is drawn from the same outlines with anti-aliasing, so a small
// preview shows what the shape looks like at that size.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/vector"
)

// The design is laid out on a square of 1024 units, y growing downwards;
// the outlines are scaled to the size asked for.
const unit = 1024

var (
	// The background runs from top to bottom between these two blues.
	blueTop    = color.RGBA{0x2b, 0x6c, 0xe8, 0xff}
	blueBottom = color.RGBA{0x17, 0x3f, 0xa6, 0xff}
	white      = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

func main() {
	size := flag.Int("size", unit, "width and height of the icon in pixels")
	out := flag.String("o", "assets/icon.png", "PNG file to write")
	flag.Parse()
	if *size < 8 || *size > 4096 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/icon [-size PX] [-o FILE.png]")
		os.Exit(2)
	}
	if err := writePNG(*out, render(*size)); err != nil {
		fmt.Fprintln(os.Stderr, "icon:", err)
		os.Exit(1)
	}
}

// render draws the icon at size×size pixels.
func render(size int) *image.RGBA {
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, size, size)), scale: float32(size) / unit}
	bg := gradient{top: blueTop, bottom: blueBottom, h: size}
	fg := image.NewUniform(white)

	c.fill(bg, roundedSquare(24, 24, 1000, 1000, 200))
	c.fill(fg, bookPages(512, 512, 0.68)...)
	// Two arrows round the book, both clockwise: one over the top, one
	// underneath, each ending in a head that points at the other's tail.
	const (
		radius   = 372.0 // of the arcs' middle line
		half     = 66.0  // half an arc's thickness
		from, to = 214.0, 332.0
		tip      = 25.0  // degrees from the end of an arc to its arrow's tip
		headHalf = 124.0 // half the width of an arrowhead's base
	)
	c.fill(fg,
		arcArrow(512, 512, radius, half, from, to, tip, headHalf),
		arcArrow(512, 512, radius, half, from-180, to-180, tip, headHalf))
	return c.img
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// canvas paints outlines, given in design units, onto img.
type canvas struct {
	img   *image.RGBA
	scale float32 // pixels per design unit
}

// path is a closed outline in design units.
type path func(p *pen)

// pen scales design units to pixels on the way to the rasterizer.
type pen struct {
	r *vector.Rasterizer
	s float32
}

func (p *pen) move(x, y float64) { p.r.MoveTo(float32(x)*p.s, float32(y)*p.s) }
func (p *pen) line(x, y float64) { p.r.LineTo(float32(x)*p.s, float32(y)*p.s) }
func (p *pen) close()            { p.r.ClosePath() }
func (p *pen) cube(x1, y1, x2, y2, x, y float64) {
	s := p.s
	p.r.CubeTo(float32(x1)*s, float32(y1)*s, float32(x2)*s, float32(y2)*s, float32(x)*s, float32(y)*s)
}

// fill paints the inside of each path with src over what is there. Each path
// is rasterized on its own, so overlapping outlines never cancel out.
func (c *canvas) fill(src image.Image, paths ...path) {
	b := c.img.Bounds()
	for _, pth := range paths {
		r := vector.NewRasterizer(b.Dx(), b.Dy())
		r.DrawOp = draw.Over
		pth(&pen{r: r, s: c.scale})
		r.Draw(c.img, b, src, image.Point{})
	}
}

// gradient is a vertical blend from top to bottom over h pixels.
type gradient struct {
	top, bottom color.RGBA
	h           int
}

func (g gradient) ColorModel() color.Model { return color.RGBAModel }
func (g gradient) Bounds() image.Rectangle { return image.Rect(-1e9, -1e9, 1e9, 1e9) }
func (g gradient) At(_, y int) color.Color {
	t := math.Max(0, math.Min(1, (float64(y)+0.5)/float64(g.h)))
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t)) }
	return color.RGBA{mix(g.top.R, g.bottom.R), mix(g.top.G, g.bottom.G), mix(g.top.B, g.bottom.B), 0xff}
}

// roundedSquare is the rectangle x0,y0–x1,y1 with corners of radius r.
func roundedSquare(x0, y0, x1, y1, r float64) path {
	const k = 0.5523 // a quarter circle as a cubic Bézier curve
	return func(p *pen) {
		p.move(x0+r, y0)
		p.line(x1-r, y0)
		p.cube(x1-r+k*r, y0, x1, y0+r-k*r, x1, y0+r)
		p.line(x1, y1-r)
		p.cube(x1, y1-r+k*r, x1-r+k*r, y1, x1-r, y1)
		p.line(x0+r, y1)
		p.cube(x0+r-k*r, y1, x0, y1-r+k*r, x0, y1-r)
		p.line(x0, y0+r)
		p.cube(x0, y0+r-k*r, x0+r-k*r, y0, x0+r, y0)
		p.close()
	}
}

// bookPages are the two pages of an open book seen from the front, centred
// on cx,cy and scaled by k: each page rises from the spine to its outer
// edge, and a gap between them marks the spine.
func bookPages(cx, cy, k float64) []path {
	// The book at scale 1, relative to its centre.
	const (
		gap      = 22.0  // half the gap between the pages
		outer    = 300.0 // half the width of the open book
		spineTop = -130.0
		spineBot = 200.0
		edgeTop  = -195.0 // the outer corners stand higher than the spine
		edgeBot  = 140.0
	)
	page := func(side float64) path { // side -1: left page, +1: right page
		x := func(dx float64) float64 { return cx + side*dx*k }
		y := func(dy float64) float64 { return cy + dy*k }
		return func(p *pen) {
			p.move(x(gap), y(spineTop))
			p.cube(x(110), y(spineTop-60), x(210), y(edgeTop-10), x(outer), y(edgeTop))
			p.line(x(outer), y(edgeBot))
			p.cube(x(210), y(edgeBot-10), x(110), y(spineBot-60), x(gap), y(spineBot))
			p.close()
		}
	}
	return []path{page(-1), page(+1)}
}

// arcArrow is a thick arc round cx,cy, of middle radius r and half thickness
// half, running clockwise from angle from to angle to (degrees from 3
// o'clock), with a head at the "to" end whose tip lies on the arc tipDeg
// further on. Band and head are one outline, so they join without a seam.
func arcArrow(cx, cy, r, half, from, to, tipDeg, headHalf float64) path {
	pt := func(rr, deg float64) (float64, float64) {
		a := deg * math.Pi / 180
		return cx + rr*math.Cos(a), cy + rr*math.Sin(a)
	}
	return func(p *pen) {
		const steps = 64
		p.move(pt(r+half, from))
		for i := 1; i <= steps; i++ {
			p.line(pt(r+half, from+(to-from)*float64(i)/steps))
		}
		p.line(pt(r+headHalf, to))
		p.line(pt(r, to+tipDeg))
		p.line(pt(r-headHalf, to))
		for i := steps; i >= 0; i-- {
			p.line(pt(r-half, from+(to-from)*float64(i)/steps))
		}
		p.close()
	}
}
