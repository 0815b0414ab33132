package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/illdesk/illdesk/assets"
	"github.com/illdesk/illdesk/ui"
)

// appID identifies ILL Desk to the OS and to Fyne's preferences store; it
// matches FyneApp.toml.
const appID = "org.illdesk.desk"

// runWindow opens the main window at the session's desk and blocks until it
// is closed, or until SIGINT/SIGTERM asks the app to quit. The database is
// closed by run afterwards either way.
func runWindow(s *session) error {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := ui.NewMainWindow(a, s.desk, ui.Options{Station: s.station, StationGiven: s.stationGiven,
		Operator: s.operator, Log: func(msg string) { fmt.Fprintln(s.stderr, "illdesk:", msg) }})

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()

	w.Window().ShowAndRun()
	w.Wait()
	return nil
}
