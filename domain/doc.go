// Package domain is the centre of ILL Desk: requests, their states and
// transitions, reasons, the business calendar, scan routing, the ports the
// adapters implement and the use cases both front ends call. It does no file,
// network or database I/O of its own; docs/ARCHITECTURE.md draws the map.
package domain
