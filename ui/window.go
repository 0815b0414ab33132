// Package ui is ILL Desk's Fyne window. MainWindow (window.go) builds the
// panes, lays them out and routes events between them; each pane is a
// struct in a file of its own that owns its widgets, its state and its
// handlers:
//
//	scanbar.go    ScanBar: the scan entry, the desk selector, Undo, the scan trace
//	facets.go     FacetPane: the facets and the search field
//	listpane.go   ListPane: the listing, the filter, the selection, the marks
//	list.go       RequestList: the list's table and the keys' moves through it
//	details.go    DetailsPane: the selected request and its actions' dialogs
//	lenders.go    borrowingSection: a borrowing request's Receive, lenders and actions
//	lendbooks.go  lentBookSection: a book we lend: Loan, Recall, renewals
//	queues.go     queueSection: patron notices and what went to the partner, and their answers
//	droparea.go   DropArea: dropped files, preflight, Ship, the scan folder
//	batch.go      BatchBar: the actions on marked requests
//	banner.go     Banner: the last scan's result, with Undo
//	storagebar.go StorageBar: the disk holding the database went away, and Reopen
//	status.go     StatusLine: the line at the bottom
//	menu.go       MenuBar: the menu bar, its forms and Help; the window's shortcuts and keys
//	title.go      the title: the desk and what needs attention
//	filedialog.go the system's file dialogs, Fyne's where there are none
//	attention.go  AttentionButton: what needs attention
//	signin.go     OperatorPane: who works here, and signing in
//	backup.go     BackupButton: Back up now, and the daily backup
//	borrowing.go  BorrowingForm: new borrowing requests and partners
//	settings.go, stats.go, audit.go: the dialogs the top bar opens
//	quarantine.go QuarantineDialog: requests from unknown libraries (from Needs attention)
//	printing.go   pick slips opened or printed as slip-output says; the Printing settings
//	sender.go     QueueSender: sends what changes queued, retries, queues Overdue
//	notify.go     Notifier: desktop notifications while the window is in the background
//
// A pane reaches the desk through the narrow interface it declares, and
// other panes only through the callbacks MainWindow sets; what every pane
// shares (the status line, background work, dialogs, who acts) is its link
// (link.go). Handlers are named methods that tests call directly, since
// Fyne's test driver ignores drops and shortcuts.
package ui

import (
	"io"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	fynetooltip "github.com/dweymouth/fyne-tooltip"

	"github.com/illdesk/illdesk/domain"
)

// WindowTitle is the title of the main window; scripts find the window by it.
const WindowTitle = "ILL Desk"

// prefDesk is the preference key remembering where this workstation stands.
const prefDesk = "desk"

// Options are the start-up choices for the window.
type Options struct {
	// Station is where the workstation stands; when StationGiven is false the
	// remembered desk (or the RS desk) is used instead.
	Station      domain.Station
	StationGiven bool
	// Operator is recorded in the history of every change made here.
	Operator string
	// Log, when set, receives every message the status line shows, so that
	// what happened at the desk can be read back later.
	Log func(msg string)
	// Backup, when set, writes a snapshot of the database and returns its
	// path; the top bar's "Back up now" button runs it in the background.
	Backup func() (path string, err error)
	// DailyBackup, when set, runs in the background once the window is
	// built: it makes today's snapshot unless there is one. Start never
	// waits for it; a failure is shown on the status line.
	DailyBackup func() (path string, made bool, err error)
	// OnSettled, when set, is called on Fyne's goroutine when the request
	// list stands still after scrolling or paging through many rows: a moment
	// when the window is idle and has just drawn a lot.
	OnSettled func()
	// Reopen, when set, closes the database file and opens it again: the
	// storage bar offers it when the disk holding the database stopped
	// answering.
	Reopen func() error
	// Version is ILL Desk's version and build, and DataFolder the folder
	// holding the database (empty for a department's server): Help → About
	// shows them.
	Version, DataFolder string
	// Trace, when set, receives one JSON line per scan with when its code
	// arrived, was answered and its result shown (see scanTrace); the
	// window closes it when it closes.
	Trace io.WriteCloser
}

// MainWindow is ILL Desk's main window: the scan bar, desk selector and
// search on top; facets, the request list and the details pane below; a
// status line at the bottom. It builds the panes and routes what one pane
// does to the others; the panes hold the state.
type MainWindow struct {
	app  fyne.App
	win  fyne.Window
	desk *domain.Desk
	log  func(string)

	scan      *ScanBar
	facets    *FacetPane
	list      *ListPane
	details   *DetailsPane
	drop      *DropArea
	status    *StatusLine
	banner    *Banner
	storage   *StorageBar
	signin    *OperatorPane
	attention *AttentionButton
	notifier  *Notifier
	borrowing *BorrowingForm
	lending   *LendingForm
	importer  *Importer
	// the dialogs the top bar's buttons open
	auditLog       *AuditDialog
	stats          *StatsDialog
	settingsDialog *SettingsDialog
	quarantine     *QuarantineDialog
	batch          *BatchBar
	hint           *fyne.Container
	centre         *container.Split
	main           *container.Split // the facets beside the rest
	body           *fyne.Container
	dialogs        *dialogHost

	settings domain.Settings

	jobs sync.WaitGroup // background work (preflight, ship), for tests and shutdown
	quit chan struct{}
	// sender sends what the window's changes queued.
	sender *QueueSender
	// spawn starts background work; tests run it in place, because Fyne's
	// test driver runs fyne.Do callbacks on the calling goroutine.
	spawn func(func())
	// after runs fn on Fyne's goroutine once d has passed, unless the window
	// has closed meanwhile (Do); tests run it when they choose.
	after func(d time.Duration, fn func())

	// backup is the top bar's save button, shown when there is Options.Backup.
	backup *BackupButton
	// menu is the menu bar (menu.go).
	menu *MenuBar
}

// NewMainWindow builds the main window and loads the requests. Show it with Window().
func NewMainWindow(a fyne.App, d *domain.Desk, opts Options) *MainWindow {
	// while the window is built, what it reads in the background elsewhere
	// (a department database's list) is read in place: nothing is on
	// screen yet to keep answering
	m := &MainWindow{app: a, win: a.NewWindow(WindowTitle), desk: d, quit: make(chan struct{}),
		spawn: func(fn func()) { fn() }}
	m.after = func(d time.Duration, fn func()) { time.AfterFunc(d, func() { m.Do(fn) }) }
	m.log = opts.Log
	if m.log == nil {
		m.log = func(string) {}
	}
	at := opts.Station
	if !opts.StationGiven {
		at = domain.RSDesk
		if st, err := domain.ParseStation(a.Preferences().String(prefDesk)); err == nil {
			at = st
		}
	}
	m.status = newStatusLine(m.log)
	m.dialogs = &dialogHost{win: m.win, focus: m.FocusScanBar, files: systemFiles{},
		spawn: func(fn func()) { m.spawn(fn) }, do: m.Do}
	l := m.link()

	m.scan = newScanBar(l, d, a.Preferences(), at)
	if opts.Trace != nil {
		m.scan.trace = newScanTrace(opts.Trace)
	}
	m.scan.selected = func() string { return m.list.selected }
	m.scan.openCurrent = func() {
		if id, ok := m.list.view.current(); ok {
			m.list.SelectRequest(id)
		}
	}
	m.scan.entry.onShortcut = m.handleShortcut
	m.scan.entry.onKey = m.handleNavKey

	view := newRequestList(d, a.Preferences())
	view.onSettled = opts.OnSettled
	view.after = func(d time.Duration, fn func()) { m.after(d, fn) }
	view.onSelect = func(id string) { m.list.SelectRequest(id); m.FocusScanBar() }
	view.onMark = func() { m.batch.show(len(m.list.Marked())); m.FocusScanBar() }
	m.list = newListPane(l, d, view)
	m.list.after = func(d time.Duration, fn func()) { m.after(d, fn) }
	m.list.reloadAll = m.Refresh
	m.list.showFacets = func(fs domain.Facets, f domain.Filter) { m.facets.show(fs, f) }
	m.list.showEmpty = m.showEmpty
	m.list.opened = func(r domain.Request) { m.drop.open(r) }
	m.list.showDetails = m.showDetails
	m.list.clearDetails = func() { m.details.clear() }
	m.list.collecting = func() bool { return m.drop.collecting() }
	m.list.marked = func(n int) { m.batch.show(n) }
	m.scan.changed, m.scan.reveal = m.list.showChanged, m.list.revealRequest

	// After a click on a facet the scan bar gets the focus back, so the next
	// scan does not land in the facet.
	m.facets = newFacetPane(
		func(v string) { m.list.SetSide(domain.Side(v)); m.FocusScanBar() },
		func(v string) { m.list.SetStatus(domain.State(v)); m.FocusScanBar() },
		func(v string) { m.list.SetPartner(v); m.FocusScanBar() },
		func(v string) { m.list.SetFormat(v); m.FocusScanBar() })
	m.facets.onSearch = m.list.searchFor
	// A scanner used while the search field has the focus still scans.
	m.facets.onScan = m.scan.SubmitScan
	m.facets.search.onShortcut = m.handleShortcut
	m.facets.onKey = m.handleNavKey
	m.drop = newDropArea(l, d, m.win)
	m.drop.spawn = func(fn func()) { m.spawn(fn) }
	m.drop.selectedRequest, m.drop.selectedID = m.list.Selected, func() string { return m.list.selected }
	m.drop.selectedRow = func() int { return m.list.view.selected }
	m.drop.shippable = func() []domain.Summary {
		if m.list.server == nil {
			return m.list.listing.Shippable()
		}
		ss, err := d.Shippable()
		if err != nil {
			l.fail(err)
		}
		return ss
	}
	m.drop.reveal, m.drop.shipped, m.drop.received = m.list.revealRequest, m.list.showShipped, m.list.showReceived
	m.drop.scanFolder = func() string { return m.settings.ScanFolder }
	m.notifier = newNotifier(a)
	m.drop.arrived = m.notifier.scansArrived
	m.drop.markWaiting = func(marks map[string]bool) {
		m.list.view.waiting = marks
		m.list.view.table.Refresh()
	}
	m.borrowing = &BorrowingForm{link: l, desk: d, stations: m.scan.Stations, created: func() {
		m.list.useFilter(domain.Filter{Side: domain.Borrowing, State: domain.Created})
		m.scan.loadStations()
	}}
	m.lending = &LendingForm{link: l, desk: d, created: func() {
		m.list.useFilter(domain.Filter{Side: domain.Lending, State: domain.Created})
	}}
	m.importer = &Importer{link: l, desk: d, imported: m.Refresh}
	m.menu = &MenuBar{win: m.win, dialogs: m.dialogs, borrowing: m.borrowing, lending: m.lending,
		stations: m.scan.Stations, station: m.scan.Station, setStation: m.scan.SetStation, refresh: m.Refresh,
		version: opts.Version, dataFolder: opts.DataFolder}
	m.details = newDetailsPane(l, d, m.drop.object())
	m.details.selected = m.list.Selected
	m.details.settings = func() domain.Settings { return m.settings }
	m.details.stations = m.scan.Stations
	m.details.borrowing.navKey, m.details.borrowing.shortcut = m.handleNavKey, m.handleShortcut
	m.banner = newBanner(m.scan.UndoLastScan, m.Do)
	m.storage = newStorageBar(l, opts.Reopen)
	m.storage.reopened = func() {
		m.Refresh()
		if m.dialogs.current == nil {
			m.FocusScanBar()
		}
	}
	m.status.refused, m.dialogs.refused, m.status.do = m.diskFault, m.diskFault, m.Do
	m.status.succeeded = m.storage.succeeded
	m.storage.check = func() error { _, err := d.Settings(); return err }
	m.storage.find, m.storage.after = d.Find, func(d time.Duration, fn func()) { m.after(d, fn) }
	m.dialogs.shortcut = m.handleReopenShortcut

	m.hint = container.NewCenter(newEmptyHint(m.menu.AddPartner, m.menu.NewBorrowing))
	m.hint.Hide()

	m.signin = newOperatorPane(l, d, a.Preferences(), opts.Operator)
	m.signin.stations, m.signin.station, m.signin.setStation = m.scan.Stations, m.scan.Station, m.scan.SetStation
	m.menu.signIn = m.signin.ShowSignIn
	m.auditLog = &AuditDialog{link: l, desk: d}
	m.stats = &StatsDialog{link: l, desk: d, openURL: a.OpenURL}
	m.settingsDialog = &SettingsDialog{link: l, desk: d, addPartner: m.borrowing.ShowAddPartner, saved: func() {
		m.scan.loadStations()
		m.Refresh()
	}, partnerSaved: func() { m.attention.refresh() }}
	audit := toolButton(theme.HistoryIcon(), "Audit log", m.auditLog.ShowAudit)
	stats := toolButton(theme.GridIcon(), "Statistics", m.stats.ShowStats)
	settings := toolButton(theme.SettingsIcon(), "Settings", m.settingsDialog.ShowSettings)
	m.attention = newAttentionButton(l, d)
	m.attention.listing = func() *domain.Listing { return m.list.listing }
	m.attention.server = m.list.server != nil
	m.attention.after = func(d time.Duration, fn func()) { m.after(d, fn) }
	m.attention.reveal, m.attention.counted = m.list.revealRequest, m.showTitle
	m.quarantine = &QuarantineDialog{link: l, desk: d, changed: func() { m.Refresh(); m.attention.refresh() }}
	m.attention.quarantine = m.quarantine.ShowQuarantine
	m.attention.review = m.settingsDialog.ShowPartner
	buttons := container.NewHBox(m.attention.button, stats, settings, audit)
	m.backup = newBackupButton(l, opts.Backup)
	if opts.Backup != nil {
		buttons.Add(m.backup.button)
	}
	top := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Scan", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(buttons, m.signin.button, m.signin.label, widget.NewIcon(theme.HomeIcon()),
			container.NewGridWrap(fyne.NewSize(260, m.scan.deskSelect.MinSize().Height), m.scan.deskSelect)),
		m.scan.entry)
	topBar := container.NewVBox(top, container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, m.facets.search))

	m.batch = newBatchBar(l, d, m.list.ClearMarks)
	m.batch.marked, m.batch.find, m.batch.stations = m.list.Marked, m.list.find, m.scan.Stations
	m.batch.done = m.list.batchDone
	m.centre = rememberedHSplit(a.Preferences(), prefDetailsSplit, 0.7,
		m.list.view.object(), m.details.object())
	m.body = container.NewStack(m.centre, m.hint)
	m.main = rememberedHSplit(a.Preferences(), prefFacetSplit, 0.15, m.facets.object(), m.body)

	m.win.SetContent(fynetooltip.AddWindowToolTipLayer(container.NewBorder(
		container.NewVBox(topBar, m.storage.object(), m.banner.object(), widget.NewSeparator()),
		// the batch bar shares the status line's row, which keeps its room
		container.NewVBox(widget.NewSeparator(),
			reserved(container.NewBorder(nil, nil, nil, m.batch.box, m.status.object()), m.batch.box)),
		nil, nil, m.main), m.win.Canvas()))
	m.win.Resize(DefaultSize)
	m.win.SetOnDropped(m.drop.DropURIs)
	m.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) { m.handleNavKey(k) })
	for _, sc := range windowShortcuts {
		m.win.Canvas().AddShortcut(sc.shortcut(), func(s fyne.Shortcut) { m.handleShortcut(s) })
	}
	var backUp func()
	if opts.Backup != nil {
		backUp = m.backup.BackUpNow
	}
	m.menu.build(menuActions{importFile: m.importer.ShowImport, backUp: backUp, undo: m.scan.UndoLastScan,
		find: m.FocusSearch, attention: m.attention.ShowAttention, stats: m.stats.ShowStats,
		audit: m.auditLog.ShowAudit, refresh: m.Refresh, settings: m.settingsDialog.ShowSettings})
	m.scan.loaded = func() { m.menu.fillDeskMenu(); m.showTitle() }
	m.win.SetOnClosed(func() {
		close(m.quit)
		m.sender.stop()
		m.jobs.Wait()
		if m.scan.trace != nil {
			_ = m.scan.trace.close()
		}
	})

	m.scan.loadStations()
	m.Refresh()
	if !m.attention.server { // on a department database it is checked in the background, below
		if c, err := d.PrepareAttention(); err == nil {
			m.attention.showCount(len(c.Among(m.list.listing)), c.Held()) // at start, before the window shows
		}
	}
	m.win.Canvas().Focus(m.scan.entry)
	if m.signin.needsSignIn() {
		m.signin.ShowSignIn()
	}
	m.sender = newQueueSender(l, d.Dispatcher(), d.Now, m.closed, func() {
		if r, ok := m.list.Selected(); ok {
			m.showDetails(r)
		}
	})
	// background work starts once the window is built
	m.spawn = func(fn func()) { go fn() }
	if opts.DailyBackup != nil {
		m.run(func() { m.backup.dailyBackup(opts.DailyBackup) })
	}
	if m.attention.server {
		m.attention.refresh() // the department database's check takes a moment
	}
	go m.tick()
	return m
}

// Window is the Fyne window, to show or run.
func (m *MainWindow) Window() fyne.Window { return m.win }

// DefaultSize is the window's size at start, where the screen has room: at
// 1280×800 every column of the lending list shows beside the details.
var DefaultSize = fyne.NewSize(1280, 800)

// FitTo has the window fit a screen area of the given size, in Fyne's
// units: what the screen leaves beside task bars, less the window's frame.
// A window larger than the area shrinks to it, though never below what its
// content needs, and is centred; a window that fits is left alone. On a
// small laptop staff then see the whole window, the status line at the
// bottom included, instead of a window running off the screen.
func (m *MainWindow) FitTo(area fyne.Size) {
	size := m.win.Canvas().Size()
	need := m.win.Content().MinSize()
	fit := fyne.NewSize(max(min(size.Width, area.Width), need.Width), max(min(size.Height, area.Height), need.Height))
	if fit == size {
		return
	}
	m.win.Resize(fit)
	m.win.CenterOnScreen()
}

// ShowAndRun shows the window and runs the app until it quits. The window
// is created under the plain title, which X11 also takes for its WM_CLASS,
// so that desktops match it to the menu entry (StartupWMClass in the
// .desktop file) and group it under the app's icon; the desk and the
// count of what needs attention go on the title right after (showTitle).
func (m *MainWindow) ShowAndRun() {
	title := m.win.Title()
	m.win.SetTitle(WindowTitle)
	m.win.Show()
	m.win.SetTitle(title)
	m.app.Run()
}

// handleShortcut runs a window shortcut (windowShortcuts); it reports
// false for others.
func (m *MainWindow) handleShortcut(s fyne.Shortcut) bool {
	return m.runShortcut(s, false)
}

// handleReopenShortcut runs the window shortcuts that work in a dialog's
// fields too (Reopen); it reports false for other shortcuts.
func (m *MainWindow) handleReopenShortcut(s fyne.Shortcut) bool {
	return m.runShortcut(s, true)
}

// runShortcut runs s if it is a window shortcut, of those that work in
// dialogs when inDialog; it reports whether it ran one.
func (m *MainWindow) runShortcut(s fyne.Shortcut, inDialog bool) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	for _, sc := range windowShortcuts {
		if sc.key == cs.KeyName && sc.shortcut().Modifier == cs.Modifier && (sc.inDialogs || !inDialog) {
			sc.run(m)
			return true
		}
	}
	return false
}

// handleNavKey moves in the list with the arrow keys and returns to the scan
// bar with Escape (windowKeys). It reports whether it used the key.
func (m *MainWindow) handleNavKey(k *fyne.KeyEvent) bool {
	for _, wk := range windowKeys {
		if wk.key == k.Name {
			wk.run(m)
			return true
		}
	}
	return false
}

// tick keeps the clocks current, watches the scan folder, and has the
// dispatcher retry what failed and send what waited for its grace period.
func (m *MainWindow) tick() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-m.quit:
			return
		case <-t.C:
			n++
			m.drop.checkScanFolder()
			if n%6 == 0 {
				m.Do(func() { m.list.view.table.Refresh() })
				m.Do(m.attention.refresh)
				m.run(m.sender.queueOverdue)
			}
			if n%6 == 0 || m.sender.waiting() {
				m.run(m.sender.send)
			}
		}
	}
}

// ---- loading and filtering ----

// Refresh reloads the list of requests and the settings, then redraws: at
// start, after the settings change, and when changes made elsewhere are too
// many to read one by one. A scan or an action made here updates only the
// requests it changed (showChanged, updateRows).
func (m *MainWindow) Refresh() {
	if s, err := m.desk.Settings(); err == nil {
		m.settings = s
	}
	m.list.reload()
}

func (m *MainWindow) showDetails(r domain.Request) {
	m.drop.follow(r)
	m.details.open(r)
}

// FocusScanBar puts the keyboard focus back on the scan bar.
func (m *MainWindow) FocusScanBar() { m.win.Canvas().Focus(m.scan.entry) }

// FocusSearch puts the keyboard focus in the search field.
func (m *MainWindow) FocusSearch() { m.win.Canvas().Focus(m.facets.search) }

// ---- routing ----

// link is what the panes share with the window.
func (m *MainWindow) link() link {
	return link{
		info:      m.status.info,
		fail:      m.status.fail,
		announce:  m.announce,
		refuse:    m.refuse,
		log:       m.log,
		run:       m.run,
		do:        m.Do,
		focus:     m.FocusScanBar,
		actor:     m.actor,
		dialogs:   m.dialogs,
		acted:     m.afterAction,
		pickSlips: m.printSlips,
		refresh:   m.RefreshSoon,
	}
}

// actor is who acts from this window, and where.
func (m *MainWindow) actor() domain.Actor {
	return domain.Actor{Operator: m.signin.name, Station: m.scan.Station()}
}

// afterAction updates the request's row, keeps it in view and reports the
// result, with Undo for a few seconds when the change can be undone.
func (m *MainWindow) afterAction(r domain.Request, msg string) {
	m.list.showChanged(r.Summary())
	ok, _ := r.CanUndo(m.desk.Now())
	undo := ""
	if ok {
		undo = r.ID
	}
	m.scan.madeChange(undo)
	m.announce(msg, true, ok)
	m.attention.refresh()
	m.FocusScanBar()
}

// run starts background work that Wait waits for.
func (m *MainWindow) run(fn func()) {
	m.jobs.Add(1)
	m.spawn(func() {
		defer m.jobs.Done()
		fn()
	})
}

// Do runs fn on Fyne's goroutine, as fyne.Do does, unless the window has
// closed. Work that comes from other goroutines (timers, the clock, a
// finished preflight, changes announced by other workstations, partner
// messages) reaches the window through it: from a closed window there is
// nothing to show, and once Fyne's loop has stopped, fyne.Do runs fn on the
// calling goroutine, or fails when it comes just as the loop stops (it then
// sends on Fyne's closed queue).
func (m *MainWindow) Do(fn func()) {
	if m.closed() {
		return
	}
	fyne.Do(func() {
		if !m.closed() {
			fn()
		}
	})
}

// closed reports whether the window has closed.
func (m *MainWindow) closed() bool {
	select {
	case <-m.quit:
		return true
	default:
		return false
	}
}

// Wait blocks until background work (checking or shipping a scan) has
// finished, so the database is not closed under it.
func (m *MainWindow) Wait() { m.jobs.Wait() }

// MessageArrived shows a partner's message received here: the list
// catches up a moment later (a burst is read once), and, while the window
// is in the background, a desktop notification says so; what is the
// receiving server's sentence about it.
func (m *MainWindow) MessageArrived(what string) {
	m.RefreshSoon()
	m.notifier.MessageArrived(what)
}

// RefreshSoon brings the list up to date a moment from now (ListPane.RefreshSoon).
func (m *MainWindow) RefreshSoon(ids ...string) { m.list.RefreshSoon(ids...) }

// showEmpty shows the hint of an empty database instead of the list and
// the details, or them again.
func (m *MainWindow) showEmpty(empty bool) {
	if empty {
		m.hint.Show()
		m.centre.Hide()
	} else {
		m.hint.Hide()
		m.centre.Show()
	}
}

// openSlips opens the pick slips of the requests in one PDF, in the
// system's viewer.
func (m *MainWindow) openSlips(ids []string) {
	path, err := m.desk.WritePickSlips(ids)
	if err != nil {
		m.status.fail(err)
		return
	}
	u, err := url.Parse(storage.NewFileURI(path).String())
	if err == nil {
		err = m.app.OpenURL(u)
	}
	if err != nil {
		m.status.fail(slipNotOpened(path, err))
	}
}

// slipNotOpened says, in staff's words, that the slips are saved but no
// program could show them (no PDF viewer, or no xdg-open on Linux).
func slipNotOpened(path string, err error) error {
	return &domain.Refusal{Kind: domain.ErrPrintingUnavailable, Detail: err.Error(), Msg: "The pick slips are saved as " + path +
		", but no program to show PDFs could be started on this computer: open the file yourself, or have slips printed (Tools > Settings > Printing)."}
}

// newEmptyHint is what an empty database shows instead of the list: how
// to begin, with the buttons to add a partner and a borrowing request.
func newEmptyHint(addPartner, newBorrowing func()) fyne.CanvasObject {
	t := widget.NewRichTextFromMarkdown("## No requests yet\n\n" +
		"ILL Desk starts with an empty database: add your partner libraries first.\n\n" +
		"Then record a borrowing request when a book arrives for one of your patrons (" + shortcutText("N") + ").\n\n" +
		"Record a partner's lending request: File > New lending request (" + shortcutText("Shift+N") + ").\n\n" +
		"Import partners' ISO 18626 messages or a history .csv file: File > Import…\n\n" +
		"To look around first, start ILL Desk with demo data: `illdesk --demo`.")
	add := widget.NewButton("Add partner…", addPartner)
	borrow := widget.NewButton("New borrowing request  ("+shortcutText("N")+")", newBorrowing)
	borrow.Importance = widget.HighImportance
	return container.NewVBox(t, container.NewHBox(add, borrow))
}
