package ui

import (
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// detailsHeading names the request at the top of the details pane: its
// number and its external identifier, or Ref when it has neither.
func detailsHeading(r domain.Request) string {
	var parts []string
	for _, p := range []string{r.RequestNumber, r.ExternalID} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return r.Ref()
	}
	return strings.Join(parts, "  ·  ")
}

// numberColumn shows a borrowing request's number, first: the list is
// wider than a small screen, and staff look for a request by it.
var numberColumn = column{title: "Number", sample: "B-2026-00042", own: true, field: domain.SortNumber,
	text: func(_ *RequestList, r *domain.Summary) string { return r.RequestNumber }}
