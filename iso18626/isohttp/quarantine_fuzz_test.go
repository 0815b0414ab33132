package isohttp

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/storage/bolt"
)

// FuzzServerQuarantine posts arbitrary bodies, seeded with the standard's
// samples, to the server of a desk whose only partner has no agency id, so
// that every sender is a stranger. Whatever arrives, the server answers
// with a confirmation (HTTP 200), no partner is made or changed, nothing
// enters the request list, and what waits in the quarantine stays within
// its bounds, each held from a printable agency id of at most
// MaxAgencyIDLength characters.
func FuzzServerQuarantine(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "samples*", "*.xml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(bytes.Replace(data, []byte("OCLC-ABCDE"), bytes.Repeat([]byte("V"), 10_000), 1))
	}
	db, err := bolt.Open(filepath.Join(f.TempDir(), "illdesk.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	cal, err := domain.NewCalendar(time.UTC, nil)
	if err != nil {
		f.Fatal(err)
	}
	d := domain.NewDesk(domain.Config{Store: db, Calendar: cal, Codec: iso18626.Codec{}})
	if _, err := d.AddPartner(domain.Partner{Code: "LOCAL", Name: "A partner of files only"}); err != nil {
		f.Fatal(err)
	}
	partners, err := d.Partners()
	if err != nil {
		f.Fatal(err)
	}
	h := Handler{Desk: d}

	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/xml")
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("answered %d: %s", w.Code, w.Body)
		}
		after, err := d.Partners()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(partners, after) {
			t.Fatalf("the partners changed: %+v", after)
		}
		rs, err := d.List(domain.Filter{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 0 {
			t.Fatalf("a stranger's message entered the list: %+v", rs)
		}
		held, err := d.Quarantine(false)
		if err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		for _, m := range held {
			per[strings.ToLower(m.Agency)]++
			if len(m.Agency) > domain.MaxAgencyIDLength || strings.ContainsFunc(m.Agency, func(r rune) bool { return !unicode.IsPrint(r) }) {
				t.Fatalf("held from the agency id %q", m.Agency)
			}
		}
		for agency, n := range per {
			if n > domain.MaxHeldPerAgency {
				t.Fatalf("%d messages of %q wait", n, agency)
			}
		}
		if len(held) > domain.MaxHeld {
			t.Fatalf("%d messages wait", len(held))
		}
	})
}
