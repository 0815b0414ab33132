package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/illdesk/illdesk/assets"
	"github.com/illdesk/illdesk/domain"
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
	// The window touches widgets only on Fyne's goroutine (other goroutines
	// go through fyne.Do), so declare the migration, as FyneApp.toml does
	// for packaged builds: without it Fyne checks the calling goroutine by
	// taking a stack trace on every refresh, two thirds of the time spent
	// moving through the list.
	md := a.Metadata()
	if md.Migrations == nil {
		md.Migrations = map[string]bool{}
	}
	md.Migrations["fyneDo"] = true
	fyneapp.SetMetadata(md)
	dropStopHook(a)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	opts := ui.Options{Station: s.station, StationGiven: s.stationGiven,
		Operator: s.operator, Log: func(msg string) { fmt.Fprintln(s.stderr, "illdesk:", msg) },
		OnSettled: releaseIdleHeap, Version: fmt.Sprintf("%s (build %d)", appVersion, appBuild)}
	if s.db != nil { // Help → About says where the database and its backups are
		opts.DataFolder = filepath.Dir(s.db.Path())
	}
	if path := s.getenv("ILLDESK_TRACE"); path != "" {
		// a line per scan with its timing, for scripts/perf-window.sh
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("cannot open the scan trace (ILLDESK_TRACE): %w", err)
		}
		defer f.Close() // the window closes it too, when it closes first
		opts.Trace = f
	}
	if s.db != nil { // a department database is backed up on its server
		opts.Backup = s.backupNow
		// the storage bar's Reopen, once the disk that went away is back
		opts.Reopen = s.db.Reopen
		if !s.demo { // today's snapshot, made in the background while the window opens
			opts.DailyBackup = s.dailySnapshot
		}
	}
	w := ui.NewMainWindow(a, s.desk, opts)
	// a request's holdings, looked up in the background, show when they arrive
	s.desk.OnLookedUp(func(r domain.Request) { w.Do(func() { w.LookedUp(r) }) })
	// commands run from a terminal or a script on this database show here at once
	stopHolding := s.hold(func() { w.Do(func() { w.RefreshSoon() }) })
	defer stopHolding()
	if s.pg != nil {
		// changes made at other workstations appear here within a second
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		go s.pg.Watch(ctx, func(ids []string) { w.Do(func() { w.RefreshSoon(ids...) }) })
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		w.Do(a.Quit)
	}()

	stopServer, err := s.serveFromWindow(w)
	if err != nil {
		return err
	}
	defer stopServer()
	// The list of a large department is a big heap that lives as long as
	// the window: collect when garbage reaches a quarter of it rather than
	// all of it, and hand back what loading the list and drawing the first
	// frames (parsing the fonts) took.
	debug.SetGCPercent(25)
	debug.FreeOSMemory()
	a.Lifecycle().SetOnStarted(func() {
		fitToScreen(w)
		time.AfterFunc(2*time.Second, debug.FreeOSMemory)
	})
	w.ShowAndRun()
	w.Wait()
	return nil
}

// dropStopHook takes away the clean-up Fyne queues for the moment its loop
// stops, so that the app exits every time the window closes.
//
// Fyne 2.8 queues that clean-up (a last write of preferences changed less
// than 0.1 s before) as a lifecycle event just as its loop stops, and the
// event is run by asking the loop, from another goroutine, to run it and
// waiting until it has. When that request arrives after the loop has
// emptied its queue for the last time, and before it marks itself stopped,
// nobody ever runs it: app.Run waits for it forever, and the process stays
// after its window has gone. Under wine that happened twice in about 200
// closes; with a 50 ms pause put into that gap in Fyne, every close hung.
// With no stop hook nothing is queued, and nothing can be missed.
//
// Nothing is lost: Fyne writes each preference to disk as it is set, and
// the window sets one only on a person's action (the desk, the operator
// signed in), never twice within 0.1 s.
//
// Fyne's lifecycle has no public way to remove its own hook; the method is
// the one Fyne sets it with; TestDropStopHook fails if a Fyne upgrade
// takes it away.
func dropStopHook(a fyne.App) {
	if l, ok := a.Lifecycle().(interface{ SetOnStoppedHookExecuted(func()) }); ok {
		l.SetOnStoppedHookExecuted(nil)
	}
}

// serveFromWindow receives partners' ISO 18626 messages on the configured
// local address while the window is open, refreshing it when one arrives.
func (s *session) serveFromWindow(w *ui.MainWindow) (stop func(), err error) {
	set, err := s.desk.Settings()
	if err != nil || set.Listen == "" {
		return func() {}, err
	}
	srv, ln, err := s.partnerServer(set.Listen, "", "", func(msg string) {
		fmt.Fprintln(s.stderr, "illdesk:", msg)
		w.Do(func() { w.RefreshSoon() }) // a burst of messages is read once
	}, func(outcome string) { w.Do(func() { w.MessageArrived(outcome) }) })
	if err != nil {
		return nil, fmt.Errorf("cannot receive partner messages on %s (config listen): %w", set.Listen, err)
	}
	go func() { _ = srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// idleHeapLimit is how much garbage and freed heap the window keeps for
// reuse after a burst of work before it hands the rest back to the system.
const idleHeapLimit = 4 << 20

// releaseIdleHeap collects and hands heap memory back to the system when more
// than idleHeapLimit of it is garbage or free. Scrolling through a long list
// allocates (and drops) text images fast, and the runtime would otherwise
// return that memory only over minutes.
func releaseIdleHeap() {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"}, // live objects and garbage not yet swept
		{Name: "/gc/heap/live:bytes"},                // live as of the last collection
		{Name: "/memory/classes/heap/free:bytes"},    // free, not yet returned
	}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	if idleHeap(s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()) > idleHeapLimit {
		go debug.FreeOSMemory()
	}
}

// idleHeap is how much of the heap a collection and a release would hand
// back: the garbage among the heap's objects (all but those live at the
// last collection) and the free heap. A heap that shrank since that
// collection has no garbage.
func idleHeap(objects, live, free uint64) uint64 {
	return objects - min(live, objects) + free
}
