package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// SetStatementTimeout shortens the deadline of p's statements, for tests of
// a server that stops answering.
func SetStatementTimeout(p *DB, d time.Duration) { p.stmtTimeout = d }

// FoldCounts folds the facet counts' rows together, as a count does once
// they are many.
func FoldCounts(p *DB) error { return lists{p}.foldCounts() }

// SetUpSchema sets an empty database up as ILL Desk left it at the schema
// version, for tests of its migration.
func SetUpSchema(ctx context.Context, rawURL string, version int) error {
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE illdesk_schema (version int NOT NULL); INSERT INTO illdesk_schema VALUES (0)`); err != nil {
		return err
	}
	for v := 1; v <= version; v++ {
		if pgMigrations[v] == "" {
			continue
		}
		if _, err := conn.Exec(ctx, pgMigrations[v]); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, `UPDATE illdesk_schema SET version = $1`, version)
	return err
}

// SetFoldAt sets how many rows of the facet counts a count reads before it
// folds them together.
func SetFoldAt(n int) { foldAt = n }
