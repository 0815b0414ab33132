package main

import (
	"testing"

	fyneapp "fyne.io/fyne/v2/app"
	"github.com/stretchr/testify/require"
)

// The hook Fyne runs when its loop stops is what can leave the process
// running after the window closed (dropStopHook): once dropped, there is no
// stopped event left to queue.
func TestDropStopHook(t *testing.T) {
	a := fyneapp.NewWithID("org.illdesk.test")
	l, ok := a.Lifecycle().(interface{ OnStopped() func() })
	require.True(t, ok, "Fyne's lifecycle no longer tells its stopped hook")
	require.NotNil(t, l.OnStopped(), "Fyne sets a stopped hook of its own")

	dropStopHook(a)
	require.Nil(t, l.OnStopped(), "a stopped event would still be queued when the loop stops")
}
