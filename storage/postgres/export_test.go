package postgres

import "time"

// SetStatementTimeout shortens the deadline of p's statements, for tests of
// a server that stops answering.
func SetStatementTimeout(p *DB, d time.Duration) { p.stmtTimeout = d }
