//go:build !ci && !wasm && !js && !android && !ios

package main

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.4/glfw"

	"github.com/illdesk/illdesk/ui"
)

// The window's frame (borders and title bar) is outside the size Fyne
// gives it; fitToScreen leaves about this much room for it, in screen
// coordinates.
const frameWidth, frameHeight = 16, 48

// fitToScreen has the window fit the primary monitor's work area (the
// screen less its task bar or dock) once it is shown. Fyne opens a window
// at the size asked for even on a smaller screen, and Windows does not
// shrink it, so on a 1366×768 laptop the window's bottom would sit under the
// task bar. Call it from the app's started hook: the check runs on Fyne's
// main thread, where GLFW may be called, after the window is created and
// knows its scale.
func fitToScreen(w *ui.MainWindow) {
	fyne.Do(func() {
		mon := glfw.GetPrimaryMonitor()
		if mon == nil {
			return
		}
		_, _, width, height := mon.GetWorkarea()
		scale := w.Window().Canvas().Scale()
		if width <= frameWidth || height <= frameHeight || scale <= 0 {
			return
		}
		w.FitTo(fyne.NewSize(float32(width-frameWidth)/scale, float32(height-frameHeight)/scale))
	})
}
