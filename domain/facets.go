package domain

import "slices"

// FacetValue is one choice of a facet with the number of requests it would show.
type FacetValue struct {
	Value string // what the filter stores: a side, state code, partner code or format
	Label string // what staff read
	Count int
	// Counting says Count is not known yet: a department database counts
	// a broad search's closed requests a moment after its active ones.
	Counting bool
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

// facetCounter adds up the facet counts while a listing is filtered.
type facetCounter struct {
	side        [2]int // active requests per side: lending, borrowing
	state       map[State]int
	partner     map[string]int
	format      [3]int // electronic, physical, blank
	active      int
	any         int // whatever the state
	allPartners int
	anyFormat   int
}

// count adds n summaries of the side and search in view, alike in state,
// partner and format, given which other parts of the filter they pass.
func (c *facetCounter) count(n int, state State, partner string, format Format, active, partnerOK, formatOK, stateOK bool) {
	if partnerOK && formatOK {
		c.state[state] += n
		c.any += n
		if active {
			c.active += n
		}
	}
	if stateOK && formatOK {
		c.partner[partner] += n
		c.allPartners += n
	}
	if stateOK && partnerOK {
		c.format[formatIndex(format)] += n
		c.anyFormat += n
	}
}

func formatIndex(f Format) int {
	switch f {
	case FormatElectronic:
		return 0
	case FormatPhysical:
		return 1
	}
	return 2
}

// facets lays the counts out as the facet lists for the filter's side.
func (c *facetCounter) facets(f Filter) Facets {
	var fs Facets
	fs.Side = []FacetValue{
		{Value: string(Lending), Label: "Lending", Count: c.side[0]},
		{Value: string(Borrowing), Label: "Borrowing", Count: c.side[1]},
	}
	side := f.Side
	if side == "" {
		side = Lending
	}
	// "All active" holds active requests only: a filter that also lists
	// closed ones (Filter.All) says so
	all := FacetValue{Value: "", Label: "All active", Count: c.active}
	if f.All {
		all = FacetValue{Value: "", Label: "All, closed too", Count: c.any}
	}
	fs.Status = append(fs.Status, all)
	for _, s := range States(side) {
		fs.Status = append(fs.Status, FacetValue{Value: string(s), Label: s.Label(side), Count: c.state[s]})
	}
	fs.Partner = append(fs.Partner, FacetValue{Value: "", Label: "All partners", Count: c.allPartners})
	codes := make([]string, 0, len(c.partner))
	for code := range c.partner {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		fs.Partner = append(fs.Partner, FacetValue{Value: code, Label: code, Count: c.partner[code]})
	}
	fs.Format = []FacetValue{
		{Value: "", Label: "Any format", Count: c.anyFormat},
		{Value: string(FormatElectronic), Label: "Electronic", Count: c.format[0]},
		{Value: string(FormatPhysical), Label: "Physical", Count: c.format[1]},
		{Value: FormatBlank, Label: "Blank", Count: c.format[2]},
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
