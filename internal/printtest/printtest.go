// Package printtest stands in for the system's printing in tests: it knows
// printers by name, has a default or none, and keeps every job it is given.
package printtest

import (
	"context"
	"sync"
)

// Printer is a domain.Printer that prints nothing and remembers each job.
type Printer struct {
	mu sync.Mutex
	// Default is the system's default printer, "" for none.
	Default string
	// Names are the printers the system lists.
	Names []string
	jobs  [][2]string
}

// Print records a job of the file at path on printer.
func (p *Printer) Print(_ context.Context, printer, path string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs = append(p.jobs, [2]string{printer, path})
	return nil
}

// DefaultPrinter is Default.
func (p *Printer) DefaultPrinter(context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Default, nil
}

// Printers are Names.
func (p *Printer) Printers(context.Context) ([]string, error) { return p.Names, nil }

// Jobs are the jobs given so far, each its printer and its file.
func (p *Printer) Jobs() [][2]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][2]string(nil), p.jobs...)
}

// SetDefault makes name the system's default printer.
func (p *Printer) SetDefault(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Default = name
}
