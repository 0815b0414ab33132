package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartSeries is one series of a chart: a value per label.
type chartSeries struct {
	name   string
	values []float64
	color  color.Color
}

// Chart draws series against labels, as grouped bars or as lines, scaled to
// the largest value, with values over the bars and labels under the axis;
// or, made by newRowChart, one series as a bar per row with its label in
// front, for labels too long to stand under a bar.
type Chart struct {
	widget.BaseWidget
	lines  bool
	rows   bool
	labels []string
	series []chartSeries
}

func newChart(lines bool, labels []string, series ...chartSeries) *Chart {
	c := &Chart{lines: lines, labels: labels, series: series}
	c.ExtendBaseWidget(c)
	return c
}

// newRowChart draws one series as horizontal bars, a row per label.
func newRowChart(labels []string, series chartSeries) *Chart {
	c := &Chart{rows: true, labels: labels, series: []chartSeries{series}}
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer draws the chart for its size.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer { return &chartRenderer{chart: c} }

type chartRenderer struct {
	chart *Chart
	size  fyne.Size
	objs  []fyne.CanvasObject
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	r.objs = r.chart.draw(size)
}

func (r *chartRenderer) MinSize() fyne.Size {
	if r.chart.rows {
		return fyne.NewSize(240, float32(max(len(r.chart.labels), 1))*rowChartHeight())
	}
	return fyne.NewSize(float32(max(len(r.chart.labels), 1))*36, 200)
}

func (r *chartRenderer) Refresh()                     { r.Layout(r.size); canvas.Refresh(r.chart) }
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Destroy()                     {}

// chartText is a chart's small text at a position.
func chartText(s string, x, y float32) *canvas.Text {
	t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.TextSize() * 0.8
	t.Move(fyne.NewPos(x, y))
	return t
}

// rowChartHeight is the height of a row of a row chart.
func rowChartHeight() float32 { return theme.TextSize() + 10 }

// fitText cuts s to width, an ellipsis marking the cut.
func fitText(s string, width float32, size float32) string {
	if fyne.MeasureText(s, size, fyne.TextStyle{}).Width <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if cut := string(r) + "…"; fyne.MeasureText(cut, size, fyne.TextStyle{}).Width <= width {
			return cut
		}
	}
	return ""
}

func (c *Chart) draw(size fyne.Size) []fyne.CanvasObject {
	n := len(c.labels)
	if n == 0 || size.Width <= 0 {
		return nil
	}
	if c.rows {
		return c.drawRows(size)
	}
	text := chartText
	lineH := theme.TextSize() + 4
	// legend, then room for the value over the tallest bar, the plot, the labels
	plotH := size.Height - 4*lineH
	base := 3*lineH + plotH
	group := size.Width / float32(n)
	top := 0.0
	for _, s := range c.series {
		for _, v := range s.values {
			top = max(top, v)
		}
	}
	if top == 0 {
		top = 1
	}
	y := func(v float64) float32 { return base - float32(v/top)*plotH }
	axis := canvas.NewLine(theme.Color(theme.ColorNameDisabled))
	axis.Position1, axis.Position2 = fyne.NewPos(0, base), fyne.NewPos(size.Width, base)
	objs := []fyne.CanvasObject{axis}
	every := max(1, n/12) // no more than a dozen labels
	for i, label := range c.labels {
		if i%every == 0 {
			// under the middle of its bars or point, inside the chart
			w := fyne.MeasureText(label, theme.TextSize()*0.8, fyne.TextStyle{}).Width
			x := min(max(float32(i)*group+(group-w)/2, 0), size.Width-w)
			objs = append(objs, text(label, x, base+2))
		}
	}
	barW := group * 0.8 / float32(max(len(c.series), 1))
	for j, s := range c.series {
		for i, v := range s.values {
			x := float32(i)*group + group*0.1
			if c.lines {
				cx := float32(i)*group + group/2
				if i > 0 {
					seg := canvas.NewLine(s.color)
					seg.StrokeWidth = 2
					seg.Position1 = fyne.NewPos(float32(i-1)*group+group/2, y(s.values[i-1]))
					seg.Position2 = fyne.NewPos(cx, y(v))
					objs = append(objs, seg)
				}
				dot := canvas.NewCircle(s.color)
				dot.Move(fyne.NewPos(cx-3, y(v)-3))
				dot.Resize(fyne.NewSize(6, 6))
				objs = append(objs, dot)
				continue
			}
			bar := canvas.NewRectangle(s.color)
			bar.Move(fyne.NewPos(x+float32(j)*barW, y(v)))
			bar.Resize(fyne.NewSize(max(barW-1, 1), base-y(v)))
			objs = append(objs, bar)
			if v > 0 && n <= 16 {
				objs = append(objs, text(fmt.Sprintf("%g", v), x+float32(j)*barW, y(v)-lineH))
			}
		}
	}
	// legend
	lx := float32(0)
	for _, s := range c.series {
		sw := canvas.NewRectangle(s.color)
		sw.Move(fyne.NewPos(lx, 2))
		sw.Resize(fyne.NewSize(10, 10))
		objs = append(objs, sw, text(s.name, lx+14, 0))
		lx += 14 + float32(len(s.name))*theme.TextSize()*0.55 + 16
	}
	return objs
}

// drawRows draws the first series as a bar per row: the label, cut to fit,
// in front; the value after the bar.
func (c *Chart) drawRows(size fyne.Size) []fyne.CanvasObject {
	ts := theme.TextSize() * 0.8
	s := c.series[0]
	labelW := float32(0)
	for _, l := range c.labels {
		labelW = max(labelW, fyne.MeasureText(l, ts, fyne.TextStyle{}).Width)
	}
	labelW = min(labelW, size.Width*0.45)
	valueW := fyne.MeasureText("00000", ts, fyne.TextStyle{}).Width
	plotX := labelW + 8
	plotW := max(size.Width-plotX-valueW, 1)
	top := 0.0
	for _, v := range s.values {
		top = max(top, v)
	}
	if top == 0 {
		top = 1
	}
	rowH := rowChartHeight()
	textH := fyne.MeasureText("M", ts, fyne.TextStyle{}).Height
	var objs []fyne.CanvasObject
	for i, label := range c.labels {
		y := float32(i) * rowH
		objs = append(objs, chartText(fitText(label, labelW, ts), 0, y+(rowH-textH)/2))
		v := 0.0
		if i < len(s.values) {
			v = s.values[i]
		}
		w := float32(v/top) * plotW
		bar := canvas.NewRectangle(s.color)
		bar.Move(fyne.NewPos(plotX, y+3))
		bar.Resize(fyne.NewSize(max(w, 1), rowH-6))
		objs = append(objs, bar, chartText(fmt.Sprintf("%g", v), plotX+w+4, y+(rowH-textH)/2))
	}
	return objs
}
