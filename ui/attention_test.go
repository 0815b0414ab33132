package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/illdesk/illdesk/domain"
)

// TestAttentionLines checks that each Needs attention line says which side
// of the desk it is on, since the list mixes both.
func TestAttentionLines(t *testing.T) {
	for _, tt := range []struct {
		in         domain.Attention
		side, line string
	}{
		{domain.Attention{Request: domain.Summary{ID: "x", ExternalID: "R-1", Side: domain.Lending, Title: "Nature"}, Why: "Late."},
			"Lending", "R-1  Nature — Late."},
		{domain.Attention{Request: domain.Summary{ID: "y", ExternalID: "B-7", Side: domain.Borrowing, Title: "A Book"}, Why: "Overdue."},
			"Borrowing", "B-7  A Book — Overdue."},
		{domain.Attention{Request: domain.Summary{ID: "3e1cc9a8", RequestNumber: "B-2026-00042", Side: domain.Borrowing, Title: "A Book"}, Why: "Overdue."},
			"Borrowing", "B-2026-00042  A Book — Overdue."},
		{domain.Attention{Partner: "RAPID", Why: "Partner RAPID is not authenticated."},
			"Partner", "Partner RAPID is not authenticated."},
	} {
		assert.Equal(t, tt.side, attentionSide(tt.in))
		assert.Equal(t, tt.line, attentionLine(tt.in))
	}
}
