// Package isotest is a partner library's ISO 18626 endpoint for tests: it
// confirms every message it is sent, or answers ERROR to those about one
// request, and remembers what it confirmed. The window's tests post to it
// directly (it is a domain.Transport); the command line's serve it over HTTP
// on 127.0.0.1.
package isotest

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626"
)

// Partner is the endpoint; its zero value confirms everything.
type Partner struct {
	mu     sync.Mutex
	refuse string
	got    []string
}

var _ domain.Transport = (*Partner)(nil)

// Refuse makes the partner answer ERROR to the messages about the request
// with that requesting agency's id; "" refuses none.
func (p *Partner) Refuse(requestID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = requestID
}

// Received lists the messages confirmed, in order, each as its request id,
// a space, and its status or action ("R-2 Unfilled").
func (p *Partner) Received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

// Post answers one message as the partner would: the destination is not used.
func (p *Partner) Post(_ context.Context, _ domain.Destination, body []byte) ([]byte, error) {
	in, err := iso18626.Codec{}.Decode(body)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	var problem *domain.MessageProblem
	if p.refuse != "" && in.RequestingRequestID == p.refuse {
		problem = &domain.MessageProblem{ErrorType: "UnrecognisedDataValue", Value: "refused by the test"}
	} else {
		p.got = append(p.got, in.RequestingRequestID+" "+in.Status+in.Action)
	}
	p.mu.Unlock()
	return iso18626.Codec{}.Confirm(in, time.Now(), problem)
}

// ServeHTTP answers a message POSTed to the partner's endpoint.
func (p *Partner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply, err := p.Post(r.Context(), domain.Destination{URL: r.URL.String()}, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, _ = w.Write(reply)
}
