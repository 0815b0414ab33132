package domain

import (
	"slices"
	"strings"
)

// FacetValue is one choice of a facet with the number of requests it would show.
type FacetValue struct {
	Value string // what the filter stores: a side, state code, partner code or format
	Label string // what staff read
	Count int
}

// Facets are the counts shown beside the request list.
type Facets struct {
	Side    []FacetValue
	Status  []FacetValue // "" first: all active requests of the side
	Partner []FacetValue // "" first: every partner
	Format  []FacetValue // "" first: any format; lending only
}

// FormatBlank is the Format facet value for requests of unknown format
// (FormatUnknown is the empty string, which there means "any").
const FormatBlank = "blank"

// CountFacets counts, for each facet value, the requests that the filter
// would show with that value chosen and the other facets left as they are.
// Side counts active requests; the Status facet lists the side's states.
func CountFacets(rs []Request, f Filter) Facets {
	var fs Facets
	sideCount := map[Side]int{}
	stateCount := map[State]int{}
	partnerCount := map[string]int{}
	formatCount := map[string]int{}
	active := 0
	allPartners := 0
	anyFormat := 0
	for _, r := range rs {
		if r.Active() {
			sideCount[r.Side]++
		}
		if r.Side != f.Side || !f.matchText(r) {
			continue
		}
		partnerOK := f.Partner == "" || strings.EqualFold(r.Partner, f.Partner)
		formatOK := f.Format == nil || r.Format == *f.Format
		stateOK := (f.State == "" && (r.Active() || f.All)) || r.State == f.State
		if partnerOK && formatOK {
			stateCount[r.State]++
			if r.Active() {
				active++
			}
		}
		if stateOK && formatOK {
			partnerCount[r.Partner]++
			allPartners++
		}
		if stateOK && partnerOK {
			formatCount[formatValue(r.Format)]++
			anyFormat++
		}
	}
	for _, s := range []Side{Lending, Borrowing} {
		label := "Lending"
		if s == Borrowing {
			label = "Borrowing"
		}
		fs.Side = append(fs.Side, FacetValue{Value: string(s), Label: label, Count: sideCount[s]})
	}
	side := f.Side
	if side == "" {
		side = Lending
	}
	fs.Status = append(fs.Status, FacetValue{Value: "", Label: "All active", Count: active})
	for _, s := range States(side) {
		fs.Status = append(fs.Status, FacetValue{Value: string(s), Label: s.Label(side), Count: stateCount[s]})
	}
	fs.Partner = append(fs.Partner, FacetValue{Value: "", Label: "All partners", Count: allPartners})
	codes := make([]string, 0, len(partnerCount))
	for c := range partnerCount {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fs.Partner = append(fs.Partner, FacetValue{Value: c, Label: c, Count: partnerCount[c]})
	}
	fs.Format = []FacetValue{
		{Value: "", Label: "Any format", Count: anyFormat},
		{Value: string(FormatElectronic), Label: "Electronic", Count: formatCount[string(FormatElectronic)]},
		{Value: string(FormatPhysical), Label: "Physical", Count: formatCount[string(FormatPhysical)]},
		{Value: FormatBlank, Label: "Blank", Count: formatCount[FormatBlank]},
	}
	return fs
}

func formatValue(f Format) string {
	if f == FormatUnknown {
		return FormatBlank
	}
	return string(f)
}

// FormatFilter turns a Format facet value into the filter's format ("" means any).
func FormatFilter(value string) *Format {
	switch value {
	case "":
		return nil
	case FormatBlank:
		f := FormatUnknown
		return &f
	}
	f := Format(value)
	return &f
}
