//go:build !windows

package main

import (
	"github.com/illdesk/illdesk/cups"
	"github.com/illdesk/illdesk/domain"
)

// systemPrinter is how Linux and macOS print: CUPS.
func systemPrinter() domain.Printer { return cups.Printer{} }
