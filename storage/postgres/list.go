package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// The department database answers the request list itself
// (domain.ListServer), so that a window need not hold a million
// summaries: each request row carries its list columns (listColumns), the
// urgency order and its common filters have indexes, a search has a
// trigram index, and facet counts come from request_counts, which
// triggers keep.

var (
	_ domain.ListServer  = (*DB)(nil)
	_ domain.ListQuerier = lists{}
)

// lists is the department database answering the list.
type lists struct{ *DB }

// Lists is the department database's own answer to the request list.
func (p *DB) Lists() domain.ListQuerier { return lists{p} }

// listColumnNames are the requests' list columns, in the order listColumns
// gives their values.
var listColumnNames = []string{"side", "state", "format", "active", "urgent_undated", "urgent_at", "sort_keys", "search"}

// listColumns are the values of a request's list columns: its side, state
// and format, whether it is active, where it sorts by urgency, its sort
// keys (index i for domain.SortFields[i]) and its search text. PostgreSQL's
// text holds no NUL: a NUL in a sort key becomes \x01, in the search text
// a line break, which separates fields there as NUL does in the listing's
// own search text.
func listColumns(s domain.Summary) []any {
	at, undated := s.UrgencyKey()
	keys := s.SortKeys()
	for i, k := range keys {
		keys[i] = strings.ReplaceAll(k, "\x00", "\x01")
	}
	return []any{string(s.Side), string(s.State), string(s.Format), s.Active(), undated, at, keys,
		strings.ReplaceAll(s.SearchText(), "\x00", "\n")}
}

// listColumnsSQL is migration 3's first part: the list columns, filled
// for the requests already there by fillListColumns before listIndexesSQL
// indexes them (filling indexed columns would write every index a million
// times over).
const listColumnsSQL = `
ALTER TABLE requests ADD COLUMN side text COLLATE "C", ADD COLUMN state text COLLATE "C",
	ADD COLUMN format text COLLATE "C", ADD COLUMN active boolean, ADD COLUMN urgent_undated boolean,
	ADD COLUMN urgent_at bigint, ADD COLUMN sort_keys text[] COLLATE "C", ADD COLUMN search text COLLATE "C";
`

// listIndexesSQL is migration 3's second part, once the list columns are
// filled: the indexes of the list's common queries (a side's active
// requests, a side's requests in a state, a side's requests, the active
// requests of both sides that needs attention reads, each most urgent
// first) and the facet counts. request_counts holds counts to add
// up per side, state, partner and format: the triggers append one row per
// group a statement changed, with the change in number, so that writers
// only ever insert there (SERIALIZABLE writers then never meet over it),
// and ListGroups folds the rows together now and then.
const listIndexesSQL = `
ALTER TABLE requests ALTER COLUMN side SET NOT NULL, ALTER COLUMN state SET NOT NULL,
	ALTER COLUMN format SET NOT NULL, ALTER COLUMN active SET NOT NULL, ALTER COLUMN urgent_undated SET NOT NULL,
	ALTER COLUMN urgent_at SET NOT NULL, ALTER COLUMN sort_keys SET NOT NULL, ALTER COLUMN search SET NOT NULL;
CREATE INDEX requests_list_active ON requests (side, urgent_undated, urgent_at, id) WHERE active;
CREATE INDEX requests_list_open ON requests (urgent_undated, urgent_at, id) WHERE active;
CREATE INDEX requests_list_state ON requests (side, state, urgent_undated, urgent_at, id);
CREATE INDEX requests_list_side ON requests (side, urgent_undated, urgent_at, id);
CREATE TABLE request_counts (
	side    text COLLATE "C" NOT NULL,
	state   text COLLATE "C" NOT NULL,
	partner text COLLATE "C" NOT NULL,
	format  text COLLATE "C" NOT NULL,
	n       bigint NOT NULL
);
INSERT INTO request_counts SELECT side, state, partner, format, count(*) FROM requests GROUP BY 1, 2, 3, 4;
CREATE FUNCTION request_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_counts SELECT side, state, partner, format, count(*) FROM new_rows GROUP BY 1, 2, 3, 4;
	RETURN NULL;
END $$;
CREATE FUNCTION request_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_counts SELECT side, state, partner, format, sum(n) FROM (
		SELECT side, state, partner, format, 1 AS n FROM new_rows
		UNION ALL SELECT side, state, partner, format, -1 FROM old_rows) d
	GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;
	RETURN NULL;
END $$;
CREATE FUNCTION request_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_counts SELECT side, state, partner, format, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4;
	RETURN NULL;
END $$;
CREATE TRIGGER requests_counted_insert AFTER INSERT ON requests REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION request_counts_inserted();
CREATE TRIGGER requests_counted_update AFTER UPDATE ON requests REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION request_counts_updated();
CREATE TRIGGER requests_counted_delete AFTER DELETE ON requests REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION request_counts_deleted();
`

// searchIndexSQL adds the trigram indexes a search uses. Without pg_trgm
// (not installed on the server, or not ours to create) the database works
// the same, but a search reads every request: hundreds of milliseconds at
// a million.
const searchIndexSQL = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX requests_search ON requests USING gin (search gin_trgm_ops);
` + activeSearchIndexSQL

// activeSearchIndexSQL is the trigram index of the active requests alone:
// a search's active matches are counted from it (ListActiveGroups) without
// reading the posting lists of every request ever made, 12-17 ms rather
// than 58 ms for a word found in 71,000 of a million requests.
const activeSearchIndexSQL = `
CREATE INDEX requests_search_active ON requests USING gin (search gin_trgm_ops) WHERE active;
`

// migrateActiveSearch is migration 4 for a database the list's columns
// were added to before: it adds activeSearchIndexSQL where the search has
// its trigram index.
func migrateActiveSearch(stmt *deadlines, tx pgx.Tx) error {
	var indexed bool
	if err := tx.QueryRow(stmt.next(), `SELECT EXISTS (SELECT FROM pg_indexes WHERE indexname = 'requests_search' AND schemaname = current_schema())`).Scan(&indexed); err != nil {
		return err
	}
	if !indexed {
		return nil
	}
	var active int
	if err := tx.QueryRow(stmt.next(), `SELECT count(*) FROM requests WHERE active`).Scan(&active); err != nil {
		return err
	}
	_, err := tx.Exec(stmt.within(stmt.limit+time.Duration(active)*perRow), activeSearchIndexSQL)
	return err
}

// migrateList finishes migration 3: it fills the list columns of the
// requests already there, then indexes them and counts them.
func migrateList(stmt *deadlines, tx pgx.Tx) error {
	filled, err := fillListColumns(stmt, tx)
	if err != nil {
		return err
	}
	// indexing takes time for each row
	long := stmt.limit + time.Duration(filled)*perRow
	if _, err := tx.Exec(stmt.within(long), listIndexesSQL); err != nil {
		return err
	}
	// the planner's figures of the new columns, so that the list's first
	// queries use their indexes before autovacuum comes by
	if _, err := tx.Exec(stmt.within(long), `ANALYZE requests`); err != nil {
		return err
	}
	var available bool
	if err := tx.QueryRow(stmt.next(), `SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_trgm')`).Scan(&available); err != nil {
		return err
	}
	if !available {
		return nil
	}
	// creating the extension may still be refused (privileges): a
	// savepoint keeps the migration going without the index then
	sp, err := tx.Begin(stmt.next())
	if err != nil {
		return err
	}
	if _, err := sp.Exec(stmt.within(long), searchIndexSQL); err != nil {
		return sp.Rollback(stmt.next())
	}
	return sp.Commit(stmt.next())
}

// fillListColumns computes every request's list columns from its summary,
// a page of requests at a time, into a temporary table, then writes them
// in one UPDATE, which PostgreSQL does far faster than a million.
func fillListColumns(stmt *deadlines, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(stmt.next(), `CREATE TEMPORARY TABLE list_fill (id text COLLATE "C", side text, state text,
		format text, active boolean, urgent_undated boolean, urgent_at bigint, sort_keys text[], search text) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	last, filled := "", 0
	for {
		rows, err := tx.Query(stmt.next(), `SELECT id, summary FROM requests WHERE id > $1 ORDER BY id LIMIT $2`, last, pageSize)
		if err != nil {
			return 0, err
		}
		var page [][]any
		for rows.Next() {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return 0, err
			}
			s, err := storage.DecodeSummary(v)
			if err != nil {
				rows.Close()
				return 0, storage.DamagedValue("request summary", id, err)
			}
			page = append(page, append([]any{id}, listColumns(s)...))
			last = id
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(page) > 0 {
			if _, err := tx.CopyFrom(stmt.next(), pgx.Identifier{"list_fill"}, append([]string{"id"}, listColumnNames...),
				pgx.CopyFromRows(page)); err != nil {
				return 0, err
			}
		}
		filled += len(page)
		if len(page) < pageSize {
			break
		}
	}
	_, err := tx.Exec(stmt.within(stmt.limit+time.Duration(filled)*perRow), `UPDATE requests r SET side = f.side, state = f.state,
		format = f.format, active = f.active, urgent_undated = f.urgent_undated, urgent_at = f.urgent_at,
		sort_keys = f.sort_keys, search = f.search FROM list_fill f WHERE r.id = f.id`)
	return filled, err
}

// foldAt is how many rows of request_counts a count reads before it folds
// them together (a variable for tests).
var foldAt = 2000

// ListGroups counts the requests whose search text holds query (every
// request for ""), by side, state, partner and format. Every request's
// are added up from request_counts, which is then folded when it has
// grown; a search's are counted from the requests its trigram index finds.
func (p lists) ListGroups(query string) ([]domain.ListGroup, error) {
	return p.groups(query, false)
}

// ListActiveGroups counts the active requests whose search text holds
// query, by side, state, partner and format: the trigram index's matches
// and the index of the active requests are read together, so that a word
// found in a tenth of a million requests is counted among the few
// thousand active ones without reading the others.
func (p lists) ListActiveGroups(query string) ([]domain.ListGroup, error) {
	return p.groups(query, true)
}

// groups counts the requests whose search text holds query, or only the
// active ones.
func (p lists) groups(query string, activeOnly bool) ([]domain.ListGroup, error) {
	var out []domain.ListGroup
	counted := 0
	err := p.run(read, func(tx domain.Tx) error {
		t := tx.(*pgTx)
		var rows pgx.Rows
		var err error
		switch {
		case query == "":
			// every request's counts, the closed ones left out below
			rows, err = t.tx.Query(t.stmt.next(), `SELECT side, state, partner, format, sum(n)::bigint, count(*) FROM request_counts
				GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`)
		case activeOnly:
			rows, err = t.tx.Query(t.stmt.next(), `SELECT side, state, partner, format, count(*), 0 FROM requests
				WHERE active AND search LIKE $1 GROUP BY 1, 2, 3, 4`, "%"+escapeLike(query)+"%")
		default:
			rows, err = t.tx.Query(t.stmt.next(), `SELECT side, state, partner, format, count(*), 0 FROM requests
				WHERE search LIKE $1 GROUP BY 1, 2, 3, 4`, "%"+escapeLike(query)+"%")
		}
		if err != nil {
			return err
		}
		out = out[:0]
		for rows.Next() {
			var side, state, partner, format string
			var count, n int
			if err := rows.Scan(&side, &state, &partner, &format, &count, &n); err != nil {
				rows.Close()
				return err
			}
			counted += n
			if activeOnly && domain.State(state).Final(domain.Side(side)) {
				continue
			}
			out = append(out, domain.ListGroup{Side: domain.Side(side), State: domain.State(state),
				Partner: partner, Format: domain.Format(format), Count: count})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if counted > foldAt {
		// the counts read are right either way: a fold that fails is
		// done by a later count
		_ = p.foldCounts()
	}
	return out, nil
}

// foldCounts replaces request_counts' rows by their sums, in one
// statement under READ COMMITTED: folds running at once each delete (and
// add up) rows no other deleted, and rows written meanwhile stay.
func (p lists) foldCounts() error {
	stmt := p.statements(context.Background())
	defer stmt.end()
	tx, err := p.pool.BeginTx(stmt.next(), pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(stmt.next()) }() // after Commit it does nothing
	if _, err := tx.Exec(stmt.next(), `WITH d AS (DELETE FROM request_counts RETURNING *)
		INSERT INTO request_counts SELECT side, state, partner, format, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`); err != nil {
		return err
	}
	return tx.Commit(stmt.next())
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListRows returns up to limit summaries of the rows the filter shows in
// the order, after the row of after (when not nil), skipping skip of them:
// with a side's active requests most urgent first, an index scan from
// after's place that reads only the rows returned.
func (p lists) ListRows(f domain.Filter, o domain.ListOrder, after *domain.Summary, skip, limit int) ([]domain.Summary, error) {
	ord, err := orderOf(o)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []domain.Summary
	err = p.run(read, func(tx domain.Tx) error {
		t := tx.(*pgTx)
		q, err := t.listQuery(f)
		if err != nil {
			return err
		}
		if after != nil {
			q.where(ord.after(q, *after))
		}
		rows, err := t.tx.Query(t.stmt.next(), `SELECT id, summary FROM requests WHERE `+q.conds()+
			` ORDER BY `+ord.by+fmt.Sprintf(` OFFSET %d LIMIT %d`, max(skip, 0), limit), q.args...)
		if err != nil {
			return err
		}
		out = out[:0]
		for rows.Next() {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			s, err := storage.DecodeSummary(v)
			if err != nil {
				rows.Close()
				return storage.DamagedValue("request summary", id, err)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListPosition is how many rows the filter shows before the row of s in
// the order.
func (p lists) ListPosition(f domain.Filter, o domain.ListOrder, s domain.Summary) (int, error) {
	ord, err := orderOf(o)
	if err != nil {
		return 0, err
	}
	n := 0
	err = p.run(read, func(tx domain.Tx) error {
		t := tx.(*pgTx)
		q, err := t.listQuery(f)
		if err != nil {
			return err
		}
		q.where(ord.before(q, s))
		return t.tx.QueryRow(t.stmt.next(), `SELECT count(*) FROM requests WHERE `+q.conds(), q.args...).Scan(&n)
	})
	return n, err
}

// listQuery is a query's conditions and their arguments.
type listQuery struct {
	cond []string
	args []any
}

// arg adds an argument and returns its placeholder.
func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

func (q *listQuery) where(c string) { q.cond = append(q.cond, c) }

func (q *listQuery) conds() string {
	if len(q.cond) == 0 {
		return "true"
	}
	return strings.Join(q.cond, " AND ")
}

// listQuery is the conditions of the rows the filter shows, as
// domain.Filter.Match has them. A partner matches ignoring case as Go's
// strings.EqualFold does: the partner codes stored that equal the filter's
// so are looked up first, among the few request_counts names.
func (t *pgTx) listQuery(f domain.Filter) (*listQuery, error) {
	q := &listQuery{}
	if f.Side != "" {
		q.where("side = " + q.arg(string(f.Side)))
	}
	switch {
	case f.State != "":
		q.where("state = " + q.arg(string(f.State)))
	case !f.All:
		q.where("active")
	}
	if f.Partner != "" {
		partners, err := t.partnersLike(f.Partner)
		if err != nil {
			return nil, err
		}
		q.where("partner = ANY(" + q.arg(partners) + ")")
	}
	if f.Format != nil {
		q.where("format = " + q.arg(string(*f.Format)))
	}
	if s := f.SearchQuery(); s != "" {
		q.where("search LIKE " + q.arg("%"+escapeLike(s)+"%"))
	}
	return q, nil
}

// partnersLike is the partner codes of requests stored that equal code
// ignoring case.
func (t *pgTx) partnersLike(code string) ([]string, error) {
	rows, err := t.tx.Query(t.stmt.next(), `SELECT DISTINCT partner FROM request_counts`)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, err
		}
		if strings.EqualFold(p, code) {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// urgencyColumns are the columns of the list's own order, as
// domain.CompareRows has it.
const urgencyColumns = "(urgent_undated, urgent_at, id)"

// listOrder is a domain.ListOrder in SQL: its ORDER BY, and the conditions
// of the rows after and before a row.
type listOrder struct {
	by string
	// key is the field's sort key expression, "" for urgency; field is
	// the field's place in domain.SortFields
	key   string
	field int
	desc  bool
}

// orderOf is the order o in SQL, refusing a field the list does not sort by.
func orderOf(o domain.ListOrder) (listOrder, error) {
	if o.By == domain.SortUrgency {
		if o.Desc {
			return listOrder{by: "urgent_undated DESC, urgent_at DESC, id DESC", desc: true}, nil
		}
		return listOrder{by: "urgent_undated, urgent_at, id"}, nil
	}
	i := slices.Index(domain.SortFields, o.By)
	if i < 0 {
		return listOrder{}, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf("The list cannot be sorted by %q.", o.By)}
	}
	key := fmt.Sprintf(`(sort_keys[%d] COLLATE "C")`, i+1)
	dir := ""
	if o.Desc {
		dir = " DESC"
	}
	return listOrder{by: key + dir + ", urgent_undated, urgent_at, id", key: key, field: i, desc: o.Desc}, nil
}

// after is the condition of the rows after s in the order.
func (o listOrder) after(q *listQuery, s domain.Summary) string { return o.beyond(q, s, true) }

// before is the condition of the rows before s in the order.
func (o listOrder) before(q *listQuery, s domain.Summary) string { return o.beyond(q, s, false) }

// beyond is the condition of the rows after s in the order (before it
// when not later), on the same key values s's row has.
func (o listOrder) beyond(q *listQuery, s domain.Summary, later bool) string {
	cols := listColumns(s)
	urgency := "(" + q.arg(cols[4]) + "::boolean, " + q.arg(cols[5]) + "::bigint, " + q.arg(s.ID) + "::text)"
	if o.key == "" {
		if later != o.desc {
			return urgencyColumns + " > " + urgency
		}
		return urgencyColumns + " < " + urgency
	}
	key := q.arg(cols[6].([]string)[o.field])
	beyondKey, within := ">", ">"
	if later == o.desc {
		beyondKey = "<"
	}
	if !later {
		within = "<"
	}
	return fmt.Sprintf("(%s %s %s OR (%s = %s AND %s %s %s))", o.key, beyondKey, key, o.key, key, urgencyColumns, within, urgency)
}
