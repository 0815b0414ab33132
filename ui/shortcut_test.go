package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShortcutTextFollowsTheSystem(t *testing.T) {
	tests := []struct{ goos, key, want string }{
		{"linux", "F", "Ctrl+F"},
		{"windows", "Enter", "Ctrl+Enter"},
		{"darwin", "F", "⌘F"},
		{"darwin", "Enter", "⌘Return"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shortcutTextFor(tt.goos, tt.key), "%s %s", tt.goos, tt.key)
	}
}
