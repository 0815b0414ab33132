//go:build !unix

package pgtest

import "syscall"

// runAs is who runs the server's commands; outside unix, always the
// current user.
type runAs struct {
	attr *syscall.SysProcAttr
	name string
}

func unprivileged() (runAs, error) { return runAs{}, nil }

func (runAs) own(string) error { return nil }

func (runAs) as() string { return "" }

// startReaper does nothing outside unix: Stop, called by Main, is all there is.
func (s *Server) startReaper() error { return nil }

func (s *Server) stopReaper() {}
