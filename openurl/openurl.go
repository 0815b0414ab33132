// Package openurl reaches the library's OpenURL link resolver over HTTP,
// to test that it answers (domain.Resolver). The links themselves are
// built by domain.OpenURL and opened by staff in their browser.
package openurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/illdesk/illdesk/domain"
)

// Checker asks a link resolver for a link. Like every outgoing request of
// the desk it never follows a redirect (a resolver answering with one has
// answered) and refuses plain http to another computer.
type Checker struct{}

var _ domain.Resolver = Checker{}

// Check GETs link and reports an error unless the resolver answered with a
// status below 400.
func (Checker) Check(ctx context.Context, link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// address: %w", link, domain.ErrInvalidInput)
	}
	if u.Scheme == "http" && !domain.LoopbackHost(u.Hostname()) {
		return fmt.Errorf("%s is plain http to another computer; only https is used there: %w", u.Host, domain.ErrInvalidInput)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("could not reach %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", u.Host, resp.Status)
	}
	return nil
}
