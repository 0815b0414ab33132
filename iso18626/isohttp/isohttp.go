// Package isohttp carries ISO 18626 messages over HTTP: a client that POSTs
// queued messages to partners' endpoints, and the server side that receives
// partners' messages and serves shipped files behind download links.
package isohttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/illdesk/illdesk/domain"
)

// maxMessage bounds the size of a message read from the network.
const maxMessage = 1 << 20

// Client posts messages to partners' ISO 18626 endpoints (text/xml), with
// the credentials the desk chose for each (domain.Destination). It never
// follows a redirect, so a message and its token reach only the endpoint
// the partner was given.
type Client struct{}

var _ domain.Transport = Client{}

// NewClient is the client of the desk's partners.
func NewClient() Client { return Client{} }

// Post sends one message and returns the partner's reply (its
// confirmation). ctx bounds the whole exchange: the dispatcher gives each
// send its own timeout, so a silent partner cannot hang the desk. Errors
// name the endpoint without any password it carries, since they are kept
// with the message and shown to staff.
func (Client) Post(ctx context.Context, to domain.Destination, body []byte) ([]byte, error) {
	shown := redact(to.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	var err error
	if tr.TLSClientConfig, err = tlsConfig(to); err != nil {
		return nil, fmt.Errorf("could not reach %s: %w", shown, err)
	}
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("could not reach %s: %w", shown, unwrapURL(err))
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if to.Token != "" {
		req.Header.Set("Authorization", "Bearer "+to.Token)
	}
	resp, err := hc.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("%s did not answer in time: %w", shown, context.DeadlineExceeded)
	}
	if err != nil {
		return nil, fmt.Errorf("could not reach %s: %w", shown, unwrapURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		where := "no address"
		if loc, err := resp.Location(); err == nil {
			where = loc.Redacted()
		}
		return nil, fmt.Errorf("%s answered %s, pointing to %s; redirects are not followed: give the partner the address its messages go to", shown, resp.Status, where)
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxMessage))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", shown, err)
	}
	if resp.StatusCode/100 != 2 {
		// the desk tells a refusal from a failure to retry by the status
		return reply, &domain.PartnerAnswer{Endpoint: shown, Status: resp.StatusCode, StatusText: resp.Status, Text: answerText(resp, reply)}
	}
	return reply, nil
}

// answerText is the text of an answer that is not 2xx, as staff read it:
// the body when it is text (an error page's words, unknown type included),
// else nothing.
func answerText(resp *http.Response, body []byte) string {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	textual := err != nil || strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "xml") || strings.HasSuffix(mt, "json")
	if !textual || !utf8.Valid(body) {
		return ""
	}
	return strings.TrimSpace(string(body))
}

// unwrapURL drops the *url.Error around err: its URL is the endpoint again,
// with any password in it.
func unwrapURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// tlsConfig is what the client presents and trusts for one destination:
// our client certificate, read now so that a renewed one is used at once,
// and the partner's own server CA instead of the system's when it has one.
func tlsConfig(to domain.Destination) (*tls.Config, error) {
	conf := &tls.Config{}
	if to.ServerCAPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(to.ServerCAPEM)) {
			return nil, errors.New("the partner's server CA holds no certificate")
		}
		conf.RootCAs = pool
	}
	if to.ClientCert != "" || to.ClientKey != "" {
		pair, err := tls.LoadX509KeyPair(to.ClientCert, to.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("our client certificate cannot be loaded: %w", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

// CheckClientCertificate checks our client certificate and key files as
// they are being set: each one given must be readable PEM of its kind, and
// both together must make a pair.
func CheckClientCertificate(certFile, keyFile string) error {
	if certFile != "" && keyFile != "" {
		_, err := tls.LoadX509KeyPair(certFile, keyFile)
		return err
	}
	for _, f := range []struct{ path, kind string }{{certFile, "CERTIFICATE"}, {keyFile, "PRIVATE KEY"}} {
		if f.path == "" {
			continue
		}
		raw, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		block, _ := pem.Decode(raw)
		if block == nil || !strings.HasSuffix(block.Type, f.kind) {
			return fmt.Errorf("%s holds no PEM %s", f.path, strings.ToLower(f.kind))
		}
		if f.kind == "CERTIFICATE" {
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return err
			}
		}
	}
	return nil
}

// redact is the endpoint with the password of its user information, if
// any, replaced by "xxxxx".
func redact(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "the partner's endpoint"
	}
	return u.Redacted()
}

// Handler receives partners' messages on POST / (answering with the
// confirmation) and serves shipped files on GET /files/TOKEN.
type Handler struct {
	Desk *domain.Desk
	// Log, when set, receives a line for every message.
	Log func(string)
	// Received, when set, is told the outcome of each message taken in
	// (not of one refused or repeated), so that a window can tell staff
	// work arrived.
	Received func(outcome string)
	// rates limits messages per address and agency, budget the memory
	// bodies take (NewServer sets them).
	rates  *rates
	budget *bodyBudget
}

// ServeHTTP routes the two endpoints.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodPost:
		h.receive(w, r)
	case strings.HasPrefix(r.URL.Path, "/files/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.file(w, r)
	case r.URL.Path == "/":
		w.Header().Set("Allow", "POST")
		http.Error(w, "ISO 18626 endpoint: POST a message (text/xml)", http.StatusMethodNotAllowed)
	default:
		http.NotFound(w, r)
	}
}

// log writes one line: control characters in what came from outside are
// escaped, so that no value can start a line of its own.
func (h Handler) log(format string, args ...any) {
	if h.Log != nil {
		h.Log(oneLine(fmt.Sprintf(format, args...)))
	}
}

// oneLine is s with its control characters written as Go escapes.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isXML reports whether a Content-Type names an XML body.
func isXML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/xml" || mt == "text/xml")
}

// bearer is the token of an Authorization: Bearer header, "" without one.
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (h Handler) receive(w http.ResponseWriter, r *http.Request) {
	addr := hostOf(r.RemoteAddr)
	// A page in a browser may post to a listener on 127.0.0.1; browsers
	// say so, partners' servers do not.
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		h.log("refused a browser's post from %q (Origin %q): 403", addr, r.Header.Get("Origin"))
		http.Error(w, "partner messages only; not from a browser", http.StatusForbidden)
		return
	}
	now := time.Now()
	if h.rates != nil {
		if res, wait := h.rates.addr.take(addr, now); res == nil {
			h.log("too many messages from %q: 429", addr)
			tooMany(w, wait)
			return
		}
	}
	if !isXML(r.Header.Get("Content-Type")) {
		h.log("refused a %q body from %q: 415", r.Header.Get("Content-Type"), addr)
		http.Error(w, "ISO 18626 messages are application/xml or text/xml", http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, maxMessage)
	if h.budget != nil {
		br := &budgetReader{r: body, b: h.budget}
		defer br.release()
		body = br
	}
	raw, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
		return
	case errors.Is(err, errBusy):
		h.log("no room for a large message from %q now: 503", addr)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "the server is busy; try again later", http.StatusServiceUnavailable)
		return
	case err != nil:
		http.Error(w, "could not read the message", http.StatusBadRequest)
		return
	}
	var agencyRate *rate.Reservation
	if agency := h.Desk.Sender(raw); h.rates != nil && agency != "" {
		var wait time.Duration
		if agencyRate, wait = h.rates.agency.take(strings.ToUpper(agency), now); agencyRate == nil {
			h.log("too many messages naming %q: 429", agency)
			tooMany(w, wait)
			return
		}
	}
	caller := domain.Caller{Addr: addr, Token: bearer(r)}
	if r.TLS != nil {
		caller.Chains = r.TLS.VerifiedChains
	}
	res, conf, err := h.Desk.IntakeFrom(raw, caller)
	switch {
	case errors.Is(err, domain.ErrUnauthenticated) || errors.Is(err, domain.ErrForbiddenCaller):
		if agencyRate != nil {
			agencyRate.CancelAt(now) // a stranger's attempts do not count against the partner it names
		}
		status := http.StatusForbidden
		if errors.Is(err, domain.ErrUnauthenticated) {
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Bearer realm="ISO 18626"`)
		}
		h.log("refused a message from %q: %d %v", addr, status, err)
		http.Error(w, http.StatusText(status), status)
		return
	case err != nil && conf == nil:
		h.log("message from %q could not be handled: %v", addr, err)
		http.Error(w, "the message could not be handled", http.StatusInternalServerError)
		return
	case err != nil:
		h.log("message from %q refused: %v", addr, err)
	default:
		h.log("%s", res.Outcome)
		if h.Received != nil && !res.Duplicate {
			h.Received(oneLine(res.Outcome))
		}
	}
	// ISO 18626 answers with the confirmation, OK or ERROR, with HTTP 200.
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(conf)
}

// file serves the shipped file behind a download link. A token no link
// has, an expired link and a revoked one get the same 404, so a caller
// cannot tell them apart; the log says which. The answer is never cached
// nor sniffed as another type, and the link is not passed on as a referrer.
func (h Handler) file(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, domain.LinkPath)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	path, dl, err := h.Desk.DownloadPath(token)
	if errors.Is(err, domain.ErrNotFound) {
		h.log("download for %q refused: %q", r.RemoteAddr, err.Error())
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.log("download for %q failed: %q", r.RemoteAddr, err.Error())
		http.Error(w, "the file cannot be served now", http.StatusInternalServerError)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, "the file cannot be served now", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.Error(w, "the file cannot be served now", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", attachment(dl.File))
	h.log("%q downloaded %q", r.RemoteAddr, dl.File)
	http.ServeContent(w, r, dl.File, fi.ModTime(), f)
}

// attachment is the Content-Disposition of a download named name (RFC
// 6266): a plain ASCII filename for every client and, when the name is not
// plain ASCII, the exact name as RFC 5987 filename*, which clients prefer.
// mime.FormatMediaType quotes and percent-encodes both.
func attachment(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '_'
		}
		return r
	}, name)
	out := mime.FormatMediaType("attachment", map[string]string{"filename": fallback})
	if fallback == name {
		return out
	}
	// With a value that is not ASCII, FormatMediaType writes it as filename*.
	exact := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if ext, ok := strings.CutPrefix(exact, "attachment; filename*="); ok {
		out += "; filename*=" + ext
	}
	return out
}
