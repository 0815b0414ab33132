package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// reserved lays content out in the room it needs, or the room the objects
// in keep need when shown, whichever is more, whether they show or not: a
// bar that comes and goes does not move what lies below it, so the next
// click lands where staff aim.
func reserved(content fyne.CanvasObject, keep ...fyne.CanvasObject) *fyne.Container {
	return container.New(&reservedLayout{keep: keep}, content)
}

// reservedLayout is reserved's layout.
type reservedLayout struct{ keep []fyne.CanvasObject }

// Layout fills the room with the content.
func (r *reservedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize is the most the content and the objects kept need, shown or not.
func (r *reservedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range append(objs, r.keep...) {
		s = s.Max(o.MinSize())
	}
	return s
}
