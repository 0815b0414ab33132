package ui

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// historyFiles are small history files: the second names a partner that
// does not exist on its last line.
var historyFiles = map[string]string{
	"history_good.csv": historyHeader + "lending,L-1,RAPID,Journal of Testing,2026-02-02,2026-02-03,shipped_digitally,,,,12-30,\n" +
		"lending,L-2,RAPID,Annals of Desks,2026-02-27,,,,,,,\n",
	"history_bad.csv": historyHeader + "lending,L-1,RAPID,Journal of Testing,2026-02-02,2026-02-03,shipped_digitally,,,,12-30,\n" +
		"lending,L-2,NOPE,Annals of Desks,2026-02-27,,,,,,,\n",
}

const historyHeader = "Side,External ID,partner,title,created,closed,final_state,reason,requester,pickup,pages,note\n"

func TestImportFromTheFileMenu(t *testing.T) {
	tests := []struct {
		name, file string
		head, body string
		listed     int // -1: some
	}{
		{"history file", "history_good.csv", "Imported 1 file", "history_good.csv: Imported 2 past requests (1 closed, 1 open).", -1},
		{"history file with a bad line", "history_bad.csv", "Nothing imported",
			"history_bad.csv was refused: Nothing was imported: 1 line of the history file has a problem", 0},
		{"partner message", "../iso18626/testdata/samples/RequestSample1.xml", "Imported 1 file", "RequestSample1.xml: ", -1},
		{"not a partner message", "../iso18626/testdata/xsd/ISO-18626-v1_2.xsd", "Nothing imported", "ISO-18626-v1_2.xsd was refused, and nothing of it stored: ", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.partner("RAPID", 24)
			mw := f.open()
			path, err := filepath.Abs(tt.file)
			require.NoError(t, err)
			if history, ok := historyFiles[tt.file]; ok {
				path = filepath.Join(t.TempDir(), tt.file)
				require.NoError(t, os.WriteFile(path, []byte(history), 0o600))
			}
			files := &fakeFiles{path: path}
			mw.dialogs.files = files
			menuItem(t, mw, "File", "Import…").Action()
			mw.Wait()
			assert.Equal(t, importExts, files.exts)
			text := dialogText(mw)
			assert.Contains(t, text, tt.head)
			assert.Contains(t, text, tt.body)
			assert.Empty(t, mw.status.Text(), "the summary's dialog alone says it")
			if tt.listed < 0 {
				assert.NotEmpty(t, allRefs(t, f), "something was stored")
			} else {
				assert.Len(t, allRefs(t, f), tt.listed, "nothing was stored")
			}
		})
	}
}

// allRefs are the numbers of every request stored, closed ones too.
func allRefs(t *testing.T, f *fixture) []string {
	t.Helper()
	ss, err := f.desk.List(domain.Filter{All: true})
	require.NoError(t, err)
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestImportSummaryText(t *testing.T) {
	refused := &domain.Refusal{Kind: domain.ErrBadMessage, Msg: "The partner message cannot be read."}
	sum := domain.ImportSummary{Files: []domain.FileImport{
		{Name: "/in/a.xml", Message: domain.ImportResult{Outcome: "New lending request R-1 from RAPID."}},
		{Name: "/in/b.xml", Err: refused},
		{Name: "/in/c.xml", Err: errors.New("cannot read")},
	}}
	head, body := importSummaryText(sum)
	assert.Equal(t, "Imported 1 of 3 files", head)
	assert.Equal(t, "a.xml: New lending request R-1 from RAPID.\n\n"+
		"b.xml was refused, and nothing of it stored: The partner message cannot be read.\n\n"+
		"c.xml was refused, and nothing of it stored: cannot read", body)
}
