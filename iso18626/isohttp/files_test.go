package isohttp

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/pdf/preflight"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/vault"
)

// linkFixture is a desk on a bbolt database with a clock the test moves,
// its server, and the lines the server logged.
type linkFixture struct {
	t    *testing.T
	db   *bolt.DB
	desk *domain.Desk
	srv  *httptest.Server
	now  time.Time
	mu   sync.Mutex
	logs []string
}

func newLinkFixture(t *testing.T) *linkFixture {
	t.Helper()
	f := &linkFixture{t: t, now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	files, err := vault.Open(db, bolt.VaultDirFor(db.Path()))
	require.NoError(t, err)
	f.db = db
	f.desk, err = domain.OpenDesk(domain.Config{Store: db, Vault: files, Preflight: preflight.New(),
		Clock: domain.ClockFunc(func() time.Time { return f.now }), Codec: iso18626.Codec{},
		NewToken: func() string {
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			return base64.RawURLEncoding.EncodeToString(b)
		}})
	require.NoError(t, err)
	f.srv = httptest.NewServer(Handler{Desk: f.desk, Log: func(s string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.logs = append(f.logs, s)
	}})
	t.Cleanup(f.srv.Close)
	require.NoError(t, f.desk.SetAgencyID("ISIL:US-OURS"))
	require.NoError(t, f.desk.SetPublicURL("http://127.0.0.1:8626"))
	_, err = f.desk.AddPartner(domain.Partner{Code: "BORROW", Name: "Borrowing Library", AgencyID: "ISIL:US-BORROW", Delivery: domain.DeliveryISO})
	require.NoError(t, err)
	return f
}

var linkRE = regexp.MustCompile(`http://127\.0\.0\.1:8626/files/([A-Za-z0-9_-]+)`)

// ship ships the demo scan for a new lending request with the external id
// ext and returns the request and the token of its link.
func (f *linkFixture) ship(ext string) (domain.Request, string) {
	f.t.Helper()
	r, err := f.desk.NewLending(domain.LendingInput{Partner: "BORROW", ExternalID: ext, Format: domain.FormatPhysical,
		Citation: domain.Citation{Title: "Journal of Documentation"}}, domain.Actor{})
	require.NoError(f.t, err)
	s, err := f.desk.Prepare(r.ID, []string{"../../assets/demo-scan.pdf"}, domain.Actor{})
	require.NoError(f.t, err)
	_, err = f.desk.Ship(s, true, domain.Actor{})
	require.NoError(f.t, err)
	msgs, err := f.desk.Outbox(r.ID)
	require.NoError(f.t, err)
	require.NotEmpty(f.t, msgs)
	m := linkRE.FindSubmatch(msgs[len(msgs)-1].Body)
	require.NotNil(f.t, m, "the CopyCompleted message carries the link")
	return r, string(m[1])
}

// get fetches a path of the server and returns the answer with its body.
func (f *linkFixture) get(method, path string) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	require.NoError(f.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp, string(b)
}

func (f *linkFixture) lastLog() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(f.t, f.logs)
	return f.logs[len(f.logs)-1]
}

func TestDownloadLinkServesTheFileWithSafeHeaders(t *testing.T) {
	f := newLinkFixture(t)
	_, token := f.ship("Müller 1")
	assert.Len(t, token, 22, "128 bits in base64url")
	want, err := os.ReadFile("../../assets/demo-scan.pdf")
	require.NoError(t, err)

	resp, body := f.get(http.MethodGet, "/files/"+token)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, string(want), body)
	assert.Equal(t, http.Header{
		"Content-Type":           {"application/pdf"},
		"Content-Disposition":    {`attachment; filename="M_ller 1.pdf"; filename*=utf-8''M%C3%BCller%201.pdf`},
		"X-Content-Type-Options": {"nosniff"},
		"Cache-Control":          {"no-store"},
		"Referrer-Policy":        {"no-referrer"},
	}, pick(resp.Header, "Content-Type", "Content-Disposition", "X-Content-Type-Options", "Cache-Control", "Referrer-Policy"))
	assert.Equal(t, `"127.0.0.1:`, f.lastLog()[:11], "the log quotes the caller")
	assert.Contains(t, f.lastLog(), `downloaded "Müller 1.pdf"`)

	resp, body = f.get(http.MethodHead, "/files/"+token)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

func TestAttachmentNames(t *testing.T) {
	for name, want := range map[string]string{
		"L-1.pdf":          `attachment; filename=L-1.pdf`,
		"Case 12.pdf":      `attachment; filename="Case 12.pdf"`,
		"Müller 1.pdf":     `attachment; filename="M_ller 1.pdf"; filename*=utf-8''M%C3%BCller%201.pdf`,
		"日本語.pdf":          `attachment; filename=___.pdf; filename*=utf-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf`,
		"a;b=c.pdf":        `attachment; filename="a;b=c.pdf"`,
		`quote"and\.pdf`:   `attachment; filename="quote\"and\\.pdf"`,
		"naïve résumé.pdf": `attachment; filename="na_ve r_sum_.pdf"; filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf`,
	} {
		assert.Equal(t, want, attachment(name), name)
	}
}

// pick is the header with only the named fields.
func pick(h http.Header, names ...string) http.Header {
	out := http.Header{}
	for _, n := range names {
		if v, ok := h[n]; ok {
			out[n] = v
		}
	}
	return out
}

// TestRefusedLinksLookAlike: a guessed token, an expired link and a
// revoked one get the same answer; only the log tells them apart.
func TestRefusedLinksLookAlike(t *testing.T) {
	guess := make([]byte, 16)
	_, _ = rand.Read(guess)
	f := newLinkFixture(t)
	_, expired := f.ship("E-1")
	r, revoked := f.ship("R-1")
	_, _, err := f.desk.RevokeLinks(r.ID, domain.Actor{})
	require.NoError(t, err)
	f.now = f.now.Add(domain.DefaultLinkDays * 24 * time.Hour)

	type answer struct {
		status int
		body   string
		header http.Header
	}
	var first *answer
	for _, tc := range []struct{ name, token, log string }{
		{"guessed", base64.RawURLEncoding.EncodeToString(guess), "No download link has the token"},
		{"expired", expired, "it expired on"},
		{"revoked", revoked, "it was revoked on"},
		{"newline", "x%0Ay", `\"x\\ny\"`},
	} {
		resp, body := f.get(http.MethodGet, "/files/"+tc.token)
		got := answer{resp.StatusCode, body, pick(resp.Header, "Content-Type", "Content-Length", "X-Content-Type-Options", "Cache-Control")}
		assert.Equal(t, http.StatusNotFound, got.status, tc.name)
		if first == nil {
			first = &got
		}
		assert.Equal(t, *first, got, "%s looks like any other refused link", tc.name)
		line := f.lastLog()
		assert.Contains(t, line, tc.log, tc.name)
		assert.NotContains(t, line, "\n", "the log line is one line")
	}
}

// TestTokensAreNotStoredInClear inspects every record and setting of the
// database: the token is only in the message to the partner that carries
// the link.
func TestTokensAreNotStoredInClear(t *testing.T) {
	f := newLinkFixture(t)
	r, token := f.ship("L-1")
	require.NoError(t, f.db.View(func(tx domain.Tx) error {
		raw := tx.(storage.Records)
		for _, kind := range []string{storage.KindDeliveries, storage.KindLinkTokens, storage.KindSeenMessages,
			storage.KindConfigChanges, storage.KindOperators} {
			if err := raw.Records(kind, func(id string, v []byte) error {
				assert.NotContains(t, id+string(v), token, "%s %s", kind, id)
				return nil
			}); err != nil {
				return err
			}
		}
		var carried bool
		if err := tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error {
			carried = carried || strings.Contains(string(m.Body), token)
			return nil
		}); err != nil {
			return err
		}
		assert.True(t, carried, "the outgoing message carries the link")
		stored, err := tx.Request(r.ID)
		if err != nil {
			return err
		}
		assert.NotContains(t, strings.Join(historyNotes(stored), "\n"), token)
		for _, key := range []string{domain.SettingPublicURL, domain.SettingLinksSince} {
			v, err := tx.Setting(key)
			if err != nil {
				return err
			}
			assert.NotContains(t, v, token)
		}
		return nil
	}))
	dls, err := f.desk.Deliveries(r.ID)
	require.NoError(t, err)
	require.Len(t, dls, 1)
	assert.NotContains(t, dls[0].Where, token, "staff see where the link points, not its token")
}

func historyNotes(r domain.Request) []string {
	var out []string
	for _, ev := range r.History {
		out = append(out, ev.Note)
	}
	return out
}

// TestLinkOfAnEarlierVersion: a delivery stored as earlier versions stored
// it (no token) is served at /files/<its id> until 30 days after this
// version first opened the database.
func TestLinkOfAnEarlierVersion(t *testing.T) {
	f := newLinkFixture(t)
	r, _ := f.ship("OLD-1")
	dls, err := f.desk.Deliveries(r.ID)
	require.NoError(t, err)
	require.Len(t, dls, 1)
	old := dls[0]
	old.TokenHash, old.Expires, old.Where = "", time.Time{}, "http://127.0.0.1:8626/files/"+old.ID
	require.NoError(t, f.db.Update(func(tx domain.Tx) error {
		// the index entry goes with the token, as if it never existed
		if err := tx.(storage.Records).DeleteRecord(storage.KindLinkTokens, dls[0].TokenHash); err != nil {
			return err
		}
		return tx.PutDelivery(old)
	}))
	upgraded := f.now // the fixture's OpenDesk recorded it

	f.now = upgraded.Add(domain.LegacyLinkGrace - time.Minute)
	resp, _ := f.get(http.MethodGet, "/files/"+old.ID)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "before its 30 days")
	f.now = upgraded.Add(domain.LegacyLinkGrace)
	resp, _ = f.get(http.MethodGet, "/files/"+old.ID)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "after its 30 days")
}
