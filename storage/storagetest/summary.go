package storagetest

import (
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/illdesk/illdesk/domain"
)

// SameSummary asserts that two summaries are equal, with their times
// compared as instants: a store may hand back another location or
// monotonic reading of the same moment.
func SameSummary(t assert.TestingT, want, got domain.Summary) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	for _, p := range []struct {
		name string
		w, g *time.Time
	}{{"created", &want.Created, &got.Created}, {"deadline", &want.Deadline, &got.Deadline},
		{"due", &want.DueDate, &got.DueDate}, {"since", &want.Since, &got.Since},
		{"lender deadline", &want.LenderDeadline, &got.LenderDeadline}} {
		assert.True(t, p.w.Equal(*p.g), "%s: want %v, got %v", p.name, *p.w, *p.g)
		assert.Equal(t, p.w.IsZero(), p.g.IsZero(), p.name)
		*p.w, *p.g = time.Time{}, time.Time{}
	}
	assert.Equal(t, want, got)
}
