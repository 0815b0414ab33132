package domain

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixedSummaries are n summaries of both sides in every state, partners
// written in mixed case, every format, with and without deadlines.
func mixedSummaries(n int) []Summary {
	rnd := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	partners := []string{"RAPID", "rapid", "OCLC-ZCU", "NYPL", ""}
	formats := []Format{FormatElectronic, FormatPhysical, FormatUnknown}
	titles := []string{"Nature", "Journal of Documentation", "Science", "Ísis", "The Lancet"}
	var out []Summary
	for i := range n {
		side := Lending
		if i%3 == 0 {
			side = Borrowing
		}
		states := States(side)
		s := Summary{ID: fmt.Sprintf("id-%04d", i), Side: side, State: states[rnd.IntN(len(states))],
			Partner: partners[rnd.IntN(len(partners))], Format: formats[rnd.IntN(len(formats))],
			Title: titles[rnd.IntN(len(titles))], Created: base.Add(time.Duration(rnd.IntN(500)) * time.Hour)}
		if rnd.IntN(2) == 0 {
			s.ExternalID = fmt.Sprintf("EXT-%d", rnd.IntN(50))
		}
		if rnd.IntN(3) > 0 {
			s.ArticleTitle = fmt.Sprintf("Article %d", i)
		}
		if side == Borrowing {
			s.RequestNumber = fmt.Sprintf("B-2026-%05d", i)
			s.Requester, s.Pickup = fmt.Sprintf("Patron %d", rnd.IntN(9)), []string{"Main Library", "science library"}[rnd.IntN(2)]
			s.ItemBarcode = fmt.Sprintf("3920%d", rnd.IntN(40))
		}
		switch rnd.IntN(3) {
		case 0:
			s.Deadline = base.Add(time.Duration(rnd.IntN(300)) * time.Hour)
		case 1:
			s.DueDate = base.Add(time.Duration(rnd.IntN(30)) * 24 * time.Hour)
		}
		out = append(out, s)
	}
	return out
}

// listFilters are filters of every kind, for comparing ways of answering them.
func listFilters() []Filter {
	electronic, blank := FormatElectronic, FormatUnknown
	return []Filter{
		{}, {All: true}, {Side: Lending}, {Side: Borrowing}, {Side: Lending, State: Created},
		{Side: Lending, State: ShippedDigitally}, {Side: Lending, All: true}, {Side: Lending, Partner: "rapid"},
		{Side: Lending, Format: &electronic}, {Side: Lending, Format: &blank, All: true},
		{Side: Borrowing, Text: "patron 3"}, {Text: "NATURE"}, {Side: Lending, Text: "ext-1", Partner: "NYPL"},
		{Text: "ís"}, {Text: "no such thing"},
	}
}

func TestCountGroupsCountsAsTheListingDoes(t *testing.T) {
	l := NewListing(mixedSummaries(600))
	all, err := l.ListGroups("")
	require.NoError(t, err)
	for _, f := range listFilters() {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			rows, want := l.Apply(f)
			matched, err := l.ListGroups(f.SearchQuery())
			require.NoError(t, err)
			got, n := CountGroups(f, all, matched)
			assert.Equal(t, want, got)
			assert.Equal(t, rows.Len(), n)
			if !f.ShowsActiveOnly() {
				return // closed requests are shown: they are counted at once
			}

			// from the active requests alone: the closed states are still
			// being counted, every other count is known
			active, err := l.ListActiveGroups(f.SearchQuery())
			require.NoError(t, err)
			got, n = CountActiveGroups(f, all, active)
			assert.Equal(t, rows.Len(), n, "the rows it shows, from the active requests")
			for i, v := range want.Status {
				if v.Value != "" && State(v.Value).Final(cmp.Or(f.Side, Lending)) {
					want.Status[i] = FacetValue{Value: v.Value, Label: v.Label, Counting: true}
				}
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestListingPagesAsTheListSortsThem(t *testing.T) {
	l := NewListing(mixedSummaries(400))
	orders := []ListOrder{{}, {Desc: true}}
	for _, f := range SortFields {
		orders = append(orders, ListOrder{By: f}, ListOrder{By: f, Desc: true})
	}
	for _, f := range listFilters() {
		for _, o := range orders {
			t.Run(fmt.Sprintf("%+v/%+v", f, o), func(t *testing.T) {
				// what the window's list does in memory
				rows := l.Filter(f)
				switch {
				case o.By == SortUrgency && o.Desc:
					rows = rows.Reversed()
				case o.By != SortUrgency:
					rows = rows.SortBy(func(s *Summary) string { return s.SortKey(o.By) }, o.Desc)
				}
				var want []string
				for i := range rows.Len() {
					want = append(want, rows.ID(i))
				}
				// page by page from the last row read, as a window scrolls
				var got []string
				var after *Summary
				for {
					page, err := l.ListRows(f, o, after, 0, 7)
					require.NoError(t, err)
					if len(page) == 0 {
						break
					}
					for _, s := range page {
						got = append(got, s.ID)
					}
					after = &page[len(page)-1]
				}
				assert.Equal(t, want, got)
				if len(want) > 10 {
					jump, err := l.ListRows(f, o, nil, 10, 3)
					require.NoError(t, err)
					assert.Equal(t, want[10], jump[0].ID)
					s, _ := l.Find(want[len(want)/2])
					at, err := l.ListPosition(f, o, s)
					require.NoError(t, err)
					assert.Equal(t, len(want)/2, at)
				}
				assert.True(t, slices.Equal(want, got))
			})
		}
	}
}
