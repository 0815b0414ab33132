package ui

import (
	"fmt"
	"image/color"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/illdesk/illdesk/domain"
)

// StatsDialog is the statistics view the top bar's chart button opens.
type StatsDialog struct {
	link
	desk statsDesk
	// openURL opens a file in the system's viewer.
	openURL func(*url.URL) error
}

// statsDesk is what the statistics view asks of the desk.
type statsDesk interface {
	Now() time.Time
	Partners() ([]domain.Partner, error)
	Stats(f domain.StatsFilter) (domain.Stats, error)
	WriteStatsReport(s domain.Stats) (string, error)
}

var (
	arrivedColor = color.NRGBA{R: 0x2b, G: 0x7b, B: 0xe4, A: 0xff}
	closedColor  = color.NRGBA{R: 0x3c, G: 0xb3, B: 0x71, A: 0xff}
	rejectColor  = color.NRGBA{R: 0xe0, G: 0x5a, B: 0x47, A: 0xff}
)

// LoadStats computes the statistics for the filter fields as staff type them:
// dates YYYY-MM-DD (the "to" day included), side "" / lending / borrowing,
// a partner code or "".
func (v *StatsDialog) LoadStats(from, to, side, partner string) (domain.Stats, error) {
	f := domain.StatsFilter{Partner: partner}
	var err error
	if strings.TrimSpace(from) != "" {
		if f.From, err = domain.ParseAuditTime(from, nil, false); err != nil {
			return domain.Stats{}, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", from)}
		}
	}
	if strings.TrimSpace(to) != "" {
		end, err := domain.ParseAuditTime(to, nil, false)
		if err != nil {
			return domain.Stats{}, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("%q is not a date: write YYYY-MM-DD.", to)}
		}
		f.To = end.AddDate(0, 0, 1)
	}
	if side != "" {
		if f.Side, err = domain.ParseSide(side); err != nil {
			return domain.Stats{}, err
		}
	}
	return v.desk.Stats(f)
}

// ShowStats opens the statistics view: the figures for a period, side and
// partner, charts of weekly volume, final states and rejections, and export
// as CSV or a printable PDF report.
func (v *StatsDialog) ShowStats() {
	from := v.dialogs.entry(false)
	from.SetPlaceHolder("From YYYY-MM-DD")
	from.SetText(v.desk.Now().AddDate(0, 0, -84).Format(domain.DateLayout))
	to := v.dialogs.entry(false)
	to.SetPlaceHolder("To YYYY-MM-DD")
	side := v.dialogs.selector([]string{"Both sides", "Lending", "Borrowing"}, nil)
	side.SetSelected("Lending")
	partners := []string{"All partners"}
	if ps, err := v.desk.Partners(); err == nil {
		for _, p := range ps {
			partners = append(partners, p.Code)
		}
	}
	partner := v.dialogs.selector(partners, nil)
	partner.SetSelected("All partners")
	body := container.NewVBox()
	status := errorLabel()
	var current domain.Stats
	load := func() {
		s := ""
		if side.Selected != "Both sides" {
			s = strings.ToLower(side.Selected)
		}
		p := partner.Selected
		if p == "All partners" {
			p = ""
		}
		st, err := v.LoadStats(from.Text, to.Text, s, p)
		if err != nil {
			status.SetText(v.dialogs.refusal(err))
			return
		}
		status.SetText("")
		current = st
		body.Objects = statsView(st)
		body.Refresh()
	}
	for _, e := range []*keyEntry{from, to} {
		e.OnSubmitted = func(string) { load() }
	}
	side.OnChanged = func(string) { load() }
	partner.OnChanged = func(string) { load() }
	export := v.dialogs.button("Export CSV…", nil, func() {
		v.dialogs.saveFile("Export the statistics", "illdesk-statistics.csv", func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			defer w.Close()
			if err := domain.WriteStatsCSV(w, current); err != nil {
				status.SetText("The CSV could not be written: " + err.Error())
			}
		})
	})
	print := v.dialogs.button("Print report (PDF)", nil, func() {
		path, err := v.desk.WriteStatsReport(current)
		if err != nil {
			status.SetText(v.dialogs.refusal(err))
			return
		}
		if u, err := url.Parse(storage.NewFileURI(path).String()); err == nil {
			_ = v.openURL(u)
		}
	})
	filters := container.NewGridWithColumns(5, from, to, side, partner, v.dialogs.button("Show", nil, load))
	load()
	v.dialogs.openTool("Statistics", container.NewBorder(container.NewVBox(filters, status), container.NewHBox(export, print), nil, nil,
		container.NewVScroll(body)), fyne.NewSize(1100, 720), nil)
}

// statsView lays out the figures and the charts.
func statsView(s domain.Stats) []fyne.CanvasObject {
	fig := func(label, value string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabel(label),
			widget.NewRichText(&widget.TextSegment{Text: value, Style: widget.RichTextStyleSubHeading}))
	}
	summary := container.NewGridWithColumns(5,
		fig("Requests", fmt.Sprintf("%d (%d open)", s.Total, s.Open)),
		fig("Fill rate", fmt.Sprintf("%.0f %%", s.FillRate*100)),
		fig("Median turnaround", fmt.Sprintf("%.1f h", s.Turnaround.MedianHours)),
		fig("90th percentile", fmt.Sprintf("%.1f h", s.Turnaround.P90Hours)),
		fig("Within deadline", fmt.Sprintf("%.0f %% of %d", s.WithinDeadline*100, s.DeadlineN)))
	var weeks []string
	var arrived, closed []float64
	for _, w := range s.Weekly {
		weeks = append(weeks, w.WeekStart.Format("2 Jan"))
		arrived = append(arrived, float64(w.Arrived))
		closed = append(closed, float64(w.Closed))
	}
	var states []string
	var stateCounts []float64
	for _, st := range domain.SortedStates(s.ByFinalState) {
		states = append(states, s.StateLabel(st))
		stateCounts = append(stateCounts, float64(s.ByFinalState[st]))
	}
	var reasons []string
	var reasonCounts []float64
	for _, r := range domain.SortedReasons(s.RejectionsByReason) {
		reasons = append(reasons, r.Label())
		reasonCounts = append(reasonCounts, float64(s.RejectionsByReason[r]))
	}
	heading := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	return []fyne.CanvasObject{
		summary,
		heading("Weekly volume"),
		newChart(true, weeks, chartSeries{name: "arrived", values: arrived, color: arrivedColor},
			chartSeries{name: "closed", values: closed, color: closedColor}),
		container.NewGridWithColumns(2,
			container.NewVBox(heading("Closed requests by final state"),
				newRowChart(states, chartSeries{name: "requests", values: stateCounts, color: closedColor})),
			container.NewVBox(heading("Rejections by reason"),
				newRowChart(reasons, chartSeries{name: "rejections", values: reasonCounts, color: rejectColor}))),
	}
}
