package openurl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr string
	}{
		{"menu page", http.StatusOK, ""},
		{"redirect to full text, not followed", http.StatusFound, ""},
		{"not a resolver here", http.StatusNotFound, "404 Not Found"},
		{"broken", http.StatusInternalServerError, "500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked = append(asked, r.URL.String())
				if tt.status == http.StatusFound {
					http.Redirect(w, r, "/fulltext", tt.status)
					return
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			link := domain.OpenURL(srv.URL+"/openurl", domain.Citation{Title: "Nature", ISSN: "0028-0836"})
			err := Checker{}.Check(context.Background(), link)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			}
			require.Len(t, asked, 1, "one request, no redirect followed")
			assert.Contains(t, asked[0], "rft.issn=0028-0836")
		})
	}
}

func TestCheckRefusesPlainHTTPToAnotherComputer(t *testing.T) {
	err := Checker{}.Check(context.Background(), "http://resolver.example.edu/openurl?x=1")
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}

func TestCheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	err := Checker{}.Check(context.Background(), srv.URL+"/openurl")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not reach")
}
