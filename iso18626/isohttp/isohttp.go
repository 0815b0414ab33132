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
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

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
// confirmation) and serves shipped files on GET /files/TOKEN.
type Handler struct {
	Desk *domain.Desk
	// Log, when set, receives a line for every message.
	Log func(string)
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

func (h Handler) log(format string, args ...any) {
	if h.Log != nil {
		h.Log(fmt.Sprintf(format, args...))
	}
}

func (h Handler) receive(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxMessage+1))
	if err != nil {
		http.Error(w, "could not read the message", http.StatusBadRequest)
		return
	}
	if len(raw) > maxMessage {
		http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
		return
	}
	addr, _, _ := net.SplitHostPort(r.RemoteAddr)
	res, conf, err := h.Desk.IntakeFrom(raw, domain.Caller{Addr: addr})
	switch {
	case err != nil && conf == nil:
		h.log("message from %s could not be handled: %v", r.RemoteAddr, err)
		http.Error(w, "the message could not be handled", http.StatusInternalServerError)
		return
	case err != nil:
		h.log("message from %s refused: %v", r.RemoteAddr, err)
	default:
		h.log("%s", res.Outcome)
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
