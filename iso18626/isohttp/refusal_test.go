package isohttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/isotest"
	"github.com/illdesk/illdesk/iso18626"
)

// TestPartnerAnswersAreToldApart posts to real partners on 127.0.0.1 that
// answer with each HTTP status, and with an ERROR confirmation: the
// client's error carries the status and the answer, and the desk keeps the
// message refused for its content, refused for our credentials, or to
// retry.
func TestPartnerAnswersAreToldApart(t *testing.T) {
	tests := []struct {
		name   string
		status int // 0: an ERROR confirmation with HTTP 200
		class  error
		want   string // the message's status
		hold   string
	}{
		{name: "400", status: 400, class: domain.ErrMessageRefused, want: domain.MessageRefused, hold: domain.HoldRequest},
		{name: "404", status: 404, class: domain.ErrMessageRefused, want: domain.MessageRefused, hold: domain.HoldRequest},
		{name: "409", status: 409, class: domain.ErrMessageRefused, want: domain.MessageRefused, hold: domain.HoldRequest},
		{name: "422", status: 422, class: domain.ErrMessageRefused, want: domain.MessageRefused, hold: domain.HoldRequest},
		{name: "401", status: 401, class: domain.ErrCredentialsRefused, want: domain.MessageRefused, hold: domain.HoldPartner},
		{name: "403", status: 403, class: domain.ErrCredentialsRefused, want: domain.MessageRefused, hold: domain.HoldPartner},
		{name: "415", status: 415, class: domain.ErrCredentialsRefused, want: domain.MessageRefused, hold: domain.HoldPartner},
		{name: "429", status: 429, want: domain.MessageRetrying},
		{name: "500", status: 500, want: domain.MessageRetrying},
		{name: "ERROR confirmation", class: domain.ErrMessageRefused, want: domain.MessageRefused, hold: domain.HoldRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			partner := &isotest.Partner{}
			partner.Refuse("RAPID-1")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 0 {
					partner.ServeHTTP(w, r)
					return
				}
				http.Error(w, "the partner says: value of ISSN not known", tt.status)
			}))
			defer srv.Close()

			_, err := NewClient().Post(context.Background(), domain.Destination{URL: srv.URL + "/iso"}, []byte("<x/>"))
			if tt.status != 0 {
				var answer *domain.PartnerAnswer
				require.ErrorAs(t, err, &answer)
				assert.Equal(t, tt.status, answer.Status)
				assert.Equal(t, "the partner says: value of ISSN not known", answer.Text)
				for _, class := range []error{domain.ErrMessageRefused, domain.ErrCredentialsRefused} {
					assert.Equal(t, class == tt.class, errors.Is(err, class), "%v", class)
				}
			}

			d := outboxDesk(t, srv.URL+"/iso")
			rep, err := d.Dispatcher().SendDue(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, rep.Failed)
			msgs, err := d.Outbox("")
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.want, msgs[0].Status)
			assert.Equal(t, tt.hold, msgs[0].Hold)
			if tt.status == 0 {
				assert.Contains(t, msgs[0].LastError, "refused by the test", "the codec's reason")
			} else {
				assert.Contains(t, msgs[0].LastError, "value of ISSN not known", "the partner's words")
			}
			if tt.want == domain.MessageRetrying {
				assert.True(t, msgs[0].NextTry.After(time.Now()), "retried later")
			}
		})
	}
}

// TestHeaderIsStampedWhenSent checks, with a real partner, that the message
// it receives carries the time it was posted, not the time it was queued.
func TestHeaderIsStampedWhenSent(t *testing.T) {
	var got time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in, err := iso18626.Codec{}.Decode(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = in.Timestamp
		reply, _ := iso18626.Codec{}.Confirm(in, time.Now(), nil)
		_, _ = w.Write(reply)
	}))
	defer srv.Close()
	queued := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	sending := queued.Add(3 * time.Hour)
	now := queued
	d := newDesk(t, func(c *domain.Config) { c.Clock = domain.ClockFunc(func() time.Time { return now }) })
	queueFor(t, d, "RAPID", srv.URL+"/iso")
	now = sending
	rep, err := d.Dispatcher().SendDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, rep.Sent)
	assert.Equal(t, sending, got.UTC())
}
