package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

var requestingValue = regexp.MustCompile(`(<ns1:requestingAgencyId>\s*<ns1:agencyIdType[^>]*>ISIL</ns1:agencyIdType>\s*<ns1:agencyIdValue>)OCLC-ABCDE`)

// stranger has the desk receive the standard's sample request over the
// network, as sent by the agency ISIL:value proposing a web address for
// replies.
func (f *fixture) stranger(value, id string) domain.ImportResult {
	f.t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "iso18626", "testdata", "samples", "RequestSample1.xml"))
	require.NoError(f.t, err)
	s := requestingValue.ReplaceAllString(string(raw), "${1}"+value)
	s = strings.Replace(s, ">my123<", ">"+id+"<", 1)
	s = strings.Replace(s, "librarian@address.net", "https://"+strings.ToLower(value)+".example/iso", 1)
	res, _, err := f.desk.IntakeFrom([]byte(s), domain.Caller{Addr: "192.0.2.7"})
	require.NoError(f.t, err)
	require.NotEmpty(f.t, res.Held)
	return res
}

// overlayWidgets lists the widgets of type T on the dialog on top.
func overlayWidgets[T fyne.CanvasObject](mw *MainWindow) []T {
	var out []T
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	for _, o := range test.LaidOutObjects(top) {
		if w, ok := o.(T); ok {
			out = append(out, w)
		}
	}
	return out
}

func TestRequestsFromUnknownLibraries(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	first := f.stranger("DE-NEW", "N-1")
	odd := f.stranger("XX-ODD", "O-1")
	mw := f.open()
	assert.Equal(t, "ILL Desk — RS desk — 2 from unknown libraries", mw.Window().Title(), "Needs attention says they wait")
	assert.Equal(t, "2 need attention", mw.attention.button.Text)
	assert.Empty(t, listedRefs(mw), "nothing is in the list")

	mw.attention.ShowAttention()
	var review *defaultButton
	for _, b := range overlayWidgets[*defaultButton](mw) {
		if strings.Contains(b.Text, "from unknown libraries wait") {
			review = b
		}
	}
	require.NotNil(t, review, "Needs attention leads to them")
	test.Tap(review)
	q := mw.quarantine
	require.Len(t, q.Held(), 2)
	var labels []string
	for _, l := range overlayWidgets[*widget.Label](mw) {
		labels = append(labels, l.Text)
	}
	assert.Contains(t, labels, "ISIL:DE-NEW — Something about elephants")
	assert.Contains(t, labels, "Received "+monday.Local().Format("2006-01-02 15:04")+" from 192.0.2.7 · id "+first.Held[len(first.Held)-8:])
	assert.Contains(t, labels, "Proposes replies to https://de-new.example/iso")

	q.ShowAccept(first.Held)
	entries := overlayWidgets[*keyEntry](mw)
	require.Len(t, entries, 1)
	assert.Equal(t, "DE-NEW", entries[0].Text, "the suggested free code")
	require.ErrorIs(t, q.Accept(first.Held, "rapid"), domain.ErrPartnerExists)
	require.NoError(t, q.Accept(first.Held, "NEWLIB"))
	assert.Contains(t, mw.status.Text(), `Accepted "ISIL:DE-NEW" as partner NEWLIB`)
	assert.Equal(t, []string{"N-1"}, listedRefs(mw), "its request is in the list now")
	// the new partner proves nothing yet: it needs attention until it has a credential
	assert.Equal(t, "ILL Desk — RS desk — 1 need attention, 1 from unknown libraries", mw.Window().Title())
	require.Len(t, q.Held(), 1, "the list shows what still waits")
	ps, err := f.desk.Partners()
	require.NoError(t, err)
	assert.Equal(t, "https://de-new.example/iso", ps[0].ISOEndpoint)
	assert.True(t, ps[0].NeedsReview)

	q.ShowRefuse(odd.Held)
	require.NoError(t, q.Refuse(odd.Held, "not a library"))
	assert.Empty(t, q.Held())
	assert.Equal(t, "ILL Desk — RS desk — 1 need attention", mw.Window().Title())
	held, err := f.desk.Quarantine(true)
	require.NoError(t, err)
	require.Len(t, held, 2)
	assert.Equal(t, domain.HeldAccepted, held[0].Status)
	assert.Equal(t, domain.HeldRefused, held[1].Status)
	assert.Equal(t, "not a library", held[1].Note)
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestReviewAPartnerFromNeedsAttention follows a partner accepted from an
// unknown library's message: Needs attention lists it, choosing it opens
// its settings with the reason shown, and saving them ends the item.
func TestReviewAPartnerFromNeedsAttention(t *testing.T) {
	f := newFixture(t)
	first := f.stranger("DE-NEW", "N-1")
	mw := f.open()
	require.NoError(t, mw.quarantine.Accept(first.Held, "NEWLIB"))
	_, err := f.desk.EditPartner("NEWLIB", (*domain.Partner).SetNoAuth, domain.Actor{Station: domain.RSDesk})
	require.NoError(t, err)
	mw.attention.refresh()
	assert.Equal(t, 1, mw.attention.Count())
	items := attentionNow(t, mw)
	require.Len(t, items, 1)
	assert.Contains(t, items[0].Why, "Partner NEWLIB was added from a message")

	mw.attention.ShowAttention()
	lists := overlayWidgets[*keyList](mw)
	require.Len(t, lists, 1)
	lists[0].Select(0)
	reviewShown := false
	for _, l := range overlayWidgets[*widget.Label](mw) {
		reviewShown = reviewShown || strings.Contains(l.Text, "Save partner to mark it reviewed") && l.Visible()
	}
	assert.True(t, reviewShown, "the partner's settings open and say why")
	var save *defaultButton
	for _, b := range overlayWidgets[*defaultButton](mw) {
		if b.Text == "Save partner" {
			save = b
		}
	}
	require.NotNil(t, save)
	test.Tap(save)
	assert.Contains(t, mw.status.Text(), "Partner NEWLIB")
	assert.Zero(t, mw.attention.Count(), "a reviewed partner needs attention no more")
	assert.Empty(t, attentionNow(t, mw))
	assert.Equal(t, "ILL Desk — RS desk", mw.Window().Title())
}
