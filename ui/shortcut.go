package ui

import "runtime"

// shortcutText names a window shortcut as the system's keyboard does: the
// window's shortcuts use Fyne's KeyModifierShortcutDefault, which is Ctrl
// on Windows and Linux and Command on macOS.
func shortcutText(key string) string { return shortcutTextFor(runtime.GOOS, key) }

// shortcutTextFor is shortcutText on the system goos.
func shortcutTextFor(goos, key string) string {
	if goos == "darwin" {
		if key == "Enter" {
			key = "Return" // as Mac keyboards label it
		}
		return "⌘" + key
	}
	return "Ctrl+" + key
}
