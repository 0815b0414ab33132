package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerSettings(t *testing.T) {
	f := newDeskFixture(t)
	got, err := f.desk.ServerSettings()
	require.NoError(t, err)
	assert.Equal(t, DefaultServerSettings, got, "unset, every setting is its default")

	cases := []struct {
		name, value string
		refused     bool
		check       func(ServerSettings) bool
	}{
		{"allow-plain-http", "ON", false, func(s ServerSettings) bool { return s.AllowPlainHTTP }},
		{"allow-plain-http", "yes", true, nil},
		{"max-connections", "64", false, func(s ServerSettings) bool { return s.MaxConnections == 64 }},
		{"max-connections-per-address", "0", true, nil},
		{"rate-per-address", "120", false, func(s ServerSettings) bool { return s.RatePerAddress == 120 }},
		{"rate-per-agency", "many", true, nil},
		{"read-timeout", "2s", false, func(s ServerSettings) bool { return s.ReadTimeout == 2*time.Second }},
		{"write-timeout", "2h", true, nil},
		{"idle-timeout", "1m", false, func(s ServerSettings) bool { return s.IdleTimeout == time.Minute }},
		{"listen-everywhere", "on", true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			before := f.store.snapshot()
			err := f.desk.SetServerSetting(tc.name, tc.value, atRS)
			if tc.refused {
				require.ErrorIs(t, err, ErrInvalidInput)
				assert.Equal(t, before, f.store.snapshot(), "bad input changes nothing")
				return
			}
			require.NoError(t, err)
			s, err := f.desk.ServerSettings()
			require.NoError(t, err)
			assert.True(t, tc.check(s), "%+v", s)
		})
	}
	es := f.audit(AuditFilter{Action: ActConfigure})
	require.NotEmpty(t, es)
	assert.Equal(t, "idle-timeout: 2m0s → 1m0s", es[len(es)-1].Note)
	assert.True(t, IsServerSetting("read-timeout"))
	assert.False(t, IsServerSetting("listen"))
}
