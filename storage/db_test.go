package storage

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/illdesk/illdesk/domain"
)

// openTemp opens a fresh database in a test directory and closes it at the end.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "illdesk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newID(t *testing.T) string {
	t.Helper()
	id, err := uuid.NewV7()
	require.NoError(t, err)
	return id.String()
}

func put(t *testing.T, db *DB, rs ...domain.Request) {
	t.Helper()
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		for _, r := range rs {
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return nil
	}))
}

func get(t *testing.T, db *DB, id string) domain.Request {
	t.Helper()
	var r domain.Request
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		r, err = tx.Request(id)
		return err
	}))
	return r
}

func byBarcode(t *testing.T, db *DB, code string) (domain.Request, bool) {
	t.Helper()
	var (
		r  domain.Request
		ok bool
	)
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		r, ok, err = tx.RequestByBarcode(code)
		return err
	}))
	return r, ok
}

func byExternal(t *testing.T, db *DB, ext string) []domain.Request {
	t.Helper()
	var rs []domain.Request
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		rs, err = tx.RequestsByExternalID(ext)
		return err
	}))
	return rs
}

func ids(rs []domain.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// refusal asserts err is a *domain.Refusal of the kind and returns it.
func refusal(t *testing.T, err error, kind error) *domain.Refusal {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	var ref *domain.Refusal
	require.ErrorAs(t, err, &ref)
	assert.NotEmpty(t, ref.Msg)
	return ref
}

func TestOpenCreatesDirAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, path, db.Path())
	require.NoError(t, db.Close())

	info, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	raw, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.View(func(btx *bolt.Tx) error {
		for _, b := range allBuckets {
			assert.NotNil(t, btx.Bucket(b), "bucket %s", b)
		}
		assert.Equal(t, strconv.Itoa(SchemaVersion), string(btx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}))
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E1", State: domain.Created}
	put(t, db, r)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("desk", "rs") }))
	require.NoError(t, db.Close())

	db, err = Open(path)
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, r.ID, get(t, db, r.ID).ID)
	assert.Equal(t, []string{r.ID}, ids(byExternal(t, db, "E1")))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		v, err := tx.Setting("desk")
		assert.Equal(t, "rs", v)
		return err
	}))
}

func TestPartnersRoundTrip(t *testing.T) {
	db := openTemp(t)
	ps := []domain.Partner{
		{Code: "ZZ", Name: "Zed Library", TurnaroundHours: 48, LoanPeriodDays: 14},
		{Code: "BL", Name: "British Library", TurnaroundHours: 24, Email: "ill@bl.uk", AgencyID: "GB-UkBL", LoanPeriodDays: 28, MaxFileBytes: 10 << 20, NeedsReview: true},
		{Code: "MM", Name: "Middle"},
	}
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		for _, p := range ps {
			if err := tx.PutPartner(p); err != nil {
				return err
			}
		}
		return nil
	}))

	require.NoError(t, db.View(func(tx domain.Tx) error {
		all, err := tx.Partners()
		require.NoError(t, err)
		assert.Equal(t, []domain.Partner{ps[1], ps[2], ps[0]}, all, "sorted by code")

		bl, err := tx.Partner("BL")
		require.NoError(t, err)
		assert.Equal(t, ps[1], bl)

		_, err = tx.Partner("NOPE")
		refusal(t, err, domain.ErrPartnerNotFound)
		return nil
	}))

	// Replace.
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		return tx.PutPartner(domain.Partner{Code: "MM", Name: "Renamed"})
	}))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		p, err := tx.Partner("MM")
		assert.Equal(t, "Renamed", p.Name)
		return err
	}))

	err := db.Update(func(tx domain.Tx) error { return tx.PutPartner(domain.Partner{Name: "no code"}) })
	refusal(t, err, domain.ErrInvalidInput)
}

func TestRequestRoundTrip(t *testing.T) {
	db := openTemp(t)
	created := time.Date(2025, 3, 4, 10, 30, 0, 0, time.UTC)
	r := domain.Request{
		ID:         newID(t),
		Side:       domain.Lending,
		ExternalID: "RS-1001",
		Partner:    "BL",
		State:      domain.ShippedDigitally,
		Format:     domain.FormatElectronic,
		Citation:   domain.Citation{Title: "Nature", ArticleTitle: "On things", Year: "1999", ISSN: "0028-0836", DOI: "10.1/x"},
		Holdings: domain.Holdings{Location: "Stacks", CallNumber: "QH 1", ItemBarcode: "B100",
			EResources: []domain.EResource{{Name: "JSTOR", URL: "https://example.org"}}},
		Requester:   "Ada",
		Created:     created,
		Deadline:    created.Add(24 * time.Hour),
		ShippedFile: &domain.ShippedFile{Name: "RS-1001.pdf", Bytes: 42, Pages: 3, SHA256: "ab"},
		History: []domain.Event{
			{At: created, From: "", To: domain.Created, Action: domain.ActCreate, Actor: "ada", Desk: "rs"},
			{At: created.Add(time.Hour), From: domain.Created, To: domain.ShippedDigitally, Action: domain.ActShip, Actor: "ada", Desk: "rs", Note: "ok"},
		},
	}
	put(t, db, r)

	got := get(t, db, r.ID)
	assert.Equal(t, r, got)

	// Returned values are copies: changing them changes nothing stored.
	got.History[0].Actor = "mallory"
	got.ShippedFile.Name = "evil.pdf"
	again := get(t, db, r.ID)
	assert.Equal(t, "ada", again.History[0].Actor)
	assert.Equal(t, "RS-1001.pdf", again.ShippedFile.Name)

	err := db.View(func(tx domain.Tx) error {
		_, err := tx.Request(newID(t))
		return err
	})
	refusal(t, err, domain.ErrNotFound)

	err = db.Update(func(tx domain.Tx) error { return tx.PutRequest(domain.Request{Side: domain.Lending}) })
	refusal(t, err, domain.ErrInvalidInput)
}

func TestValuesOutliveTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	db, err := Open(path)
	require.NoError(t, err)
	r := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", State: domain.Received,
		Holdings: domain.Holdings{ItemBarcode: "T1"}, Citation: domain.Citation{Title: "A long title"}}
	put(t, db, r)
	var (
		all []domain.Request
		s   string
	)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.PutSetting("k", "value") }))
	require.NoError(t, db.View(func(tx domain.Tx) (err error) {
		if all, err = tx.RequestsByIDPrefix(""); err != nil {
			return err
		}
		s, err = tx.Setting("k")
		return err
	}))
	require.NoError(t, db.Close()) // unmaps the file
	require.Len(t, all, 1)
	assert.Equal(t, "A long title", all[0].Title)
	assert.Equal(t, "value", s)
}

func TestForEachRequestAndPrefix(t *testing.T) {
	db := openTemp(t)
	var want []string
	for i := 0; i < 5; i++ {
		r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", State: domain.Created}
		want = append(want, r.ID)
		put(t, db, r)
		time.Sleep(2 * time.Millisecond)
	}
	var seen []string
	require.NoError(t, db.View(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(r domain.Request) error {
			seen = append(seen, r.ID)
			return nil
		})
	}))
	assert.Equal(t, want, seen, "creation (key) order")

	stop := errors.New("stop")
	n := 0
	err := db.View(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(domain.Request) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 2, n)

	// Writing inside the walk keeps the walk intact.
	seen = nil
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(r domain.Request) error {
			seen = append(seen, r.ID)
			r.InternalNote = "touched"
			return tx.PutRequest(r)
		})
	}))
	assert.Equal(t, want, seen)
	for _, id := range want {
		assert.Equal(t, "touched", get(t, db, id).InternalNote)
	}

	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"full id", want[2], []string{want[2]}},
		{"empty prefix is all", "", want},
		{"no match", "zzzz", nil},
		{"shared start", commonPrefix(want), want},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []domain.Request
			require.NoError(t, db.View(func(tx domain.Tx) (err error) {
				got, err = tx.RequestsByIDPrefix(tc.prefix)
				return err
			}))
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, ids(got))
		})
	}
}

func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func TestBarcodeIndexFollowsState(t *testing.T) {
	db := openTemp(t)
	a := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", ExternalID: "A", State: domain.Created,
		Holdings: domain.Holdings{ItemBarcode: "TMP1"}}
	put(t, db, a)
	_, ok := byBarcode(t, db, "TMP1")
	assert.False(t, ok, "no barcode is active in Created")

	steps := []struct {
		state  domain.State
		active bool
	}{
		{domain.Received, true},
		{domain.OnHoldShelf, true},
		{domain.Loaned, true},
		{domain.ReturnedByPatron, true},
		{domain.Completed, false},
	}
	for _, s := range steps {
		a.State = s.state
		put(t, db, a)
		got, ok := byBarcode(t, db, "TMP1")
		assert.Equal(t, s.active, ok, "state %s", s.state)
		if ok {
			assert.Equal(t, a.ID, got.ID)
			assert.Equal(t, s.state, got.State)
		}
	}

	// Freed barcode can be taken by another request.
	b := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", ExternalID: "B", State: domain.Received,
		Holdings: domain.Holdings{ItemBarcode: "TMP1"}}
	put(t, db, b)
	got, ok := byBarcode(t, db, "TMP1")
	require.True(t, ok)
	assert.Equal(t, b.ID, got.ID)

	// Changing the barcode on an active request moves the index entry.
	b.ItemBarcode = "TMP2"
	put(t, db, b)
	_, ok = byBarcode(t, db, "TMP1")
	assert.False(t, ok)
	got, ok = byBarcode(t, db, "TMP2")
	require.True(t, ok)
	assert.Equal(t, b.ID, got.ID)

	// Lending: barcode active only while picking / at desk.
	l := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", State: domain.PickRequested,
		Holdings: domain.Holdings{ItemBarcode: "L1"}}
	put(t, db, l)
	_, ok = byBarcode(t, db, "L1")
	assert.True(t, ok)
	l.State = domain.ShippedDigitally
	put(t, db, l)
	_, ok = byBarcode(t, db, "L1")
	assert.False(t, ok)

	_, ok = byBarcode(t, db, "")
	assert.False(t, ok)
}

func TestBarcodeConflictRollsBack(t *testing.T) {
	db := openTemp(t)
	holder := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", ExternalID: "HOLD-1", State: domain.Loaned,
		Holdings: domain.Holdings{ItemBarcode: "X9"}}
	other := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "NY", ExternalID: "O-1", State: domain.Created,
		Holdings: domain.Holdings{ItemBarcode: "X9"}}
	put(t, db, holder, other) // other is Created: X9 not active there, no conflict yet

	before := snapshot(t, db)

	err := db.Update(func(tx domain.Tx) error {
		// A write that would be committed if the callback succeeded.
		if err := tx.PutSetting("touched", "yes"); err != nil {
			return err
		}
		fresh := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "ZZ", ExternalID: "NEW", State: domain.Created}
		if err := tx.PutRequest(fresh); err != nil {
			return err
		}
		o := other
		o.State = domain.Received
		return tx.PutRequest(o)
	})
	ref := refusal(t, err, domain.ErrBarcodeInUse)
	assert.Contains(t, ref.Msg, "X9")
	assert.Contains(t, ref.Msg, "HOLD-1")

	assert.Equal(t, before, snapshot(t, db), "nothing written")
	require.NoError(t, db.View(func(tx domain.Tx) error {
		v, err := tx.Setting("touched")
		assert.Empty(t, v)
		return err
	}))
	assert.Empty(t, byExternal(t, db, "NEW"))
	got, ok := byBarcode(t, db, "X9")
	require.True(t, ok)
	assert.Equal(t, holder.ID, got.ID)
	assert.Equal(t, domain.Created, get(t, db, other.ID).State)
}

// snapshot is every key and value of the raw database, for before/after comparison.
func snapshot(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, db.bolt.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	}))
	return out
}

func TestRefusedPutWritesNothingEvenIfCommitted(t *testing.T) {
	db := openTemp(t)
	a := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "E", State: domain.ItemAtDesk,
		Holdings: domain.Holdings{ItemBarcode: "BC"}}
	b := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "F", State: domain.ItemAtDesk,
		Holdings: domain.Holdings{ItemBarcode: "BC2"}}
	put(t, db, a, b)
	before := snapshot(t, db)

	// The caller swallows the refusal and commits: the refused put must not
	// have half-written anything (e.g. removed b's old index entries).
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		bb := b
		bb.ExternalID = "E" // duplicate of a
		refusal(t, tx.PutRequest(bb), domain.ErrDuplicateExternalID)
		bb = b
		bb.ItemBarcode = "BC" // barcode of a
		refusal(t, tx.PutRequest(bb), domain.ErrBarcodeInUse)
		return nil
	}))
	assert.Equal(t, before, snapshot(t, db))
}

func TestExternalIDUniquePerPartner(t *testing.T) {
	db := openTemp(t)
	first := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "REQ-7", State: domain.Created}
	put(t, db, first)

	tests := []struct {
		name    string
		partner string
		ext     string
		kind    error
	}{
		{"same partner same id refused", "BL", "REQ-7", domain.ErrDuplicateExternalID},
		{"other partner same id allowed", "NY", "REQ-7", nil},
		{"same partner other id allowed", "BL", "REQ-8", nil},
		{"no external id allowed", "BL", "", nil},
		{"no external id twice allowed", "BL", "", nil},
		{"id that is a prefix allowed", "BL", "REQ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := domain.Request{ID: newID(t), Side: domain.Lending, Partner: tc.partner, ExternalID: tc.ext, State: domain.Created}
			err := db.Update(func(tx domain.Tx) error { return tx.PutRequest(r) })
			if tc.kind == nil {
				require.NoError(t, err)
				return
			}
			ref := refusal(t, err, tc.kind)
			assert.Contains(t, ref.Msg, tc.partner)
			assert.Contains(t, ref.Msg, tc.ext)
			assert.Contains(t, ref.Msg, first.ID)
		})
	}

	// Re-putting the same request is not a duplicate of itself.
	first.State = domain.PickRequested
	put(t, db, first)

	// Changing a request's external id frees the old one.
	first.ExternalID = "REQ-7b"
	put(t, db, first)
	again := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "REQ-7", State: domain.Created}
	put(t, db, again)

	// Moving a request to another partner frees the (id, partner) pair.
	again.Partner = "QQ"
	put(t, db, again)
	third := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "REQ-7", State: domain.Created}
	put(t, db, third)

	err := db.Update(func(tx domain.Tx) error {
		return tx.PutRequest(domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "a\x00b"})
	})
	refusal(t, err, domain.ErrInvalidInput)
}

func TestRequestsByExternalIDAcrossPartners(t *testing.T) {
	db := openTemp(t)
	ny := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "NY", ExternalID: "X1", State: domain.Created}
	bl := domain.Request{ID: newID(t), Side: domain.Borrowing, Partner: "BL", ExternalID: "X1", State: domain.Created}
	longer := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", ExternalID: "X10", State: domain.Created}
	none := domain.Request{ID: newID(t), Side: domain.Lending, Partner: "BL", State: domain.Created}
	put(t, db, ny, bl, longer, none)

	tests := []struct {
		ext  string
		want []string
	}{
		{"X1", []string{bl.ID, ny.ID}}, // ordered by partner code
		{"X10", []string{longer.ID}},
		{"X", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.ext, func(t *testing.T) {
			got := byExternal(t, db, tc.ext)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, ids(got))
		})
	}
}

func TestSettings(t *testing.T) {
	db := openTemp(t)
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		v, err := tx.Setting("missing")
		require.NoError(t, err)
		assert.Equal(t, "", v)
		require.NoError(t, tx.PutSetting("barcode_pattern", `^\d+$`))
		require.NoError(t, tx.PutSetting("barcode_pattern", `^[A-Z]\d+$`))
		return nil
	}))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		v, err := tx.Setting("barcode_pattern")
		assert.Equal(t, `^[A-Z]\d+$`, v)
		return err
	}))
	err := db.Update(func(tx domain.Tx) error { return tx.PutSetting("", "x") })
	refusal(t, err, domain.ErrInvalidInput)
	err = db.View(func(tx domain.Tx) error { return tx.PutSetting("k", "v") })
	assert.Error(t, err, "writes fail in View")
}

func TestSchemaTooNewRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	raw, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bolt.Tx) error {
		b, err := btx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("schema"), []byte("99"))
	}))
	require.NoError(t, raw.Close())

	db, err := Open(path)
	require.Nil(t, db)
	ref := refusal(t, err, domain.ErrSchemaTooNew)
	assert.Contains(t, ref.Msg, "newer ILL Desk")
	assert.Contains(t, ref.Msg, "upgrade")

	// The refused open released the file and left it untouched.
	raw, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.View(func(btx *bolt.Tx) error {
		assert.Nil(t, btx.Bucket(bucketRequests))
		assert.Equal(t, "99", string(btx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}))
}

func TestSecondOpenRefusedQuickly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "illdesk.db")
	first, err := Open(path)
	require.NoError(t, err)
	defer first.Close()

	start := time.Now()
	second, err := Open(path)
	elapsed := time.Since(start)
	if second != nil {
		_ = second.Close()
	}
	require.Nil(t, second)
	ref := refusal(t, err, domain.ErrDatabaseLocked)
	assert.Equal(t, "The database "+path+" is already open in another ILL Desk window; close that window first, or start with --db to use another database.", ref.Msg)
	assert.Less(t, elapsed, 2*time.Second)

	// Once the first closes, the database opens again.
	require.NoError(t, first.Close())
	third, err := Open(path)
	require.NoError(t, err)
	require.NoError(t, third.Close())
}

func TestNotADatabaseRefused(t *testing.T) {
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i*7 + 3)
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"short text", []byte("title,author\nNature,Someone\n")},
		{"a page of text", []byte(strings.Repeat("not a database at all\n", 400))},
		{"large binary", big},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "notes.csv")
			require.NoError(t, os.WriteFile(path, tc.content, 0o600))
			db, err := Open(path)
			require.Nil(t, db)
			ref := refusal(t, err, domain.ErrInvalidInput)
			assert.Contains(t, ref.Msg, "not an ILL Desk database")
			assert.Contains(t, ref.Msg, path)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tc.content, after, "file left untouched")
		})
	}
}

func TestForeignBoltDatabaseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, raw.Update(func(btx *bolt.Tx) error {
		_, err := btx.CreateBucket([]byte("someone_elses"))
		return err
	}))
	require.NoError(t, raw.Close())

	db, err := Open(path)
	require.Nil(t, db)
	ref := refusal(t, err, domain.ErrInvalidInput)
	assert.Contains(t, ref.Msg, "not an ILL Desk database")
}

func TestDefaultPathAndVaultDir(t *testing.T) {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && runtime.GOOS != "plan9" {
		cfg, data := t.TempDir(), t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		t.Setenv("XDG_DATA_HOME", data)
		p, err := DefaultPath()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(data, "illdesk", "illdesk.db"), p, "in the data folder")

		// a database an earlier version kept with the configuration stays there
		legacy := filepath.Join(cfg, "illdesk", "illdesk.db")
		require.NoError(t, os.MkdirAll(filepath.Dir(legacy), 0o700))
		require.NoError(t, os.WriteFile(legacy, nil, 0o600))
		p, err = DefaultPath()
		require.NoError(t, err)
		assert.Equal(t, legacy, p)
	}
	p, err := DefaultPath()
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(p, filepath.Join("illdesk", "illdesk.db")), p)

	dbPath := filepath.Join("some", "where", "illdesk.db")
	assert.Equal(t, filepath.Join("some", "where", "vault"), VaultDirFor(dbPath))
}

func TestDataDirPerSystem(t *testing.T) {
	env := map[string]string{"HOME": "/home/ana", "LOCALAPPDATA": `C:\Users\ana\AppData\Local`}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		goos, xdg, want string
	}{
		{"linux", "", filepath.Join("/home/ana", ".local", "share")},
		{"linux", "/data/ana", "/data/ana"},
		{"linux", "relative/ignored", filepath.Join("/home/ana", ".local", "share")},
		{"freebsd", "", filepath.Join("/home/ana", ".local", "share")},
		{"darwin", "", filepath.Join("/home/ana", "Library", "Application Support")},
		{"windows", "", `C:\Users\ana\AppData\Local`},
	}
	for _, tt := range tests {
		t.Run(tt.goos+" "+tt.xdg, func(t *testing.T) {
			env["XDG_DATA_HOME"] = tt.xdg
			got, err := dataDir(tt.goos, getenv)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := dataDir("windows", func(string) string { return "" })
	assert.Error(t, err)
	_, err = dataDir("linux", func(string) string { return "" })
	assert.Error(t, err)
}

func TestRequestsByIDSuffix(t *testing.T) {
	db := openTemp(t)
	for _, id := range []string{"01a2-0001-aaaa1111", "01a2-0002-bbbb2222", "01a2-0003-cccc1111"} {
		require.NoError(t, db.Update(func(tx domain.Tx) error {
			return tx.PutRequest(domain.Request{ID: id, Side: domain.Lending, State: domain.Created, Partner: "P"})
		}))
	}
	cases := map[string][]string{
		"bbbb2222": {"01a2-0002-bbbb2222"},
		"1111":     {"01a2-0001-aaaa1111", "01a2-0003-cccc1111"},
		"9999":     nil,
	}
	for suffix, want := range cases {
		var got []string
		require.NoError(t, db.View(func(tx domain.Tx) error {
			rs, err := tx.RequestsByIDSuffix(suffix)
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return err
		}))
		assert.Equal(t, want, got, suffix)
	}
}

func TestRecords(t *testing.T) {
	db := openTemp(t)
	require.NoError(t, db.Update(func(tx domain.Tx) error {
		for _, id := range []string{"02", "01", "03"} {
			if err := tx.PutRecord("messages", id, []byte("m"+id)); err != nil {
				return err
			}
		}
		return tx.PutRecord("seen", "abc", []byte("x"))
	}))
	var ids []string
	require.NoError(t, db.View(func(tx domain.Tx) error {
		return tx.Records("messages", func(id string, v []byte) error {
			ids = append(ids, id+"="+string(v))
			return nil
		})
	}))
	assert.Equal(t, []string{"01=m01", "02=m02", "03=m03"}, ids)
	require.NoError(t, db.Update(func(tx domain.Tx) error { return tx.DeleteRecord("messages", "02") }))
	require.NoError(t, db.View(func(tx domain.Tx) error {
		_, ok, err := tx.Record("messages", "02")
		assert.False(t, ok)
		v, ok, err2 := tx.Record("seen", "abc")
		assert.True(t, ok)
		assert.Equal(t, "x", string(v))
		_, ok, _ = tx.Record("nothing", "x")
		assert.False(t, ok, "an unknown kind has no records")
		return errors.Join(err, err2)
	}))
	err := db.Update(func(tx domain.Tx) error { return tx.PutRecord("", "x", nil) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput)
}
