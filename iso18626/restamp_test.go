package iso18626

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestampChangesOnlyTheHeaderTimestamp restamps every golden message we
// send: only the header's timestamp changes (lastChange keeps the time of
// the change), and the result still validates against the 1.2 schema.
func TestRestampChangesOnlyTheHeaderTimestamp(t *testing.T) {
	sent := time.Date(2026, 3, 2, 13, 45, 7, 900, time.FixedZone("CET", 3600))
	for name, orig := range goldenCases(t) {
		if strings.Contains(name, "confirmation") {
			continue // confirmations are answers, never queued
		}
		t.Run(name, func(t *testing.T) {
			before, err := Parse(bytes.NewReader(orig))
			require.NoError(t, err)
			out, err := Codec{}.Restamp(orig, sent)
			require.NoError(t, err)
			validateXSD(t, out)
			after, err := Parse(bytes.NewReader(out))
			require.NoError(t, err)
			h := headerOf(t, after)
			assert.Equal(t, sent.UTC().Truncate(time.Second), h.Timestamp)
			old := headerOf(t, before).Timestamp
			wantStamp, err := FormatDateTime(old)
			require.NoError(t, err)
			gotStamp, err := FormatDateTime(h.Timestamp)
			require.NoError(t, err)
			assert.Equal(t, string(orig), strings.Replace(string(out), ">"+gotStamp+"<", ">"+wantStamp+"<", 1),
				"every other byte is as it was")
			if sam := after.SupplyingAgencyMessage; sam != nil {
				assert.Equal(t, before.SupplyingAgencyMessage.StatusInfo.LastChange, sam.StatusInfo.LastChange,
					"lastChange is the time of the change, not of sending")
			}
		})
	}
}

func TestRestampRefusesWhatIsNoMessageOfOurs(t *testing.T) {
	for _, body := range []string{
		"not xml <",
		`<?xml version="1.0"?><ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626"><ill:request><ill:header></ill:header></ill:request></ill:ISO18626Message>`,
		`<?xml version="1.0"?><ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626"><ill:request><ill:header><ill:timestamp/></ill:header></ill:request></ill:ISO18626Message>`,
	} {
		_, err := Codec{}.Restamp([]byte(body), time.Now())
		assert.Error(t, err, body)
	}
}

// headerOf is the header of a request or agency message.
func headerOf(t *testing.T, m Message) Header {
	t.Helper()
	switch {
	case m.Request != nil:
		return m.Request.Header
	case m.SupplyingAgencyMessage != nil:
		return m.SupplyingAgencyMessage.Header
	case m.RequestingAgencyMessage != nil:
		return m.RequestingAgencyMessage.Header
	}
	t.Fatal("not a message we send")
	return Header{}
}
