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

func TestIdleHeap(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name                string
		objects, live, free uint64
		want                uint64
		release             bool
	}{
		{"nothing idle", 100 * mb, 100 * mb, 0, 0, false},
		{"a little garbage and free heap", 103 * mb, 100 * mb, 1 * mb, 4 * mb, false},
		{"garbage after scrolling", 130 * mb, 100 * mb, 2 * mb, 32 * mb, true},
		{"freed heap not yet returned", 100 * mb, 100 * mb, 9 * mb, 9 * mb, true},
		{"the heap shrank since the last collection", 90 * mb, 100 * mb, 1 * mb, 1 * mb, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := idleHeap(tt.objects, tt.live, tt.free)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.release, got > idleHeapLimit)
		})
	}
}
