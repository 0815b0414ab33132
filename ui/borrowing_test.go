package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

var (
	mainDesk    = domain.Station{Kind: domain.StationPickup, Name: "Main Library"}
	scienceDesk = domain.Station{Kind: domain.StationPickup, Name: "Science Library"}
)

func (f *fixture) borrowing(title string) domain.Request {
	r, err := f.desk.NewBorrowing(domain.BorrowingInput{Partner: "NYPL", Citation: domain.Citation{Title: title},
		Requester: "Grace Hopper", RequesterEmail: "grace@example.edu", Pickup: "Main Library"}, domain.Actor{Station: domain.RSDesk})
	require.NoError(f.t, err)
	return r
}

func scanInto(mw *MainWindow, code string) {
	test.Type(mw.scan.entry, code)
	mw.scan.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func TestCreateBorrowingSelectsItOnTop(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	f.borrowing("Older request")
	f.clock.now = monday.Add(time.Hour)
	mw := f.open()

	mw.scan.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "Ctrl+N from the scan bar opens the form")
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	assert.Equal(t, "Fill in the partner, pickup location, requester, title.", missingBorrowingFields(domain.BorrowingInput{}))
	r, err := mw.borrowing.CreateBorrowing(domain.BorrowingInput{Partner: partnerCode("NYPL — NYPL library", nil),
		Citation: domain.Citation{Title: "Silent Spring"}, Requester: "Rachel", Pickup: "Science Library"})
	require.NoError(t, err)
	sel, ok := mw.list.Selected()
	require.True(t, ok)
	assert.Equal(t, r.ID, sel.ID)
	assert.Equal(t, 0, mw.list.view.selected, "the new request is at the top of the list")
	assert.Equal(t, domain.Borrowing, mw.list.filter.Side)
	assert.Equal(t, "Number", mw.list.view.cols[1].title, "borrowing columns (after the mark box)")
	assert.Equal(t, "Title", mw.list.view.cols[2].title)

	_, err = mw.borrowing.CreateBorrowing(domain.BorrowingInput{Partner: "NYPL", Citation: domain.Citation{Title: "X"}, Pickup: "Main Library"})
	require.ErrorIs(t, err, domain.ErrInvalidInput, "a requester is required")
}

// TestBorrowingFormMatchesAsTyped: Pickup and Partner say what they match
// as staff type, and Tab goes from Pickup straight on to Partner.
func TestBorrowingFormMatchesAsTyped(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	f.partner("BVB", 24)
	require.NoError(t, f.desk.SaveSettings(domain.Settings{PickupLocations: []string{"Main Library", "Science Library"}}))
	mw := f.open()
	c := mw.Window().Canvas()
	mw.menu.NewBorrowing()
	test.Type(c.Focused(), "Silent Spring")
	for range 4 { // Author, ISBN, Patron id, Requester
		c.FocusNext()
	}
	test.Type(c.Focused(), "Grace Hopper")
	c.FocusNext()
	c.FocusNext() // past Email
	pickup, ok := c.Focused().(*keyEntry)
	require.True(t, ok)
	require.Equal(t, "Pickup location", pickup.PlaceHolder)
	assert.Contains(t, dialogText(mw), "Type a pickup location: Main Library, Science Library.", "the choices show before anything is typed")
	test.Type(pickup, "libr")
	assert.Contains(t, dialogText(mw), "Matches Main Library, Science Library — type more.")
	pickup.SetText("sci")
	assert.Contains(t, dialogText(mw), "Pickup: Science Library")

	c.FocusNext()
	partner, ok := c.Focused().(*keyEntry)
	require.True(t, ok, "Tab from Pickup lands on Partner, not on an arrow")
	require.Equal(t, "Partner code or name", partner.PlaceHolder)
	test.Type(partner, "york")
	assert.Contains(t, dialogText(mw), "No partner matches", "NYPL's name is NYPL library here")
	partner.SetText("nyp")
	assert.Contains(t, dialogText(mw), "Partner: NYPL — NYPL library")

	partner.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	require.Contains(t, dialogText(mw), "Create borrowing request?")
	assert.Contains(t, dialogText(mw), "pickup at Science Library, from NYPL", "what was matched is what is saved")
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	sel, ok := mw.list.Selected()
	require.True(t, ok)
	r, err := f.desk.Find(sel.ID)
	require.NoError(t, err)
	assert.Equal(t, "Science Library", r.Pickup)
	assert.Equal(t, "NYPL", r.Partner)
}

func TestPickupFromField(t *testing.T) {
	locations := []string{"Main Library", "Science Library"}
	tests := []struct{ typed, pickup, hint string }{
		{"", "", "Type a pickup location: Main Library, Science Library."},
		{"main", "Main Library", "Pickup: Main Library"},
		{"science library", "Science Library", "Pickup: Science Library"},
		{"Library", "Library", "Matches Main Library, Science Library — type more."},
		{" Bookmobile ", "Bookmobile", "No pickup location set up matches: it is kept as typed."},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			assert.Equal(t, tt.pickup, pickupMatch(tt.typed, locations))
			assert.Equal(t, tt.hint, pickupHint(tt.typed, locations))
		})
	}
	assert.Equal(t, "Type the pickup location.", pickupHint("", nil))
}

func TestPartnerCodeFromField(t *testing.T) {
	ps := []domain.Partner{{Code: "NYPL", Name: "New York Public Library"}, {Code: "OCLC-ZCU", Name: "Columbia"}}
	for in, want := range map[string]string{
		"NYPL — New York Public Library": "NYPL", "nypl": "NYPL", " OCLC-ZCU ": "OCLC-ZCU", "NEW — Someone": "NEW", "": "",
	} {
		assert.Equal(t, want, partnerCode(in, ps), in)
	}
}

func TestReceiveThenEveryScanRoute(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	other := f.borrowing("Cosmos")
	_, err := f.desk.Receive(other.ID, "39200099", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	mw.list.SetSide(domain.Borrowing)
	mw.list.SelectRequest(r.ID)
	require.NotNil(t, mw.details.borrowing.receiveEntry, "a request awaiting receipt shows the Receive field")

	require.ErrorIs(t, mw.details.borrowing.Receive("39 2"), domain.ErrInvalidBarcode)
	require.ErrorIs(t, mw.details.borrowing.Receive("39200099"), domain.ErrBarcodeInUse)
	assert.Contains(t, mw.banner.Text(), "Cosmos", "the refusal names the request that holds the barcode")
	assert.Equal(t, domain.Created, f.state(r.ID))

	test.Type(mw.details.borrowing.receiveEntry, "39200001")
	mw.details.borrowing.receiveEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Equal(t, domain.Received, f.state(r.ID))
	assert.True(t, mw.banner.undoOffered())

	routes := []struct {
		at      domain.Station
		confirm bool // the check-out prompt opens: staff confirm the requester
		want    domain.State
		words   string
	}{
		{mainDesk, false, domain.OnHoldShelf, "hold shelf"},
		{mainDesk, true, domain.Loaned, "checked out"},
		{scienceDesk, false, domain.ReturnedByPatron, "checked in"},
		{domain.RSDesk, false, domain.Completed, "completed"},
	}
	for _, rt := range routes {
		mw.scan.SetStation(rt.at)
		f.clock.now = f.clock.now.Add(domain.RepeatWindow)
		scanInto(mw, "39200001")
		if rt.confirm {
			require.NotNil(t, mw.scan.pending, "the prompt is open")
			mw.scan.ConfirmCheckout()
		}
		assert.Equal(t, rt.want, f.state(r.ID), "scan at %s", rt.at.Label())
		assert.Contains(t, mw.banner.Text(), rt.words)
		assert.True(t, mw.banner.undoOffered())
		assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the scan bar keeps the focus")
	}
}

func TestScanRefusalsChangeNothing(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	for _, tc := range []struct {
		at    domain.Station
		code  string
		words string
	}{
		{scienceDesk, "39200001", "Main Library"},
		{domain.RSDesk, "39200001", "Main Library"},
		{mainDesk, "UNKNOWN-1", "nothing changed"},
	} {
		mw.scan.SetStation(tc.at)
		scanInto(mw, tc.code)
		assert.Equal(t, domain.Received, f.state(r.ID))
		assert.Contains(t, mw.banner.Text(), tc.words)
		assert.False(t, mw.banner.undoOffered(), "a refusal offers no Undo")
	}
}

func TestUndoLastScan(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw := f.open()
	mw.scan.SetStation(mainDesk)
	scanInto(mw, "39200001")
	require.Equal(t, domain.OnHoldShelf, f.state(r.ID))
	mw.scan.UndoLastScan()
	assert.Equal(t, domain.Received, f.state(r.ID))
	assert.Contains(t, mw.banner.Text(), "Undone")
	assert.False(t, mw.banner.undoOffered())
	mw.scan.UndoLastScan() // nothing left to undo: no change
	assert.Equal(t, domain.Received, f.state(r.ID))
}

func TestScanBarReceivesSelectedRequestAtRSDesk(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	mw := f.open()
	mw.list.SetSide(domain.Borrowing)
	mw.list.SelectRequest(r.ID)
	scanInto(mw, "39200007")
	assert.Equal(t, domain.Received, f.state(r.ID))
	got, _ := f.desk.Find(r.ID)
	assert.Equal(t, "39200007", got.ItemBarcode)
}

func TestHoldShelfScanSendsTheNoticeAndShowsIt(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.borrowing("Silent Spring")
	_, err := f.desk.Receive(r.ID, "39200001", domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	f.mail.fail = true
	mw := f.open()
	mw.scan.SetStation(mainDesk)
	scanInto(mw, "39200001")
	mw.Wait()
	assert.Empty(t, f.mail.sent, "the notice waits so the scan can be undone")
	assert.False(t, mw.sender.waiting())
	f.clock.now = f.clock.now.Add(domain.NoticeGrace)
	assert.True(t, mw.sender.waiting(), "the window's tick sends once the grace period has ended")
	mw.sender.send() // what the window's tick does
	assert.False(t, mw.sender.waiting(), "the failed notice waits for its back-off")
	f.clock.now = f.clock.now.Add(time.Minute)
	assert.True(t, mw.sender.waiting(), "and is tried again when it has passed")
	assert.Contains(t, mw.status.Text(), "could not be sent")
	require.Equal(t, r.ID, mw.list.selected)
	assert.Contains(t, mw.details.buttons, "Retry now", "the details shown are brought up to date")
	mw.list.SelectRequest(r.ID)
	retry, ok := mw.details.buttons["Retry now"]
	require.True(t, ok, "a failed notice offers Retry now")

	f.mail.fail = false
	retry.OnTapped()
	mw.Wait()
	require.Len(t, f.mail.sent, 1)
	assert.Equal(t, "grace@example.edu", f.mail.sent[0].To)
	ns, err := f.desk.Notices(domain.NoticeFilter{RequestID: r.ID})
	require.NoError(t, err)
	require.Len(t, ns, 1)
	assert.Equal(t, domain.NoticeSent, ns[0].Status)
	assert.NotContains(t, mw.details.buttons, "Retry now")
}

// TestBorrowingFormLenderNumberAndNeedBy fills the borrowing form's
// lender's request number and need-by date: a date that is not one is
// refused in the form, which stays open; a good one is saved with the
// request.
func TestBorrowingFormLenderNumberAndNeedBy(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	mw := f.open()
	mw.borrowing.ShowNewBorrowing()
	entry := func(placeholder string) *keyEntry {
		t.Helper()
		for _, e := range overlayWidgets[*keyEntry](mw) {
			if strings.HasPrefix(e.PlaceHolder, placeholder) {
				return e
			}
		}
		t.Fatalf("no field %q in the form", placeholder)
		return nil
	}
	// the fields without a hint, in the form's order: author, ISBN,
	// patron id, requester, email, note to lender
	var plain []*keyEntry
	for _, e := range overlayWidgets[*keyEntry](mw) {
		if e.PlaceHolder == "" {
			plain = append(plain, e)
		}
	}
	require.Len(t, plain, 6)
	entry("Book or journal title").SetText("Silent Spring")
	entry("Pickup location").SetText("Main Library")
	entry("Partner code or name").SetText("NYPL")
	lenderNo, needBy := entry("The lender's request number"), entry("YYYY-MM-DD")

	test.Type(needBy, "soon")
	needBy.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Contains(t, dialogText(mw), "“soon” is not a date")
	assert.Empty(t, listedRefs(mw), "nothing was stored")

	needBy.SetText("2027-01-15")
	test.Type(lenderNo, "NYPL-9931")
	plain[3].SetText("Rachel Carson")
	needBy.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	require.Contains(t, dialogText(mw), "Create borrowing request?")
	mw.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // the Create button has the focus
	sel, ok := mw.list.Selected()
	require.True(t, ok, "the request was created: %s", dialogText(mw))
	r, err := f.desk.Find(sel.ID)
	require.NoError(t, err)
	assert.Equal(t, "NYPL-9931", r.ExternalID)
	assert.Equal(t, time.Date(2027, 1, 15, 0, 0, 0, 0, time.Local), r.NeededBy.In(time.Local))
}

// TestBorrowingFormSaveInSight: on a small laptop's screen the borrowing
// form's fields scroll while Save stays below them, in sight without
// scrolling; Tab into the last field scrolls it up.
func TestBorrowingFormSaveInSight(t *testing.T) {
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(1024, 640)} {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			f := newFixture(t)
			f.partner("NYPL", 24)
			mw := f.open()
			mw.Window().Resize(size)
			mw.menu.NewBorrowing()
			var save *defaultButton
			for _, b := range overlayWidgets[*defaultButton](mw) {
				if strings.HasPrefix(b.Text, "Save") {
					save = b
				}
			}
			require.NotNil(t, save, "the form has Save")
			d := fyne.CurrentApp().Driver()
			bottom := d.AbsolutePositionForObject(save).Y + save.Size().Height
			assert.LessOrEqual(t, bottom, mw.Window().Canvas().Size().Height, "Save shows without scrolling")

			var needBy *keyEntry
			for _, e := range overlayWidgets[*keyEntry](mw) {
				if strings.HasPrefix(e.PlaceHolder, "YYYY-MM-DD") {
					needBy = e
				}
			}
			require.NotNil(t, needBy)
			mw.Window().Canvas().Focus(needBy)
			assert.LessOrEqual(t, d.AbsolutePositionForObject(needBy).Y+needBy.Size().Height,
				d.AbsolutePositionForObject(save).Y, "the focused last field is above Save, in sight")
		})
	}
}
