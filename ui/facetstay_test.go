package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestStatusFacetStaysPutAfterAnAction(t *testing.T) {
	tests := []struct {
		name   string
		facet  domain.State
		act    func(mw *MainWindow) error
		listed []string // what the facet lists afterwards
	}{
		{"reject under Created", domain.Created,
			func(mw *MainWindow) error { return mw.details.Reject(domain.ReasonNotHeld, "", "") }, []string{"B"}},
		{"bad citation under Created", domain.Created,
			func(mw *MainWindow) error { return mw.details.BadCitation("Which volume?") }, []string{"B"}},
		{"reject under All active", "",
			func(mw *MainWindow) error { return mw.details.Reject(domain.ReasonNotHeld, "", "") }, []string{"B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.partner("RAPID", 24)
			a := f.lending("RAPID", "A")
			f.lending("RAPID", "B")
			mw := f.open()
			mw.list.SetStatus(tt.facet)
			mw.list.SelectRequest(a.ID)

			require.NoError(t, tt.act(mw))
			assert.Equal(t, tt.facet, mw.list.filter.State, "the facet stays where staff put it")
			assert.False(t, mw.list.filter.All, "closed requests stay out of the list")
			assert.Equal(t, mw.facets.status.values[0], "", "All active comes first")
			assert.Contains(t, mw.facets.status.radio.Options[0], "All active")
			assert.Equal(t, tt.listed, listedRefs(mw), "the rejected request has left the list")
			assert.Equal(t, a.ID, mw.list.selected, "its details stay in view")
		})
	}
}
