package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

var _ domain.RequestLoader = (*DB)(nil)

// LoadRequests stores new requests with COPY, the rows PutRequest would
// write, in one transaction: for seeding a department database with a
// million requests in a minute rather than an hour. The requests without
// a number get theirs from their series, in order, each series advanced
// once for the batch. As for Update, a connection lost while COMMIT was
// under way is domain.ErrOutcomeUnknown, not nothing changed.
func (p *DB) LoadRequests(rs []domain.Request) error {
	stmt := p.statements(context.Background())
	defer stmt.end()
	for _, r := range rs {
		if err := storage.CheckRequest(r); err != nil {
			return err
		}
	}
	tx, err := p.pool.Begin(stmt.next())
	if err != nil {
		return p.fail(err)
	}
	defer func() { _ = tx.Rollback(stmt.next()) }() // after Commit it does nothing
	if _, err := tx.Exec(stmt.next(), fmt.Sprintf(`SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock_shared(%d)`, changeLock)); err != nil {
		return p.busy(err)
	}
	if err := numberBatch(stmt, tx, rs); err != nil {
		return p.busy(err)
	}
	// one statement for the whole batch, given time for each row
	_, err = tx.CopyFrom(stmt.within(stmt.limit+time.Duration(len(rs))*perRow), pgx.Identifier{"requests"},
		append([]string{"id", "data", "summary", "external_id", "partner", "barcode", "number"}, listColumnNames...),
		pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
			r := rs[i]
			v, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("storage: encode request %s: %w", r.ID, err)
			}
			s := r.Summary()
			var barcode *string
			if bc := s.ActiveBarcode(); bc != "" {
				barcode = &bc
			}
			return append([]any{r.ID, v, storage.EncodeSummary(s), r.ExternalID, r.Partner, barcode, r.RequestNumber}, listColumns(s)...), nil
		}))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		kind := domain.ErrInvalidInput
		switch pe.ConstraintName {
		case "requests_barcode":
			kind = domain.ErrBarcodeInUse
		case "requests_external":
			kind = domain.ErrDuplicateExternalID
		}
		return &domain.Refusal{Kind: kind, Msg: fmt.Sprintf(
			"A request to load is stored already (%s); nothing was loaded.", pe.Detail)}
	}
	if err != nil {
		return p.busy(err)
	}
	if _, err := tx.Exec(stmt.next(), `SELECT pg_notify($1, '*')`, ChangesChannel); err != nil {
		return p.fail(err)
	}
	return p.commit(stmt.next(), tx, nil)
}

// numberBatch numbers the requests without a number as domain.AssignNumber
// would one after the other, advancing each series once.
func numberBatch(stmt *deadlines, tx pgx.Tx, rs []domain.Request) error {
	count := map[string]int64{}
	var order []string
	for _, r := range rs {
		if r.RequestNumber != "" {
			continue
		}
		series := domain.NumberSeries(r.Side, r.Created.Year())
		if count[series] == 0 {
			order = append(order, series)
		}
		count[series]++
	}
	next := map[string]uint64{}
	for _, series := range order {
		var last int64
		if err := tx.QueryRow(stmt.next(), `INSERT INTO request_number_series (series, last) VALUES ($1, $2)
			ON CONFLICT (series) DO UPDATE SET last = request_number_series.last + EXCLUDED.last RETURNING last`,
			series, count[series]).Scan(&last); err != nil {
			return err
		}
		next[series] = uint64(last - count[series] + 1)
	}
	for i := range rs {
		if rs[i].RequestNumber != "" {
			continue
		}
		series := domain.NumberSeries(rs[i].Side, rs[i].Created.Year())
		rs[i].RequestNumber = domain.RequestNumber(series, next[series])
		next[series]++
	}
	return nil
}
