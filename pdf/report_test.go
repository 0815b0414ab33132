package pdf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func sampleReport() domain.Report {
	weeks := domain.ReportSection{Heading: "Weekly volume", Columns: []string{"Week of", "Arrived", "Closed"}}
	for i := range 200 {
		weeks.Rows = append(weeks.Rows, []string{"Week " + strconv.Itoa(i+1), strconv.Itoa(i * 3), strconv.Itoa(i * 2)})
	}
	return domain.Report{
		Title:    "Interlibrary loan statistics",
		Subtitle: "Lending · 2026-01-01 – 2026-03-31 · made 2026-04-01 09:00",
		Sections: []domain.ReportSection{
			{Heading: "Summary", Lines: [][2]string{
				{"Requests", "1204"},
				{"Fill rate", "83.5 %"},
				{"Partner", "Bibliothèque de Genève — 東京大学"},
			}},
			{Heading: "Rejections by reason", Columns: []string{"Reason", "Requests"}, Rows: [][]string{
				{"Not on shelf", "17"},
				{"In use", "4"},
				{strings.Repeat("A very long reason that cannot fit ", 10), "1"},
			}},
			weeks,
		},
	}
}

func TestWriteReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.pdf")
	require.NoError(t, Documents{}.WriteReport(sampleReport(), out))
	dims := checkPDF(t, out)
	require.Greater(t, len(dims), 1)
	for _, d := range dims {
		assert.InDelta(t, 841.89, d.Height, 0.01)
	}

	text := slipText(t, out)
	for _, want := range []string{
		"Interlibrary loan statistics", "Lending · 2026-01-01 – 2026-03-31 · made 2026-04-01 09:00",
		"Summary", "Requests", "1204", "Fill rate", "83.5 %",
		"Bibliothèque de Genève — ????", // not Windows-1252: question marks
		"Rejections by reason", "Reason", "Not on shelf", "17",
		"Weekly volume", "Weekly volume (continued)", "Week of", "Arrived", "Closed",
		"Week 1", "Week 200", "597", "398",
		"Page 1 of " + strconv.Itoa(len(dims)), "Page " + strconv.Itoa(len(dims)) + " of " + strconv.Itoa(len(dims)),
	} {
		assert.Contains(t, text, want)
	}
	// The long cell is cut with an ellipsis.
	cut := false
	for _, s := range text {
		if strings.HasPrefix(s, "A very long reason") {
			cut = strings.HasSuffix(s, "…")
		}
	}
	assert.True(t, cut, "long cell ends in an ellipsis")

	// Nothing left behind but the report.
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestWriteReportLetterAndEmpty(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.pdf")
	r := domain.Report{Sections: []domain.ReportSection{
		{Heading: "Empty"},
		{Rows: [][]string{{"no header", "", "x"}, {}}},
		{Columns: []string{"Only", "Header"}},
	}}
	require.NoError(t, Documents{Letter: true}.WriteReport(r, out))
	dims := checkPDF(t, out)
	require.Len(t, dims, 1)
	assert.InDelta(t, 792, dims[0].Height, 0.01)
	text := slipText(t, out)
	assert.Contains(t, text, "no header")
	assert.Contains(t, text, "No entries")
}

func TestDocumentsIsReportWriter(t *testing.T) {
	var docs domain.Documents = Documents{}
	_, ok := docs.(domain.ReportWriter)
	assert.True(t, ok)
}

func TestWriteReportFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	err := Documents{}.WriteReport(sampleReport(), filepath.Join(dir, "missing", "report.pdf"))
	require.Error(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestColumnWidths(t *testing.T) {
	w := columnWidths([]float64{100, 50}, []bool{false, true}, 300)
	assert.InDeltaSlice(t, []float64{250, 50}, w, 0.01)
	w = columnWidths([]float64{400, 50, 300}, []bool{false, true, false}, 300)
	assert.InDelta(t, 300, w[0]+w[1]+w[2], 0.01)
	assert.InDelta(t, 50, w[1], 0.01)
	assert.InDelta(t, w[0], w[2], 0.01)
}
