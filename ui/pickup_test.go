package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// onHoldShelf makes a borrowing request for the patron and puts its item,
// barcode, on the hold shelf at the Main Library.
func (f *fixture) onHoldShelf(title, requester, patronID, barcode string) domain.Request {
	f.t.Helper()
	r, err := f.desk.NewBorrowing(domain.BorrowingInput{Partner: "NYPL", Citation: domain.Citation{Title: title},
		Requester: requester, Pickup: "Main Library", PatronID: patronID}, domain.Actor{Station: domain.RSDesk})
	require.NoError(f.t, err)
	_, err = f.desk.Receive(r.ID, barcode, domain.Actor{Station: domain.RSDesk})
	require.NoError(f.t, err)
	_, err = f.desk.Scan(barcode, "", domain.Actor{Station: mainDesk})
	require.NoError(f.t, err)
	return r
}

// later moves the clock past the window in which a read repeats.
func (f *fixture) later() { f.clock.now = f.clock.now.Add(domain.RepeatWindow) }

func statusText(mw *MainWindow) string { return mw.status.label.Text }

// promptText is the text of the check-out prompt's labels.
func promptText(t *testing.T, mw *MainWindow) string {
	t.Helper()
	require.NotNil(t, mw.scan.pending, "the prompt is open")
	top := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, top, "the prompt is shown")
	text := ""
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok {
			text += l.Text + "\n"
		}
	}
	return text
}

// press types a key at the prompt's focused button, as the keyboard does.
func press(mw *MainWindow, key fyne.KeyName) {
	mw.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: key})
}

func TestCheckoutAtThePickupDeskNeedsThePatron(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	grace := f.onHoldShelf("Silent Spring", "Grace Hopper", "P-100", "39200001")
	vera := f.onHoldShelf("Cosmos", "Vera Rubin", "P-200", "39200002")
	f.onHoldShelf("Notes", "Ada Lovelace", "P-300", "39200003")
	mw := f.open()
	mw.scan.SetStation(mainDesk)

	// no card: the prompt asks; Escape cancels and nothing changes
	f.later()
	scanInto(mw, "39200001")
	assert.Contains(t, promptText(t, mw), "Check out to Grace Hopper?")
	assert.Contains(t, promptText(t, mw), "“Silent Spring”, B-2026-00001", "the request by its number")
	assert.Equal(t, mw.scan.pending.confirm, mw.Window().Canvas().Focused(), "Confirm has the focus")
	press(mw, fyne.KeyEscape)
	assert.Nil(t, mw.scan.pending)
	assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "the prompt is closed")
	assert.Equal(t, checkoutCanceled, statusText(mw))
	assert.Equal(t, domain.OnHoldShelf, f.state(grace.ID))
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the scan bar has the focus back")

	// a double read while the prompt is open is ignored, Return confirms
	f.later()
	scanInto(mw, "39200001")
	test.Type(mw.Window().Canvas().Focused(), "39200001")
	press(mw, fyne.KeyReturn)
	assert.Equal(t, sameItemAgain, statusText(mw))
	require.NotNil(t, mw.scan.pending, "the prompt stays open")
	press(mw, fyne.KeyReturn)
	assert.Equal(t, domain.Loaned, f.state(grace.ID))
	assert.Contains(t, mw.banner.Text(), "checked out to Grace Hopper")
	mw.scan.UndoLastScan()
	require.Equal(t, domain.OnHoldShelf, f.state(grace.ID))

	// the patron's card, then the item: checked out without asking
	f.later()
	scanInto(mw, "P-100")
	assert.Equal(t, "Patron Grace Hopper — scan the items to check out.", statusText(mw))
	scanInto(mw, "39200001")
	assert.Nil(t, mw.scan.pending, "no prompt")
	assert.Equal(t, domain.Loaned, f.state(grace.ID))

	// read again within 3 s, a card in between or not: ignored, not checked in
	scanInto(mw, "39200001")
	assert.Equal(t, sameItemAgain, statusText(mw))
	scanInto(mw, "P-200")
	f.clock.now = f.clock.now.Add(domain.RepeatWindow - time.Millisecond)
	scanInto(mw, "39200001")
	assert.Equal(t, sameItemAgain, statusText(mw))
	assert.Equal(t, domain.Loaned, f.state(grace.ID))
	assert.Contains(t, mw.banner.Text(), "checked out to Grace Hopper", "the banner keeps the check-out and its Undo")
	assert.True(t, mw.banner.undoOffered())

	// another patron's card: the prompt asks; the requester's card scanned
	// into it confirms
	f.later()
	scanInto(mw, "39200002") // P-200 was read: Vera's own
	assert.Nil(t, mw.scan.pending)
	assert.Equal(t, domain.Loaned, f.state(vera.ID))
	mw.scan.UndoLastScan()
	f.later()
	scanInto(mw, "P-300")
	assert.Contains(t, statusText(mw), "Ada Lovelace")
	scanInto(mw, "39200002")
	assert.Contains(t, promptText(t, mw), "Vera Rubin")
	mw.scan.ScanInPrompt("P-300")
	assert.Contains(t, statusText(mw), "P-300 is not the card of Vera Rubin")
	mw.scan.ScanInPrompt("P-200")
	assert.Nil(t, mw.scan.pending)
	assert.Equal(t, domain.Loaned, f.state(vera.ID))

	// a card is remembered for a minute
	mw.scan.UndoLastScan()
	f.later()
	scanInto(mw, "P-200")
	f.clock.now = f.clock.now.Add(domain.PatronMemory)
	scanInto(mw, "39200002")
	require.NotNil(t, mw.scan.pending, "the card was read a minute ago: the prompt asks")
	mw.scan.CancelCheckout()
	assert.Equal(t, domain.OnHoldShelf, f.state(vera.ID))
}

func TestCheckoutOfARequestWithoutPatronIDIsConfirmed(t *testing.T) {
	f := newFixture(t)
	f.partner("NYPL", 24)
	r := f.onHoldShelf("Silent Spring", "Grace Hopper", "", "39200001")
	mw := f.open()
	mw.scan.SetStation(mainDesk)
	f.later()
	scanInto(mw, "39200001")
	assert.Contains(t, promptText(t, mw), "Grace Hopper")
	mw.scan.ConfirmCheckout()
	assert.Equal(t, domain.Loaned, f.state(r.ID))
	assert.Contains(t, mw.banner.Text(), "checked out to Grace Hopper")

	// an unknown code is still refused as before
	f.later()
	scanInto(mw, "UNKNOWN-1")
	assert.Contains(t, mw.banner.Text(), "nothing changed")
}
