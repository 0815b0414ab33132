package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestStatisticsView(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	a := f.lending("RAPID", "A")
	f.lending("RAPID", "B")
	f.clock.now = monday.Add(3 * time.Hour)
	mw := f.open()
	mw.SelectRequest(a.ID)
	require.NoError(t, mw.details.Reject(domain.ReasonNotOnShelf, "", ""))

	st, err := mw.stats.LoadStats("2026-03-02", "2026-03-02", "lending", "")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Total)
	assert.Equal(t, 1, st.Open)
	assert.Equal(t, 1, st.RejectionsByReason[domain.ReasonNotOnShelf])
	assert.InDelta(t, 3.0, st.Turnaround.MedianHours, 0.01, "rejected three business hours after arrival")

	_, err = mw.stats.LoadStats("March", "", "", "")
	require.ErrorIs(t, err, domain.ErrInvalidInput)

	objs := statsView(st)
	require.NotEmpty(t, objs)
	mw.stats.ShowStats()
	require.NotNil(t, mw.Window().Canvas().Overlays().Top())
	mw.handleNavKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

func TestChartDrawsBarsAndLines(t *testing.T) {
	bars := newChart(false, []string{"a", "b"}, chartSeries{name: "n", values: []float64{1, 3}, color: closedColor})
	lines := newChart(true, []string{"a", "b", "c"}, chartSeries{name: "n", values: []float64{1, 3, 2}, color: arrivedColor})
	assert.NotEmpty(t, bars.draw(fyne.NewSize(300, 200)))
	assert.Greater(t, len(lines.draw(fyne.NewSize(300, 200))), 3, "segments and points")
	assert.Empty(t, newChart(false, nil).draw(fyne.NewSize(300, 200)), "no labels, nothing to draw")
}

func TestPrintableStatisticsReport(t *testing.T) {
	f := newFixture(t)
	f.partner("RAPID", 24)
	f.lending("RAPID", "A")
	mw := f.open()
	st, err := mw.stats.LoadStats("", "", "", "")
	require.NoError(t, err)
	path, err := f.desk.WriteStatsReport(st)
	require.NoError(t, err)
	assert.FileExists(t, path)
}
