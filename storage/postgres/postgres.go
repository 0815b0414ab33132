// Package postgres keeps ILL Desk's requests, partners and settings in a
// PostgreSQL database shared by a department's workstations, through pgx.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// DB is a department database on PostgreSQL, shared by several
// workstations; it implements domain.Store with the same behaviour as the
// bbolt store (storage/bolt).
// Updates are SERIALIZABLE transactions, run again when they meet another
// workstation's change: workstations acting on different requests do not
// wait for each other, and two acting on one request take turns, the
// second seeing the first's change and refused by the desk's rules. Reads
// inside an Update lock the requests they read, so that the second waits
// for the first rather than working on what is about to change. Unique
// indexes keep barcodes and external identifiers unique across the
// department. Every change is announced on the channel ChangesChannel when
// it commits.
type DB struct {
	pool *pgxpool.Pool
	url  string // for messages, without the password
	// stmtTimeout bounds each statement (stmtTimeout by default; tests
	// shorten it).
	stmtTimeout time.Duration
}

var _ domain.Store = (*DB)(nil)

// ChangesChannel is the LISTEN/NOTIFY channel on which every committed
// change is announced, with the ids of the requests it touched, or "*" for
// a change to more than maxTouched of them or to anything else.
const ChangesChannel = "illdesk_changes"

// pgTimeout bounds connecting (a migration's statements have deadlines
// of their own, as a transaction's do), so that a
// department database out of reach gives a message rather than a frozen
// desk. Every statement of a transaction, its COMMIT included, has a
// deadline of its own (stmtTimeout), so that a server that stops answering
// without closing its connections (hung, or its network path dropping
// packets) gives a message too; a lock waited for is bounded earlier by
// lock_timeout, and reported as the database being busy.
const pgTimeout = 10 * time.Second

// stmtTimeout is how long one statement may take before the change is
// given up. It is longer than lock_timeout (30 s), so that a statement
// waiting for a lock reports that, and far longer than any statement
// takes on a server that answers; statements covering many rows at once
// get perRow more for each.
const stmtTimeout = 45 * time.Second

// perRow is the extra time a statement gets for each row it writes at once
// (a COPY of a batch, rewriting every request): a generous rate, as
// PostgreSQL writes tens of thousands of rows a second.
const perRow = time.Millisecond

// IsURL reports whether a --db value names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// pgMigrations are the schema versions, applied in order on open. Text
// keys use the "C" collation so that ids sort bytewise, as in bbolt.
var pgMigrations = []string{
	1: `
CREATE TABLE partners (code text COLLATE "C" PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE requests (
	id          text COLLATE "C" PRIMARY KEY,
	data        bytea NOT NULL,
	summary     bytea NOT NULL,
	external_id text COLLATE "C" NOT NULL,
	partner     text COLLATE "C" NOT NULL,
	barcode     text COLLATE "C"
);
CREATE UNIQUE INDEX requests_external ON requests (external_id, partner) WHERE external_id <> '';
CREATE UNIQUE INDEX requests_barcode ON requests (barcode) WHERE barcode IS NOT NULL;
CREATE TABLE settings (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
CREATE TABLE notices (id text COLLATE "C" PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE records (kind text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, value bytea NOT NULL, PRIMARY KEY (kind, id));
`,
	// 2: requests' numbers. A series' counter is a row rather than a
	// PostgreSQL SEQUENCE: a sequence's nextval is not undone with its
	// transaction, and series (side and year) appear as years go by.
	// numberExisting then numbers the requests already there.
	2: `
ALTER TABLE requests ADD COLUMN number text COLLATE "C";
CREATE UNIQUE INDEX requests_number ON requests (number) WHERE number IS NOT NULL;
CREATE TABLE request_number_series (series text COLLATE "C" PRIMARY KEY, last bigint NOT NULL);
`,
	// 3: the list's columns, filled, indexed and counted by migrateList
	// (list.go), so that the database answers the request list itself.
	3: listColumnsSQL,
	// 4: the trigram index of the active requests, added by
	// migrateActiveSearch (list.go) where searches have theirs.
	4: "",
}

// Open connects to the PostgreSQL database at rawURL
// (postgres://USER@HOST/DB) and applies the schema migrations this build
// knows, under an advisory lock so that workstations starting together
// migrate once. It refuses a database migrated by a newer ILL Desk.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	shown := redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: fmt.Sprintf(
			"%s is not a PostgreSQL address: write it as postgres://USER@HOST/DATABASE.", shown)}
	}
	cfg.ConnConfig.ConnectTimeout = pgTimeout
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, &domain.Refusal{Kind: domain.ErrDatabaseUnreachable, Msg: fmt.Sprintf(
			"The department database %s cannot be reached (%v); nothing was changed. Check the network and the address, or ask your IT team whether the server is up.", shown, pgReason(err))}
	}
	p := &DB{pool: pool, url: shown, stmtTimeout: stmtTimeout}
	// a migration's statements have deadlines of their own: filling a
	// million requests' new columns takes a minute or two
	if err := p.migrate(parent); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

// pgReason is the part of a connection error staff can act on.
func pgReason(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.Unwrap(ce).Error()
	}
	return err.Error()
}

// migrateWait is how long a workstation waits for another one's migration
// of the database, which may take minutes at a million requests.
const migrateWait = 5 * time.Minute

// migrate applies the migrations the database lacks, in one transaction.
func (p *DB) migrate(ctx context.Context) error {
	stmt := p.statements(ctx)
	defer stmt.end()
	tx, err := p.pool.Begin(stmt.next())
	if err != nil {
		return p.fail(err)
	}
	defer func() { _ = tx.Rollback(stmt.next()) }() // after Commit it does nothing
	if _, err := tx.Exec(stmt.within(migrateWait), `SELECT pg_advisory_xact_lock(18626)`); err != nil {
		return p.fail(err)
	}
	if _, err := tx.Exec(stmt.next(), `CREATE TABLE IF NOT EXISTS illdesk_schema (version int NOT NULL)`); err != nil {
		return p.fail(err)
	}
	var version int
	err = tx.QueryRow(stmt.next(), `SELECT version FROM illdesk_schema`).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(stmt.next(), `INSERT INTO illdesk_schema VALUES (0)`); err != nil {
			return p.fail(err)
		}
	case err != nil:
		return p.fail(err)
	}
	latest := len(pgMigrations) - 1
	if version > latest {
		return &domain.Refusal{Kind: domain.ErrSchemaTooNew, Msg: fmt.Sprintf(
			"The department database %s was set up by a newer ILL Desk (schema %d; this version reads up to %d); upgrade ILL Desk on this workstation.", p.url, version, latest)}
	}
	for v := version + 1; v <= latest; v++ {
		if pgMigrations[v] == "" {
			continue // made by a function below
		}
		if _, err := tx.Exec(stmt.next(), pgMigrations[v]); err != nil {
			return fmt.Errorf("cannot upgrade the department database to schema %d: %w", v, p.fail(err))
		}
	}
	if version < 2 {
		if err := numberExisting(&pgTx{stmt: stmt, tx: tx, writable: true}); err != nil {
			return fmt.Errorf("cannot upgrade the department database to schema 2: %w", p.fail(err))
		}
	}
	if version < 3 {
		if err := migrateList(stmt, tx); err != nil {
			return fmt.Errorf("cannot upgrade the department database to schema 3: %w", p.fail(err))
		}
	}
	if version == 3 { // migration 3 now makes both search indexes; before, it made one
		if err := migrateActiveSearch(stmt, tx); err != nil {
			return fmt.Errorf("cannot upgrade the department database to schema 4: %w", p.fail(err))
		}
	}
	if _, err := tx.Exec(stmt.next(), `UPDATE illdesk_schema SET version = $1`, latest); err != nil {
		return p.fail(err)
	}
	return p.fail(tx.Commit(stmt.next()))
}

// numberExisting gives the requests made before numbers existed theirs,
// in creation order.
func numberExisting(t *pgTx) error {
	t.Raw = t
	return t.ForEachRequest(func(r domain.Request) error {
		if r.RequestNumber != "" {
			return nil
		}
		if err := domain.AssignNumber(t, &r); err != nil {
			return err
		}
		return t.PutRequest(r)
	})
}

// busy explains a write that waited too long for another workstation's.
func (p *DB) busy(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		return &domain.Refusal{Kind: domain.ErrDatabaseUnreachable, Msg: fmt.Sprintf(
			"The department database %s is busy with a long change from another workstation (an import or a move); nothing was changed. Try again in a minute.", p.url)}
	}
	return p.fail(err)
}

// conflicted reports whether a transaction failed only because another
// one changed what it read (serialization failure or deadlock), so that
// running it again will do.
func conflicted(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// A change that meets others' changes to what it read runs again:
// optimisticAttempts times alongside the others (after a random pause),
// then once alone, holding changeLock exclusively, so that it cannot meet
// any and a request many workstations are busy on still gets every change.
const optimisticAttempts = 3

// changeLock is the advisory lock every change holds shared during its
// transaction, and a change running alone holds exclusively from before its
// transaction starts (so that it sees what came before it) until it ends.
// Earlier versions held it exclusively for every change, so a workstation
// not yet upgraded still makes its changes alone.
const changeLock = 18626_0001

// backoff is the pause before attempt n+1: random, growing with n, so that
// workstations that met each other do not meet again at once.
func backoff(n int) time.Duration {
	ceiling := 4 * time.Millisecond << n
	return ceiling/2 + rand.N(ceiling/2)
}

// View runs fn in a read-only transaction.
func (p *DB) View(fn func(domain.Tx) error) error { return p.run(read, fn) }

// Update runs fn in a read-write transaction: when fn returns nil every
// write is committed atomically and announced; when it returns an error
// nothing is. The transaction is SERIALIZABLE, so workstations changing
// different requests do not wait for each other, yet every change sees the
// department as if changes ran one at a time. A change that met another's
// (it read what the other changed) is rolled back and fn runs again on the
// new state: fn must keep its effects inside the transaction and set its
// results afresh on each run.
func (p *DB) Update(fn func(domain.Tx) error) error {
	for n := 1; n <= optimisticAttempts; n++ {
		err := p.run(writeShared, fn)
		if !conflicted(err) {
			return err
		}
		if n < optimisticAttempts {
			time.Sleep(backoff(n))
		}
	}
	err := p.run(writeAlone, fn)
	if conflicted(err) { // only a writer without changeLock (a schema migration) can still meet it
		return &domain.Refusal{Kind: domain.ErrDatabaseUnreachable, Msg: fmt.Sprintf(
			"The department database %s is busy with other workstations' changes to the same requests; nothing was changed. Try again.", p.url)}
	}
	return err
}

// txMode is how run runs a transaction.
type txMode int

const (
	read        txMode = iota // read only
	writeShared               // read-write, alongside other changes
	writeAlone                // read-write, once every other change has ended and while none starts
)

func (p *DB) run(mode txMode, fn func(domain.Tx) error) error {
	stmt := p.statements(context.Background())
	defer stmt.end()
	opts := pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadOnly}
	if mode != read {
		opts = pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite}
	}
	// beginning, with every connection it tries, is one statement
	ctx := stmt.next()
	var prepare func(*pgxpool.Conn) error
	if mode == writeAlone {
		prepare = func(conn *pgxpool.Conn) error {
			// the session keeps this lock_timeout, which is harmless:
			// every change sets its own
			if _, err := conn.Exec(ctx, `SET lock_timeout = '30s'`); err != nil {
				return err
			}
			_, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, changeLock)
			return err
		}
	}
	conn, btx, err := p.begin(ctx, opts, prepare)
	if err != nil {
		return p.busy(err)
	}
	defer conn.Release()
	if mode == writeAlone {
		defer func() {
			if _, err := conn.Exec(stmt.next(), `SELECT pg_advisory_unlock($1)`, changeLock); err != nil {
				_ = conn.Conn().Close(stmt.next()) // the server lets the lock go with the connection
			}
		}()
	}
	defer func() { _ = btx.Rollback(stmt.next()) }() // after Commit it does nothing
	switch mode {
	case writeShared:
		// a row or lock another change holds is waited for, not forever
		if _, err := btx.Exec(stmt.next(), fmt.Sprintf(`SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock_shared(%d)`, changeLock)); err != nil {
			return p.busy(err)
		}
	case writeAlone:
		if _, err := btx.Exec(stmt.next(), `SET LOCAL lock_timeout = '30s'`); err != nil {
			return p.fail(err)
		}
	}
	t := &pgTx{stmt: stmt, tx: btx, writable: mode != read}
	t.Raw = t
	if err := fn(t); err != nil {
		if conflicted(err) {
			return err
		}
		return p.busy(err)
	}
	if mode == read {
		return p.fail(btx.Commit(stmt.next()))
	}
	if len(t.touched) > 0 {
		if _, err := btx.Exec(stmt.next(), `SELECT pg_notify($1, $2)`, ChangesChannel, strings.Join(t.touched, " ")); err != nil {
			return p.fail(err)
		}
	}
	return p.commit(stmt.next(), btx, t.touched)
}

// statements is the deadlines of a transaction's statements, within ctx.
func (p *DB) statements(ctx context.Context) *deadlines {
	return &deadlines{ctx: ctx, limit: p.stmtTimeout}
}

// deadlines gives each statement of a transaction a deadline of its own, so
// that a server that stops answering cannot hold a change forever, and a
// long change of many statements does not run out of time. A
// transaction's statements run one after another on its connection, each
// read to its end before the next (pgx allows no other), so a statement's
// deadline is let go when the next one's is made. When a deadline passes,
// pgx closes the connection, which the pool then drops.
type deadlines struct {
	ctx    context.Context
	limit  time.Duration
	cancel context.CancelFunc
}

// next is the context of the next statement.
func (d *deadlines) next() context.Context { return d.within(d.limit) }

// within is the context of the next statement, which may take limit.
func (d *deadlines) within(limit time.Duration) context.Context {
	d.end()
	ctx, cancel := context.WithTimeout(d.ctx, limit)
	d.cancel = cancel
	return ctx
}

// end lets the last statement's deadline go.
func (d *deadlines) end() {
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
}

// Close closes the connections.
func (p *DB) Close() error {
	p.pool.Close()
	return nil
}

// Watch calls changed after every change another workstation (or this
// one) commits, until ctx ends, on a connection of its own that LISTENs on
// ChangesChannel; it reconnects after a lost connection. ids are the
// requests the change touched; after a lost connection, once it listens
// again, everything ("*"), as announcements may have been missed.
func (p *DB) Watch(ctx context.Context, changed func(ids []string)) {
	for again := false; ctx.Err() == nil; again = true {
		err := listen(ctx, p.pool, p.stmtTimeout, changed, again)
		if ctx.Err() != nil {
			return
		}
		_ = err // the connection was lost: wait, then listen again
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// listen LISTENs on a connection of the pool until it is lost, calling
// changed for every announcement; again says it listens after a lost
// connection. A lost connection is let go of within timeout.
func listen(ctx context.Context, pool *pgxpool.Pool, timeout time.Duration, changed func(ids []string), again bool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+ChangesChannel); err != nil {
		return err
	}
	if again {
		changed([]string{"*"})
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			// bounded, as the server may have stopped answering; when it
			// fails, pgx closes the connection, listening no more
			unlisten, cancel := context.WithTimeout(context.Background(), timeout)
			_, _ = conn.Exec(unlisten, "UNLISTEN *")
			cancel()
			return err
		}
		changed(strings.Fields(n.Payload))
	}
}

// pgTx is one PostgreSQL transaction seen through domain.Tx.
type pgTx struct {
	stmt     *deadlines
	tx       pgx.Tx
	writable bool
	touched  []string // ids of the requests changed, or just "*" for more or other changes, for the announcement
	// TypedRecords keeps the outgoing messages, deliveries and the like in
	// the records table, through the raw record methods below.
	storage.TypedRecords
}

var (
	_ domain.Tx       = (*pgTx)(nil)
	_ storage.Records = (*pgTx)(nil)
)

// lock is the clause that makes reads inside Update lock their rows.
func (t *pgTx) lock() string {
	if t.writable {
		return " FOR UPDATE"
	}
	return ""
}

// maxTouched is how many request ids an announcement names; a change
// touching more is announced as "*", everything.
const maxTouched = 100

func (t *pgTx) touch(id string) {
	switch {
	case len(t.touched) == 1 && t.touched[0] == "*":
	case id == "*" || len(t.touched) == maxTouched:
		t.touched = []string{"*"}
	default:
		t.touched = append(t.touched, id)
	}
}

// Partner returns the partner with the code, or a refusal of kind ErrPartnerNotFound.
func (t *pgTx) Partner(code string) (domain.Partner, error) {
	var v []byte
	err := t.tx.QueryRow(t.stmt.next(), `SELECT data FROM partners WHERE code = $1`, code).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Partner{}, storage.PartnerNotFound(code)
	} else if err != nil {
		return domain.Partner{}, err
	}
	return storage.DecodePartner(code, v)
}

// Partners returns every partner ordered by code.
func (t *pgTx) Partners() ([]domain.Partner, error) {
	rows, err := t.tx.Query(t.stmt.next(), `SELECT code, data FROM partners ORDER BY code`)
	if err != nil {
		return nil, err
	}
	var out []domain.Partner
	for rows.Next() {
		var code string
		var v []byte
		if err := rows.Scan(&code, &v); err != nil {
			return nil, err
		}
		p, err := storage.DecodePartner(code, v)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PutPartner creates or replaces the partner stored under p.Code.
func (t *pgTx) PutPartner(p domain.Partner) error {
	if p.Code == "" {
		return storage.ErrPartnerCode
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("storage: encode partner %s: %w", p.Code, err)
	}
	t.touch("*")
	_, err = t.tx.Exec(t.stmt.next(), `INSERT INTO partners (code, data) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET data = EXCLUDED.data`, p.Code, v)
	return err
}

// requests runs a query whose rows are (id, data) and decodes them.
func (t *pgTx) requests(query string, args ...any) ([]domain.Request, error) {
	rows, err := t.tx.Query(t.stmt.next(), query+t.lock(), args...)
	if err != nil {
		return nil, err
	}
	var out []domain.Request
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		r, err := storage.DecodeRequest(id, v)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Request returns the request with the id, or a refusal of kind ErrNotFound.
func (t *pgTx) Request(id string) (domain.Request, error) {
	rs, err := t.requests(`SELECT id, data FROM requests WHERE id = $1`, id)
	if err != nil {
		return domain.Request{}, err
	}
	if len(rs) == 0 {
		return domain.Request{}, storage.RequestNotFound(id)
	}
	return rs[0], nil
}

// RequestsByIDs returns the requests with the ids, in that order, read by
// one statement.
func (t *pgTx) RequestsByIDs(ids []string) ([]domain.Request, error) {
	rs, err := t.requests(`SELECT id, data FROM requests WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.Request, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	out := make([]domain.Request, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, storage.RequestNotFound(id)
		}
		out = append(out, r)
	}
	return out, nil
}

// RequestsByIDPrefix returns the requests whose id starts with prefix, in id order.
func (t *pgTx) RequestsByIDPrefix(prefix string) ([]domain.Request, error) {
	return t.requests(`SELECT id, data FROM requests WHERE starts_with(id, $1) ORDER BY id`, prefix)
}

// RequestsByIDSuffix returns the requests whose id ends with suffix, in id order.
func (t *pgTx) RequestsByIDSuffix(suffix string) ([]domain.Request, error) {
	return t.requests(`SELECT id, data FROM requests WHERE right(id, char_length($1)) = $1 ORDER BY id`, suffix)
}

// RequestsByExternalID returns the requests of any partner with that
// external identifier, ordered by partner code.
func (t *pgTx) RequestsByExternalID(externalID string) ([]domain.Request, error) {
	if externalID == "" {
		return nil, nil
	}
	return t.requests(`SELECT id, data FROM requests WHERE external_id = $1 ORDER BY partner`, externalID)
}

// RequestByBarcode returns the request whose ActiveBarcode is code.
func (t *pgTx) RequestByBarcode(code string) (domain.Request, bool, error) {
	if code == "" {
		return domain.Request{}, false, nil
	}
	rs, err := t.requests(`SELECT id, data FROM requests WHERE barcode = $1`, code)
	if err != nil || len(rs) == 0 {
		return domain.Request{}, false, err
	}
	return rs[0], true, nil
}

// RequestByNumber returns the request with that number.
func (t *pgTx) RequestByNumber(number string) (domain.Request, bool, error) {
	if number == "" {
		return domain.Request{}, false, nil
	}
	rs, err := t.requests(`SELECT id, data FROM requests WHERE number = $1`, number)
	if err != nil || len(rs) == 0 {
		return domain.Request{}, false, err
	}
	return rs[0], true, nil
}

// NextRequestNumber advances the series' counter row, made at its first
// request; the row stays locked until the transaction ends.
func (t *pgTx) NextRequestNumber(series string) (uint64, error) {
	var n int64
	err := t.tx.QueryRow(t.stmt.next(), `INSERT INTO request_number_series (series, last) VALUES ($1, 1)
		ON CONFLICT (series) DO UPDATE SET last = request_number_series.last + 1 RETURNING last`, series).Scan(&n)
	return uint64(n), err
}

// PutRequest creates or replaces a request with its summary, index and
// list columns, refusing one that would share an external identifier (per
// partner), an active barcode or a number with another request.
func (t *pgTx) PutRequest(r domain.Request) error {
	if err := storage.CheckRequest(r); err != nil {
		return err
	}
	s := r.Summary()
	var barcode *string
	if bc := s.ActiveBarcode(); bc != "" {
		barcode = &bc
	}
	if r.ExternalID != "" {
		var holder string
		err := t.tx.QueryRow(t.stmt.next(), `SELECT id FROM requests WHERE external_id = $1 AND partner = $2 AND id <> $3`,
			r.ExternalID, r.Partner, r.ID).Scan(&holder)
		if err == nil {
			return storage.DuplicateExternalID(r, holder)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	var number *string
	if r.RequestNumber != "" {
		number = &r.RequestNumber
		var holder string
		err := t.tx.QueryRow(t.stmt.next(), `SELECT id FROM requests WHERE number = $1 AND id <> $2`, *number, r.ID).Scan(&holder)
		if err == nil {
			return storage.NumberInUse(*number, holder)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	if barcode != nil {
		var holder, ext string
		err := t.tx.QueryRow(t.stmt.next(), `SELECT id, external_id FROM requests WHERE barcode = $1 AND id <> $2`, *barcode, r.ID).Scan(&holder, &ext)
		if err == nil {
			return storage.BarcodeInUse(*barcode, domain.Summary{ID: holder, ExternalID: ext}.Ref())
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: encode request %s: %w", r.ID, err)
	}
	t.touch(r.ID)
	_, err = t.tx.Exec(t.stmt.next(), `INSERT INTO requests (id, data, summary, external_id, partner, barcode, number,
			side, state, format, active, urgent_undated, urgent_at, sort_keys, search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, summary = EXCLUDED.summary,
			external_id = EXCLUDED.external_id, partner = EXCLUDED.partner, barcode = EXCLUDED.barcode,
			number = EXCLUDED.number, side = EXCLUDED.side, state = EXCLUDED.state, format = EXCLUDED.format,
			active = EXCLUDED.active, urgent_undated = EXCLUDED.urgent_undated, urgent_at = EXCLUDED.urgent_at,
			sort_keys = EXCLUDED.sort_keys, search = EXCLUDED.search`,
		append([]any{r.ID, v, storage.EncodeSummary(s), r.ExternalID, r.Partner, barcode, number}, listColumns(s)...)...)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // another workstation got there first
		if pe.ConstraintName == "requests_barcode" && barcode != nil {
			return storage.BarcodeInUse(*barcode, "made at another workstation just now")
		}
		if pe.ConstraintName == "requests_number" && number != nil {
			return storage.NumberInUse(*number, "made at another workstation just now")
		}
		return storage.DuplicateExternalID(r, "made at another workstation just now")
	}
	return err
}

// pageSize is how many rows a walk over all requests reads at a time.
const pageSize = 1000

// page walks a table in id order, pageSize rows at a time, so that fn may
// write between pages; scan reads one row.
func (t *pgTx) page(query string, scan func(pgx.Rows) (string, error), fn func() error) error {
	last := ""
	for {
		rows, err := t.tx.Query(t.stmt.next(), query, last, pageSize)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			id, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
		if len(ids) < pageSize {
			return nil
		}
		last = ids[len(ids)-1]
	}
}

// ForEachRequest calls fn for every request in id (creation) order until fn
// returns an error. fn may put requests; one created with a later id is
// visited too.
func (t *pgTx) ForEachRequest(fn func(domain.Request) error) error {
	var batch []domain.Request
	return t.page(`SELECT id, data FROM requests WHERE id > $1 ORDER BY id LIMIT $2`,
		func(rows pgx.Rows) (string, error) {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				return "", err
			}
			r, err := storage.DecodeRequest(id, v)
			batch = append(batch, r)
			return id, err
		},
		func() error {
			defer func() { batch = batch[:0] }()
			for _, r := range batch {
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		})
}

// RequestCount is the number of requests stored.
func (t *pgTx) RequestCount() (int, error) {
	var n int
	err := t.tx.QueryRow(t.stmt.next(), `SELECT count(*) FROM requests`).Scan(&n)
	return n, err
}

// IndexEntries reports the index columns of every request: its active
// barcode and its external identifier.
func (t *pgTx) IndexEntries(fn func(domain.IndexEntry) error) error {
	rows, err := t.tx.Query(t.stmt.next(), `SELECT id, coalesce(barcode, ''), external_id, partner FROM requests
		WHERE barcode IS NOT NULL OR external_id <> '' ORDER BY id`)
	if err != nil {
		return err
	}
	var entries []domain.IndexEntry
	for rows.Next() {
		var id, bc, ext, partner string
		if err := rows.Scan(&id, &bc, &ext, &partner); err != nil {
			return err
		}
		if bc != "" {
			entries = append(entries, domain.IndexEntry{Index: domain.IndexBarcode, Barcode: bc, RequestID: id})
		}
		if ext != "" {
			entries = append(entries, domain.IndexEntry{Index: domain.IndexExternal, ExternalID: ext, Partner: partner, RequestID: id})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Reindex computes every request's summary, index and list columns again
// from its data.
func (t *pgTx) Reindex() error {
	var rs []domain.Request
	if err := t.ForEachRequest(func(r domain.Request) error { rs = append(rs, r); return nil }); err != nil {
		return err
	}
	if _, err := t.tx.Exec(t.stmt.next(), `UPDATE requests SET barcode = NULL, number = NULL`); err != nil {
		return err
	}
	for _, r := range rs {
		s := r.Summary()
		var barcode, number *string
		if bc := s.ActiveBarcode(); bc != "" {
			barcode = &bc
		}
		if r.RequestNumber != "" {
			number = &r.RequestNumber
		}
		if _, err := t.tx.Exec(t.stmt.next(), `UPDATE requests SET summary = $2, external_id = $3, partner = $4, barcode = $5, number = $6,
			side = $7, state = $8, format = $9, active = $10, urgent_undated = $11, urgent_at = $12, sort_keys = $13, search = $14
			WHERE id = $1`,
			append([]any{r.ID, storage.EncodeSummary(s), r.ExternalID, r.Partner, barcode, number}, listColumns(s)...)...); err != nil {
			return err
		}
	}
	t.touch("*")
	return nil
}

// Verify has nothing to check beyond what PostgreSQL keeps itself.
func (t *pgTx) Verify() error { return nil }

// ForEachSummary calls fn for every request's summary in id order.
func (t *pgTx) ForEachSummary(fn func(domain.Summary) error) error {
	var batch []domain.Summary
	return t.page(`SELECT id, summary FROM requests WHERE id > $1 ORDER BY id LIMIT $2`,
		func(rows pgx.Rows) (string, error) {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				return "", err
			}
			s, err := storage.DecodeSummary(v)
			if err != nil {
				return id, storage.DamagedValue("request summary", id, err)
			}
			batch = append(batch, s)
			return id, nil
		},
		func() error {
			defer func() { batch = batch[:0] }()
			for _, s := range batch {
				if err := fn(s); err != nil {
					return err
				}
			}
			return nil
		})
}

// PutRecord stores a record of a kind under id.
func (t *pgTx) PutRecord(kind, id string, value []byte) error {
	switch {
	case kind == "":
		return storage.ErrRecordKind
	case id == "":
		return storage.ErrRecordID
	}
	t.touch("*")
	_, err := t.tx.Exec(t.stmt.next(), `INSERT INTO records (kind, id, value) VALUES ($1, $2, $3)
		ON CONFLICT (kind, id) DO UPDATE SET value = EXCLUDED.value`, kind, id, value)
	return err
}

// Record returns the stored record, ok false when there is none.
func (t *pgTx) Record(kind, id string) ([]byte, bool, error) {
	if kind == "" {
		return nil, false, storage.ErrRecordKind
	}
	var v []byte
	err := t.tx.QueryRow(t.stmt.next(), `SELECT value FROM records WHERE kind = $1 AND id = $2`, kind, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// Records calls fn for every record of a kind in id order; fn may write.
func (t *pgTx) Records(kind string, fn func(id string, value []byte) error) error {
	if kind == "" {
		return storage.ErrRecordKind
	}
	rows, err := t.tx.Query(t.stmt.next(), `SELECT id, value FROM records WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return err
	}
	type rec struct {
		id string
		v  []byte
	}
	var all []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &r.v); err != nil {
			return err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if err := fn(r.id, r.v); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRecord removes a record; a missing one is no error.
func (t *pgTx) DeleteRecord(kind, id string) error {
	if kind == "" {
		return storage.ErrRecordKind
	}
	t.touch("*")
	_, err := t.tx.Exec(t.stmt.next(), `DELETE FROM records WHERE kind = $1 AND id = $2`, kind, id)
	return err
}

// Setting returns a stored setting, "" when unset.
func (t *pgTx) Setting(key string) (string, error) {
	var v string
	err := t.tx.QueryRow(t.stmt.next(), `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// PutSetting stores a setting.
func (t *pgTx) PutSetting(key, value string) error {
	if key == "" {
		return storage.ErrSettingName
	}
	t.touch("*")
	_, err := t.tx.Exec(t.stmt.next(), `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, value)
	return err
}

// PutNotice creates or replaces a patron notice.
func (t *pgTx) PutNotice(n domain.Notice) error {
	if n.ID == "" {
		return storage.ErrNoticeID
	}
	v, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("storage: encode notice %s: %w", n.ID, err)
	}
	t.touch(n.RequestID)
	_, err = t.tx.Exec(t.stmt.next(), `INSERT INTO notices (id, data) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`, n.ID, v)
	return err
}

// Notice returns the notice with the id, or a refusal of kind ErrNotFound.
func (t *pgTx) Notice(id string) (domain.Notice, error) {
	var v []byte
	err := t.tx.QueryRow(t.stmt.next(), `SELECT data FROM notices WHERE id = $1`, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Notice{}, storage.NoticeNotFound(id)
	} else if err != nil {
		return domain.Notice{}, err
	}
	return storage.DecodeNotice(id, v)
}

// Notices returns every notice in id (creation) order.
func (t *pgTx) Notices() ([]domain.Notice, error) {
	rows, err := t.tx.Query(t.stmt.next(), `SELECT id, data FROM notices ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []domain.Notice
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		n, err := storage.DecodeNotice(id, v)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DeleteNotice removes a notice; deleting a missing notice is no error.
func (t *pgTx) DeleteNotice(id string) error {
	t.touch("*")
	_, err := t.tx.Exec(t.stmt.next(), `DELETE FROM notices WHERE id = $1`, id)
	return err
}

// OnThisComputer reports whether every host rawURL names is this
// computer's loopback (127.0.0.1, ::1, localhost or a unix socket).
func OnThisComputer(rawURL string) bool {
	cfg, err := pgconn.ParseConfig(rawURL)
	if err != nil {
		return false
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if h != "localhost" && h != "127.0.0.1" && h != "::1" && !strings.HasPrefix(h, "/") {
			return false
		}
	}
	return true
}
