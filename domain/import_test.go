package domain

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func historyImportFile(t *testing.T, name string) ImportFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return ImportFile{Name: name, Data: b}
}

func TestImportMessagesEachOnItsOwn(t *testing.T) {
	f := newInteropFixture(t)
	good := msg(t, Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS", RequestingRequestID: "R-77",
		Citation: Citation{Title: "Journal of Things"}, ServiceType: "Copy"})
	unreadable := errors.New("permission denied")
	sum, err := f.desk.Import([]ImportFile{
		{Name: "good.xml", Data: good},
		{Name: "bad.xml", Data: []byte("not a message")},
		{Name: "gone.xml", ReadErr: unreadable},
	}, atRS)
	require.NoError(t, err)
	require.Len(t, sum.Files, 3)
	assert.Equal(t, 2, sum.Refused())

	ok := sum.Files[0]
	require.NoError(t, ok.Err)
	assert.Equal(t, "good.xml", ok.Name)
	assert.Equal(t, "OK request", string(ok.Confirmation))
	assert.Equal(t, "R-77", f.stored(ok.Message.Request).ExternalID)
	assert.Equal(t, ok.Message.Outcome, ok.Outcome())
	assert.Nil(t, ok.History)

	assert.ErrorIs(t, sum.Files[1].Err, ErrBadMessage)
	assert.ErrorIs(t, sum.Files[2].Err, unreadable, "the front end's read error is the file's refusal")
}

func TestImportHistoryFile(t *testing.T) {
	t.Run("good", func(t *testing.T) {
		f := newDeskFixture(t)
		sum, err := f.desk.Import([]ImportFile{historyImportFile(t, "history_good.csv")}, atRS)
		require.NoError(t, err)
		require.Len(t, sum.Files, 1)
		fi := sum.Files[0]
		require.NoError(t, fi.Err)
		require.NotNil(t, fi.History)
		assert.Positive(t, fi.History.Imported)
		assert.Equal(t, 0, sum.Refused())
		assert.Contains(t, fi.Outcome(), "Imported ")
		assert.Len(t, requestsByExt(t, f), fi.History.Imported)
	})
	t.Run("a bad line stores nothing", func(t *testing.T) {
		f := newDeskFixture(t)
		before := f.store.snapshot()
		sum, err := f.desk.Import([]ImportFile{historyImportFile(t, "history_bad.csv")}, atRS)
		require.NoError(t, err)
		fi := sum.Files[0]
		assert.ErrorIs(t, fi.Err, ErrInvalidInput)
		require.NotNil(t, fi.History)
		assert.NotEmpty(t, fi.History.Problems, "the bad lines are named")
		assert.Equal(t, 1, sum.Refused())
		assert.Equal(t, before, f.store.snapshot(), "nothing is stored")
	})
	t.Run("not with other files", func(t *testing.T) {
		f := newDeskFixture(t)
		before := f.store.snapshot()
		_, err := f.desk.Import([]ImportFile{historyImportFile(t, "history_good.csv"), {Name: "m.xml", Data: []byte("x")}}, atRS)
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.Equal(t, before, f.store.snapshot())
	})
}
