package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// TestEachMessageInOnePlace: what staff's own change did, or why it was
// refused, is on the banner and nowhere else; background news is on the
// status line until a newer message shows elsewhere.
func TestEachMessageInOnePlace(t *testing.T) {
	tests := []struct {
		name   string
		act    func(t *testing.T, mw *MainWindow)
		banner string
	}{
		{"scan", func(t *testing.T, mw *MainWindow) { scanInto(mw, "R-2") }, "Selected R-2"},
		{"scan refused", func(t *testing.T, mw *MainWindow) { scanInto(mw, "NO-SUCH-CODE") }, "NO-SUCH-CODE"},
		{"action", func(t *testing.T, mw *MainWindow) {
			require.NoError(t, mw.details.Reject(domain.ReasonNotOnShelf, "", ""))
		}, "R-1 rejected: Missing / not on shelf."},
		{"undo", func(t *testing.T, mw *MainWindow) {
			require.NoError(t, mw.details.Reject(domain.ReasonNotOnShelf, "", ""))
			mw.scan.UndoLastScan()
		}, "Undone: R-1"},
		{"batch", func(t *testing.T, mw *MainWindow) {
			for _, ref := range []string{"R-1", "R-2"} {
				mw.list.MarkRequest(mustFind(t, mw.desk, ref).ID, true)
			}
			require.NoError(t, mw.batch.RejectMarked(domain.ReasonNotHeld, "", ""))
		}, "2 of 2 requests rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.partner("RAPID", 24)
			f.lending("RAPID", "R-1")
			f.lending("RAPID", "R-2")
			mw := f.open()
			mw.list.SelectRequest(mustFind(t, f.desk, "R-1").ID)
			mw.status.info("2 partner messages sent.") // background news
			require.Equal(t, "2 partner messages sent.", mw.status.Text())

			tt.act(t, mw)
			assert.Contains(t, mw.banner.Text(), tt.banner)
			assert.Empty(t, mw.status.Text(), "the status line says nothing beside it, neither the same nor older news")
			assert.Empty(t, mw.storage.Text())
		})
	}
}

// TestDiskFaultInAFormIsOnTheStorageBar: a form refused because the disk
// went away points to the storage bar, which alone says why.
func TestDiskFaultInAFormIsOnTheStorageBar(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	mw, disk, _ := openVanishing(t, f)
	mw.menu.NewLending()
	fs := mw.lending.fields
	fs.partner.SetText("RAPID")
	fs.externalID.SetText("RAPID-1")
	fs.title.SetText("Journal of Testing")
	mw.status.info("2 partner messages sent.")

	disk.gone.Store(true)
	mw.lending.Submit()
	assert.Equal(t, storageGoneText, mw.storage.Text())
	assert.Equal(t, notSavedText, mw.lending.refused.Text, "the form points to the bar")
	assert.NotContains(t, dialogText(mw), "stopped answering")
	assert.Empty(t, mw.status.Text())
	assert.Empty(t, mw.banner.Text())
}
