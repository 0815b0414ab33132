package isohttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/pdf/preflight"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/vault"
)

func newDesk(t *testing.T) *domain.Desk {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	files, err := vault.New(bolt.VaultDirFor(db.Path()))
	require.NoError(t, err)
	cal, err := domain.NewCalendar(time.UTC, nil)
	require.NoError(t, err)
	return domain.NewDesk(domain.Config{Store: db, Vault: files, Preflight: preflight.New(), Calendar: cal,
		Codec: iso18626.Codec{}, Transport: NewClient()})
}

func post(t *testing.T, url string, body string) string {
	t.Helper()
	resp, err := http.Post(url, "text/xml", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestServerReceivesAndAnswers(t *testing.T) {
	d := newDesk(t)
	srv := httptest.NewServer(Handler{Desk: d})
	defer srv.Close()
	raw, err := os.ReadFile("../testdata/samples/RequestSample1.xml")
	require.NoError(t, err)

	conf := post(t, srv.URL+"/", string(raw))
	assert.Contains(t, conf, "requestConfirmation")
	assert.Contains(t, conf, ">OK<")
	rs, err := d.List(domain.Filter{Side: domain.Lending})
	require.NoError(t, err)
	assert.Empty(t, rs, "a request from an unknown agency waits in the quarantine")
	held, err := d.Quarantine(false)
	require.NoError(t, err)
	require.Len(t, held, 1)
	assert.Equal(t, "127.0.0.1", held[0].Addr)
	_, err = d.AcceptHeld(held[0].ID, "")
	require.NoError(t, err)
	rs, err = d.List(domain.Filter{Side: domain.Lending})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "Something about elephants", rs[0].Title)

	again := post(t, srv.URL+"/", string(raw))
	assert.Equal(t, conf, again, "the same message twice gets the same answer")
	rs, _ = d.List(domain.Filter{Side: domain.Lending})
	assert.Len(t, rs, 1, "and changes nothing")

	bad := post(t, srv.URL+"/", "<request><header>")
	assert.Contains(t, bad, "ERROR")

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = http.Get(srv.URL + "/files/nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestClientReportsUnreachablePartner(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := NewClient().Post(url, []byte("<x/>"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not reach")
}

func TestClientErrorsHideTheEndpointPassword(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refusing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for name, base := range map[string]string{"refused": refusing.URL, "unreachable": gone.URL} {
		t.Run(name, func(t *testing.T) {
			endpoint := strings.Replace(base, "http://", "http://lib:s3cret-token@", 1) + "/iso"
			_, err := NewClient().Post(endpoint, []byte("<x/>"))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "s3cret-token", "errors are kept with the message and shown to staff")
			assert.Contains(t, err.Error(), "lib:xxxxx@")
		})
	}
}
