package ui

import "strings"

// showTitle puts on the window's title where this workstation stands and
// what needs attention, "ILL Desk — RS desk — 3 need attention", so that
// both show in the task bar while the window is behind another. The title
// changes only when they do.
func (m *MainWindow) showTitle() {
	parts := []string{WindowTitle, m.scan.Station().Label()}
	if m.attention.summary != "" {
		parts = append(parts, m.attention.summary)
	}
	if t := strings.Join(parts, " — "); t != m.win.Title() {
		m.win.SetTitle(t)
	}
}
