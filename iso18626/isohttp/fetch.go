package isohttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/illdesk/illdesk/domain"
)

var _ domain.CopyFetcher = Client{}

// Fetch downloads the copy a lender's CopyCompleted links to into a
// temporary file, with the TLS settings of to and without its token (the
// link carries its own secret). Like Post it follows no redirect; a file
// over maxBytes is refused rather than cut short.
func (Client) Fetch(ctx context.Context, to domain.Destination, maxBytes int64) (string, func(), error) {
	shown := redact(to.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	var err error
	if tr.TLSClientConfig, err = tlsConfig(to); err != nil {
		return "", nil, fmt.Errorf("could not reach %s: %w", shown, err)
	}
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, to.URL, nil)
	if err != nil {
		return "", nil, fmt.Errorf("could not reach %s: %w", shown, unwrapURL(err))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("could not reach %s: %w", shown, unwrapURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", nil, fmt.Errorf("%s answered %s", shown, resp.Status)
	}
	if resp.ContentLength > maxBytes {
		return "", nil, fmt.Errorf("the file at %s is %d bytes, over the %d bytes we take", shown, resp.ContentLength, maxBytes)
	}
	f, err := os.CreateTemp("", "illdesk-copy-*.pdf")
	if err != nil {
		return "", nil, err
	}
	done := func() { _ = os.Remove(f.Name()) }
	n, err := io.Copy(f, io.LimitReader(resp.Body, maxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		done()
		return "", nil, fmt.Errorf("reading the file at %s: %w", shown, unwrapURL(err))
	case n > maxBytes:
		done()
		return "", nil, fmt.Errorf("the file at %s is over the %d bytes we take", shown, maxBytes)
	}
	return f.Name(), done, nil
}
