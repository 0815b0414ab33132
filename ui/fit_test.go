package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitToShrinksTheWindowToTheScreen(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	win := mw.Window()
	need := win.Content().MinSize()
	require.Equal(t, DefaultSize, win.Canvas().Size())
	require.Less(t, need.Width, float32(1000), "the content fits a small laptop's screen")
	require.Less(t, need.Height, float32(600))

	tests := []struct {
		name string
		area fyne.Size
		want fyne.Size
	}{
		{"a large screen leaves the window as it is", fyne.NewSize(1900, 1000), DefaultSize},
		{"a small laptop's screen", fyne.NewSize(1000, 600), fyne.NewSize(1000, 600)},
		{"only the height is short", fyne.NewSize(1300, 700), fyne.NewSize(1280, 700)},
		{"never below what the content needs", fyne.NewSize(300, 200), need},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			win.Resize(DefaultSize)
			mw.FitTo(tt.area)
			assert.Equal(t, tt.want, win.Canvas().Size())
		})
	}
}

// TestEmptyDatabaseFitsASmallScreen: the hint an empty database shows
// instead of the list does not make the window wider than a small laptop's
// screen, which it stays as when the first requests arrive.
func TestEmptyDatabaseFitsASmallScreen(t *testing.T) {
	mw := newFixture(t).open()
	require.True(t, mw.hint.Visible())
	assert.Less(t, mw.Window().Content().MinSize().Width, float32(1000))
}
