package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIncomingDuplicatesAreKnownByWhatTheySay(t *testing.T) {
	statusRequest := Incoming{Kind: KindRequesting, From: "OCLC:RAPID", RequestingRequestID: "R-1", Action: "StatusRequest"}
	request := Incoming{Kind: KindRequest, From: "OCLC:RAPID", To: "ISIL:US-OURS", RequestingRequestID: "R-9",
		Citation: Citation{Title: "Journal of Things"}, ServiceType: "Copy"}
	tests := []struct {
		name  string
		first Incoming
		// between changes the desk after the first message
		between func(f *deskFixture, r Request)
		again   func(in Incoming) Incoming
		dup     bool
	}{
		{name: "a retry with a new timestamp", first: statusRequest,
			again: func(in Incoming) Incoming { in.Timestamp = in.Timestamp.Add(time.Hour); return in }, dup: true},
		{name: "a retry with a new token", first: statusRequest,
			again: func(in Incoming) Incoming { in.SecurityCode = "renewed"; return in }, dup: true},
		{name: "other words", first: statusRequest,
			again: func(in Incoming) Incoming { in.Note = "still waiting"; return in }},
		{name: "the same words after the request changed", first: statusRequest,
			between: func(f *deskFixture, r Request) {
				_, err := f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
				require.NoError(t, err)
			},
			again: func(in Incoming) Incoming { in.Timestamp = in.Timestamp.Add(time.Hour); return in }},
		{name: "a request retried after it changed", first: request,
			between: func(f *deskFixture, _ Request) {
				r, err := f.desk.Find("R-9")
				require.NoError(t, err)
				_, err = f.desk.Reject(r.ID, ReasonNotHeld, "", "", atRS)
				require.NoError(t, err)
			},
			again: func(in Incoming) Incoming { in.Timestamp = in.Timestamp.Add(time.Hour); return in }, dup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInteropFixture(t)
			r := f.lending("RAPID", "R-1")
			tt.first.Timestamp = f.now
			_, conf, err := f.desk.Intake(msg(t, tt.first))
			require.NoError(t, err)
			if tt.between != nil {
				tt.between(f, r)
			}
			f.now = f.now.Add(time.Hour)
			before := f.store.snapshot()
			res, conf2, err := f.desk.Intake(msg(t, tt.again(tt.first)))
			require.NoError(t, err)
			assert.Equal(t, tt.dup, res.Duplicate)
			if tt.dup {
				assert.Equal(t, before, f.store.snapshot(), "a repeat changes nothing twice")
				assert.Equal(t, conf, conf2, "and gets the answer the first one got")
			} else {
				assert.NotEqual(t, before, f.store.snapshot(), "a new message is applied")
			}
		})
	}
}
