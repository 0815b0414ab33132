package domain

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// facetRequests is a fixed set of requests of both sides in various states,
// partners and formats:
//
//	L1 RAPID created        physical   "Journal of Tests"
//	L2 RAPID created        electronic "Electronic Quarterly"
//	L3 BVB   created        blank      "Journal of Tests"
//	L4 BVB   pick_requested physical   "Old Maps"
//	L5 RAPID item_at_desk   blank      "Old Maps"
//	L6 RAPID shipped        electronic "Journal of Tests"   (closed)
//	L7 BVB   rejected       physical   "Old Maps"           (closed)
//	L8 NYPL  cancelled      physical   "Journal of Tests"   (closed)
//	L9 NYPL  created        physical   "Old Maps"
//	B1 BVB   created                   "A Borrowed Book"
//	B2 RAPID received                  "Old Maps Atlas"
//	B3 BVB   loaned                    "A Borrowed Book"
//	B4 RAPID completed                 "Journal of Tests"   (closed)
//	B5 NYPL  cancelled                 "Old Maps"           (closed)
func facetRequests() []Request {
	l := func(id, partner string, st State, f Format, title string) Request {
		return Request{ID: id, Side: Lending, ExternalID: "EXT-" + id, Partner: partner, State: st, Format: f,
			Citation: Citation{Title: title}}
	}
	b := func(id, partner string, st State, title string) Request {
		return Request{ID: id, Side: Borrowing, ExternalID: "EXT-" + id, Partner: partner, State: st,
			Citation: Citation{Title: title}, Requester: "Pat Patron", Pickup: "Main Library"}
	}
	return []Request{
		l("L1", "RAPID", Created, FormatPhysical, "Journal of Tests"),
		l("L2", "RAPID", Created, FormatElectronic, "Electronic Quarterly"),
		l("L3", "BVB", Created, FormatUnknown, "Journal of Tests"),
		l("L4", "BVB", PickRequested, FormatPhysical, "Old Maps"),
		l("L5", "RAPID", ItemAtDesk, FormatUnknown, "Old Maps"),
		l("L6", "RAPID", ShippedDigitally, FormatElectronic, "Journal of Tests"),
		l("L7", "BVB", Rejected, FormatPhysical, "Old Maps"),
		l("L8", "NYPL", Cancelled, FormatPhysical, "Journal of Tests"),
		l("L9", "NYPL", Created, FormatPhysical, "Old Maps"),
		b("B1", "BVB", Created, "A Borrowed Book"),
		b("B2", "RAPID", Received, "Old Maps Atlas"),
		b("B3", "BVB", Loaned, "A Borrowed Book"),
		b("B4", "RAPID", Completed, "Journal of Tests"),
		b("B5", "NYPL", Cancelled, "Old Maps"),
	}
}

// wantSide is the Side facet for the fixed set: 6 active lending, 3 active borrowing.
var wantSide = []FacetValue{
	{Value: "lending", Label: "Lending", Count: 6},
	{Value: "borrowing", Label: "Borrowing", Count: 3},
}

// wantStatus builds the expected Status facet: "All active" first, then every
// state of the side in workflow order with its count (missing = 0).
func wantStatus(side Side, active int, counts map[State]int) []FacetValue {
	out := []FacetValue{{Value: "", Label: "All active", Count: active}}
	for _, s := range States(side) {
		out = append(out, FacetValue{Value: string(s), Label: s.Label(side), Count: counts[s]})
	}
	return out
}

// wantPartners builds the expected Partner facet from "" total and
// code/count pairs given in code order.
func wantPartners(all int, pairs ...any) []FacetValue {
	out := []FacetValue{{Value: "", Label: "All partners", Count: all}}
	for i := 0; i < len(pairs); i += 2 {
		code := pairs[i].(string)
		out = append(out, FacetValue{Value: code, Label: code, Count: pairs[i+1].(int)})
	}
	return out
}

func wantFormats(anyFormat, electronic, physical, blank int) []FacetValue {
	return []FacetValue{
		{Value: "", Label: "Any format", Count: anyFormat},
		{Value: "electronic", Label: "Electronic", Count: electronic},
		{Value: "physical", Label: "Physical", Count: physical},
		{Value: "blank", Label: "Blank", Count: blank},
	}
}

func formatPtr(f Format) *Format { return &f }

func TestCountFacets(t *testing.T) {
	rs := facetRequests()
	lendingStatus := wantStatus(Lending, 6, map[State]int{Created: 4, PickRequested: 1, ItemAtDesk: 1,
		ShippedDigitally: 1, Rejected: 1, Cancelled: 1})
	// with closed requests listed too, the first value says so
	lendingStatusAll := append([]FacetValue{{Value: "", Label: "All, closed too", Count: 9}}, lendingStatus[1:]...)
	tests := []struct {
		name    string
		filter  Filter
		status  []FacetValue
		partner []FacetValue
		format  []FacetValue
	}{
		{
			name:    "default: lending, created",
			filter:  Filter{Side: Lending, State: Created},
			status:  lendingStatus,
			partner: wantPartners(4, "BVB", 1, "NYPL", 1, "RAPID", 2),
			format:  wantFormats(4, 1, 2, 1),
		},
		{
			name:    "lending, all active",
			filter:  Filter{Side: Lending},
			status:  lendingStatus,
			partner: wantPartners(6, "BVB", 2, "NYPL", 1, "RAPID", 3),
			format:  wantFormats(6, 1, 3, 2),
		},
		{
			name:    "lending, all including closed",
			filter:  Filter{Side: Lending, All: true},
			status:  lendingStatusAll,
			partner: wantPartners(9, "BVB", 3, "NYPL", 2, "RAPID", 4),
			format:  wantFormats(9, 2, 5, 2),
		},
		{
			name:    "lending, a closed state chosen",
			filter:  Filter{Side: Lending, State: Rejected},
			status:  lendingStatus,
			partner: wantPartners(1, "BVB", 1),
			format:  wantFormats(1, 0, 1, 0),
		},
		{
			name:   "borrowing",
			filter: Filter{Side: Borrowing},
			status: wantStatus(Borrowing, 3, map[State]int{Created: 1, Received: 1, Loaned: 1,
				Completed: 1, Cancelled: 1}),
			partner: wantPartners(3, "BVB", 2, "RAPID", 1),
			format:  wantFormats(3, 0, 0, 3),
		},
		{
			name:   "borrowing, cancelled",
			filter: Filter{Side: Borrowing, State: Cancelled},
			status: wantStatus(Borrowing, 3, map[State]int{Created: 1, Received: 1, Loaned: 1,
				Completed: 1, Cancelled: 1}),
			partner: wantPartners(1, "NYPL", 1),
			format:  wantFormats(1, 0, 0, 1),
		},
		{
			name:    "lending, partner chosen",
			filter:  Filter{Side: Lending, Partner: "RAPID"},
			status:  wantStatus(Lending, 3, map[State]int{Created: 2, ItemAtDesk: 1, ShippedDigitally: 1}),
			partner: wantPartners(6, "BVB", 2, "NYPL", 1, "RAPID", 3),
			format:  wantFormats(3, 1, 1, 1),
		},
		{
			name:    "lending, partner chosen in other letter case",
			filter:  Filter{Side: Lending, Partner: "rapid"},
			status:  wantStatus(Lending, 3, map[State]int{Created: 2, ItemAtDesk: 1, ShippedDigitally: 1}),
			partner: wantPartners(6, "BVB", 2, "NYPL", 1, "RAPID", 3),
			format:  wantFormats(3, 1, 1, 1),
		},
		{
			name:    "lending, physical",
			filter:  Filter{Side: Lending, Format: formatPtr(FormatPhysical)},
			status:  wantStatus(Lending, 3, map[State]int{Created: 2, PickRequested: 1, Rejected: 1, Cancelled: 1}),
			partner: wantPartners(3, "BVB", 1, "NYPL", 1, "RAPID", 1),
			format:  wantFormats(6, 1, 3, 2),
		},
		{
			name:    "lending, blank format",
			filter:  Filter{Side: Lending, Format: formatPtr(FormatUnknown)},
			status:  wantStatus(Lending, 2, map[State]int{Created: 1, ItemAtDesk: 1}),
			partner: wantPartners(2, "BVB", 1, "RAPID", 1),
			format:  wantFormats(6, 1, 3, 2),
		},
		{
			name:    "lending, search text",
			filter:  Filter{Side: Lending, Text: " old MAPS "},
			status:  wantStatus(Lending, 3, map[State]int{Created: 1, PickRequested: 1, ItemAtDesk: 1, Rejected: 1}),
			partner: wantPartners(3, "BVB", 1, "NYPL", 1, "RAPID", 1),
			format:  wantFormats(3, 0, 2, 1),
		},
		{
			name:   "borrowing, search text",
			filter: Filter{Side: Borrowing, Text: "old maps"},
			status: wantStatus(Borrowing, 1, map[State]int{Received: 1, Cancelled: 1}),
			// B5 (NYPL) is cancelled, so not among the active ones
			partner: wantPartners(1, "RAPID", 1),
			format:  wantFormats(1, 0, 0, 1),
		},
		{
			name:    "lending, everything chosen",
			filter:  Filter{Side: Lending, State: Created, Partner: "RAPID", Format: formatPtr(FormatPhysical), Text: "journal"},
			status:  wantStatus(Lending, 1, map[State]int{Created: 1}),
			partner: wantPartners(1, "RAPID", 1),
			format:  wantFormats(1, 0, 1, 0),
		},
		{
			name:    "lending, text matching nothing",
			filter:  Filter{Side: Lending, Text: "no such title"},
			status:  wantStatus(Lending, 0, nil),
			partner: wantPartners(0),
			format:  wantFormats(0, 0, 0, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := countFacets(rs, tt.filter)
			assert.Equal(t, wantSide, got.Side, "side counts are active requests per side, whatever the filter")
			assert.Equal(t, tt.status, got.Status, "status")
			assert.Equal(t, tt.partner, got.Partner, "partner")
			assert.Equal(t, tt.format, got.Format, "format")
			assertFacetsAgreeWithMatch(t, rs, tt.filter, got)
		})
	}
}

// listingOf is the list model of the requests.
func listingOf(rs []Request) *Listing {
	ss := make([]Summary, len(rs))
	for i, r := range rs {
		ss[i] = r.Summary()
	}
	return NewListing(ss)
}

// countFacets is the facet counts of the requests under the filter; the rows
// Apply returns are checked against Filter.Match on the way.
func countFacets(rs []Request, f Filter) Facets {
	rows, fs := listingOf(rs).Apply(f)
	n := 0
	for _, r := range rs {
		if f.Match(r.Summary()) {
			n++
		}
	}
	if n != rows.Len() {
		panic(fmt.Sprintf("Apply listed %d rows, Match passes %d", rows.Len(), n))
	}
	return fs
}

// assertFacetsAgreeWithMatch checks the definition of the counts: each value's
// count is the number of requests the list would show (Filter.Match) with that
// value chosen and the other facets left as they are.
func assertFacetsAgreeWithMatch(t *testing.T, rs []Request, f Filter, fs Facets) {
	t.Helper()
	count := func(g Filter) int {
		n := 0
		for _, r := range rs {
			if g.Match(r.Summary()) {
				n++
			}
		}
		return n
	}
	for _, v := range fs.Status {
		g := f
		g.State = State(v.Value)
		assert.Equal(t, count(g), v.Count, "status %q", v.Value)
	}
	listed := map[string]bool{}
	for _, v := range fs.Partner {
		g := f
		g.Partner = v.Value
		assert.Equal(t, count(g), v.Count, "partner %q", v.Value)
		listed[v.Value] = true
	}
	for _, r := range rs {
		if r.Side == f.Side && !listed[r.Partner] {
			g := f
			g.Partner = r.Partner
			assert.Zero(t, count(g), "partner %s has matching requests but is not listed", r.Partner)
		}
	}
	for _, v := range fs.Format {
		g := f
		g.Format = FormatFilter(v.Value)
		assert.Equal(t, count(g), v.Count, "format %q", v.Value)
	}
}

func TestCountFacetsNoRequests(t *testing.T) {
	for _, side := range []Side{Lending, Borrowing} {
		t.Run(string(side), func(t *testing.T) {
			got := countFacets(nil, Filter{Side: side})
			assert.Equal(t, []FacetValue{{Value: "lending", Label: "Lending"}, {Value: "borrowing", Label: "Borrowing"}}, got.Side)
			assert.Equal(t, wantStatus(side, 0, nil), got.Status)
			assert.Equal(t, wantPartners(0), got.Partner)
			assert.Equal(t, wantFormats(0, 0, 0, 0), got.Format)
		})
	}
}

func TestCountFacetsStatusListsTheSidesStates(t *testing.T) {
	got := countFacets(facetRequests(), Filter{Side: Borrowing})
	var values []string
	for _, v := range got.Status {
		values = append(values, v.Value)
	}
	assert.Equal(t, []string{"", "created", "received", "on_hold_shelf", "loaned", "returned_by_patron", "completed", "cancelled",
		"requested", "will_supply", "shipped_to_us", "retry_possible", "copy_received", "returned_to_lender", "unfilled"}, values)
	assert.Equal(t, "Created borrowing request", got.Status[1].Label)

	got = countFacets(facetRequests(), Filter{Side: Lending})
	values = values[:0]
	for _, v := range got.Status {
		values = append(values, v.Value)
	}
	assert.Equal(t, []string{"", "created", "pick_requested", "item_at_desk", "shipped_digitally", "rejected", "bad_citation", "cancelled",
		"loaned_to_partner", "return_in_transit", "returned"}, values)
	assert.Equal(t, "Created Lending Request", got.Status[1].Label)
}

func TestCountFacetsPartnersSorted(t *testing.T) {
	var rs []Request
	for i, p := range []string{"ZED", "ALPHA", "MID", "ALPHA", "BETA"} {
		rs = append(rs, Request{ID: fmt.Sprint(i), Side: Lending, Partner: p, State: Created})
	}
	got := countFacets(rs, Filter{Side: Lending})
	assert.Equal(t, wantPartners(5, "ALPHA", 2, "BETA", 1, "MID", 1, "ZED", 1), got.Partner)
}

func TestFormatFilter(t *testing.T) {
	tests := []struct {
		value string
		want  *Format
	}{
		{"", nil},
		{"blank", formatPtr(FormatUnknown)},
		{"electronic", formatPtr(FormatElectronic)},
		{"physical", formatPtr(FormatPhysical)},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got := FormatFilter(tt.value)
			if tt.want == nil {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, *tt.want, *got)
		})
	}
	// every Format facet value turns into a filter that selects that format
	for _, v := range countFacets(nil, Filter{Side: Lending}).Format[1:] {
		got := FormatFilter(v.Value)
		require.NotNil(t, got, v.Value)
		assert.Equal(t, v.Value, formatValue(*got), "round trip of %q", v.Value)
	}
	// distinct pointers: changing one filter's format does not change another's
	a, b := FormatFilter("physical"), FormatFilter("physical")
	*a = FormatElectronic
	assert.Equal(t, FormatPhysical, *b)
}

func TestAllActiveHoldsActiveRequestsOnly(t *testing.T) {
	base := wednesday
	lend := func(id string, state State, h int) Summary {
		return Summary{ID: id, Side: Lending, State: state, Partner: "RAPID", Title: "Title " + id,
			Created: base, Deadline: base.Add(time.Duration(h) * time.Hour)}
	}
	// closed requests' deadlines are the earliest: they would come first
	l := NewListing([]Summary{lend("rejected", Rejected, 1), lend("shipped", ShippedDigitally, 2),
		lend("cancelled", Cancelled, 3), lend("new", Created, 10), lend("picked", PickRequested, 20)})
	tests := []struct {
		name   string
		filter Filter
		rows   []string
		facet  FacetValue
	}{
		{"all active", Filter{Side: Lending}, []string{"new", "picked"},
			FacetValue{Value: "", Label: "All active", Count: 2}},
		{"a filter listing closed ones too says so", Filter{Side: Lending, All: true},
			[]string{"rejected", "shipped", "cancelled", "new", "picked"},
			FacetValue{Value: "", Label: "All, closed too", Count: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, fs := l.Apply(tt.filter)
			assert.Equal(t, tt.rows, rowIDs(rows))
			assert.Equal(t, tt.facet, fs.Status[0])
			for i := range rows.Len() {
				s := rows.At(i)
				assert.True(t, tt.filter.All || s.Active(), "%s is listed under All active", s.ID)
			}
		})
	}
}
