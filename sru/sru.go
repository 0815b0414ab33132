// Package sru searches the library's catalogue over SRU (Search/Retrieve
// via URL, versions 1.2 and 2.0) with CQL queries, and reads holdings and
// e-resource links out of the MARCXML records it answers with, as the
// settings' profile (marc852, koha, alma) and field map say. It implements
// domain.Catalogue.
//
// Like every outgoing request of the desk it never follows a redirect and
// refuses plain http to another computer.
package sru

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/illdesk/illdesk/domain"
)

// MaximumRecords is how many records one search asks for: enough for the
// editions and copies of one title, few enough to read quickly.
const MaximumRecords = 10

// maxResponse bounds the size of an answer read from the catalogue.
const maxResponse = 8 << 20

// Client searches one catalogue.
type Client struct {
	base    *url.URL
	version string
	profile domain.SRUProfile
	hc      *http.Client
}

var _ domain.Catalogue = (*Client)(nil)

// New is the client of the catalogue the settings name.
func New(set domain.CatalogueSettings) (*Client, error) {
	base, err := domain.CheckOutgoingURL(set.SRUURL)
	if err != nil {
		return nil, err
	}
	p, err := set.SRUProfile()
	if err != nil {
		return nil, err
	}
	version := set.Version
	if version == "" {
		version = "1.2"
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{base: base, version: version, profile: p, hc: hc}, nil
}

// Where is the catalogue's address, without any password it carries.
func (c *Client) Where() string { return c.base.Redacted() }

// Holdings tries the citation's queries in order (Queries) and reads the
// holdings and e-resources of the first that finds records; nil, nil, nil
// when none does. A diagnostic of the server ends the lookup with the
// server's own words.
func (c *Client) Holdings(ctx context.Context, cit domain.Citation) ([]domain.Holding, []domain.EResource, error) {
	for _, q := range Queries(cit, c.profile.Indexes) {
		resp, err := c.search(ctx, q.CQL, MaximumRecords)
		if err != nil {
			return nil, nil, err
		}
		if len(resp.Records) == 0 {
			continue
		}
		h, e := Read(c.profile, resp.Records, c.base.Host+", found by "+q.CQL)
		return h, e, nil
	}
	return nil, nil, nil
}

// Check runs one title search and reports whether the answer is an SRU
// searchRetrieve response without a diagnostic.
func (c *Client) Check(ctx context.Context) error {
	idx := c.profile.Indexes.Title
	if idx == "" {
		idx = "cql.serverChoice"
	}
	_, err := c.search(ctx, idx+"="+Term("library"), 1)
	return err
}

// search runs one searchRetrieve: the CQL query, maximumRecords and the
// marcxml record schema, in the configured SRU version.
func (c *Client) search(ctx context.Context, cql string, max int) (Response, error) {
	u := SearchURL(c.base, c.version, cql, max)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := c.hc.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return Response{}, fmt.Errorf("%s did not answer in time: %w", c.Where(), context.DeadlineExceeded)
	}
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Response{}, fmt.Errorf("could not reach %s: %w", c.Where(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		where := "no address"
		if loc, err := resp.Location(); err == nil {
			where = loc.Redacted()
		}
		return Response{}, fmt.Errorf("%s answered %s, pointing to %s; redirects are not followed: set the address it points to", c.Where(), resp.Status, where)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return Response{}, fmt.Errorf("reading the answer of %s: %w", c.Where(), err)
	}
	parsed, perr := Parse(body)
	if resp.StatusCode/100 != 2 && (perr != nil || len(parsed.Diagnostics) == 0) {
		return Response{}, fmt.Errorf("%s answered %s", c.Where(), resp.Status)
	}
	if perr != nil {
		return Response{}, fmt.Errorf("%s did not answer as an SRU server: %w", c.Where(), perr)
	}
	if len(parsed.Diagnostics) > 0 {
		return Response{}, parsed.Diagnostics[0]
	}
	return parsed, nil
}

// SearchURL is the address of one searchRetrieve at base.
func SearchURL(base *url.URL, version, cql string, max int) string {
	q := base.Query()
	q.Set("version", version)
	q.Set("operation", "searchRetrieve")
	q.Set("query", cql)
	q.Set("maximumRecords", fmt.Sprint(max))
	q.Set("recordSchema", "marcxml")
	u := *base
	u.RawQuery = q.Encode()
	return u.String()
}
