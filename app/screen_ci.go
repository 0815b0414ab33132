//go:build ci || wasm || js || android || ios

package main

import "github.com/illdesk/illdesk/ui"

// fitToScreen does nothing where there is no desktop monitor to ask: under
// the headless test driver the window has no screen to fit.
func fitToScreen(*ui.MainWindow) {}
