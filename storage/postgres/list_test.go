package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/pgtest"
	"github.com/illdesk/illdesk/storage"
	"github.com/illdesk/illdesk/storage/postgres"
)

// listRequests makes n varied requests: both sides, every state, partner
// codes differing in case only, every format, undated ones and ones due
// at the same moment (ordered by id then), titles with LIKE's wildcards
// and letters beyond ASCII. Half have no number (a load gives them one).
func listRequests(n int, seed uint64) []domain.Request {
	rnd := rand.New(rand.NewPCG(seed, 7))
	partners := []string{"RAPID", "rapid", "Rapid", "DE-1", "de-1", "UK-Z"}
	formats := []domain.Format{domain.FormatUnknown, domain.FormatElectronic, domain.FormatPhysical}
	titles := []string{"Nature", "Science", "Ärzteblatt", "100% Cotton_Review", `Back\slash Studies`, "nature reviews", "Öko", ""}
	people := []string{"Ana Díaz", "ben Ode", "Chen", "", "NATURE Club"}
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := func() time.Time { return base.Add(time.Duration(rnd.IntN(12)) * 6 * time.Hour) }
	var out []domain.Request
	for i := range n {
		side := domain.Lending
		if rnd.IntN(2) == 0 {
			side = domain.Borrowing
		}
		states := domain.States(side)
		r := domain.Request{
			ID: fmt.Sprintf("%04d-%c", rnd.IntN(10000), 'a'+rune(i%26)), Side: side, Partner: partners[rnd.IntN(len(partners))],
			State: states[rnd.IntN(len(states))], Format: formats[rnd.IntN(len(formats))], Created: at(),
			Requester: people[rnd.IntN(len(people))], Pickup: []string{"Main", "law", ""}[rnd.IntN(3)],
		}
		r.ID = fmt.Sprintf("%s-%04d", r.ID, i) // unique, yet not in creation order
		r.Title = titles[rnd.IntN(len(titles))]
		if rnd.IntN(2) == 0 {
			r.ArticleTitle = titles[rnd.IntN(len(titles))]
		}
		if rnd.IntN(5) > 0 {
			r.ExternalID = fmt.Sprintf("EXT-%d", i)
		}
		if rnd.IntN(3) == 0 {
			r.ItemBarcode = fmt.Sprintf("3900%05d", i)
		}
		if rnd.IntN(2) == 0 {
			r.RequestNumber = fmt.Sprintf("N-%05d", rnd.IntN(100000)*1000+i)
		}
		switch rnd.IntN(3) {
		case 0:
			r.Deadline = at()
		case 1:
			r.DueDate = at()
		}
		out = append(out, r)
	}
	return out
}

// stored is every summary in the database, read as the window used to.
func summaries(t *testing.T, pg *postgres.DB) []domain.Summary {
	t.Helper()
	var out []domain.Summary
	require.NoError(t, pg.View(func(tx domain.Tx) error {
		return tx.ForEachSummary(func(s domain.Summary) error { out = append(out, s); return nil })
	}))
	return out
}

// listOrders are every order the list has: urgency and each field, both ways.
func listOrders() []domain.ListOrder {
	var out []domain.ListOrder
	for _, by := range append([]domain.SortField{domain.SortUrgency}, domain.SortFields...) {
		out = append(out, domain.ListOrder{By: by}, domain.ListOrder{By: by, Desc: true})
	}
	return out
}

// someOrders are a few orders, for checks after a change: the urgency
// order (which states and dates change) and a field's.
var someOrders = []domain.ListOrder{{}, {Desc: true}, {By: domain.SortTitle, Desc: true}, {By: domain.SortState}}

func format(f domain.Format) *domain.Format { return &f }

// listFilters are filters of every kind the window sets.
var listFilters = []domain.Filter{
	{},
	{All: true},
	{Side: domain.Lending},
	{Side: domain.Borrowing},
	{Side: domain.Lending, All: true},
	{Side: domain.Lending, State: domain.Created},
	{Side: domain.Borrowing, State: domain.Completed},
	{Side: domain.Lending, Partner: "rapid"},
	{Partner: "De-1", All: true},
	{Partner: "NOBODY"},
	{Side: domain.Lending, Format: format(domain.FormatElectronic)},
	{Format: format(domain.FormatUnknown), All: true},
	{Text: "nature"},
	{Side: domain.Borrowing, Text: "  NATURE ", All: true},
	{Text: "ärzte", All: true},
	{Text: "%"},
	{Text: "_review", All: true},
	{Text: `k\s`, All: true},
	{Text: "ext-1"},
	{Side: domain.Lending, State: domain.Cancelled, Partner: "RAPID", Format: format(domain.FormatPhysical), Text: "a"},
}

// serverCounts counts a filter's facets and rows on the database as a
// window does: from the groups of every request (returned too) and of the
// search's matches.
func serverCounts(tb testing.TB, pg *postgres.DB, f domain.Filter) ([]domain.ListGroup, domain.Facets, int) {
	tb.Helper()
	all, err := pg.Lists().ListGroups("")
	require.NoError(tb, err)
	matched := all
	if q := f.SearchQuery(); q != "" {
		matched, err = pg.Lists().ListGroups(q)
		require.NoError(tb, err)
	}
	facets, n := domain.CountGroups(f, all, matched)
	return all, facets, n
}

// sameList checks that the database lists, places and counts every
// filter's rows in the orders as a listing of the same summaries does.
func sameList(t *testing.T, pg *postgres.DB, orders []domain.ListOrder) {
	t.Helper()
	all := summaries(t, pg)
	l := domain.NewListing(all)
	for _, f := range listFilters {
		wantRows, wantFacets := l.Apply(f)
		everyGroup, facets, n := serverCounts(t, pg, f)
		assert.Equal(t, wantRows.Len(), n, "rows of %+v", f)
		assert.Equal(t, wantFacets, facets, "facets of %+v", f)
		if f.ShowsActiveOnly() {
			active, err := pg.Lists().ListActiveGroups(f.SearchQuery())
			require.NoError(t, err)
			_, n := domain.CountActiveGroups(f, everyGroup, active)
			assert.Equal(t, wantRows.Len(), n, "rows of %+v, from the active requests", f)
		}
		for _, o := range orders {
			want, err := l.ListRows(f, o, nil, 0, len(all))
			require.NoError(t, err)
			// page by page, each from the last row read
			var got []domain.Summary
			var after *domain.Summary
			for {
				page, err := pg.Lists().ListRows(f, o, after, 0, 7)
				require.NoError(t, err)
				got = append(got, page...)
				if len(page) < 7 {
					break
				}
				after = &page[len(page)-1]
			}
			require.Equal(t, ids(want), ids(got), "rows of %+v in order %+v", f, o)
			if len(want) > 0 {
				assert.Equal(t, want[0], got[0], "the summary as stored")
			}
			// a jump: skipping rows after a row
			from := &all[len(all)/3]
			wantJump, err := l.ListRows(f, o, from, 5, 7)
			require.NoError(t, err)
			gotJump, err := pg.Lists().ListRows(f, o, from, 5, 7)
			require.NoError(t, err)
			require.Equal(t, ids(wantJump), ids(gotJump), "jump in %+v, order %+v", f, o)
			// positions of rows shown and of rows not shown
			places := []domain.Summary{all[0], all[len(all)/2], all[len(all)-1]}
			if len(want) > 3 {
				places = append(places, want[3])
			}
			for _, s := range places {
				wantAt, err := l.ListPosition(f, o, s)
				require.NoError(t, err)
				gotAt, err := pg.Lists().ListPosition(f, o, s)
				require.NoError(t, err)
				require.Equal(t, wantAt, gotAt, "position of %s in %+v, order %+v", s.ID, f, o)
			}
		}
	}
}

func ids(ss []domain.Summary) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

// loadList stores rs in pg: the first half loaded in a batch, the rest
// one by one through PutRequest.
func loadList(t *testing.T, pg *postgres.DB, rs []domain.Request) {
	t.Helper()
	half := len(rs) / 2
	require.NoError(t, pg.LoadRequests(rs[:half]))
	for _, r := range rs[half:] {
		require.NoError(t, pg.Update(func(tx domain.Tx) error { return tx.PutRequest(r) }))
	}
}

// TestPostgresListsAsTheListingDoes lists, places and counts requests on
// the server as the window's own listing does, after every kind of write.
func TestPostgresListsAsTheListingDoes(t *testing.T) {
	url := pgtest.ForTest(t)
	pg, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	rs := listRequests(300, 1)
	loadList(t, pg, rs)
	sameList(t, pg, listOrders())

	raw, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close(context.Background()) })
	for _, tc := range []struct {
		name   string
		change func(t *testing.T)
	}{
		{"states changed", func(t *testing.T) {
			require.NoError(t, pg.Update(func(tx domain.Tx) error {
				for _, r := range rs[:40] {
					r, err := tx.Request(r.ID)
					if err != nil {
						return err
					}
					r.State = domain.Cancelled
					r.Partner = strings.ToLower(r.Partner)
					if err := tx.PutRequest(r); err != nil {
						return err
					}
				}
				return nil
			}))
		}},
		{"new and replaced in one change", func(t *testing.T) {
			more := listRequests(20, 2)
			require.NoError(t, pg.Update(func(tx domain.Tx) error {
				for _, r := range more {
					r.ID, r.ExternalID = "more-"+r.ID, ""
					if err := tx.PutRequest(r); err != nil {
						return err
					}
				}
				r, err := tx.Request(rs[200].ID)
				if err != nil {
					return err
				}
				r.Format, r.Title, r.DueDate = domain.FormatElectronic, "Renamed NATURE", time.Time{}
				return tx.PutRequest(r)
			}))
		}},
		{"reindexed after the columns were spoilt", func(t *testing.T) {
			_, err := raw.Exec(context.Background(), `UPDATE requests SET state = 'x', side = 'y', active = NOT active,
				urgent_at = 0, sort_keys = '{}', search = '' WHERE id < '5'`)
			require.NoError(t, err)
			require.NoError(t, pg.Update(func(tx domain.Tx) error { return tx.Reindex() }))
		}},
		{"loaded", func(t *testing.T) {
			more := listRequests(50, 3)
			for i := range more {
				more[i].ID, more[i].ExternalID, more[i].ItemBarcode = "load-"+more[i].ID, "", ""
				more[i].RequestNumber = ""
			}
			require.NoError(t, pg.LoadRequests(more))
		}},
		{"counts folded", func(t *testing.T) {
			require.NoError(t, postgres.FoldCounts(pg))
			var rows, groups int
			require.NoError(t, raw.QueryRow(context.Background(), `SELECT count(*) FROM request_counts`).Scan(&rows))
			require.NoError(t, raw.QueryRow(context.Background(),
				`SELECT count(*) FROM (SELECT DISTINCT side, state, partner, format FROM requests) g`).Scan(&groups))
			assert.Equal(t, groups, rows, "one row a group once folded")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change(t)
			sameList(t, pg, someOrders)
		})
	}
}

// TestPostgresListRefusesAnUnknownOrder refuses to sort by what the list
// has no column for.
func TestPostgresListRefusesAnUnknownOrder(t *testing.T) {
	pg, err := postgres.Open(context.Background(), pgtest.ForTest(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	_, err = pg.Lists().ListRows(domain.Filter{}, domain.ListOrder{By: "colour"}, nil, 0, 10)
	require.ErrorIs(t, err, domain.ErrInvalidInput)
	_, err = pg.Lists().ListPosition(domain.Filter{}, domain.ListOrder{By: "colour"}, domain.Summary{})
	require.ErrorIs(t, err, domain.ErrInvalidInput)
}

// TestPostgresMigrationFillsTheListColumns opens a database ILL Desk left
// at schema 2, with requests: the migration fills their list columns and
// counts, and the database lists them as the listing does.
func TestPostgresMigrationFillsTheListColumns(t *testing.T) {
	url := pgtest.ForTest(t)
	require.NoError(t, postgres.SetUpSchema(context.Background(), url, 2))
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	rs := listRequests(250, 4)
	for i, r := range rs {
		r.RequestNumber = fmt.Sprintf("L-%04d", i)
		v, err := json.Marshal(r)
		require.NoError(t, err)
		s := r.Summary()
		var barcode *string
		if bc := s.ActiveBarcode(); bc != "" {
			barcode = &bc
		}
		_, err = conn.Exec(context.Background(), `INSERT INTO requests (id, data, summary, external_id, partner, barcode, number)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, v, storage.EncodeSummary(s), r.ExternalID, r.Partner, barcode, r.RequestNumber)
		require.NoError(t, err)
	}
	pg, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	var version int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT version FROM illdesk_schema`).Scan(&version))
	assert.Equal(t, 4, version)
	assert.True(t, indexed(t, conn, "requests_search"), "searches are indexed")
	assert.True(t, indexed(t, conn, "requests_search_active"), "and those among the active requests")
	sameList(t, pg, listOrders())
}

// TestPostgresMigrationIndexesActiveSearches opens a database an earlier
// version left at schema 3, whose searches have one trigram index: the
// migration adds that of the active requests.
func TestPostgresMigrationIndexesActiveSearches(t *testing.T) {
	ctx := context.Background()
	url := pgtest.ForTest(t)
	pg, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	loadList(t, pg, listRequests(120, 3))
	require.NoError(t, pg.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP INDEX requests_search_active; UPDATE illdesk_schema SET version = 3`)
	require.NoError(t, err)

	pg, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	var version int
	require.NoError(t, conn.QueryRow(ctx, `SELECT version FROM illdesk_schema`).Scan(&version))
	assert.Equal(t, 4, version)
	assert.True(t, indexed(t, conn, "requests_search_active"))
	sameList(t, pg, listOrders()[:2])
}

// indexed reports whether the database has the index.
func indexed(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_indexes WHERE indexname = $1)`, name).Scan(&ok))
	return ok
}

// cutOff is a TCP proxy in front of the server that can be shut, as a
// server that went away: every connection through it ends, and no new
// one is made.
type cutOff struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutOff(t *testing.T, target string) *cutOff {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := &cutOff{ln: ln}
	t.Cleanup(c.shut)
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, client, server)
			c.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); _ = server.Close() }()
			go func() { _, _ = io.Copy(client, server); _ = client.Close() }()
		}
	}()
	return c
}

func (c *cutOff) shut() {
	_ = c.ln.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		_ = conn.Close()
	}
}

// TestPostgresListWithoutTheServer asks for the list once the server has
// gone: each question is refused as the database being unavailable, as a
// View is.
func TestPostgresListWithoutTheServer(t *testing.T) {
	base := pgtest.ForTest(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	proxy := newCutOff(t, u.Host)
	pg, err := postgres.Open(context.Background(), withHost(t, base, proxy.ln.Addr().String()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	loadList(t, pg, listRequests(20, 5))
	_, err = pg.Lists().ListGroups("")
	require.NoError(t, err)
	proxy.shut()
	for name, ask := range map[string]func() error{
		"groups":        func() error { _, err := pg.Lists().ListGroups(""); return err },
		"search groups": func() error { _, err := pg.Lists().ListGroups("nature"); return err },
		"rows": func() error {
			_, err := pg.Lists().ListRows(domain.Filter{Side: domain.Lending}, domain.ListOrder{}, nil, 0, 50)
			return err
		},
		"position": func() error {
			_, err := pg.Lists().ListPosition(domain.Filter{}, domain.ListOrder{By: domain.SortTitle}, domain.Summary{ID: "x"})
			return err
		},
	} {
		err := ask()
		require.ErrorIs(t, err, domain.ErrDatabaseUnreachable, name)
		assert.Contains(t, err.Error(), "was unavailable", name)
	}
}

// TestPostgresGroupsAsTheListingDoes counts every request and a search's
// as the listing does.
func TestPostgresGroupsAsTheListingDoes(t *testing.T) {
	pg, err := postgres.Open(context.Background(), pgtest.ForTest(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	loadList(t, pg, listRequests(200, 6))
	l := domain.NewListing(summaries(t, pg))
	for _, q := range []string{"", "nature", "ärzte", "%", "_", `\`, "0", "ext-12", "zzz"} {
		want, err := l.ListGroups(q)
		require.NoError(t, err)
		got, err := pg.Lists().ListGroups(q)
		require.NoError(t, err)
		assert.ElementsMatch(t, want, got, "groups of %q", q)
		want, err = l.ListActiveGroups(q)
		require.NoError(t, err)
		got, err = pg.Lists().ListActiveGroups(q)
		require.NoError(t, err)
		assert.ElementsMatch(t, want, got, "groups of the active requests of %q", q)
	}
}

// TestPostgresCountFoldsItsRows counts once the facet counts' rows are
// many: they are folded together, one a group, and count the same.
func TestPostgresCountFoldsItsRows(t *testing.T) {
	url := pgtest.ForTest(t)
	pg, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	postgres.SetFoldAt(20)
	t.Cleanup(func() { postgres.SetFoldAt(2000) })
	rs := listRequests(60, 7)
	loadList(t, pg, rs) // a row a group loaded, then one a request put
	raw, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close(context.Background()) })
	countRows := func() int {
		var n int
		require.NoError(t, raw.QueryRow(context.Background(), `SELECT count(*) FROM request_counts`).Scan(&n))
		return n
	}
	before := countRows()
	want, err := domain.NewListing(summaries(t, pg)).ListGroups("")
	require.NoError(t, err)
	got, err := pg.Lists().ListGroups("")
	require.NoError(t, err)
	assert.ElementsMatch(t, want, got)
	after := countRows()
	assert.Less(t, after, before, "folded")
	assert.Equal(t, len(want), after, "one row a group")
	got, err = pg.Lists().ListGroups("")
	require.NoError(t, err)
	assert.ElementsMatch(t, want, got, "the same counts once folded")
}

// TestPostgresListsInADatabaseOfAnotherCollation lists from a database
// whose own collation orders text as people read it (ICU, en-US), as
// servers set up for a language do: rows still sort bytewise, as the
// listing sorts them.
func TestPostgresListsInADatabaseOfAnotherCollation(t *testing.T) {
	base := pgtest.ForTest(t)
	conn, err := pgx.Connect(context.Background(), base)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	name := "list_icu_" + fmt.Sprint(time.Now().UnixNano())
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE "+name+
		" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"); err != nil {
		t.Skipf("this server has no ICU collations: %v", err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/" + name
	pg, err := postgres.Open(context.Background(), u.String())
	require.NoError(t, err)
	defer pg.Close()
	loadList(t, pg, listRequests(150, 8))
	sameList(t, pg, listOrders())
}
