package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
	mw.list.SelectRequest(a.ID)
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

// charts lists the charts among objs and their children.
func charts(objs ...fyne.CanvasObject) []*Chart {
	var out []*Chart
	for _, o := range objs {
		switch o := o.(type) {
		case *Chart:
			out = append(out, o)
		case *fyne.Container:
			out = append(out, charts(o.Objects...)...)
		}
	}
	return out
}

func TestStatisticsLabelsAreWords(t *testing.T) {
	codes := map[string]bool{}
	for _, side := range []domain.Side{domain.Lending, domain.Borrowing} {
		for _, st := range domain.States(side) {
			codes[string(st)] = true
		}
	}
	for _, r := range append(domain.Reasons(), domain.ReasonUnspecified) {
		codes[string(r)] = true
	}
	for _, tc := range []struct {
		side   domain.Side
		states []domain.State
	}{
		{domain.Lending, []domain.State{domain.ShippedDigitally, domain.Rejected, domain.BadCitation, domain.Cancelled, domain.Returned}},
		{domain.Borrowing, []domain.State{domain.Completed, domain.Cancelled, domain.Unfilled, domain.ReturnedToLender}},
		{"", []domain.State{domain.ShippedDigitally, domain.Completed, domain.Cancelled, domain.Unfilled}},
	} {
		st := domain.Stats{Side: tc.side, ByFinalState: map[domain.State]int{}, RejectionsByReason: map[domain.Reason]int{}}
		for i, s := range tc.states {
			st.ByFinalState[s] = i + 1
		}
		for _, r := range append(domain.Reasons(), domain.ReasonUnspecified) {
			st.RejectionsByReason[r] = 1
		}
		cs := charts(statsView(st)...)
		require.Len(t, cs, 3, "weekly volume, final states, reasons")
		assert.Len(t, cs[1].labels, len(tc.states))
		assert.Len(t, cs[2].labels, len(domain.Reasons())+1)
		for _, c := range cs[1:] {
			for _, l := range c.labels {
				assert.False(t, codes[l], "%q is a code, not words (side %q)", l, tc.side)
				assert.NotContains(t, l, "_")
			}
		}
	}
}

func TestRowChartFitsLongLabels(t *testing.T) {
	c := newRowChart([]string{"Not available for ILL (e.g. licence)", "Not held"},
		chartSeries{name: "n", values: []float64{3, 1}, color: rejectColor})
	size := fyne.NewSize(260, 80)
	for _, o := range c.draw(size) {
		assert.LessOrEqual(t, o.Position().X+o.Size().Width, size.Width+0.5, "nothing drawn past the edge: %#v", o)
		if txt, ok := o.(*canvas.Text); ok && strings.HasPrefix(txt.Text, "Not available") {
			assert.True(t, strings.HasSuffix(txt.Text, "…"), "a long label is cut with an ellipsis: %q", txt.Text)
		}
	}
}
