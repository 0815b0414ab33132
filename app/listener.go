package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626/isohttp"
)

// partnerServer is the bounded ISO 18626 server on listen, as illdesk
// serve and the window's listener both start it: it needs our agency id,
// and plain HTTP listens on loopback only unless allow-plain-http is on.
// With certFile and keyFile it speaks TLS and asks partners for client
// certificates. received, when not nil, is told of each message applied.
// The caller serves the listener returned.
func (s *session) partnerServer(listen, certFile, keyFile string, log, received func(string)) (*isohttp.Server, net.Listener, error) {
	agency, err := s.desk.AgencyID()
	if err != nil {
		return nil, nil, err
	}
	if agency == "" {
		return nil, nil, errors.New("partners' messages are received only once our own agency id is set: illdesk config set agency-id TYPE:VALUE (e.g. ISIL:DE-1)")
	}
	set, err := s.desk.ServerSettings()
	if err != nil {
		return nil, nil, err
	}
	if (certFile == "") != (keyFile == "") {
		return nil, nil, usagef("give both --tls-cert FILE and --tls-key FILE, or neither")
	}
	var conf *tls.Config
	if certFile != "" {
		conf, err = isohttp.TLSConfig(s.local(certFile), s.local(keyFile), func() (*x509.CertPool, error) {
			ps, err := s.desk.Partners()
			return domain.ClientCAs(ps), err
		})
		if err != nil {
			return nil, nil, err
		}
	} else if !set.AllowPlainHTTP && !isohttp.IsLoopback(listen) {
		return nil, nil, fmt.Errorf("without TLS, partners' messages are received on a loopback address only (e.g. 127.0.0.1:8626), "+
			"since anyone on the network could read their tokens, and %s is not one: give --tls-cert FILE --tls-key FILE, "+
			"listen on 127.0.0.1 behind a TLS proxy, or allow it with: illdesk config set allow-plain-http on", listen)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on %s: %w", listen, err)
	}
	return isohttp.NewServer(isohttp.Handler{Desk: s.desk, Log: log, Received: received}, set, conf), ln, nil
}
