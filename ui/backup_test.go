package ui

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
)

// openWithBackups builds the window with the backup options given, waits
// for its start-up work, and runs later background work in place.
func (f *fixture) openWithBackups(opts Options) (*MainWindow, *logLines) {
	log := &logLines{}
	opts.Station, opts.StationGiven, opts.Operator, opts.Log = domain.RSDesk, true, "tester", log.add
	f.mw = NewMainWindow(f.app, f.desk, opts)
	f.mw.Wait()
	f.mw.spawn = func(fn func()) { fn() }
	f.mw.after = func(_ time.Duration, fn func()) { fn() }
	mw := f.mw
	f.t.Cleanup(func() { mw.Window().Close() })
	return f.mw, log
}

// logLines collects what the window logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(msg string) { l.mu.Lock(); l.lines = append(l.lines, msg); l.mu.Unlock() }

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestBackUpNow(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "EXT-1")
	dir := filepath.Join(f.dir, "backups")
	mw, _ := f.openWithBackups(Options{Backup: func() (string, error) {
		p, _, err := bolt.Snapshot(f.db, dir, f.clock.Now())
		return p, err
	}})
	require.NotNil(t, mw.backup.button, "the top bar has the button")

	test.Tap(mw.backup.button)
	want := filepath.Join(dir, "illdesk-2026-03-02-090000.db")
	assert.Equal(t, "Backup saved: "+want, mw.status.Text())
	require.NoError(t, bolt.VerifyBackup(want))
	assert.False(t, mw.backup.button.Disabled(), "ready for the next one")
	assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the scan bar keeps the focus")

	mw.backup.BackUpNow()
	assert.Equal(t, "Backup saved: "+filepath.Join(dir, "illdesk-2026-03-02-090000-2.db"), mw.status.Text(), "a second one in the same second gets its own name")
}

func TestBackUpNowFailureIsShown(t *testing.T) {
	f := newFixture(t)
	mw, _ := f.openWithBackups(Options{Backup: func() (string, error) {
		return "", errors.New("cannot write a backup in the folder /x/backups: permission denied")
	}})
	mw.backup.BackUpNow()
	assert.Contains(t, mw.status.Text(), "The backup could not be written: cannot write a backup in the folder /x/backups: permission denied.")
	assert.Contains(t, mw.status.Text(), "can be written to")
	assert.False(t, mw.backup.button.Disabled())
}

func TestBackUpNowNeedsTheOption(t *testing.T) {
	f := newFixture(t)
	mw := f.open()
	assert.Nil(t, mw.backup.button, "no button without a way to back up")
	mw.backup.BackUpNow() // nothing happens
	assert.Empty(t, mw.status.Text())
}

func TestDailyBackupAtStart(t *testing.T) {
	t.Run("made", func(t *testing.T) {
		f := newFixture(t)
		called := 0
		mw, log := f.openWithBackups(Options{DailyBackup: func() (string, bool, error) {
			called++
			return "/data/backups/illdesk-2026-03-02.db", true, nil
		}})
		assert.Equal(t, 1, called)
		assert.Contains(t, log.String(), "Today's backup: /data/backups/illdesk-2026-03-02.db")
		assert.Empty(t, mw.status.Text(), "a backup made says nothing on the status line")
	})
	t.Run("failed", func(t *testing.T) {
		f := newFixture(t)
		mw, _ := f.openWithBackups(Options{DailyBackup: func() (string, bool, error) {
			return "", false, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "The disk is full."}
		}})
		assert.Equal(t, "Today's backup could not be made: The disk is full. ILL Desk works on; try Back up now (the save button) later.", mw.status.Text())
		assert.Equal(t, mw.scan.entry, mw.Window().Canvas().Focused(), "the window is usable")
	})
}
