package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/storagetest"
)

func TestSummaryEncodingRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 20, 15, 4, 5, 123456789, time.FixedZone("X", 3600))
	tests := []struct {
		name string
		s    domain.Summary
	}{
		{"empty", domain.Summary{}},
		{"full", domain.Summary{ID: "019a-id", Side: domain.Borrowing, ExternalID: "EXT-1", Partner: "BVB",
			State: domain.Loaned, Format: domain.FormatPhysical, Title: "Über die Bücher — ein Versuch",
			ArticleTitle: "Kapitel 3", Requester: "Zoë Ådahl", Pickup: "Science Library", ItemBarcode: "3920000",
			PickTarget: "digitization:Scan Lab", Created: at, Deadline: at.Add(time.Hour), DueDate: at.AddDate(0, 1, 0), Since: at.Add(time.Minute)}},
		{"before 1970", domain.Summary{ID: "old", Created: time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)}},
		{"long title", domain.Summary{ID: "long", Title: string(make([]byte, 70000))}},
		{"lender flags", domain.Summary{ID: "lent", State: domain.ShippedToUs, Flags: "overdue,recalled", LenderDeadline: at}},
		{"lender deadline only", domain.Summary{ID: "asked", State: domain.Requested, LenderDeadline: at}},
		{"number", domain.Summary{ID: "numbered", RequestNumber: "B-2026-00042"}},
		{"number and lender flags", domain.Summary{ID: "both", Flags: "overdue", LenderDeadline: at, RequestNumber: "B-2026-00043"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.DecodeSummary(storage.EncodeSummary(tt.s))
			require.NoError(t, err)
			storagetest.SameSummary(t, tt.s, got)
		})
	}
}

func TestSummaryWithoutLenderPartKeepsItsBytes(t *testing.T) {
	s := domain.Summary{ID: "id", Title: "A title", Created: time.Unix(1, 0)}
	with := s
	with.Flags = "overdue"
	b := storage.EncodeSummary(s)
	assert.Equal(t, b, storage.EncodeSummary(with)[:len(b)], "the lender's part only follows what was there")
}

func TestDamagedSummaryRefused(t *testing.T) {
	good := storage.EncodeSummary(domain.Summary{ID: "id", Title: "A title", Created: time.Now()})
	numbered := storage.EncodeSummary(domain.Summary{ID: "id", RequestNumber: "L-2026-00001"})
	tests := map[string][]byte{
		"empty":                    nil,
		"unknown layout":           append([]byte{9}, good[1:]...),
		"cut in a string":          good[:5],
		"cut in a time":            good[:len(good)-1],
		"length too big":           {storage.SummaryFormat, 0xff, 0xff, 0xff, 0x0f},
		"cut in the lender's part": append(append([]byte{}, good...), 5, 'o'),
		"trailing bytes":           append(storage.EncodeSummary(domain.Summary{ID: "id", Flags: "overdue"}), 1),
		"cut in the number":        numbered[:len(numbered)-3],
		"empty number":             append(storage.EncodeSummary(domain.Summary{ID: "id", Flags: "overdue"}), 0),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := storage.DecodeSummary(v)
			assert.ErrorIs(t, err, storage.ErrSummaryDamaged)
		})
	}
}
