package ui

import (
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// unavailableText is what the PostgreSQL store says when its server went
// away before a change was committed.
const unavailableText = "The department database postgres://illdesk@h1,h2/illdesk was unavailable (conn closed); nothing was changed."

// departmentStore is a department database whose server can go away: while
// down, every transaction is refused as the PostgreSQL store refuses them;
// with cutCommit set, the next change is committed but reported as of
// unknown outcome, as when the connection breaks during COMMIT.
type departmentStore struct {
	domain.Store
	down      atomic.Bool
	cutCommit atomic.Pointer[[]string] // the ids the cut change touched
}

func (s *departmentStore) unavailable() error {
	return &domain.Refusal{Kind: domain.ErrDatabaseUnreachable, Detail: "conn closed", Msg: unavailableText}
}

func (s *departmentStore) View(fn func(domain.Tx) error) error {
	if s.down.Load() {
		return s.unavailable()
	}
	return s.Store.View(fn)
}

func (s *departmentStore) Update(fn func(domain.Tx) error) error {
	if s.down.Load() {
		return s.unavailable()
	}
	if err := s.Store.Update(fn); err != nil {
		return err
	}
	if ids := s.cutCommit.Swap(nil); ids != nil {
		return &domain.Refusal{Kind: domain.ErrOutcomeUnknown, IDs: *ids, Detail: "unexpected EOF",
			Msg: "The connection to the department database broke while the change was being saved (unexpected EOF): it is not known whether it was saved."}
	}
	return nil
}

// openDepartment opens the window over f on a department database that can
// go away. The storage bar's checks wait in *pending until the test runs
// them.
func openDepartment(t *testing.T, f *fixture) (*MainWindow, *departmentStore, *[]func()) {
	server := &departmentStore{Store: f.store.Store}
	f.store.Store = server
	mw := f.open()
	pending := &[]func(){}
	mw.spawn = func(fn func()) { fn() }
	mw.storage.after = func(d time.Duration, fn func()) {
		assert.Equal(t, reconnectEvery, d)
		*pending = append(*pending, fn)
	}
	return mw, server, pending
}

// runPending runs the checks waiting, as their time comes.
func runPending(pending *[]func()) {
	fns := *pending
	*pending = nil
	for _, fn := range fns {
		fn()
	}
}

func TestStorageBarWaitsForTheDepartmentDatabase(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "R-1")
	mw, server, pending := openDepartment(t, f)
	assert.Empty(t, mw.storage.Text())

	server.down.Store(true)
	scanInto(mw, "R-1")
	assert.Equal(t, reconnectingText, mw.storage.Text())
	assert.Empty(t, mw.status.Text(), "the bar alone says it")
	assert.Empty(t, mw.banner.Text())
	assert.False(t, mw.storage.button.Visible(), "nothing to press: the window reconnects by itself")
	require.Len(t, *pending, 1, "a check is due")

	scanInto(mw, "R-1")
	assert.Len(t, *pending, 1, "one check at a time, however many refusals")
	runPending(pending) // still down
	assert.Equal(t, reconnectingText, mw.storage.Text())
	require.Len(t, *pending, 1, "the next check is due")

	// the server is back; another workstation made a request meanwhile,
	// whose announcement this window missed
	server.down.Store(false)
	r2 := f.lending("RAPID", "R-2")
	_, listed := mw.list.listing.Find(r2.ID)
	require.False(t, listed)
	reads := f.store.summaryReads
	runPending(pending)
	assert.Empty(t, mw.storage.Text(), "the check succeeded: the bar goes")
	assert.Equal(t, reconnectedText, mw.status.Text())
	assert.Greater(t, f.store.summaryReads, reads, "the list is read again")
	_, listed = mw.list.listing.Find(r2.ID)
	assert.True(t, listed, "with what changed meanwhile")
	assert.Empty(t, *pending, "no more checks")
	assert.True(t, mw.storage.button.Visible())
}

func TestStorageBarGoesWhenAnActionWorksAgain(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw, server, pending := openDepartment(t, f)
	server.down.Store(true)
	scanInto(mw, "R-1")
	require.Equal(t, reconnectingText, mw.storage.Text())

	server.down.Store(false)
	mw.list.SelectRequest(r.ID)
	mw.details.ShowBadCitation()
	form := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, form)
	test.Type(mw.Window().Canvas().Focused().(*keyEntry), "No such volume")
	test.Tap(buttonIn(t, form, "Send back as bad citation"))
	require.Equal(t, domain.BadCitation, f.state("R-1"), mw.status.Text())
	assert.Empty(t, mw.storage.Text(), "the action worked: the bar goes before the check is due")
	runPending(pending)
	assert.Empty(t, mw.storage.Text())
	assert.Empty(t, *pending)
}

func TestAChangeOfUnknownOutcomeIsReadAgain(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	r := f.lending("RAPID", "R-1")
	mw, server, pending := openDepartment(t, f)
	mw.list.SelectRequest(r.ID)
	mw.details.ShowBadCitation()
	form := mw.Window().Canvas().Overlays().Top()
	require.NotNil(t, form)
	test.Type(mw.Window().Canvas().Focused().(*keyEntry), "No such volume")

	// the change reaches the server; its answer does not come back
	server.cutCommit.Store(&[]string{r.ID})
	test.Tap(buttonIn(t, form, "Send back as bad citation"))
	assert.Equal(t, reconnectingText, mw.storage.Text(), "the form's refusal shows the bar")

	runPending(pending)
	assert.Empty(t, mw.storage.Text())
	got, _ := mw.list.Selected()
	assert.Equal(t, domain.BadCitation, got.State, "the window shows the request as it is now")
	assert.Equal(t, "The change whose saving was not known: "+r.RequestNumber+" (“Title of R-1”) now reads "+
		got.StatusLabel()+".", mw.banner.Text())
}

func TestANewRequestOfUnknownOutcomeThatWasNotSaved(t *testing.T) {
	f := newFixture(t)
	mw, _, pending := openDepartment(t, f)
	mw.storage.refused(&domain.Refusal{Kind: domain.ErrOutcomeUnknown, IDs: []string{"0193-never-saved"}, Msg: "Not known."})
	require.Equal(t, reconnectingText, mw.storage.Text())
	runPending(pending)
	assert.Equal(t, "The change whose saving was not known was not saved: request 0193-never-saved is not in the department database. Do it again.",
		mw.banner.Text())
}
