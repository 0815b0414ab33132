package isohttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/illdesk/illdesk/domain"
)

// maxHeaderBytes bounds a request's header: a partner's message needs a few lines.
const maxHeaderBytes = 16 << 10

// readHeaderTimeout bounds reading the header, whatever ReadTimeout is.
const readHeaderTimeout = 10 * time.Second

// Server is the ISO 18626 server that illdesk serve and the window's
// listener both run: a Handler bounded in time, connections, body size and
// message rate as the desk's ServerSettings say.
type Server struct {
	http *http.Server
	set  domain.ServerSettings
	tls  *tls.Config
}

// NewServer bounds h as set says. With tlsConf (from TLSConfig) it serves
// TLS and asks callers for client certificates; with nil, plain HTTP.
func NewServer(h Handler, set domain.ServerSettings, tlsConf *tls.Config) *Server {
	h.rates = &rates{
		addr:   newKeyedLimiter(set.RatePerAddress),
		agency: newKeyedLimiter(set.RatePerAgency),
	}
	h.budget = &bodyBudget{limit: bodyBudgetBytes}
	return &Server{set: set, tls: tlsConf, http: &http.Server{
		Handler:           downloadTime(h, set.WriteTimeout+downloadTimeout),
		ReadHeaderTimeout: min(readHeaderTimeout, set.ReadTimeout),
		ReadTimeout:       set.ReadTimeout,
		WriteTimeout:      set.WriteTimeout,
		IdleTimeout:       set.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}}
}

// downloadTimeout is how much longer than a message's answer a download
// of a shipped file may take: a large PDF to a slow partner.
const downloadTimeout = 30 * time.Minute

// downloadTime gives a download of a shipped file until limit from its
// start to be written, in place of the server's WriteTimeout.
func downloadTime(h http.Handler, limit time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/files/") {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(limit))
		}
		h.ServeHTTP(w, r)
	})
}

// Serve accepts connections on ln until Shutdown: at most MaxConnections
// at once, and of those at most MaxConnectionsPerAddress from one address;
// a connection beyond that is closed at once, so that one address holding
// its places (200 slow senders) leaves the others to everyone else.
func (s *Server) Serve(ln net.Listener) error {
	ln = newCapListener(ln, s.set.MaxConnections, s.set.MaxConnectionsPerAddress)
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls)
	}
	return s.http.Serve(ln)
}

// Shutdown stops accepting and waits, until ctx is done, for the
// messages being handled.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// TLSConfig is the TLS configuration of a server with the certificate and
// key in the files given. It asks callers for a client certificate and
// verifies one that is given against clientCAs, read at every handshake
// so that a partner's new CA counts at once; the desk then checks that
// the certificate is the partner's that the message names.
func TLSConfig(certFile, keyFile string, clientCAs func() (*x509.CertPool, error)) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("cannot use the certificate %s and key %s: %w", certFile, keyFile, err)
	}
	base := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, ClientAuth: tls.VerifyClientCertIfGiven}
	base.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		pool, err := clientCAs()
		if err != nil {
			return nil, err
		}
		c := base.Clone()
		c.GetConfigForClient, c.ClientCAs = nil, pool
		return c, nil
	}
	return base, nil
}

// IsLoopback reports whether a listen address (HOST:PORT) is reachable
// from this computer only.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// capListener caps the connections open at once, in all and per address.
type capListener struct {
	net.Listener
	total   chan struct{}
	perAddr int
	mu      sync.Mutex
	open    map[string]int
}

func newCapListener(ln net.Listener, total, perAddr int) *capListener {
	return &capListener{Listener: ln, total: make(chan struct{}, max(total, 1)), perAddr: max(perAddr, 1), open: map[string]int{}}
}

// Accept waits for a place before it accepts: a caller beyond the total
// waits in the system's queue until a connection ends.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		l.total <- struct{}{}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.total
			return nil, err
		}
		host := hostOf(c.RemoteAddr().String())
		l.mu.Lock()
		if l.open[host] >= l.perAddr {
			l.mu.Unlock()
			_ = c.Close()
			<-l.total
			continue
		}
		l.open[host]++
		l.mu.Unlock()
		return &cappedConn{Conn: c, l: l, host: host}, nil
	}
}

func (l *capListener) release(host string) {
	l.mu.Lock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
	}
	l.mu.Unlock()
	<-l.total
}

// cappedConn gives its place back once, when it is closed.
type cappedConn struct {
	net.Conn
	l    *capListener
	host string
	once sync.Once
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.host) })
	return err
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// rates limits messages per address and per agency named.
type rates struct {
	addr, agency *keyedLimiter
}

// maxLimiterKeys bounds how many addresses or agencies are remembered: a
// stranger naming a new agency in every message cannot grow the table
// without end.
const maxLimiterKeys = 10_000

// keyedLimiter is one token bucket per key: perMinute messages a minute,
// up to perMinute at once.
type keyedLimiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

func newKeyedLimiter(perMinute int) *keyedLimiter {
	perMinute = max(perMinute, 1)
	return &keyedLimiter{every: rate.Limit(float64(perMinute) / 60), burst: perMinute, m: map[string]*rate.Limiter{}}
}

// take takes one message for key, or returns nil and how long to wait
// when the key has sent its share. Cancel the reservation to give the
// message back.
func (k *keyedLimiter) take(key string, now time.Time) (*rate.Reservation, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	lim := k.m[key]
	if lim == nil {
		if len(k.m) >= maxLimiterKeys {
			// a bucket that is full again is as good as a new one
			for key, l := range k.m {
				if l.TokensAt(now) >= float64(k.burst) {
					delete(k.m, key)
				}
			}
		}
		if len(k.m) >= maxLimiterKeys {
			return nil, time.Minute
		}
		lim = rate.NewLimiter(k.every, k.burst)
		k.m[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		return nil, d
	}
	return r, 0
}

// tooMany answers 429 with when to try again.
func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Round(time.Second)/time.Second))))
	http.Error(w, "too many messages; try again later", http.StatusTooManyRequests)
}

// What the bodies being read may hold in memory at once: the first
// freeBodyBytes of every message, and bodyBudgetBytes more among all of
// them. A normal message fits in the free part and never waits; a large
// one that finds the budget spent by stalled senders is answered 503 at
// once rather than holding more memory.
const (
	freeBodyBytes   = 64 << 10
	bodyBudgetBytes = 16 << 20
)

// errBusy is a body the budget has no room for.
var errBusy = errors.New("the server is busy")

// bodyBudget counts the bytes held beyond the free part of each body.
type bodyBudget struct {
	used  atomic.Int64
	limit int64
}

// budgetReader reads a body, taking from the budget what it holds beyond
// freeBodyBytes.
type budgetReader struct {
	r       io.Reader
	b       *bodyBudget
	n, held int64
}

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	br.n += int64(n)
	if need := br.n - freeBodyBytes - br.held; need > 0 {
		if br.b.used.Add(need) > br.b.limit {
			br.b.used.Add(-need)
			return n, errBusy
		}
		br.held += need
	}
	return n, err
}

// release gives back what the body took, once it is no longer held.
func (br *budgetReader) release() { br.b.used.Add(-br.held) }
