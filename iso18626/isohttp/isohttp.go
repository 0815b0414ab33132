// Package isohttp carries ISO 18626 messages over HTTP: a client that POSTs
// queued messages to partners' endpoints, and the server side that receives
// partners' messages and serves shipped files behind download links.
package isohttp

import (
	"bytes"
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

	"golang.org/x/time/rate"

	"github.com/illdesk/illdesk/domain"
)

// maxMessage bounds the size of a message read from the network.
const maxMessage = 1 << 20

// Client posts messages to partners' ISO 18626 endpoints (text/xml).
type Client struct {
	HTTP *http.Client
}

var _ domain.Transport = Client{}

// NewClient is a client with a timeout, so a silent partner cannot hang the desk.
func NewClient() Client { return Client{HTTP: &http.Client{Timeout: 30 * time.Second}} }

// Post sends one message and returns the partner's reply (its confirmation).
// Errors name the endpoint without any password it carries, since they are
// kept with the message and shown to staff.
func (c Client) Post(endpoint string, body []byte) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	shown := redact(endpoint)
	resp, err := hc.Post(endpoint, "text/xml; charset=utf-8", bytes.NewReader(body))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its URL is the endpoint again
		}
		return nil, fmt.Errorf("could not reach %s: %w", shown, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxMessage))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", shown, err)
	}
	if resp.StatusCode/100 != 2 {
		return reply, fmt.Errorf("%s answered %s", shown, resp.Status)
	}
	return reply, nil
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
// confirmation) and serves shipped files on GET /files/ID.
type Handler struct {
	Desk *domain.Desk
	// Log, when set, receives a line for every message.
	Log func(string)
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
	}
	// ISO 18626 answers with the confirmation, OK or ERROR, with HTTP 200.
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(conf)
}

func (h Handler) file(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/files/")
	path, dl, err := h.Desk.DownloadPath(id)
	if errors.Is(err, domain.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
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
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(dl.File, `"`, "")+`"`)
	h.log("%s downloaded %s", r.RemoteAddr, dl.File)
	http.ServeContent(w, r, dl.File, fi.ModTime(), f)
}
