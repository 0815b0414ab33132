package sru

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/zebratest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestQueries(t *testing.T) {
	def, err := domain.CatalogueSettings{}.SRUProfile()
	require.NoError(t, err)
	withOCLC := def.Indexes
	withOCLC.OCLC = "local.oclc"
	tests := []struct {
		name string
		c    domain.Citation
		idx  domain.SRUIndexes
		want []string
	}{
		{"article: issn, then the journal's title without the author", domain.Citation{Title: "Nature", Journal: "Nature",
			ArticleTitle: "A desk", Author: "Smith", ISSN: "0028-0836"}, def.Indexes,
			[]string{`bath.issn="0028-0836"`, `dc.title="Nature"`}},
		{"book: isbn without hyphens, title and author", domain.Citation{Title: "Introduction to algorithms : fourth edition / Cormen",
			Author: "Cormen, Thomas H.", ISBN: "978-0-262-04630-5"}, def.Indexes,
			[]string{`bath.isbn="9780262046305"`, `dc.title="Introduction to algorithms" and dc.creator="Cormen, Thomas H."`}},
		{"oclc only when its index is set", domain.Citation{Title: "Algorithms.", OCLC: "(OCoLC)1264174968"}, def.Indexes,
			[]string{`dc.title="Algorithms"`}},
		{"oclc index set", domain.Citation{Title: "Algorithms", OCLC: "(OCoLC)1264174968"}, withOCLC,
			[]string{`local.oclc="1264174968"`, `dc.title="Algorithms"`}},
		{"quotes and masking characters are searched as written", domain.Citation{Title: `Why "now"? 100* ^up\down`}, def.Indexes,
			[]string{`dc.title="Why \"now\"\? 100\* \^up\\down"`}},
		{"alma names", domain.Citation{Title: "Odyssey", ISSN: "1234-5679", ISBN: "9780140449136"},
			domain.SRUIndexes{ISSN: "alma.issn", ISBN: "alma.isbn", Title: "alma.title", Author: "alma.creator"},
			[]string{`alma.issn="1234-5679"`, `alma.isbn="9780140449136"`, `alma.title="Odyssey"`}},
		{"nothing to search by", domain.Citation{}, def.Indexes, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, q := range Queries(tt.c, tt.idx) {
				got = append(got, q.CQL)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSearchURL(t *testing.T) {
	base, err := url.Parse("https://catalogue.example.edu/sru?x-info=1")
	require.NoError(t, err)
	got := SearchURL(base, "2.0", `dc.title="A b"`, 10)
	assert.Equal(t, "https://catalogue.example.edu/sru?maximumRecords=10&operation=searchRetrieve&query=dc.title%3D%22A+b%22&recordSchema=marcxml&version=2.0&x-info=1", got)
}

// readGolden is what a response reads as, in JSON, for the golden files.
type readGolden struct {
	Holdings    []domain.Holding   `json:"holdings"`
	EResources  []domain.EResource `json:"eresources"`
	Diagnostics []string           `json:"diagnostics,omitempty"`
}

// TestReadGolden maps each SRU answer under testdata/ with its profile and
// compares with NAME.golden.json; go test -run ReadGolden -update rewrites
// them (review the diff before committing it).
func TestReadGolden(t *testing.T) {
	tests := []struct {
		file string
		set  domain.CatalogueSettings
	}{
		{"marc852-book.xml", domain.CatalogueSettings{}},
		{"string-packed.xml", domain.CatalogueSettings{}},
		{"marc852-book.xml", domain.CatalogueSettings{Fields: "location=852b,call=852h,barcode=852p,note=852z"}},
		{"koha.xml", domain.CatalogueSettings{Profile: domain.ProfileKoha}},
		{"alma.xml", domain.CatalogueSettings{Profile: domain.ProfileAlma}},
		{"sru2-856.xml", domain.CatalogueSettings{}},
		{"diagnostic.xml", domain.CatalogueSettings{}},
	}
	for _, tt := range tests {
		name := strings.TrimSuffix(tt.file, ".xml")
		if tt.set.Fields != "" {
			name += "-fields"
		}
		t.Run(name, func(t *testing.T) {
			p, err := tt.set.SRUProfile()
			require.NoError(t, err)
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			resp, err := Parse(body)
			require.NoError(t, err)
			var got readGolden
			got.Holdings, got.EResources = Read(p, resp.Records, "catalogue.example.edu")
			for _, d := range resp.Diagnostics {
				got.Diagnostics = append(got.Diagnostics, d.Error())
			}
			var out bytes.Buffer
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(got))
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), out.String())
		})
	}
}

func TestParseRefusesWhatIsNotSRU(t *testing.T) {
	for _, body := range []string{"<html><body>Login</body></html>", "not xml", ""} {
		_, err := Parse([]byte(body))
		assert.Error(t, err, body)
	}
}

func TestNewRefusesPlainHTTPToAnotherComputer(t *testing.T) {
	_, err := New(domain.CatalogueSettings{SRUURL: "http://catalogue.example.edu/sru"})
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	for _, ok := range []string{"https://catalogue.example.edu/sru", "http://127.0.0.1:9999/Default", "http://localhost/sru", "http://[::1]:210/x"} {
		_, err := New(domain.CatalogueSettings{SRUURL: ok})
		assert.NoError(t, err, ok)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	followed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	c, err := New(domain.CatalogueSettings{SRUURL: srv.URL + "/sru"})
	require.NoError(t, err)
	_, _, err = c.Holdings(context.Background(), domain.Citation{Title: "X"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redirects are not followed")
	assert.False(t, followed)
}

func TestAnswerThatIsNotSRU(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such service", http.StatusNotFound)
	}))
	defer srv.Close()
	c, err := New(domain.CatalogueSettings{SRUURL: srv.URL})
	require.NoError(t, err)
	err = c.Check(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
}

// TestZebra looks holdings up in a real SRU server: Zebra over the records
// of internal/zebratest.
func TestZebra(t *testing.T) {
	base := zebratest.ForTest(t)
	tests := []struct {
		name      string
		set       domain.CatalogueSettings
		c         domain.Citation
		locations []string
		barcodes  []string
		eres      []string
	}{
		{name: "issn", c: domain.Citation{Title: "Nature", Journal: "Nature", ISSN: "0028-0836"},
			locations: []string{"Science Library, Periodicals"}, barcodes: []string{"39000000000101"}},
		{name: "isbn, two holdings", c: domain.Citation{Title: "Whatever", ISBN: "978-0-262-04630-5"},
			locations: []string{"Main Library Stacks", "Engineering Reserve"}, barcodes: []string{"39000000000202", "39000000000303"}},
		{name: "oclc when its index is set", set: domain.CatalogueSettings{Indexes: "oclc=local.oclc"},
			c:         domain.Citation{Title: "Unknown title", OCLC: "1264174968"},
			locations: []string{"Main Library Stacks", "Engineering Reserve"}, barcodes: []string{"39000000000202", "39000000000303"}},
		{name: "title and author, koha profile, SRU 2.0", set: domain.CatalogueSettings{Profile: domain.ProfileKoha, Version: "2.0"},
			c: domain.Citation{Title: "Pride and prejudice", Author: "Austen"}, locations: []string{"CPL"}, barcodes: []string{"31000000000404"}},
		{name: "856 link", c: domain.Citation{Title: "Nature", ISSN: "1476-4687"}, eres: []string{"Nature Journals Online https://www.nature.com/nature/"}},
		{name: "a record without holdings", c: domain.Citation{Title: "The Odyssey", ISBN: "9780140449136"}},
		{name: "not in the catalogue", c: domain.Citation{Title: "No such book anywhere", ISBN: "9789999999999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.set.SRUURL = base
			c, err := New(tt.set)
			require.NoError(t, err)
			require.NoError(t, c.Check(context.Background()))
			h, e, err := c.Holdings(context.Background(), tt.c)
			require.NoError(t, err)
			var locations, barcodes, eres []string
			for _, x := range h {
				locations, barcodes = append(locations, x.Location), append(barcodes, x.ItemBarcode)
				assert.Contains(t, x.Source, "127.0.0.1")
			}
			for _, x := range e {
				eres = append(eres, x.Name+" "+x.URL)
			}
			assert.Equal(t, tt.locations, locations)
			assert.Equal(t, tt.barcodes, barcodes)
			assert.Equal(t, tt.eres, eres)
		})
	}
}

func TestZebraDiagnosticIsShownWordForWord(t *testing.T) {
	base := zebratest.ForTest(t)
	c, err := New(domain.CatalogueSettings{SRUURL: base, Indexes: "issn=foo.issn"})
	require.NoError(t, err)
	_, _, err = c.Holdings(context.Background(), domain.Citation{Title: "Nature", ISSN: "0028-0836"})
	require.Error(t, err)
	assert.Equal(t, "Unsupported context set [info:srw/diagnostic/1/15]", err.Error())
}
