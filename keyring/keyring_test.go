package keyring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gokeyring "github.com/zalando/go-keyring"
)

func TestKeyringWithEnvironmentFallback(t *testing.T) {
	gokeyring.MockInit()
	k := Secrets{Getenv: func(string) string { return "" }}
	v, err := k.Get("smtp:ill@smtp.example.edu")
	require.NoError(t, err)
	assert.Empty(t, v, "nothing kept yet")
	require.NoError(t, k.Set("smtp:ill@smtp.example.edu", "s3cret"))
	v, err = k.Get("smtp:ill@smtp.example.edu")
	require.NoError(t, err)
	assert.Equal(t, "s3cret", v)

	env := Secrets{Getenv: func(name string) string {
		if name == EnvSMTPPassword {
			return "from-env"
		}
		return ""
	}}
	v, err = env.Get("smtp:ill@smtp.example.edu")
	require.NoError(t, err)
	assert.Equal(t, "from-env", v, "the environment wins, for servers without a keyring")
}

func TestPartnerTokenWithEnvironmentFallback(t *testing.T) {
	gokeyring.MockInit()
	env := map[string]string{"ILLDESK_PARTNER_TOKEN_DE_1": "from-env"}
	k := Secrets{Getenv: func(name string) string { return env[name] }}
	require.NoError(t, k.Set("partner-token:RAPID", "kept"))
	tests := []struct{ key, want string }{
		{"partner-token:RAPID", "kept"},
		{"partner-token:de-1", "from-env"},
		{"partner-token:OTHER", ""},
		{"smtp:de-1", ""},
	}
	for _, tt := range tests {
		v, err := k.Get(tt.key)
		require.NoError(t, err)
		assert.Equal(t, tt.want, v, tt.key)
	}
}
