package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// undoFor is how long a scan result offers Undo.
const undoFor = 10 * time.Second

// Banner shows the result of the last scan in large type, readable from a
// step away, with an Undo button for a few seconds after a change.
type Banner struct {
	bg   *canvas.Rectangle
	text *widget.RichText
	msg  string
	undo *widget.Button
	box  *fyne.Container
	// room holds the banner's place under the search field, shown or not.
	room *fyne.Container
	// gen counts results so that an old timer does not hide a newer Undo.
	gen int
	// do runs the timer's work on Fyne's goroutine (MainWindow.Do).
	do func(func())
}

func newBanner(onUndo func(), do func(func())) *Banner {
	b := &Banner{bg: canvas.NewRectangle(color.Transparent), text: widget.NewRichText(), do: do}
	// one line, so that the banner's room does not grow with a long result
	b.text.Truncation = fyne.TextTruncateEllipsis
	b.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), onUndo)
	b.undo.Hide()
	b.box = container.NewStack(b.bg, container.NewPadded(container.NewBorder(nil, nil, nil, b.undo, b.text)))
	b.box.Hide()
	// the room a one-line result with Undo takes
	line := widget.NewRichText(&widget.TextSegment{Text: "Ag", Style: bannerStyle()})
	b.room = reserved(b.box, container.NewPadded(container.NewBorder(nil, nil, nil,
		widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), nil), line)))
	return b
}

// bannerStyle is the large type of a result.
func bannerStyle() widget.RichTextStyle {
	return widget.RichTextStyle{SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}
}

func (b *Banner) object() fyne.CanvasObject { return b.room }

// show puts a result on the banner: ok results are green, refusals red;
// undoable results offer Undo for a few seconds.
func (b *Banner) show(msg string, ok, undoable bool) {
	b.gen++
	gen := b.gen
	b.msg = msg
	style := bannerStyle()
	if ok {
		b.bg.FillColor = theme.Color(theme.ColorNameSuccess)
		style.ColorName = theme.ColorNameForegroundOnSuccess
	} else {
		b.bg.FillColor = theme.Color(theme.ColorNameError)
		style.ColorName = theme.ColorNameForegroundOnError
	}
	b.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: msg, Style: style}}
	b.box.Show()
	b.bg.Refresh()
	b.text.Refresh()
	if undoable {
		b.undo.Show()
		time.AfterFunc(undoFor, func() {
			b.do(func() {
				if b.gen == gen {
					b.undo.Hide()
				}
			})
		})
	} else {
		b.undo.Hide()
	}
}

// clear takes the banner's result away, its room kept so nothing moves.
func (b *Banner) clear() {
	b.gen++
	b.msg = ""
	b.box.Hide()
}

// Text is what the banner says now.
func (b *Banner) Text() string { return b.msg }

// undoOffered reports whether the Undo button is showing.
func (b *Banner) undoOffered() bool { return b.undo.Visible() }
