package ui

import (
	"crypto/rand"
	"errors"
	"fmt"
	fynestorage "fyne.io/fyne/v2/storage"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/folder"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/keyring"
	"github.com/illdesk/illdesk/ncip"
	"github.com/illdesk/illdesk/openurl"
	"github.com/illdesk/illdesk/pdf"
	"github.com/illdesk/illdesk/pdf/preflight"
	"github.com/illdesk/illdesk/sru"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/vault"
)

// testClock is a clock the test moves by hand.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// monday is a Monday morning; business hours then run without a weekend.
var monday = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// fixture is a window over a real desk, database and vault in a temp folder.
type fixture struct {
	t     testing.TB
	desk  *domain.Desk
	db    *bolt.DB
	store *countingStore // db, counting what the desk reads in bulk
	clock *testClock
	dir   string
	app   fyne.App
	mw    *MainWindow
	mail  *fakeMailer
	// partners answers the messages posted to partners' ISO 18626 endpoints.
	partners *isotest.Partner
	// newDesk builds a desk like desk over another store.
	newDesk func(domain.Store) *domain.Desk
}

// fakeMailer records notices; fail makes every send fail.
type fakeMailer struct {
	mu   sync.Mutex
	sent []domain.Notice
	fail bool
}

func (m *fakeMailer) Send(n domain.Notice) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return "", errors.New("connection refused")
	}
	m.sent = append(m.sent, n)
	return "smtp:mail.example.edu", nil
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureIn(t, t.TempDir())
}

// newFixtureIn is newFixture with the database, its vault and work folder
// in dir.
func newFixtureIn(t testing.TB, dir string) *fixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	files, err := vault.New(bolt.VaultDirFor(db.Path()))
	require.NoError(t, err)
	cal, err := domain.NewCalendar(time.UTC, nil)
	require.NoError(t, err)
	clock := &testClock{now: monday}
	gokeyring.MockInit() // the system keyring, in memory
	f := &fixture{t: t, db: db, store: &countingStore{Store: db}, clock: clock, dir: dir, app: test.NewTempApp(t), mail: &fakeMailer{},
		partners: &isotest.Partner{}}
	f.newDesk = func(store domain.Store) *domain.Desk {
		return f.deskOver(store, files, cal)
	}
	f.desk = f.newDesk(f.store)
	return f
}

// deskOver builds the fixture's desk over a store.
func (f *fixture) deskOver(store domain.Store, files domain.Vault, cal domain.Calendar) *domain.Desk {
	dir, clock := f.dir, f.clock
	return domain.NewDesk(domain.Config{Store: store, Vault: files, Preflight: preflight.New(), Clock: clock,
		Calendar: cal, Documents: pdf.Documents{}, WorkDir: filepath.Join(dir, "work"), Folders: folder.OS{},
		Mailers: func(domain.MailSettings) domain.Mailer { return f.mail }, Codec: iso18626.Codec{}, Transport: f.partners,
		Secrets: keyring.Secrets{Getenv: func(string) string { return "" }}, NewToken: rand.Text,
		Catalogues: func(cs domain.CatalogueSettings) (domain.Catalogue, error) { return sru.New(cs) },
		Resolver:   openurl.Checker{},
		ILS:        func(ns domain.NCIPSettings) (domain.ILS, error) { return ncip.New(ns) }})
}

// open builds the window over what the desk holds now.
func (f *fixture) open() *MainWindow {
	f.mw = NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true, Operator: "tester"})
	mw := f.mw
	// what the window started as it opened (on a department database, the
	// attention check) ends before the test goes on: Fyne's test driver
	// runs fyne.Do on the goroutine that calls it, so it would otherwise
	// draw beside the test, and ask the store while the test counts
	mw.Wait()
	mw.spawn = func(fn func()) { fn() }
	mw.after = func(_ time.Duration, fn func()) { fn() } // what waits for a moment happens at once
	f.t.Cleanup(func() { mw.Window().Close() })
	return f.mw
}

func (f *fixture) partner(code string, hours int) {
	_, err := f.desk.AddPartner(domain.Partner{Code: code, Name: code + " library", TurnaroundHours: hours})
	require.NoError(f.t, err)
}

func (f *fixture) lending(partner, ext string, mod ...func(*domain.LendingInput)) domain.Request {
	in := domain.LendingInput{Partner: partner, ExternalID: ext, Citation: domain.Citation{Title: "Title of " + ext, Pages: "1-3"}}
	for _, fn := range mod {
		fn(&in)
	}
	r, err := f.desk.NewLending(in, domain.Actor{Station: domain.RSDesk})
	require.NoError(f.t, err)
	return r
}

func (f *fixture) state(ref string) domain.State {
	r, err := f.desk.Find(ref)
	require.NoError(f.t, err)
	return r.State
}

// cellText draws one cell through the table's own callbacks and reads it.
func cellText(tb *widget.Table, row, col int) (string, widget.Importance) {
	o := tb.CreateCell()
	tb.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
	c := o.(*listCell)
	if c.own.text != "" {
		return c.own.text, c.own.importance
	}
	return c.label.Text, c.label.Importance
}

func listedRefs(mw *MainWindow) []string {
	var out []string
	for i := range mw.list.view.rows.Len() {
		out = append(out, mw.list.view.rows.At(i).Ref())
	}
	return out
}

// attentionNow is what the window's Needs attention lists now.
func attentionNow(t *testing.T, mw *MainWindow) []domain.Attention {
	t.Helper()
	items, err := mw.attention.Attention()
	require.NoError(t, err)
	return items
}

func pdfPath(name string) string {
	return filepath.Join("..", "pdf", "preflight", "testdata", "pdf", name)
}

func TestEmptyDatabaseSaysHowToBegin(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	assert.Equal(t, "ILL Desk — RS desk", mw.Window().Title())
	assert.True(t, mw.hint.Visible(), "the empty state explains how to begin")
	assert.Zero(t, mw.list.view.rows.Len())
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the scan bar has focus at start")
}

func TestDefaultViewIsCreatedLendingMostUrgentFirst(t *testing.T) {
	f := newFixture(t)
	f.partner("SLOW", 72)
	f.partner("RAPID", 24)
	f.lending("SLOW", "S-1")
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.Format = domain.FormatElectronic })
	f.lending("RAPID", "R-2")
	_, err := f.desk.Reject("R-2", domain.ReasonNotHeld, "", "", domain.Actor{})
	require.NoError(t, err)
	mw := f.open()

	assert.False(t, mw.hint.Visible())
	assert.Equal(t, []string{"R-1", "S-1"}, listedRefs(mw))
	text, imp := cellText(mw.list.view.table, 0, 1)
	assert.Equal(t, "24h", text)
	assert.Equal(t, widget.MediumImportance, imp)
	dotCell := mw.list.view.table.CreateCell()
	mw.list.view.table.UpdateCell(widget.TableCellID{Row: 0, Col: columnOf(mw, "Fmt")}, dotCell)
	assert.Equal(t, formatColor(domain.FormatElectronic), dotCell.(*listCell).dot.FillColor, "the format dot is blue for Electronic")

	// facet counts: lending side has 2 active, status Rejected 1
	assert.Contains(t, mw.facets.side.radio.Options, "Lending (2)")
	assert.Contains(t, mw.facets.status.radio.Options, "Rejected (1)")
	assert.Equal(t, "Created Lending Request (2)", mw.facets.status.radio.Selected)

	mw.list.SetStatus(domain.Rejected)
	assert.Equal(t, []string{"R-2"}, listedRefs(mw))
	mw.list.SetStatus("")
	mw.list.SetPartner("SLOW")
	assert.Equal(t, []string{"S-1"}, listedRefs(mw))
	mw.list.SetPartner("")
	mw.list.SetFormat("electronic")
	assert.Equal(t, []string{"R-1"}, listedRefs(mw))
}

func TestClockTurnsRedAndMarksOverdue(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.clock.now = monday.Add(21 * time.Hour)
	mw := f.open()
	text, imp := cellText(mw.list.view.table, 0, 1)
	assert.Equal(t, "3h", text)
	assert.Equal(t, widget.DangerImportance, imp, "red under 4 business hours")
	f.clock.now = monday.Add(26 * time.Hour)
	text, imp = cellText(mw.list.view.table, 0, 1)
	assert.Equal(t, "OVERDUE 2h", text)
	assert.Equal(t, widget.DangerImportance, imp)
}

func TestScanExternalIDSelectsAndArrowsMove(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.clock.now = monday.Add(time.Hour)
	f.lending("RAPID", "R-2", func(in *domain.LendingInput) { in.Volume, in.Year = "61", "2005" })
	mw := f.open()

	test.Type(mw.scan.entry, "R-2")
	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r, ok := mw.list.Selected()
	require.True(t, ok)
	assert.Equal(t, "R-2", r.ExternalID)
	assert.Empty(t, mw.scan.entry.Text, "the scan bar is cleared for the next scan")
	assert.Contains(t, mw.banner.Text(), "Selected R-2")
	assert.Equal(t, 1, mw.list.view.selected)

	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	r, _ = mw.list.Selected()
	assert.Equal(t, "R-1", r.ExternalID)
	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	r, _ = mw.list.Selected()
	assert.Equal(t, "R-2", r.ExternalID)

	test.Type(mw.scan.entry, "NOPE")
	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Contains(t, mw.banner.Text(), "nothing changed")
	r, _ = mw.list.Selected()
	assert.Equal(t, "R-2", r.ExternalID, "an unknown code keeps the selection")
}

// openWithLendings opens the window on n lending requests from RAPID,
// and on, listed in that order.
func openWithLendings(t *testing.T, n int) *MainWindow {
	f := newFixture(t)
	f.partner("RAPID", 24)
	for i := range n {
		f.lending("RAPID", fmt.Sprintf("R-%02d", i))
	}
	return f.open()
}

func TestFastKeysLoadTheDetailsWhenTheyPause(t *testing.T) {
	mw := openWithLendings(t, 30)
	var scheduled []func()
	mw.after = func(d time.Duration, fn func()) {
		assert.Equal(t, navStep, d)
		scheduled = append(scheduled, fn)
	}
	mw.list.SelectRequest(mw.list.view.rows.ID(0))
	shown := func() string { r, _ := mw.list.Selected(); return r.ExternalID }
	require.Equal(t, "R-00", shown())

	mw.list.view.navQuiet = time.Time{} // a while since the last key
	mw.list.view.MoveSelection(10)
	assert.Equal(t, "R-10", shown(), "a key after a pause loads the request at once")
	assert.Empty(t, scheduled)

	mw.list.view.MoveSelection(10) // the next ones come fast
	assert.Equal(t, 20, mw.list.view.selected, "the first key of a burst moves the highlight at once")
	mw.list.view.MoveSelection(1)
	mw.list.view.MoveSelection(1)
	assert.Equal(t, 20, mw.list.view.selected, "the keys after it wait for the next step")
	assert.Equal(t, "R-10", shown(), "the details wait")
	require.Len(t, scheduled, 1, "one step scheduled for the burst")

	scheduled[0]() // a step while the keys still come
	assert.Equal(t, 22, mw.list.view.selected, "the highlight catches up with the keys")
	assert.Equal(t, "R-10", shown(), "the details still wait")
	require.Len(t, scheduled, 2, "the highlight keeps following")

	mw.list.view.MoveSelection(-5)
	scheduled[1]() // the last key's step
	assert.Equal(t, 17, mw.list.view.selected)
	assert.Equal(t, "R-10", shown())
	require.Len(t, scheduled, 3)
	scheduled[2]() // a step without a key: the keys paused
	assert.Equal(t, "R-17", shown(), "the keys paused: the highlighted request is loaded")
	assert.Equal(t, 17, mw.list.view.selected)
	assert.Len(t, scheduled, 3)

	mw.list.view.navQuiet = time.Time{}
	mw.list.view.MoveSelection(-30)
	assert.Equal(t, "R-00", shown(), "moves stop at the top")
	assert.Len(t, scheduled, 3)

	mw.list.view.MoveSelection(1) // another burst, ended by a click on a row
	mw.list.view.MoveSelection(1)
	require.Len(t, scheduled, 4)
	mw.list.SelectRequest(mw.list.view.rows.ID(25))
	scheduled[3]()
	assert.Equal(t, "R-25", shown(), "the clicked request stays")
	assert.Equal(t, 25, mw.list.view.selected)
	assert.Len(t, scheduled, 4)

	mw.list.view.navQuiet = time.Now().Add(time.Hour) // a burst from R-25 ...
	mw.list.view.MoveSelection(1)
	mw.list.view.navRow = 0 // ... during which the rows changed under the one remembered
	mw.list.view.MoveSelection(1)
	require.Len(t, scheduled, 5)
	scheduled[4]()
	assert.Equal(t, 27, mw.list.view.selected, "the keys go on from the request they led to")
}

func TestListSettlesAfterDrawingManyRows(t *testing.T) {
	l := openWithLendings(t, 3).list.view
	var scheduled []func()
	l.after = func(d time.Duration, fn func()) {
		assert.Equal(t, settleDelay, d)
		scheduled = append(scheduled, fn)
	}
	settled := 0
	l.onSettled = func() { settled++ }
	cell := newListCell()
	draw := func(n int) {
		for i := range n {
			l.updateCell(widget.TableCellID{Row: i % l.rows.Len(), Col: 2}, cell)
		}
	}

	draw(settleCells - 1)
	assert.Empty(t, scheduled, "a screen or two redrawn is not scrolling")
	draw(1)
	require.Len(t, scheduled, 1)
	draw(50) // still scrolling when the check comes
	scheduled[0]()
	assert.Zero(t, settled)
	require.Len(t, scheduled, 2)
	scheduled[1]() // nothing drawn since
	assert.Equal(t, 1, settled)
	assert.Len(t, scheduled, 2)

	draw(settleCells - 1)
	assert.Len(t, scheduled, 2, "counting starts again")
}

func TestSearchAndEscape(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.Title = "Nature" })
	f.lending("RAPID", "R-2", func(in *domain.LendingInput) { in.Title = "Science" })
	mw := f.open()
	mw.scan.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	assert.Equal(t, mw.facets.search, mw.Window().Canvas().Focused(), "Ctrl+F from the scan bar focuses search")
	test.Type(mw.facets.search, "natu")
	assert.Equal(t, []string{"R-1"}, listedRefs(mw))
	mw.facets.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Empty(t, mw.facets.search.Text, "the first Esc clears the search")
	assert.Equal(t, []string{"R-1", "R-2"}, listedRefs(mw), "and the list shows every request again")
	mw.facets.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the next Esc returns to the scan bar")
}

func TestDropPreflightAndShipWithCtrlEnter(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.clock.now = monday.Add(time.Hour)
	f.lending("RAPID", "R-2")
	f.clock.now = monday.Add(2 * time.Hour)
	f.lending("RAPID", "R-3")
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-2").ID)

	mw.drop.DropFiles([]string{pdfPath("valid_scan_3pages.pdf")})
	mw.Wait()
	require.NotNil(t, mw.drop.shipment)
	assert.Equal(t, domain.VerdictAccept, mw.drop.shipment.Report.Verdict)
	assert.False(t, mw.drop.ship.Disabled(), "Ship is enabled for an accepted scan")

	mw.scan.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	mw.Wait()
	assert.Equal(t, domain.ShippedDigitally, f.state("R-2"))
	shipped := mustFind(t, f.desk, "R-2")
	require.NotNil(t, shipped.ShippedFile)
	assert.Equal(t, "R-2.pdf", shipped.ShippedFile.Name)
	assert.Equal(t, "tester", shipped.History[len(shipped.History)-1].Actor)
	next, _ := mw.list.Selected()
	assert.Equal(t, "R-3", next.ExternalID, "the list moves on to the next request")
	assert.Contains(t, mw.status.Text(), "R-2 shipped digitally")
	assert.Equal(t, []string{"R-1", "R-3"}, listedRefs(mw))
}

func TestDroppedFileNamedByExternalIDSelectsItsRequest(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "18840211")
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	scan := filepath.Join(t.TempDir(), "18840211.pdf")
	copyFile(t, pdfPath("valid_text_1page.pdf"), scan)
	mw.drop.DropFiles([]string{scan})
	mw.Wait()
	r, _ := mw.list.Selected()
	assert.Equal(t, "18840211", r.ExternalID)
	require.NotNil(t, mw.drop.shipment)
	assert.Equal(t, []string{scan}, mw.drop.files)
}

func TestShipRefusedForBadScanAndWarnNeedsConfirmation(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)

	mw.drop.AddFiles([]string{pdfPath("truncated_60pct.pdf")})
	mw.Wait()
	assert.Equal(t, domain.VerdictReject, mw.drop.shipment.Report.Verdict)
	assert.True(t, mw.drop.ship.Disabled())
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.Created, f.state("R-1"))
	assert.Contains(t, mw.status.Text(), "cut off")

	mw.drop.ClearFiles()
	mw.drop.AddFiles([]string{pdfPath("javascript_openaction.pdf")})
	mw.Wait()
	assert.Equal(t, domain.VerdictWarn, mw.drop.shipment.Report.Verdict)
	assert.True(t, mw.drop.ship.Disabled(), "a warning needs confirmation first")
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.Created, f.state("R-1"))
	assert.Contains(t, mw.status.Text(), "warning")

	mw.drop.ConfirmWarnings(true)
	assert.False(t, mw.drop.ship.Disabled())
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.ShippedDigitally, f.state("R-1"))
}

// A scan that changes on disk after its check is not shipped: the window
// says so, checks it again, and ships what it checked the second time.
func TestShipRefusesAScanChangedAfterItsCheck(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.Pages = "" })
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	copyFile(t, pdfPath("valid_text_1page.pdf"), scan)
	mw.drop.AddFiles([]string{scan})
	mw.Wait()
	require.NotNil(t, mw.drop.shipment)
	first := mw.drop.shipment.Report.SHA256
	require.False(t, mw.drop.ship.Disabled())

	copyFile(t, pdfPath("valid_scan_3pages.pdf"), scan) // rescanned meanwhile
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.Created, f.state("R-1"), "nothing shipped")
	assert.Contains(t, mw.status.Text(), "changed after it was checked")
	vault, err := os.ReadDir(bolt.VaultDirFor(f.db.Path()))
	require.NoError(t, err)
	assert.Empty(t, vault, "nothing left in the vault")
	require.NotNil(t, mw.drop.shipment, "checked again")
	assert.NotEqual(t, first, mw.drop.shipment.Report.SHA256)
	assert.Equal(t, 3, mw.drop.shipment.Report.Pages)

	mw.drop.ShipSelected()
	mw.Wait()
	shipped := mustFind(t, f.desk, "R-1")
	assert.Equal(t, domain.ShippedDigitally, shipped.State)
	require.NotNil(t, shipped.ShippedFile)
	assert.Equal(t, 3, shipped.ShippedFile.Pages)
}

// What the window shows and refuses comes from domain: a scan that cannot
// be prepared, and a request another workstation closed after the check.
func TestShipRefusalsFromDomain(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r1 := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r1.ID)

	broken := filepath.Join(t.TempDir(), "page1.png")
	require.NoError(t, os.WriteFile(broken, []byte("\x89PNG\r\n\x1a\nnot really"), 0o600))
	mw.drop.AddFiles([]string{broken})
	mw.Wait()
	require.Error(t, mw.drop.failed)
	assert.Nil(t, mw.drop.shipment)
	assert.True(t, mw.drop.ship.Disabled())
	assert.Contains(t, mw.drop.verdict.Text, "Cannot ship: The files could not be combined")
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Contains(t, mw.status.Text(), "Nothing was shipped")
	assert.Equal(t, domain.Created, f.state("R-1"))

	mw.drop.ClearFiles()
	mw.drop.AddFiles([]string{pdfPath("valid_scan_3pages.pdf")})
	mw.Wait()
	require.False(t, mw.drop.ship.Disabled())
	_, err := f.desk.Cancel(r1.ID, "withdrawn", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, domain.Cancelled, f.state("R-1"))
	assert.Contains(t, mw.status.Text(), "R-1 is already closed")
}

func TestRejectNeedsReasonAndBadCitationNeedsNote(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "R-2")
	mw := f.open()

	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	err := mw.details.Reject("", "", "")
	require.ErrorIs(t, err, domain.ErrReasonRequired)
	assert.Equal(t, domain.Created, f.state("R-1"))
	require.ErrorIs(t, mw.details.Reject(domain.ReasonOther, "", ""), domain.ErrNoteRequired)
	require.NoError(t, mw.details.Reject(domain.ReasonNotOnShelf, "checked twice", "missing"))
	assert.Equal(t, domain.Rejected, f.state("R-1"))
	assert.Contains(t, mw.banner.Text(), "rejected")

	mw.list.SelectRequest(mustFind(t, f.desk, "R-2").ID)
	require.ErrorIs(t, mw.details.BadCitation("  "), domain.ErrNoteRequired)
	assert.Equal(t, domain.Created, f.state("R-2"))
	require.NoError(t, mw.details.BadCitation("Volume 61 has no such article"))
	assert.Equal(t, domain.BadCitation, f.state("R-2"))
}

func TestDetailsShowOnlyLegalActions(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.ItemBarcode = "39000001" })
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	for _, label := range []string{"Download Electronic Resource", "Create Move Request", "Create Digitization Request", "Reject", "Bad citation"} {
		assert.Contains(t, mw.details.buttons, label)
	}
	mw.details.Pick(domain.Station{Kind: domain.StationDigitization, Name: "Scan Lab"}, "")
	assert.Equal(t, domain.PickRequested, f.state("R-1"))
	assert.FileExists(t, filepath.Join(f.dir, "work", "slips", "R-1-slip.pdf"), "the pick slip was written")
	assert.Contains(t, mw.banner.Text(), "Pick From Shelf requested")
	assert.NotContains(t, mw.details.buttons, "Create Move Request", "a second pick is not offered")
	assert.Contains(t, mw.details.buttons, "Reject")

	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	assert.Empty(t, mw.details.buttons, "a closed request has no actions")
}

func TestStationIsRemembered(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	st := domain.Station{Kind: domain.StationPickup, Name: "Main Library"}
	mw.scan.SetStation(st)
	assert.Equal(t, "pickup:Main Library", f.app.Preferences().String(prefDesk))
	again := NewMainWindow(f.app, f.desk, Options{})
	defer again.Window().Close()
	assert.True(t, again.scan.Station().Same(st))
	assert.Equal(t, st.Label(), again.scan.deskSelect.Selected)
}

func TestScanFolderMarksWaitingScans(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "R-2")
	folder := t.TempDir()
	require.NoError(t, f.desk.SaveSettings(domain.Settings{ScanFolder: folder}))
	copyFile(t, pdfPath("valid_scan_3pages.pdf"), filepath.Join(folder, "R-2.pdf"))
	mw := f.open()
	mw.drop.checkScanFolder()
	r2 := mustFind(t, f.desk, "R-2")
	assert.True(t, mw.list.view.waiting[r2.ID])
	mw.list.SelectRequest(r2.ID)
	mw.Wait()
	require.NotNil(t, mw.drop.shipment, "the waiting scan is in the drop area, preflighted")
	assert.Equal(t, domain.VerdictAccept, mw.drop.shipment.Report.Verdict)
}

func mustFind(t *testing.T, d *domain.Desk, ref string) domain.Request {
	t.Helper()
	r, err := d.Find(ref)
	require.NoError(t, err)
	return r
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o600))
}

func TestImagesAndPDFsAreCombinedInDropOrder(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) { in.Pages = "1-4" })
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)

	page := filepath.Join(t.TempDir(), "page4.png")
	img := image.NewGray(image.Rect(0, 0, 850, 1100))
	for i := range img.Pix {
		img.Pix[i] = 0xf0
	}
	out, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, png.Encode(out, img))
	require.NoError(t, out.Close())

	mw.drop.DropFiles([]string{pdfPath("valid_scan_3pages.pdf")})
	mw.drop.DropFiles([]string{page})
	mw.Wait()
	require.NotNil(t, mw.drop.shipment)
	assert.Equal(t, domain.VerdictAccept, mw.drop.shipment.Report.Verdict, mw.drop.shipment.Report.Message)
	assert.Equal(t, 4, mw.drop.shipment.Report.Pages, "3 PDF pages and 1 image page")
	mw.drop.ShipSelected()
	mw.Wait()
	assert.Equal(t, 4, mustFind(t, f.desk, "R-1").ShippedFile.Pages)
}

func TestDialogsOpen(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1", func(in *domain.LendingInput) {
		in.EResources = []domain.EResource{{Name: "JSTOR", URL: "https://www.jstor.org/"}}
		in.ItemBarcode = "39000001"
	})
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	for name, show := range map[string]func(){
		"e-resources": mw.details.ShowEResources, "reject": mw.details.ShowReject, "bad citation": mw.details.ShowBadCitation,
		"move": func() { mw.details.ShowPick(domain.StationRS) }, "digitization": func() { mw.details.ShowPick(domain.StationDigitization) },
	} {
		show()
		require.NotNil(t, mw.Window().Canvas().Overlays().Top(), name)
		mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Escape closes the %s dialog", name)
		assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "and the scan bar has focus again")
	}
	assert.Equal(t, domain.Created, f.state("R-1"), "opening dialogs changes nothing")
}

func TestScanIntoSearchFieldStillScans(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "R-2")
	mw := f.open()
	mw.FocusSearch()
	test.Type(mw.facets.search, "R-2")
	mw.facets.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r, _ := mw.list.Selected()
	assert.Equal(t, "R-2", r.ExternalID)
	assert.Empty(t, mw.facets.search.Text)
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused())
	assert.Equal(t, []string{"R-1", "R-2"}, listedRefs(mw), "the search filter is cleared too")
}

func TestDroppedISOMessagesAreReceived(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	sample := filepath.Join("..", "iso18626", "testdata", "samples", "RequestSample1.xml")
	mw.drop.DropFiles([]string{sample})
	r, ok := mw.list.Selected()
	require.True(t, ok, "the new request is shown")
	assert.Equal(t, "Something about elephants", r.Title)
	assert.Contains(t, mw.banner.Text(), "New lending request")

	broken := filepath.Join(t.TempDir(), "broken.xml")
	require.NoError(t, os.WriteFile(broken, []byte("<request><header>"), 0o600))
	mw.drop.DropFiles([]string{broken})
	assert.Contains(t, mw.banner.Text(), "broken.xml")
	rs, err := f.desk.List(domain.Filter{All: true})
	require.NoError(t, err)
	assert.Len(t, rs, 1, "a broken message stores nothing")
}

func TestBatchRejectPickAndSlips(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	a := f.lending("RAPID", "A", func(in *domain.LendingInput) { in.ItemBarcode = "39000001" })
	b := f.lending("RAPID", "B")
	c := f.lending("RAPID", "C", func(in *domain.LendingInput) { in.ItemBarcode = "39000003" })
	mw := f.open()
	assert.False(t, mw.batch.box.Visible())

	// a click in the mark column marks instead of selecting
	mw.list.view.table.OnSelected(widget.TableCellID{Row: 0, Col: 0})
	mw.list.MarkRequest(c.ID, true)
	assert.Len(t, mw.list.Marked(), 2)
	assert.True(t, mw.batch.box.Visible())

	require.NoError(t, mw.batch.PickMarked(domain.Station{Kind: domain.StationDigitization, Name: "Scan Lab"}))
	assert.Equal(t, domain.PickRequested, f.state(a.ID))
	assert.Equal(t, domain.PickRequested, f.state(c.ID))
	assert.Empty(t, mw.list.Marked(), "done requests are unmarked")
	slips, _ := filepath.Glob(filepath.Join(f.dir, "work", "slips", "slips-*.pdf"))
	assert.Len(t, slips, 1, "the slips open as one PDF")

	mw.list.SetStatus("")
	for _, id := range []string{a.ID, b.ID} {
		mw.list.MarkRequest(id, true)
	}
	require.ErrorIs(t, mw.batch.RejectMarked("", "", ""), domain.ErrReasonRequired)
	assert.Equal(t, domain.Created, f.state(b.ID), "nothing is tried without a reason")
	require.NoError(t, mw.batch.RejectMarked(domain.ReasonNotOnShelf, "", ""))
	assert.Equal(t, domain.Rejected, f.state(a.ID))
	assert.Equal(t, domain.Rejected, f.state(b.ID))
	assert.Contains(t, mw.banner.Text(), "2 of 2 requests rejected")
	assert.False(t, mw.batch.box.Visible())
}

func TestUndoAfterAnAction(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	assert.True(t, mw.banner.undoOffered(), "every undoable action offers Undo")
	mw.scan.UndoLastScan()
	assert.Equal(t, domain.Created, f.state(r.ID))
	assert.Contains(t, mw.banner.Text(), "Undone")
}

func TestAuditLogInTheWindow(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	es, err := mw.auditLog.AuditLog("TESTER", "", "R-1")
	require.NoError(t, err)
	require.Len(t, es, 1, "the reject by tester (the create was by another actor)")
	assert.Equal(t, domain.ActReject, es[0].Action)
	_, err = mw.auditLog.AuditLog("", "23/11", "")
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	mw.auditLog.ShowAudit()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
}

func TestAttentionOnTheTitleBar(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	f.clock.now = monday.Add(30 * time.Hour) // 30 business hours in "created"
	mw := f.open()
	assert.Equal(t, "ILL Desk — RS desk — 1 need attention", mw.Window().Title())
	require.Equal(t, 1, mw.attention.Count())
	mw.attention.ShowAttention()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	mw.list.SelectRequest(r.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotHeld, "", ""))
	mw.attention.refresh()
	assert.Equal(t, "ILL Desk — RS desk", mw.Window().Title())

	// the desk changes the title too, from the selector, the menu or signing in
	mw.scan.SetStation(mainDesk)
	assert.Equal(t, "ILL Desk — "+mainDesk.Label(), mw.Window().Title())
}

func TestRefreshSoonShowsOtherWorkstationsChanges(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	mw := f.open()
	var scheduled []func()
	mw.after = func(d time.Duration, fn func()) {
		assert.Positive(t, d)
		scheduled = append(scheduled, fn)
	}
	require.Zero(t, mw.list.listing.Len())
	// another workstation records a request; its announcement arrives in a burst
	f.lending("RAPID", "FROM-ELSEWHERE")
	for range 5 {
		mw.RefreshSoon()
	}
	require.Len(t, scheduled, 1, "one reload for the burst")
	assert.Zero(t, mw.list.listing.Len(), "not before the moment has passed")
	scheduled[0]()
	assert.Equal(t, 1, mw.list.listing.Len(), "the list shows the new request")
	mw.RefreshSoon()
	assert.Len(t, scheduled, 2, "a later announcement reloads again")
}

func TestRefreshSoonReadsOnlyTheAnnouncedRequests(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	a := f.lending("RAPID", "A-1")
	mw := f.open()
	var scheduled []func()
	mw.after = func(_ time.Duration, fn func()) { scheduled = append(scheduled, fn) }
	require.Equal(t, 1, mw.list.listing.Len())

	// elsewhere: A-1 is rejected and B-1 recorded, but only A-1 is announced
	_, err := f.desk.Reject(a.ID, domain.ReasonNotHeld, "", "", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	b := f.lending("RAPID", "B-1")
	mw.RefreshSoon(a.ID)
	mw.RefreshSoon(a.ID)
	require.Len(t, scheduled, 1, "one update for the burst")
	scheduled[0]()
	got, ok := mw.list.listing.Find(a.ID)
	require.True(t, ok)
	assert.Equal(t, domain.Rejected, got.State, "the announced request is read again")
	_, ok = mw.list.listing.Find(b.ID)
	assert.False(t, ok, "nothing else is read")

	// "*" (or no ids) reads the whole list
	mw.RefreshSoon("*")
	require.Len(t, scheduled, 2)
	scheduled[1]()
	_, ok = mw.list.listing.Find(b.ID)
	assert.True(t, ok)
	assert.Equal(t, 2, mw.list.listing.Len())
}

// TestDroppedURIsWithSpacesAndAccents drops files the way the desktop
// hands them over (file URIs from the file manager) from a folder and with
// names that have spaces and non-ASCII letters.
func TestDroppedURIsWithSpacesAndAccents(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	f.lending("RAPID", "Zürich 42")
	mw := f.open()
	mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
	dir := filepath.Join(t.TempDir(), "Scans für Fernleihe", "Nov 2026")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	scan := filepath.Join(dir, "Zürich 42.pdf")
	copyFile(t, pdfPath("valid_scan_3pages.pdf"), scan) // the fixture asks for pages 1-3

	web, err := fynestorage.ParseURI("https://example.org/not-a-file.pdf")
	require.NoError(t, err)
	mw.drop.DropURIs(fyne.NewPos(10, 10), []fyne.URI{fynestorage.NewFileURI(scan), web})
	mw.Wait()
	r, _ := mw.list.Selected()
	assert.Equal(t, "Zürich 42", r.ExternalID, "the file named after the request selects it")
	assert.Equal(t, []string{scan}, mw.drop.files, "only the local file is taken")
	require.NotNil(t, mw.drop.shipment)
	assert.Equal(t, domain.VerdictAccept, mw.drop.shipment.Report.Verdict, mw.drop.shipment.Report.Message)
}

// Once the window has closed, work handed to it from other goroutines is
// dropped rather than run on a window that is gone.
func TestDoAfterTheWindowClosed(t *testing.T) {
	f := newFixture(t)
	mw := NewMainWindow(f.app, f.desk, Options{Station: domain.RSDesk, StationGiven: true})
	ran := 0
	mw.Do(func() { ran++ })
	require.Equal(t, 1, ran)

	mw.Window().Close()
	mw.Do(func() { ran++ })
	assert.Equal(t, 1, ran, "work reached a closed window")
}
