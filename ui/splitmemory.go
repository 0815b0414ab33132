package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Preference keys remembering where staff put the window's dividers.
const (
	prefFacetSplit   = "window.facets.offset"
	prefDetailsSplit = "window.details.offset"
)

// rememberedHSplit is a side-by-side split whose divider stays where staff
// last put it on this workstation; def is where it starts otherwise.
// container.Split says nothing when its divider moves: the leading side
// is laid out again each time, and that layout keeps the offset.
func rememberedHSplit(prefs fyne.Preferences, key string, def float64, leading, trailing fyne.CanvasObject) *container.Split {
	m := &splitMemory{prefs: prefs, key: key}
	s := container.NewHSplit(container.New(m, leading), trailing)
	s.SetOffset(prefs.FloatWithFallback(key, def))
	m.split = s
	return s
}

// splitMemory lays out a split's leading side and remembers the split's offset.
type splitMemory struct {
	split *container.Split
	prefs fyne.Preferences
	key   string
}

// Layout fills the space with the leading side and keeps the divider's place.
func (m *splitMemory) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if m.split != nil && m.prefs.Float(m.key) != m.split.Offset {
		m.prefs.SetFloat(m.key, m.split.Offset)
	}
}

// MinSize is the leading side's.
func (m *splitMemory) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}
