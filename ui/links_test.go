package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// shippedByLink ships R-1 to RAPID, which takes files by download link,
// and opens the window on it.
func shippedByLink(t *testing.T) (*fixture, *MainWindow, domain.Request) {
	f := newFixture(t)
	require.NoError(t, f.desk.SetPublicURL("http://127.0.0.1:8626"))
	_, err := f.desk.AddPartner(domain.Partner{Code: "RAPID", Name: "RapidILL", Delivery: domain.DeliveryISO})
	require.NoError(t, err)
	r := f.lending("RAPID", "R-1")
	s, err := f.desk.Prepare(r.ID, []string{pdfPath("valid_text_1page.pdf")}, domain.Actor{})
	require.NoError(t, err)
	_, err = f.desk.Ship(s, true, domain.Actor{})
	require.NoError(t, err)
	mw := f.open()
	mw.list.SelectRequest(r.ID)
	return f, mw, r
}

func (f *fixture) liveLinks(id string) int {
	f.t.Helper()
	live, err := f.desk.LiveLinks(id)
	require.NoError(f.t, err)
	return len(live)
}

func TestRevokeLinksAsksFirst(t *testing.T) {
	f, mw, r := shippedByLink(t)
	require.Contains(t, mw.details.buttons, revokeLabel, "a live link offers the action")

	mw.details.buttons[revokeLabel].OnTapped()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top(), "it asks first")
	yes, ok := mw.Window().Canvas().Focused().(*defaultButton)
	require.True(t, ok, "the confirm button has the focus")
	assert.Equal(t, "Revoke", yes.Text)
	yes.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Nil(t, mw.Window().Canvas().Overlays().Top(), "Escape cancels")
	assert.Equal(t, 1, f.liveLinks(r.ID), "and revokes nothing")

	mw.details.queue.ShowRevokeLinks()
	yes = mw.Window().Canvas().Focused().(*defaultButton)
	yes.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Zero(t, f.liveLinks(r.ID), "confirmed, the link is revoked")
	assert.Contains(t, mw.banner.Text(), "Download link of R-1.pdf revoked: RAPID can no longer download it.")
	stored := mustFind(t, f.desk, r.ID)
	last := stored.History[len(stored.History)-1]
	assert.Equal(t, domain.ActLink, last.Action)
	assert.Equal(t, "tester", last.Actor)
	assert.NotContains(t, mw.details.buttons, revokeLabel, "no live link, no action")
}

func TestRevokeLinksWithNoneLeft(t *testing.T) {
	f, mw, r := shippedByLink(t)
	_, _, err := f.desk.RevokeLinks(r.ID, domain.Actor{})
	require.NoError(t, err)
	require.NoError(t, mw.details.queue.RevokeLinks())
	assert.Equal(t, "R-1 has no download link that still works; nothing was revoked.", mw.status.Text())
}
