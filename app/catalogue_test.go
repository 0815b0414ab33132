package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/internal/zebratest"
)

// TestHoldingsFromTheCatalogue looks holdings up in Zebra: when a lending
// request is created and with the holdings command.
func TestHoldingsFromTheCatalogue(t *testing.T) {
	base := zebratest.ForTest(t)
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	assert.Equal(t, "sru-url set.\n", c.ok("config", "set", "sru-url", base))
	assert.Contains(t, c.ok("config", "show"), "sru-url                   "+base+"\n")
	assert.Contains(t, c.ok("config", "test", "sru"), "answered a search")

	// looked up as it is created: the command waits for the lookup
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "B1", "--title", "Introduction to algorithms",
		"--isbn", "9780262046305", "--location", "My shelf")
	v := c.show("B1")
	holdings := v["holdings"].([]any)
	require.Len(t, holdings, 2)
	first := holdings[0].(map[string]any)
	assert.Equal(t, "Main Library Stacks", first["location"])
	assert.Equal(t, "QA76.6 .C662 2022", first["call_number"])
	assert.Equal(t, "39000000000202", first["item_barcode"])
	assert.Contains(t, first["source"], "record rec-book")
	assert.Equal(t, "My shelf", v["location"], "what staff typed stays")
	assert.Equal(t, "QA76.6 .C662 2022", v["call_number"])
	assert.Equal(t, "", v["item_barcode"], "the barcode waits for the pick")
	assert.Equal(t, "physical", v["format"])

	var listed []map[string]string
	require.NoError(t, json.Unmarshal([]byte(c.ok("holdings", "--json", "B1")), &listed))
	require.Len(t, listed, 2)
	assert.Equal(t, map[string]string{"location": "Engineering Reserve", "call_number": "QA76.6 .C662 2022 c.2",
		"item_barcode": "39000000000303", "note": "2-hour loan", "source": listed[1]["source"]}, listed[1])
	out := c.ok("show", "B1")
	assert.Regexp(t, `\nHolding +Engineering Reserve, QA76.6 .C662 2022 c.2, 39000000000303 \(2-hour loan\) — record rec-book`, out)

	// an e-journal: its 856 link becomes an e-resource
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "E1", "--title", "Nature", "--issn", "1476-4687")
	v = c.show("E1")
	assert.Equal(t, "electronic", v["format"])
	assert.Equal(t, []any{map[string]any{"name": "Nature Journals Online", "url": "https://www.nature.com/nature/"}}, v["eresources"])
	assert.Equal(t, []any{}, v["holdings"])

	// not held
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "N1", "--title", "No such book", "--isbn", "9789999999999")
	assert.Contains(t, c.ok("holdings", "N1"), "Not found in the catalogue")
	assert.Contains(t, c.ok("show", "N1"), "reject with reason NotHeld")

	// the catalogue's own words when it refuses
	c.ok("config", "set", "sru-indexes", "isbn=nosuch.isbn")
	code, _, errOut := c.run("holdings", "B1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Unsupported context set")
	code, _, errOut = c.run("config", "test", "sru")
	assert.Equal(t, 0, code, errOut) // the title index still answers
}

func TestCatalogueSettingsCommands(t *testing.T) {
	c := newCLI(t)
	code, _, errOut := c.run("config", "set", "sru-url", "http://catalogue.example.edu/sru")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "plain http")
	code, _, errOut = c.run("config", "set", "sru-profile", "sierra")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "marc852, koha or alma")
	c.ok("config", "set", "sru-profile", "alma")
	c.ok("config", "set", "sru-version", "2.0")
	c.ok("config", "set", "sru-fields", "location=AVAc")
	out := c.ok("config", "show")
	for _, want := range []string{"sru-profile               alma\n", "sru-version               2.0\n", "sru-fields                location=AVAc\n"} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, c.ok("audit", "--action", "configure"), "sru_profile:")

	code, _, errOut = c.run("config", "test", "sru")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "config set sru-url")
	code, _, errOut = c.run("config", "test", "openurl")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "config set openurl-base")

	resolver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.RawQuery, "url_ver=Z39.88-2004") {
			http.Error(w, "not an OpenURL", http.StatusBadRequest)
		}
	}))
	defer resolver.Close()
	c.ok("config", "set", "openurl-base", resolver.URL+"/openurl")
	assert.Contains(t, c.ok("config", "test", "openurl"), "answered")
	c.ok("partner", "add", "RAPID", "--name", "RapidILL")
	c.ok("lend", "new", "--partner", "RAPID", "--external-id", "A1", "--title", "Nature", "--issn", "0028-0836")
	v := c.show("A1")
	assert.Contains(t, v["openurl"], resolver.URL+"/openurl?url_ver=Z39.88-2004")
	assert.Regexp(t, `\nE-resource +Link resolver \(OpenURL\) `+resolver.URL, c.ok("show", "A1"))

	resolver.Close()
	code, _, errOut = c.run("config", "test", "openurl")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "did not answer")
}
