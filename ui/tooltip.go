package ui

import (
	"fyne.io/fyne/v2"
	ttwidget "github.com/dweymouth/fyne-tooltip/widget"
)

// toolButton is a button of the top bar: an icon, and the words a pointer
// resting on it shows (the same words as its menu item), since an icon
// alone does not say what it does.
func toolButton(icon fyne.Resource, tip string, tapped func()) *ttwidget.Button {
	b := ttwidget.NewButtonWithIcon("", icon, tapped)
	b.SetToolTip(tip)
	return b
}
