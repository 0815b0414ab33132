package main

import (
	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/powershell"
)

// systemPrinter is how Windows prints: the program that opens PDFs, through
// PowerShell.
func systemPrinter() domain.Printer { return powershell.Printer{} }
