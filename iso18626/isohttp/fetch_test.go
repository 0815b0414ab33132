package isohttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestFetchACopy(t *testing.T) {
	const body = "%PDF-1.7\n% a copy\n%%EOF\n"
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/file":
			_, _ = w.Write([]byte(body))
		case "/stream": // no Content-Length: the size shows only as it is read
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(body))
		case "/moved":
			http.Redirect(w, r, "/file", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	path, done, err := Client{}.Fetch(context.Background(), domain.Destination{URL: srv.URL + "/file", Token: "secret"}, 1<<20)
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
	assert.Empty(t, auth, "a download link carries its own secret; our token is not presented")
	done()
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err), "done removes the temporary file")

	tests := []struct {
		name, path string
		max        int64
		want       string
	}{
		{"redirect not followed", "/moved", 1 << 20, "302 Found"},
		{"missing", "/gone", 1 << 20, "404 Not Found"},
		{"too large", "/file", 10, "over the 10 bytes"},
		{"too large, read to the limit", "/stream", 10, "over the 10 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Client{}.Fetch(context.Background(), domain.Destination{URL: srv.URL + tt.path}, tt.max)
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), tt.want), err.Error())
		})
	}
}
