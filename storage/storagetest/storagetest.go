// Package storagetest is the contract every store of ILL Desk keeps: the
// tests of each store (storage/bolt, storage/postgres) run it on theirs.
package storagetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage"
)

// Run checks that a store keeps the promises of domain.Store and
// domain.Tx (domain/ports.go), keeps its records by kind (storage.Records,
// under the typed ones), and behaves as the bbolt store does where the
// desk relies on it (orders, refusals). open returns a fresh, empty store
// that is closed when the test ends.
//
// Assertions inside transactions are non-fatal (assert, and errors
// returned): a fatal one would leave the transaction open.
func Run(t *testing.T, open func(t *testing.T) domain.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s domain.Store)
	}{
		{"partners round trip in code order", contractPartners},
		{"request round trip", contractRequestRoundTrip},
		{"returned values are copies", contractCopies},
		{"missing things are refused", contractNotFound},
		{"invalid input is refused and writes nothing", contractInvalidInput},
		{"writes fail in View", contractViewIsReadOnly},
		{"a transaction reads its own writes", contractReadOwnWrites},
		{"requests by id prefix", contractIDPrefix},
		{"requests by id suffix", contractIDSuffix},
		{"requests by ids, in their order", contractByIDs},
		{"requests by external id", contractExternalID},
		{"barcode index follows the state", contractBarcodeFollowsState},
		{"external ids unique per partner", contractExternalIDUnique},
		{"a refused put writes nothing", contractRefusedPutWritesNothing},
		{"a failed update writes nothing", contractFailedUpdate},
		{"requests walked in creation order", contractForEachRequestOrder},
		{"requests put while walking them", contractForEachRequestWithPuts},
		{"walks stop at the first error", contractWalksStop},
		{"summaries follow requests", contractSummaries},
		{"request count", contractRequestCount},
		{"number series count on and roll back", contractNumberSeries},
		{"requests by number, numbers unique", contractRequestNumbers},
		{"index entries", contractIndexEntries},
		{"reindex keeps a sound store as it was", contractReindex},
		{"verify finds a sound store sound", contractVerify},
		{"records by kind", contractRecords},
		{"outgoing messages", contractOutbox},
		{"file deliveries", contractDeliveries},
		{"download links by token hash", contractLinkTokens},
		{"received messages", contractSeenMessages},
		{"operators", contractOperators},
		{"configuration changes", contractConfigChanges},
		{"held messages", contractHeldMessages},
		{"ILS calls", contractILSCalls},
		{"a damaged record is refused", contractDamagedRecord},
		{"settings", contractSettings},
		{"notices", contractNotices},
		{"concurrent updates all land", contractConcurrentPuts},
		{"concurrent read-modify-write updates lose nothing", contractConcurrentCounter},
		{"concurrent claims of one key: one wins", contractConcurrentClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

// ---- helpers ----

// raw is the transaction's records by kind, which every store keeps
// (storage.Records) under its typed methods.
func raw(tx domain.Tx) storage.Records { return tx.(storage.Records) }

// newIDs returns n UUIDv7 request ids, in creation (sort) order.
func newIDs(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		id, err := uuid.NewV7()
		require.NoError(t, err)
		out[i] = id.String()
	}
	require.True(t, slices.IsSorted(out), "UUIDv7 ids sort by creation")
	return out
}

func newRequestID(t *testing.T) string { return newIDs(t, 1)[0] }

// putAll puts the requests in one transaction.
func putAll(t *testing.T, s domain.Store, rs ...domain.Request) {
	t.Helper()
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for _, r := range rs {
			if err := tx.PutRequest(r); err != nil {
				return err
			}
		}
		return nil
	}))
}

// putOne puts one request, returning the store's answer.
func putOne(s domain.Store, r domain.Request) error {
	return s.Update(func(tx domain.Tx) error { return tx.PutRequest(r) })
}

func getRequest(t *testing.T, s domain.Store, id string) domain.Request {
	t.Helper()
	var r domain.Request
	require.NoError(t, s.View(func(tx domain.Tx) (err error) {
		r, err = tx.Request(id)
		return err
	}))
	return r
}

func lookupBarcode(t *testing.T, s domain.Store, code string) (domain.Request, bool) {
	t.Helper()
	var (
		r  domain.Request
		ok bool
	)
	require.NoError(t, s.View(func(tx domain.Tx) (err error) {
		r, ok, err = tx.RequestByBarcode(code)
		return err
	}))
	return r, ok
}

func requestIDs(rs []domain.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// isRefusal checks, without stopping the test, that err is a *domain.Refusal
// of the kind with a message for staff, and returns the message.
func isRefusal(t *testing.T, err error, kind error) string {
	t.Helper()
	var ref *domain.Refusal
	if !assert.ErrorIs(t, err, kind) || !assert.ErrorAs(t, err, &ref) {
		return ""
	}
	assert.NotEmpty(t, ref.Msg)
	return ref.Msg
}

// The normalizers set every time to UTC, so that values compare with
// assert.Equal as deep equality with times compared as instants (Equal):
// a store need not keep a time's location, but must keep the instant to
// the nanosecond (the desk's clock has nanoseconds, and Check compares
// summaries with requests).
func normRequest(r domain.Request) domain.Request {
	r.Created, r.Deadline, r.NeededBy, r.DueDate, r.HoldUntil = r.Created.UTC(), r.Deadline.UTC(), r.NeededBy.UTC(), r.DueDate.UTC(), r.HoldUntil.UTC()
	if r.History != nil {
		h := slices.Clone(r.History)
		for i := range h {
			h[i].At = h[i].At.UTC()
		}
		r.History = h
	}
	return r
}

func normSummary(s domain.Summary) domain.Summary {
	s.Created, s.Deadline, s.DueDate, s.Since = s.Created.UTC(), s.Deadline.UTC(), s.DueDate.UTC(), s.Since.UTC()
	return s
}

func normNotice(n domain.Notice) domain.Notice {
	n.Created, n.SentAt, n.NextTry = n.Created.UTC(), n.SentAt.UTC(), n.NextTry.UTC()
	return n
}

func normNotices(ns []domain.Notice) []domain.Notice {
	var out []domain.Notice
	for _, n := range ns {
		out = append(out, normNotice(n))
	}
	return out
}

// stateKinds and stateSettings are the record kinds and settings the tests
// use, which storeState reads.
var (
	stateKinds    = []string{"outbox", "delivery", "seen"}
	stateSettings = []string{"touched", "desk", "counter"}
)

// storeState is everything a store holds, read through domain.Tx, to
// compare a store before and after a change that must write nothing.
type storeState struct {
	Partners  []domain.Partner
	Requests  []domain.Request
	Summaries []domain.Summary
	Index     []domain.IndexEntry
	Count     int
	Notices   []domain.Notice
	Records   map[string][]string
	Settings  map[string]string
}

func stateOf(t *testing.T, s domain.Store) storeState {
	t.Helper()
	st := storeState{Records: map[string][]string{}, Settings: map[string]string{}}
	require.NoError(t, s.View(func(tx domain.Tx) error {
		ps, err := tx.Partners()
		if err != nil {
			return err
		}
		st.Partners = append(st.Partners, ps...)
		if err := tx.ForEachRequest(func(r domain.Request) error {
			st.Requests = append(st.Requests, normRequest(r))
			return nil
		}); err != nil {
			return err
		}
		if err := tx.ForEachSummary(func(s domain.Summary) error {
			st.Summaries = append(st.Summaries, normSummary(s))
			return nil
		}); err != nil {
			return err
		}
		if err := tx.IndexEntries(func(e domain.IndexEntry) error {
			st.Index = append(st.Index, e)
			return nil
		}); err != nil {
			return err
		}
		slices.SortFunc(st.Index, func(a, b domain.IndexEntry) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		if st.Count, err = tx.RequestCount(); err != nil {
			return err
		}
		ns, err := tx.Notices()
		if err != nil {
			return err
		}
		st.Notices = normNotices(ns)
		for _, kind := range stateKinds {
			if err := raw(tx).Records(kind, func(id string, v []byte) error {
				st.Records[kind] = append(st.Records[kind], id+"="+string(v))
				return nil
			}); err != nil {
				return err
			}
		}
		for _, key := range stateSettings {
			v, err := tx.Setting(key)
			if err != nil {
				return err
			}
			st.Settings[key] = v
		}
		return nil
	}))
	return st
}

// at is a time with nanoseconds in a zone other than UTC, which a store
// must give back as the same instant.
var at = time.Date(2026, 11, 23, 10, 30, 15, 123456789, time.FixedZone("CET", 3600))

// fullRequest is a lending request with every field set.
func fullRequest(id string) domain.Request {
	return domain.Request{
		ID:          id,
		Side:        domain.Lending,
		ExternalID:  "RS-1001",
		Partner:     "BL",
		State:       domain.ShippedDigitally,
		Format:      domain.FormatElectronic,
		ServiceType: "Copy",
		Citation: domain.Citation{Title: "Nature — Über Bücher", ArticleTitle: "On things", Author: "Zoë Ådahl", Journal: "Nature",
			Volume: "7", Number: "2", Year: "1999", Pages: "1-9", ISSN: "0028-0836", ISBN: "978-3-16-148410-0", DOI: "10.1/x", OCLC: "123"},
		Holdings: domain.Holdings{Location: "Stacks", CallNumber: "QH 1", ItemBarcode: "B100",
			EResources: []domain.EResource{{Name: "JSTOR", URL: "https://example.org/a?b=c&d=%20"}}},
		Requester:      "Ada",
		RequesterEmail: "ada@example.edu",
		Pickup:         "Main Library",
		InternalNote:   "line one\nline two",
		PartnerNote:    `quotes " and \ backslash`,
		Created:        at,
		Deadline:       at.Add(24 * time.Hour),
		NeededBy:       at.Add(48 * time.Hour),
		PickTarget:     "digitization:Scan Lab",
		DueDate:        at.AddDate(0, 1, 0),
		HoldUntil:      at.AddDate(0, 0, 7),
		ShippedFile:    &domain.ShippedFile{Name: "RS-1001.pdf", Bytes: 42, Pages: 3, SHA256: "ab"},
		History: []domain.Event{
			{At: at, From: "", To: domain.Created, Action: domain.ActCreate, Actor: "ada", Desk: "rs"},
			{At: at.Add(time.Hour + time.Nanosecond), From: domain.Created, To: domain.ShippedDigitally, Action: domain.ActShip, Actor: "ada", Desk: "rs", Note: "ok"},
		},
		CatalogueHoldings: []domain.Holding{{Location: "Stacks", CallNumber: "QH 1", ItemBarcode: "B100", Note: "2-hour loan",
			Source: `record 991 at catalogue.example.edu, found by bath.issn="0028-0836"`}},
		Lookup: &domain.HoldingsLookup{At: at.UTC().Add(time.Minute), Source: "https://catalogue.example.edu/sru"},
	}
}

// borrowing is a borrowing request in a state, with a temporary barcode.
func borrowing(id, ext, partner string, state domain.State, barcode string) domain.Request {
	return domain.Request{ID: id, Side: domain.Borrowing, ExternalID: ext, Partner: partner, State: state,
		Citation: domain.Citation{Title: "A book"}, Holdings: domain.Holdings{ItemBarcode: barcode}, Created: at}
}

// lending is a lending request in a state, with an item barcode.
func lending(id, ext, partner string, state domain.State, barcode string) domain.Request {
	return domain.Request{ID: id, Side: domain.Lending, ExternalID: ext, Partner: partner, State: state,
		Citation: domain.Citation{Title: "An article"}, Holdings: domain.Holdings{ItemBarcode: barcode}, Created: at}
}

// ---- the contract ----

func contractPartners(t *testing.T, s domain.Store) {
	ps := []domain.Partner{
		{Code: "ZZ", Name: "Zed Library", TurnaroundHours: 48, LoanPeriodDays: 14},
		{Code: "BL", Name: "British Library", TurnaroundHours: 24, Email: "ill@bl.uk", AgencyID: "GB-UkBL", LoanPeriodDays: 28,
			MaxFileBytes: 10 << 20, NeedsReview: true, ISOEndpoint: "https://iso.example.org/18626", Delivery: "email:ill@bl.uk"},
		{Code: "bvb", Name: "lower case sorts after upper case (byte order)"},
		{Code: "MM", Name: "Middle", InboundToken: "sha256:0f0f", ClientCA: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			AllowFrom: []string{"10.0.0.0/8", "2001:db8::/32"}},
	}
	require.NoError(t, s.View(func(tx domain.Tx) error {
		all, err := tx.Partners()
		assert.Empty(t, all)
		return err
	}))
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for _, p := range ps {
			if err := tx.PutPartner(p); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		all, err := tx.Partners()
		if err != nil {
			return err
		}
		assert.Equal(t, []domain.Partner{ps[1], ps[3], ps[0], ps[2]}, all, "ordered by code")
		bl, err := tx.Partner("BL")
		assert.Equal(t, ps[1], bl)
		return err
	}))

	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutPartner(domain.Partner{Code: "MM", Name: "Renamed"}) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		p, err := tx.Partner("MM")
		assert.Equal(t, domain.Partner{Code: "MM", Name: "Renamed"}, p, "replaced, not merged")
		all, err2 := tx.Partners()
		assert.Len(t, all, 4)
		return errors.Join(err, err2)
	}))
}

func contractRequestRoundTrip(t *testing.T, s domain.Store) {
	ids := newIDs(t, 2)
	full := fullRequest(ids[0])
	bare := domain.Request{ID: ids[1], Side: domain.Borrowing, State: domain.Created} // zero times, nil slices and pointer
	putAll(t, s, full, bare)

	assert.Equal(t, normRequest(full), normRequest(getRequest(t, s, full.ID)))
	assert.Equal(t, bare, normRequest(getRequest(t, s, bare.ID)))

	// replacing keeps only the new value
	full.State, full.ShippedFile, full.History = domain.Cancelled, nil, full.History[:1]
	full.EResources = nil
	putAll(t, s, full)
	assert.Equal(t, normRequest(full), normRequest(getRequest(t, s, full.ID)))
}

func contractCopies(t *testing.T, s domain.Store) {
	r := fullRequest(newRequestID(t))
	putAll(t, s, r)

	got := getRequest(t, s, r.ID)
	got.History[0].Actor = "mallory"
	got.ShippedFile.Name = "evil.pdf"
	got.EResources[0].URL = "https://evil.example"
	again := getRequest(t, s, r.ID)
	assert.Equal(t, "ada", again.History[0].Actor)
	assert.Equal(t, "RS-1001.pdf", again.ShippedFile.Name)
	assert.Equal(t, "https://example.org/a?b=c&d=%20", again.EResources[0].URL)

	// also within one transaction, and for lists
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		got, err := tx.Request(r.ID)
		if err != nil {
			return err
		}
		got.History[0].Actor = "mallory"
		list, err := tx.RequestsByIDPrefix(r.ID)
		if err != nil {
			return err
		}
		if assert.Len(t, list, 1) {
			list[0].ShippedFile.Name = "evil.pdf"
		}
		again, err := tx.Request(r.ID)
		assert.Equal(t, "ada", again.History[0].Actor)
		assert.Equal(t, "RS-1001.pdf", again.ShippedFile.Name)
		return err
	}))
	assert.Equal(t, normRequest(r), normRequest(getRequest(t, s, r.ID)))
}

func contractNotFound(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutPartner(domain.Partner{Code: "BL"}),
			tx.PutRequest(lending(ids[0], "E1", "BL", domain.Created, "")),
			tx.PutNotice(domain.Notice{ID: ids[1], RequestID: ids[0]}))
	}))
	tests := []struct {
		name    string
		do      func(tx domain.Tx) error
		kind    error
		mention string
	}{
		{"unknown request", func(tx domain.Tx) error { _, err := tx.Request(ids[2]); return err }, domain.ErrNotFound, ids[2]},
		{"request without id", func(tx domain.Tx) error { _, err := tx.Request(""); return err }, domain.ErrNotFound, ""},
		{"request by a prefix of its id", func(tx domain.Tx) error { _, err := tx.Request(ids[0][:8]); return err }, domain.ErrNotFound, ""},
		{"unknown notice", func(tx domain.Tx) error { _, err := tx.Notice(ids[2]); return err }, domain.ErrNotFound, ids[2]},
		{"notice without id", func(tx domain.Tx) error { _, err := tx.Notice(""); return err }, domain.ErrNotFound, ""},
		{"unknown partner", func(tx domain.Tx) error { _, err := tx.Partner("NOPE"); return err }, domain.ErrPartnerNotFound, "NOPE"},
		{"partner code in another case", func(tx domain.Tx) error { _, err := tx.Partner("bl"); return err }, domain.ErrPartnerNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.View(tt.do)
			msg := isRefusal(t, err, tt.kind)
			assert.Contains(t, msg, tt.mention)
		})
	}
}

func contractInvalidInput(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	putAll(t, s, lending(ids[0], "E1", "BL", domain.Created, ""))
	before := stateOf(t, s)
	tests := []struct {
		name string
		do   func(tx domain.Tx) error
	}{
		{"partner without code", func(tx domain.Tx) error { return tx.PutPartner(domain.Partner{Name: "no code"}) }},
		{"request without id", func(tx domain.Tx) error { return tx.PutRequest(domain.Request{Side: domain.Lending, Partner: "BL"}) }},
		{"NUL in an external id", func(tx domain.Tx) error {
			return tx.PutRequest(lending(ids[1], "a\x00b", "BL", domain.Created, ""))
		}},
		{"NUL in a partner code", func(tx domain.Tx) error {
			return tx.PutRequest(lending(ids[2], "E2", "B\x00L", domain.Created, ""))
		}},
		{"notice without id", func(tx domain.Tx) error { return tx.PutNotice(domain.Notice{To: "a@example.edu"}) }},
		{"setting without name", func(tx domain.Tx) error { return tx.PutSetting("", "x") }},
		{"record without kind", func(tx domain.Tx) error { return raw(tx).PutRecord("", "x", []byte("v")) }},
		{"record without id", func(tx domain.Tx) error { return raw(tx).PutRecord("outbox", "", []byte("v")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(func(tx domain.Tx) error {
				if err := tx.PutSetting("touched", "yes"); err != nil {
					return err
				}
				return tt.do(tx)
			})
			isRefusal(t, err, domain.ErrInvalidInput)
			assert.Equal(t, before, stateOf(t, s))
		})
	}
}

func contractViewIsReadOnly(t *testing.T, s domain.Store) {
	ids := newIDs(t, 4)
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutRequest(borrowing(ids[0], "E1", "BL", domain.Received, "T1")),
			tx.PutNotice(domain.Notice{ID: ids[1]}), raw(tx).PutRecord("outbox", "01", []byte("m")), tx.PutSetting("desk", "rs"))
	}))
	before := stateOf(t, s)
	tests := []struct {
		name string
		do   func(tx domain.Tx) error
	}{
		{"put setting", func(tx domain.Tx) error { return tx.PutSetting("desk", "other") }},
		{"put partner", func(tx domain.Tx) error { return tx.PutPartner(domain.Partner{Code: "NY"}) }},
		{"put request", func(tx domain.Tx) error { return tx.PutRequest(lending(ids[2], "E2", "BL", domain.Created, "")) }},
		{"replace request", func(tx domain.Tx) error {
			return tx.PutRequest(borrowing(ids[0], "E1", "BL", domain.Completed, "T1"))
		}},
		{"put notice", func(tx domain.Tx) error { return tx.PutNotice(domain.Notice{ID: ids[3]}) }},
		{"put record", func(tx domain.Tx) error { return raw(tx).PutRecord("outbox", "02", []byte("m")) }},
		{"delete record", func(tx domain.Tx) error { return raw(tx).DeleteRecord("outbox", "01") }},
		{"delete notice", func(tx domain.Tx) error { return tx.DeleteNotice(ids[1]) }},
		{"reindex", func(tx domain.Tx) error { return tx.Reindex() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, s.View(tt.do))
			assert.Equal(t, before, stateOf(t, s))
		})
	}
}

func contractReadOwnWrites(t *testing.T, s domain.Store) {
	ids := newIDs(t, 2)
	r := borrowing(ids[0], "OWN-1", "BL", domain.Received, "OWN1")
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		if err := errors.Join(tx.PutPartner(domain.Partner{Code: "BL", Name: "British Library"}), tx.PutRequest(r),
			tx.PutSetting("desk", "rs"), tx.PutNotice(domain.Notice{ID: ids[1], RequestID: r.ID}),
			raw(tx).PutRecord("outbox", "01", []byte("m"))); err != nil {
			return err
		}
		p, err := tx.Partner("BL")
		assert.Equal(t, "British Library", p.Name)
		got, err2 := tx.Request(r.ID)
		assert.Equal(t, normRequest(r), normRequest(got))
		byCode, ok, err3 := tx.RequestByBarcode("OWN1")
		assert.True(t, ok)
		assert.Equal(t, r.ID, byCode.ID)
		byExt, err4 := tx.RequestsByExternalID("OWN-1")
		assert.Equal(t, []string{r.ID}, requestIDs(byExt))
		byPrefix, err5 := tx.RequestsByIDPrefix(r.ID[:13])
		assert.Equal(t, []string{r.ID}, requestIDs(byPrefix))
		// RequestCount is left out: the bbolt store counts committed pages
		// (Bucket.Stats), which miss the transaction's own puts; the desk
		// asks for it only in View.
		var sums []domain.Summary
		err7 := tx.ForEachSummary(func(s domain.Summary) error { sums = append(sums, normSummary(s)); return nil })
		assert.Equal(t, []domain.Summary{normSummary(r.Summary())}, sums)
		entries := 0
		err8 := tx.IndexEntries(func(domain.IndexEntry) error { entries++; return nil })
		assert.Equal(t, 2, entries, "a barcode and an external id")
		v, err9 := tx.Setting("desk")
		assert.Equal(t, "rs", v)
		_, err10 := tx.Notice(ids[1])
		rec, ok, err11 := raw(tx).Record("outbox", "01")
		assert.True(t, ok)
		assert.Equal(t, "m", string(rec))
		if err := errors.Join(err, err2, err3, err4, err5, err7, err8, err9, err10, err11); err != nil {
			return err
		}

		// and its own changes and deletions
		r.State = domain.Completed
		if err := errors.Join(tx.PutRequest(r), tx.DeleteNotice(ids[1]), raw(tx).DeleteRecord("outbox", "01")); err != nil {
			return err
		}
		_, ok, err = tx.RequestByBarcode("OWN1")
		assert.False(t, ok, "released by the change to Completed")
		_, err2 = tx.Notice(ids[1])
		assert.ErrorIs(t, err2, domain.ErrNotFound)
		_, ok, err3 = raw(tx).Record("outbox", "01")
		assert.False(t, ok)
		return errors.Join(err, err3)
	}))
}

func contractIDPrefix(t *testing.T, s domain.Store) {
	ids := newIDs(t, 5)
	for i := len(ids) - 1; i >= 0; i-- { // stored newest first: the lookups still list in id order
		putAll(t, s, lending(ids[i], "", "BL", domain.Created, ""))
	}
	common := ids[0]
	for _, id := range ids[1:] {
		for !strings.HasPrefix(id, common) {
			common = common[:len(common)-1]
		}
	}
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"full id", ids[2], ids[2:3]},
		{"empty prefix is all", "", ids},
		{"shared start is all", common, ids},
		{"no match", "zzzz", nil},
		{"longer than an id", ids[1] + "0", nil},
		{"LIKE wildcard percent is literal", "%", nil},
		{"LIKE wildcard underscore is literal", strings.Repeat("_", 8), nil},
		{"regexp dot is literal", ids[3][:4] + ".", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []domain.Request
			require.NoError(t, s.View(func(tx domain.Tx) (err error) {
				got, err = tx.RequestsByIDPrefix(tt.prefix)
				return err
			}))
			assert.Equal(t, tt.want, requestIDs(got))
		})
	}
}

func contractIDSuffix(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	// two ids share their last four characters (still valid UUIDs)
	ids[0] = ids[0][:32] + "1111"
	ids[1] = ids[1][:32] + "2222"
	ids[2] = ids[2][:32] + "1111"
	putAll(t, s, lending(ids[2], "", "BL", domain.Created, ""), lending(ids[0], "", "BL", domain.Created, ""),
		lending(ids[1], "", "BL", domain.Created, ""))
	tests := []struct {
		name   string
		suffix string
		want   []string
	}{
		{"short reference", ids[1][len(ids[1])-8:], ids[1:2]},
		{"shared ending, in id order", "1111", []string{ids[0], ids[2]}},
		{"full id", ids[2], ids[2:3]},
		{"empty suffix is all", "", ids},
		{"no match", "9999", nil},
		{"LIKE wildcard percent is literal", "%", nil},
		{"LIKE wildcard underscore is literal", "_111", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []domain.Request
			require.NoError(t, s.View(func(tx domain.Tx) (err error) {
				got, err = tx.RequestsByIDSuffix(tt.suffix)
				return err
			}))
			assert.Equal(t, tt.want, requestIDs(got))
		})
	}
}

func contractByIDs(t *testing.T, s domain.Store) {
	ids := newIDs(t, 4)
	putAll(t, s, lending(ids[0], "E0", "BL", domain.Created, ""), lending(ids[1], "E1", "BL", domain.Created, ""),
		lending(ids[2], "E2", "BL", domain.Created, ""))
	tests := []struct {
		name    string
		ids     []string
		want    []string
		missing string
	}{
		{"in the order asked", []string{ids[2], ids[0], ids[1]}, []string{ids[2], ids[0], ids[1]}, ""},
		{"one", ids[1:2], ids[1:2], ""},
		{"none", nil, nil, ""},
		{"one not stored", []string{ids[0], ids[3], ids[1]}, nil, ids[3]},
		{"a prefix is not an id", []string{ids[0][:8]}, nil, ids[0][:8]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []domain.Request
			err := s.View(func(tx domain.Tx) (err error) {
				got, err = tx.RequestsByIDs(tt.ids)
				return err
			})
			if tt.missing != "" {
				assert.Contains(t, isRefusal(t, err, domain.ErrNotFound), tt.missing)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, requestIDs(got))
		})
	}
	// a transaction reads its own writes, whole
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		r := lending(ids[3], "E3", "BL", domain.Created, "")
		r.Title = "Written here"
		if err := tx.PutRequest(r); err != nil {
			return err
		}
		got, err := tx.RequestsByIDs([]string{ids[3], ids[0]})
		if assert.NoError(t, err) && assert.Len(t, got, 2) {
			assert.Equal(t, "Written here", got[0].Title)
			assert.Equal(t, "E0", got[1].ExternalID)
		}
		return nil
	}))
}

func contractExternalID(t *testing.T, s domain.Store) {
	ids := newIDs(t, 5)
	ny := lending(ids[0], "X1", "NY", domain.Created, "")
	bl := borrowing(ids[1], "X1", "BL", domain.Created, "")
	longer := lending(ids[2], "X10", "BL", domain.Created, "")
	none := lending(ids[3], "", "BL", domain.Created, "")
	odd := lending(ids[4], "X_1 %", "BL", domain.Created, "")
	putAll(t, s, ny, bl, longer, none, odd)
	tests := []struct {
		ext  string
		want []string
	}{
		{"X1", []string{bl.ID, ny.ID}}, // ordered by partner code
		{"X10", []string{longer.ID}},
		{"X_1 %", []string{odd.ID}},
		{"X", nil},
		{"x1", nil},
		{"X%", nil},
		{"X_", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.ext), func(t *testing.T) {
			var got []domain.Request
			require.NoError(t, s.View(func(tx domain.Tx) (err error) {
				got, err = tx.RequestsByExternalID(tt.ext)
				return err
			}))
			assert.Equal(t, tt.want, requestIDs(got))
			if len(got) > 0 && tt.ext == "X1" {
				assert.Equal(t, normRequest(bl), normRequest(got[0]), "whole requests")
			}
		})
	}
}

func contractBarcodeFollowsState(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	a := borrowing(ids[0], "A", "BL", domain.Created, "TMP1")
	putAll(t, s, a)
	_, ok := lookupBarcode(t, s, "TMP1")
	assert.False(t, ok, "no barcode is active in Created")

	for _, step := range []struct {
		state  domain.State
		active bool
	}{
		{domain.Received, true},
		{domain.OnHoldShelf, true},
		{domain.Loaned, true},
		{domain.ReturnedByPatron, true},
		{domain.Completed, false},
	} {
		a.State = step.state
		putAll(t, s, a)
		got, ok := lookupBarcode(t, s, "TMP1")
		assert.Equal(t, step.active, ok, "state %s", step.state)
		if ok {
			assert.Equal(t, normRequest(a), normRequest(got))
		}
	}

	// a freed barcode can be taken by another request
	b := borrowing(ids[1], "B", "BL", domain.Received, "TMP1")
	putAll(t, s, b)
	got, ok := lookupBarcode(t, s, "TMP1")
	require.True(t, ok)
	assert.Equal(t, b.ID, got.ID)

	// changing the barcode of an active request moves the entry
	b.ItemBarcode = "TMP2"
	putAll(t, s, b)
	_, ok = lookupBarcode(t, s, "TMP1")
	assert.False(t, ok)
	got, ok = lookupBarcode(t, s, "TMP2")
	require.True(t, ok)
	assert.Equal(t, b.ID, got.ID)

	// lending: active only while picking and at the desk
	l := lending(ids[2], "", "BL", domain.PickRequested, "L1")
	putAll(t, s, l)
	for _, step := range []struct {
		state  domain.State
		active bool
	}{
		{domain.ItemAtDesk, true},
		{domain.ShippedDigitally, false},
	} {
		l.State = step.state
		putAll(t, s, l)
		_, ok := lookupBarcode(t, s, "L1")
		assert.Equal(t, step.active, ok, "state %s", step.state)
	}

	for _, code := range []string{"", "NOPE", "tmp2", "TMP"} {
		_, ok := lookupBarcode(t, s, code)
		assert.False(t, ok, "%q", code)
	}
}

func contractExternalIDUnique(t *testing.T, s domain.Store) {
	first := lending(newRequestID(t), "REQ-7", "BL", domain.Created, "")
	putAll(t, s, first)
	tests := []struct {
		name    string
		partner string
		ext     string
		refused bool
	}{
		{"same partner same id refused", "BL", "REQ-7", true},
		{"other partner same id allowed", "NY", "REQ-7", false},
		{"same partner other id allowed", "BL", "REQ-8", false},
		{"no external id allowed", "BL", "", false},
		{"no external id twice allowed", "BL", "", false},
		{"id that is a prefix allowed", "BL", "REQ", false},
		{"id in another case allowed", "BL", "req-7", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := putOne(s, lending(newRequestID(t), tt.ext, tt.partner, domain.Created, ""))
			if !tt.refused {
				assert.NoError(t, err)
				return
			}
			msg := isRefusal(t, err, domain.ErrDuplicateExternalID)
			assert.Contains(t, msg, tt.partner)
			assert.Contains(t, msg, tt.ext)
		})
	}

	// putting the same request again is no duplicate of itself
	first.State = domain.PickRequested
	require.NoError(t, putOne(s, first))
	// changing a request's external id frees the old one
	first.ExternalID = "REQ-7b"
	require.NoError(t, putOne(s, first))
	again := lending(newRequestID(t), "REQ-7", "BL", domain.Created, "")
	require.NoError(t, putOne(s, again))
	// moving a request to another partner frees the (id, partner) pair
	again.Partner = "QQ"
	require.NoError(t, putOne(s, again))
	require.NoError(t, putOne(s, lending(newRequestID(t), "REQ-7", "BL", domain.Created, "")))
}

func contractRefusedPutWritesNothing(t *testing.T, s domain.Store) {
	ids := newIDs(t, 5)
	holder := borrowing(ids[0], "HOLD-1", "BL", domain.Loaned, "X9")
	other := borrowing(ids[1], "O-1", "NY", domain.Created, "X9") // X9 not active in Created: no conflict yet
	a := lending(ids[2], "E", "BL", domain.ItemAtDesk, "BC")
	b := lending(ids[3], "F", "BL", domain.ItemAtDesk, "BC2")
	putAll(t, s, holder, other, a, b)
	before := stateOf(t, s)

	t.Run("returned refusal rolls the update back", func(t *testing.T) {
		err := s.Update(func(tx domain.Tx) error {
			if err := tx.PutSetting("touched", "yes"); err != nil {
				return err
			}
			if err := tx.PutRequest(lending(ids[4], "NEW", "ZZ", domain.Created, "")); err != nil {
				return err
			}
			o := other
			o.State = domain.Received
			return tx.PutRequest(o)
		})
		msg := isRefusal(t, err, domain.ErrBarcodeInUse)
		assert.Contains(t, msg, "X9")
		assert.Contains(t, msg, "HOLD-1", "names the holder by its reference")
		assert.Equal(t, before, stateOf(t, s))
		got, ok := lookupBarcode(t, s, "X9")
		require.True(t, ok)
		assert.Equal(t, holder.ID, got.ID)
	})

	// The caller swallows the refusals and commits: the refused puts must not
	// have half-written anything (such as b's old index entries), and the
	// transaction goes on working.
	t.Run("swallowed refusal, committed", func(t *testing.T) {
		require.NoError(t, s.Update(func(tx domain.Tx) error {
			bb := b
			bb.ExternalID = "E" // a's
			isRefusal(t, tx.PutRequest(bb), domain.ErrDuplicateExternalID)
			bb = b
			bb.ItemBarcode = "BC" // a's
			isRefusal(t, tx.PutRequest(bb), domain.ErrBarcodeInUse)
			fresh := lending(ids[4], "F", "BL", domain.Created, "") // b's external id
			isRefusal(t, tx.PutRequest(fresh), domain.ErrDuplicateExternalID)
			return tx.PutSetting("desk", "after the refusals")
		}))
		want := before
		want.Settings = maps.Clone(before.Settings)
		want.Settings["desk"] = "after the refusals"
		assert.Equal(t, want, stateOf(t, s))
	})
}

func contractFailedUpdate(t *testing.T, s domain.Store) {
	ids := newIDs(t, 4)
	r := borrowing(ids[0], "E1", "BL", domain.Received, "T1")
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutPartner(domain.Partner{Code: "BL"}), tx.PutRequest(r), tx.PutNotice(domain.Notice{ID: ids[1]}),
			raw(tx).PutRecord("outbox", "01", []byte("m")), tx.PutSetting("desk", "rs"))
	}))
	before := stateOf(t, s)

	boom := errors.New("boom")
	err := s.Update(func(tx domain.Tx) error {
		changed := r
		changed.State, changed.ItemBarcode = domain.Loaned, "T2"
		if err := errors.Join(
			tx.PutPartner(domain.Partner{Code: "NY"}),
			tx.PutPartner(domain.Partner{Code: "BL", Name: "renamed"}),
			tx.PutRequest(changed),
			tx.PutRequest(lending(ids[2], "E2", "NY", domain.ItemAtDesk, "T3")),
			tx.PutSetting("desk", "other"),
			tx.PutSetting("touched", "yes"),
			tx.PutNotice(domain.Notice{ID: ids[3]}),
			tx.DeleteNotice(ids[1]),
			raw(tx).PutRecord("outbox", "02", []byte("m")),
			raw(tx).PutRecord("seen", "01", []byte("x")),
			raw(tx).DeleteRecord("outbox", "01"),
		); err != nil {
			return err
		}
		return fmt.Errorf("after all those writes: %w", boom)
	})
	require.ErrorIs(t, err, boom, "Update returns fn's error")
	assert.Equal(t, before, stateOf(t, s), "nothing written")
	got, ok := lookupBarcode(t, s, "T1")
	assert.True(t, ok)
	assert.Equal(t, r.ID, got.ID)
	_, ok = lookupBarcode(t, s, "T2")
	assert.False(t, ok)
}

func contractForEachRequestOrder(t *testing.T, s domain.Store) {
	ids := newIDs(t, 6)
	var rs []domain.Request
	for _, id := range ids {
		rs = append(rs, lending(id, "", "BL", domain.Created, ""))
	}
	slices.Reverse(rs) // stored newest first
	putAll(t, s, rs[:3]...)
	putAll(t, s, rs[3:]...)
	var seen, sums []string
	require.NoError(t, s.View(func(tx domain.Tx) error {
		return errors.Join(
			tx.ForEachRequest(func(r domain.Request) error { seen = append(seen, r.ID); return nil }),
			tx.ForEachSummary(func(s domain.Summary) error { sums = append(sums, s.ID); return nil }))
	}))
	assert.Equal(t, ids, seen, "creation (id) order")
	assert.Equal(t, ids, sums, "creation (id) order")
}

func contractForEachRequestWithPuts(t *testing.T, s domain.Store) {
	ids := newIDs(t, 5)
	for _, id := range ids {
		putAll(t, s, borrowing(id, "E-"+id, "BL", domain.Created, "T-"+id))
	}
	later := newRequestID(t)
	count := map[string]int{}
	var order []string
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return tx.ForEachRequest(func(r domain.Request) error {
			count[r.ID]++
			order = append(order, r.ID)
			if count[r.ID] > 1 {
				return fmt.Errorf("request %s visited twice", r.ID)
			}
			if r.ID == ids[0] {
				// a request created during the walk (a later id): the walk may or may not visit it
				if err := tx.PutRequest(lending(later, "NEW", "BL", domain.Created, "")); err != nil {
					return err
				}
			}
			r.InternalNote = "touched"
			r.State = domain.Received // makes the barcode active: index writes during the walk
			return tx.PutRequest(r)
		})
	}))
	order = slices.DeleteFunc(order, func(id string) bool { return id == later })
	assert.Equal(t, ids, order, "every request visited once, in id order")
	for _, id := range ids {
		assert.Equal(t, "touched", getRequest(t, s, id).InternalNote)
		got, ok := lookupBarcode(t, s, "T-"+id)
		if assert.True(t, ok) {
			assert.Equal(t, id, got.ID)
		}
	}
	assert.Equal(t, "NEW", getRequest(t, s, later).ExternalID)
}

func contractWalksStop(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for _, id := range ids {
			if err := errors.Join(tx.PutRequest(borrowing(id, "E-"+id, "BL", domain.Received, "T-"+id)),
				raw(tx).PutRecord("outbox", id, []byte("m"))); err != nil {
				return err
			}
		}
		return nil
	}))
	stop := errors.New("stop")
	tests := []struct {
		name string
		walk func(tx domain.Tx, fn func() error) error
	}{
		{"ForEachRequest", func(tx domain.Tx, fn func() error) error {
			return tx.ForEachRequest(func(domain.Request) error { return fn() })
		}},
		{"ForEachSummary", func(tx domain.Tx, fn func() error) error {
			return tx.ForEachSummary(func(domain.Summary) error { return fn() })
		}},
		{"IndexEntries", func(tx domain.Tx, fn func() error) error {
			return tx.IndexEntries(func(domain.IndexEntry) error { return fn() })
		}},
		{"Records", func(tx domain.Tx, fn func() error) error {
			return raw(tx).Records("outbox", func(string, []byte) error { return fn() })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{1, 2} {
				calls := 0
				err := s.View(func(tx domain.Tx) error {
					return tt.walk(tx, func() error {
						calls++
						if calls == n {
							return stop
						}
						return nil
					})
				})
				assert.ErrorIs(t, err, stop)
				assert.Equal(t, n, calls, "stopped at call %d", n)
			}
		})
	}
}

// summaries reads every summary, normalized.
func summaries(t *testing.T, s domain.Store) []domain.Summary {
	t.Helper()
	var out []domain.Summary
	require.NoError(t, s.View(func(tx domain.Tx) error {
		return tx.ForEachSummary(func(s domain.Summary) error { out = append(out, normSummary(s)); return nil })
	}))
	return out
}

func contractSummaries(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	a := fullRequest(ids[0])                              // Since is the last state change in its history
	b := borrowing(ids[1], "", "BVB", domain.Created, "") // no history: Since is Created
	b.Requester, b.Pickup = "Zoë", "Main"
	c := domain.Request{ID: ids[2], Side: domain.Lending, State: domain.Created} // zero times
	putAll(t, s, c, b, a)
	want := func(rs ...domain.Request) []domain.Summary {
		var out []domain.Summary
		for _, r := range rs {
			out = append(out, normSummary(r.Summary()))
		}
		return out
	}
	assert.Equal(t, want(a, b, c), summaries(t, s))

	// a change to the request changes its summary
	a.State, a.Title = domain.Cancelled, "Another title"
	a.History = append(a.History, domain.Event{At: at.Add(3*time.Hour + 7), From: domain.ShippedDigitally, To: domain.Cancelled, Action: domain.ActCancel})
	putAll(t, s, a)
	assert.Equal(t, want(a, b, c), summaries(t, s))
	assert.True(t, summaries(t, s)[0].Since.Equal(at.Add(3*time.Hour+7)), "since the change, to the nanosecond")
}

func contractRequestCount(t *testing.T, s domain.Store) {
	countIs := func(want int) {
		t.Helper()
		require.NoError(t, s.View(func(tx domain.Tx) error {
			n, err := tx.RequestCount()
			assert.Equal(t, want, n)
			return err
		}))
	}
	countIs(0)
	ids := newIDs(t, 4)
	putAll(t, s, lending(ids[0], "E1", "BL", domain.Created, ""), lending(ids[1], "", "BL", domain.Created, ""),
		lending(ids[2], "", "BL", domain.Created, ""))
	countIs(3)
	putAll(t, s, lending(ids[0], "E1", "BL", domain.PickRequested, "B1")) // replaced
	countIs(3)
	assert.Error(t, putOne(s, lending(ids[3], "E1", "BL", domain.Created, ""))) // refused
	countIs(3)
	assert.Error(t, s.Update(func(tx domain.Tx) error {
		if err := tx.PutRequest(lending(ids[3], "", "BL", domain.Created, "")); err != nil {
			return err
		}
		return errors.New("rolled back")
	}))
	countIs(3)
}

// indexEntries reads every index entry.
func indexEntries(t *testing.T, s domain.Store) []domain.IndexEntry {
	t.Helper()
	var out []domain.IndexEntry
	require.NoError(t, s.View(func(tx domain.Tx) error {
		return tx.IndexEntries(func(e domain.IndexEntry) error { out = append(out, e); return nil })
	}))
	return out
}

func contractIndexEntries(t *testing.T, s domain.Store) {
	assert.Empty(t, indexEntries(t, s))
	ids := newIDs(t, 4)
	a := borrowing(ids[0], "EA", "P1", domain.Received, "IX1")
	b := lending(ids[1], "EB", "P2", domain.Created, "IX2") // barcode not active
	c := lending(ids[2], "", "P1", domain.ItemAtDesk, "IX3")
	d := lending(ids[3], "", "P1", domain.Created, "")
	putAll(t, s, a, b, c, d)
	assert.ElementsMatch(t, []domain.IndexEntry{
		{Index: domain.IndexBarcode, Barcode: "IX1", RequestID: a.ID},
		{Index: domain.IndexBarcode, Barcode: "IX3", RequestID: c.ID},
		{Index: domain.IndexExternal, ExternalID: "EA", Partner: "P1", RequestID: a.ID},
		{Index: domain.IndexExternal, ExternalID: "EB", Partner: "P2", RequestID: b.ID},
	}, indexEntries(t, s))

	a.State = domain.Completed
	b.ExternalID, b.State = "EB2", domain.PickRequested
	putAll(t, s, a, b)
	assert.ElementsMatch(t, []domain.IndexEntry{
		{Index: domain.IndexBarcode, Barcode: "IX2", RequestID: b.ID},
		{Index: domain.IndexBarcode, Barcode: "IX3", RequestID: c.ID},
		{Index: domain.IndexExternal, ExternalID: "EA", Partner: "P1", RequestID: a.ID},
		{Index: domain.IndexExternal, ExternalID: "EB2", Partner: "P2", RequestID: b.ID},
	}, indexEntries(t, s))
}

func contractReindex(t *testing.T, s domain.Store) {
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.Reindex() }), "an empty store")
	assert.Equal(t, 0, stateOf(t, s).Count)

	ids := newIDs(t, 4)
	a := borrowing(ids[0], "EA", "P1", domain.Received, "IX1")
	b := fullRequest(ids[1])
	c := lending(ids[2], "", "P1", domain.ItemAtDesk, "IX3")
	d := lending(ids[3], "", "P1", domain.Created, "")
	putAll(t, s, a, b, c, d)
	before := stateOf(t, s)
	require.Len(t, before.Index, 4)

	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.Reindex() }))
	assert.Equal(t, before, stateOf(t, s))
	got, ok := lookupBarcode(t, s, "IX3")
	require.True(t, ok)
	assert.Equal(t, c.ID, got.ID)
	require.NoError(t, s.View(func(tx domain.Tx) error {
		rs, err := tx.RequestsByExternalID("RS-1001")
		assert.Equal(t, []string{b.ID}, requestIDs(rs))
		return err
	}))
	assert.Error(t, putOne(s, borrowing(newRequestID(t), "EA", "P1", domain.Created, "")), "uniqueness still kept")
	require.NoError(t, s.View(func(tx domain.Tx) error { return tx.Verify() }))
}

func contractVerify(t *testing.T, s domain.Store) {
	require.NoError(t, s.View(func(tx domain.Tx) error { return tx.Verify() }), "an empty store")
	ids := newIDs(t, 50)
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for i, id := range ids {
			r := fullRequest(id)
			r.ExternalID, r.ItemBarcode, r.State = "E-"+strconv.Itoa(i), "B-"+strconv.Itoa(i), domain.ItemAtDesk
			if err := errors.Join(tx.PutRequest(r), raw(tx).PutRecord("outbox", id, []byte(strings.Repeat("x", 3000)))); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for _, id := range ids[:25] {
			if err := raw(tx).DeleteRecord("outbox", id); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, s.View(func(tx domain.Tx) error { return tx.Verify() }), "a store with data")
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.Verify() }), "also inside Update")
}

// records lists a kind's records as id=value.
func records(t *testing.T, s domain.Store, kind string) []string {
	t.Helper()
	var out []string
	require.NoError(t, s.View(func(tx domain.Tx) error {
		return raw(tx).Records(kind, func(id string, v []byte) error { out = append(out, id+"="+string(v)); return nil })
	}))
	return out
}

func contractRecords(t *testing.T, s domain.Store) {
	assert.Empty(t, records(t, s, "outbox"))
	binary := []byte{0, 1, 0xff, 0xfe, '\n', 0}
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for _, id := range []string{"02", "a", "01", "_x", "B", "03"} {
			if err := raw(tx).PutRecord("outbox", id, []byte("m"+id)); err != nil {
				return err
			}
		}
		return errors.Join(raw(tx).PutRecord("seen", "01", []byte(`{"json": true}`)), raw(tx).PutRecord("delivery", "bin", binary),
			raw(tx).PutRecord("delivery", "empty", []byte{}))
	}))
	assert.Equal(t, []string{"01=m01", "02=m02", "03=m03", "B=mB", "_x=m_x", "a=ma"}, records(t, s, "outbox"), "byte order of ids")
	assert.Equal(t, []string{`01={"json": true}`}, records(t, s, "seen"), "kinds are kept apart")
	assert.Empty(t, records(t, s, "nothing"), "an unknown kind has no records")

	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(raw(tx).PutRecord("outbox", "02", []byte("replaced")), raw(tx).DeleteRecord("outbox", "03"),
			raw(tx).DeleteRecord("outbox", "missing"), raw(tx).DeleteRecord("unknown kind", "01"))
	}))
	assert.Equal(t, []string{"01=m01", "02=replaced", "B=mB", "_x=m_x", "a=ma"}, records(t, s, "outbox"))

	require.NoError(t, s.View(func(tx domain.Tx) error {
		v, ok, err := raw(tx).Record("delivery", "bin")
		assert.True(t, ok)
		assert.Equal(t, binary, v, "any bytes")
		v, ok, err2 := raw(tx).Record("delivery", "empty")
		assert.True(t, ok, "an empty value is a record")
		assert.Empty(t, v)
		_, ok, err3 := raw(tx).Record("outbox", "03")
		assert.False(t, ok, "deleted")
		_, ok, err4 := raw(tx).Record("nothing", "01")
		assert.False(t, ok, "unknown kind")
		_, ok, err5 := raw(tx).Record("seen", "02")
		assert.False(t, ok, "unknown id")

		// values are copies
		v, _, err6 := raw(tx).Record("outbox", "01")
		if len(v) > 0 {
			v[0] = 'X'
		}
		err7 := raw(tx).Records("outbox", func(_ string, v []byte) error { v[0] = 'X'; return nil })
		v, _, err8 := raw(tx).Record("outbox", "01")
		assert.Equal(t, "m01", string(v))
		return errors.Join(err, err2, err3, err4, err5, err6, err7, err8)
	}))
	assert.Equal(t, []string{"01=m01", "02=replaced", "B=mB", "_x=m_x", "a=ma"}, records(t, s, "outbox"))
}

// ---- typed records ----

func contractOutbox(t *testing.T, s domain.Store) {
	msg := func(id, request string) domain.OutboxMessage {
		return domain.OutboxMessage{ID: id, RequestID: request, Ref: "E-" + id, Partner: "RAPID", Kind: domain.KindSupplying,
			Summary: "CopyCompleted", Body: []byte{'<', 0, 0xff, '>'}, Created: at.UTC(), Status: domain.MessagePending,
			NextTry: at.UTC().Add(time.Minute)}
	}
	all := func() []domain.OutboxMessage {
		t.Helper()
		var out []domain.OutboxMessage
		require.NoError(t, s.View(func(tx domain.Tx) error {
			return tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error { out = append(out, m); return nil })
		}))
		return out
	}
	assert.Empty(t, all())
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutOutboxMessage(msg("02", "r2")), tx.PutOutboxMessage(msg("01", "r1")), tx.PutOutboxMessage(msg("03", "r1")))
	}))
	assert.Equal(t, []domain.OutboxMessage{msg("01", "r1"), msg("02", "r2"), msg("03", "r1")}, all(), "in id order, every field back")

	sent := msg("02", "r2")
	sent.Status, sent.Attempts, sent.SentAt, sent.Where, sent.NextTry = domain.MessageSent, 1, at.UTC(), "http://partner/iso", time.Time{}
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		// a walk may write: the desk withdraws messages while walking them
		return tx.ForEachOutboxMessage(func(m domain.OutboxMessage) error {
			switch m.ID {
			case "02":
				return tx.PutOutboxMessage(sent)
			case "03":
				return tx.DeleteOutboxMessage(m.ID)
			}
			return nil
		})
	}))
	assert.Equal(t, []domain.OutboxMessage{msg("01", "r1"), sent}, all())

	require.NoError(t, s.View(func(tx domain.Tx) error {
		m, ok, err := tx.OutboxMessage("02")
		assert.True(t, ok)
		assert.Equal(t, sent, m)
		_, ok, err2 := tx.OutboxMessage("03")
		assert.False(t, ok, "deleted")
		_, ok, err3 := tx.OutboxMessage("")
		assert.False(t, ok, "no id")
		return errors.Join(err, err2, err3)
	}))
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.DeleteOutboxMessage("missing") }), "deleting a missing message is no error")
	err := s.Update(func(tx domain.Tx) error { return tx.PutOutboxMessage(msg("", "r1")) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a message needs an id")
	assert.Len(t, all(), 2)
}

func contractDeliveries(t *testing.T, s domain.Store) {
	dl := func(id string) domain.Delivery {
		return domain.Delivery{ID: id, RequestID: "r" + id, Ref: "E-" + id, Partner: "RAPID", Method: domain.DeliveryEmail,
			Target: "ill@example.org", File: "E-" + id + ".pdf", Created: at.UTC(), Status: domain.DeliveryPending, NextTry: at.UTC()}
	}
	done := dl("01")
	done.Status, done.Attempts, done.Where, done.At, done.LastError = domain.DeliveryDelivered, 2, "ill@example.org", at.UTC(), ""
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutDelivery(dl("02")), tx.PutDelivery(dl("01")), tx.PutDelivery(done))
	}))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		var ids []string
		err := tx.ForEachDelivery(func(d domain.Delivery) error { ids = append(ids, d.ID); return nil })
		assert.Equal(t, []string{"01", "02"}, ids, "in id order, a put replaces")
		got, ok, err2 := tx.Delivery("01")
		assert.True(t, ok)
		assert.Equal(t, done, got)
		_, ok, err3 := tx.Delivery("03")
		assert.False(t, ok)
		return errors.Join(err, err2, err3)
	}))
	err := s.Update(func(tx domain.Tx) error { return tx.PutDelivery(dl("")) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a delivery needs an id")
}

// contractLinkTokens checks the index of download links: found by the
// hash alone (a damaged delivery elsewhere does not disturb the lookup, so
// the deliveries are not walked), moved when a hash changes, unique.
func contractLinkTokens(t *testing.T, s domain.Store) {
	h := func(c string) string { return strings.Repeat(c, 64) }
	dl := func(id, hash string) domain.Delivery {
		return domain.Delivery{ID: id, RequestID: "r" + id, Ref: "E-" + id, Partner: "RAPID", Method: domain.DeliveryISO,
			File: "E-" + id + ".pdf", Created: at.UTC(), Status: domain.DeliveryAvailable, TokenHash: hash, Expires: at.UTC().Add(time.Hour)}
	}
	lookup := func(hash string) (domain.Delivery, bool) {
		t.Helper()
		var got domain.Delivery
		var ok bool
		require.NoError(t, s.View(func(tx domain.Tx) (err error) {
			got, ok, err = tx.DeliveryByTokenHash(hash)
			return err
		}))
		return got, ok
	}
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutDelivery(dl("01", h("a"))), tx.PutDelivery(dl("02", h("b"))), tx.PutDelivery(dl("03", "")),
			raw(tx).PutRecord(storage.KindDeliveries, "99", []byte("{not json")))
	}))
	got, ok := lookup(h("a"))
	assert.True(t, ok)
	assert.Equal(t, dl("01", h("a")), got)
	for _, missing := range []string{h("c"), "", h("a")[:63]} {
		_, ok := lookup(missing)
		assert.False(t, ok, "no delivery has the hash %q", missing)
	}

	revoked := dl("01", h("a"))
	revoked.Revoked = at.UTC()
	changed := dl("02", h("d"))
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutDelivery(revoked), tx.PutDelivery(changed))
	}))
	got, ok = lookup(h("a"))
	assert.True(t, ok, "a put with the same hash keeps the entry")
	assert.Equal(t, revoked, got)
	_, ok = lookup(h("b"))
	assert.False(t, ok, "a changed hash leaves the old one")
	got, ok = lookup(h("d"))
	assert.True(t, ok)
	assert.Equal(t, changed, got)

	err := s.Update(func(tx domain.Tx) error { return tx.PutDelivery(dl("04", h("a"))) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a hash another delivery has is refused")
	require.NoError(t, s.View(func(tx domain.Tx) error {
		_, ok, err := tx.Delivery("04")
		assert.False(t, ok, "the refused delivery was not written")
		return err
	}))
	got, ok = lookup(h("a"))
	assert.True(t, ok)
	assert.Equal(t, "01", got.ID, "the entry still names its delivery")
}

func contractSeenMessages(t *testing.T, s domain.Store) {
	seen := domain.SeenMessage{Result: domain.ImportResult{Kind: domain.KindRequest, Request: "r1", Ref: "E-1",
		Outcome: "Lending request E-1 created.", NewPartner: "DE-12"}, Confirmation: []byte("<ok/>"), At: at.UTC()}
	key := strings.Repeat("ab", 32)
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutSeenMessage(key, seen) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		got, ok, err := tx.SeenMessage(key)
		assert.True(t, ok)
		assert.Equal(t, seen, got)
		_, ok, err2 := tx.SeenMessage(strings.Repeat("cd", 32))
		assert.False(t, ok, "never received")
		return errors.Join(err, err2)
	}))
	err := s.Update(func(tx domain.Tx) error { return tx.PutSeenMessage("", seen) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a received message needs a key")
}

func contractOperators(t *testing.T, s domain.Store) {
	grace := domain.Operator{Name: "Grace", Roles: []domain.Role{domain.RoleFulfillment}, Desks: []string{"rs"}, PINHash: "pbkdf2-sha256$1000$salt$hash"}
	ada := domain.Operator{Name: "ada", Roles: []domain.Role{domain.RoleRequests, domain.RoleCirculation}}
	all := func() []domain.Operator {
		t.Helper()
		var out []domain.Operator
		require.NoError(t, s.View(func(tx domain.Tx) error {
			return tx.ForEachOperator(func(o domain.Operator) error { out = append(out, o); return nil })
		}))
		return out
	}
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutOperator(domain.Operator{Name: "GRACE"}), tx.PutOperator(ada), tx.PutOperator(grace))
	}))
	assert.Equal(t, []domain.Operator{ada, grace}, all(), "by name without case; a put replaces; the PIN hash is kept")
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.DeleteOperator(" GRACE "), tx.DeleteOperator("nobody"))
	}))
	assert.Equal(t, []domain.Operator{ada}, all())
	err := s.Update(func(tx domain.Tx) error { return tx.PutOperator(domain.Operator{Name: " "}) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "an operator needs a name")
}

func contractConfigChanges(t *testing.T, s domain.Store) {
	change := func(what string) domain.ConfigChange {
		return domain.ConfigChange{At: at.UTC(), Operator: "fay", Desk: "rs", What: what, Changes: []string{"name: (none) → " + what}}
	}
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutConfigChange("02", change("holidays")), tx.PutConfigChange("01", change("partner RAPID")))
	}))
	var got []domain.ConfigChange
	require.NoError(t, s.View(func(tx domain.Tx) error {
		return tx.ForEachConfigChange(func(c domain.ConfigChange) error { got = append(got, c); return nil })
	}))
	assert.Equal(t, []domain.ConfigChange{change("partner RAPID"), change("holidays")}, got, "in id order")
	err := s.Update(func(tx domain.Tx) error { return tx.PutConfigChange("", change("x")) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a change needs an id")
}

func contractHeldMessages(t *testing.T, s domain.Store) {
	held := func(id, agency string) domain.HeldMessage {
		return domain.HeldMessage{ID: id, Agency: agency, Kind: domain.KindRequest, RequestID: "S-1", Title: "Stolen Goods",
			Addr: "192.0.2.7", ReplyAddress: "https://stranger.example/iso", Received: at.UTC(), Status: domain.HeldWaiting,
			Raw: []byte("<ISO18626Message>\x00\xff</ISO18626Message>")}
	}
	first, second := held("01", "ISIL:XX-1"), held("02", "ISIL:XX-2")
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutHeldMessage(second), tx.PutHeldMessage(first))
	}))
	all := func() []domain.HeldMessage {
		t.Helper()
		var got []domain.HeldMessage
		require.NoError(t, s.View(func(tx domain.Tx) error {
			return tx.ForEachHeldMessage(func(h domain.HeldMessage) error { got = append(got, h); return nil })
		}))
		return got
	}
	assert.Equal(t, []domain.HeldMessage{first, second}, all(), "in id order, raw bytes kept exactly")
	accepted := first
	accepted.Status, accepted.Partner, accepted.Note, accepted.Decided, accepted.By = domain.HeldAccepted, "XX-1", "applied", at.UTC(), "fay"
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutHeldMessage(accepted) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		h, ok, err := tx.HeldMessage("01")
		assert.True(t, ok)
		assert.Equal(t, accepted, h, "a put replaces")
		_, ok, err2 := tx.HeldMessage("03")
		assert.False(t, ok)
		return errors.Join(err, err2)
	}))
	err := s.Update(func(tx domain.Tx) error { return tx.PutHeldMessage(held("", "ISIL:XX-3")) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "a held message needs an id")
	assert.Len(t, all(), 2)
}

func contractILSCalls(t *testing.T, s domain.Store) {
	call := func(id, request, name string) domain.ILSCall {
		return domain.ILSCall{ID: id, RequestID: request, Ref: "B-" + request, Call: name, Action: domain.ActReceive,
			Step: domain.StepAccept, For: domain.ILSForStep, ItemBarcode: "39200001", PatronID: "P100", Title: "Le Rouge & le Noir",
			Author: "Stendhal", Pickup: "MAIN", Created: at.UTC(), Status: domain.MessagePending, NextTry: at.UTC()}
	}
	all := func() []domain.ILSCall {
		t.Helper()
		var got []domain.ILSCall
		require.NoError(t, s.View(func(tx domain.Tx) error {
			return tx.ForEachILSCall(func(c domain.ILSCall) error { got = append(got, c); return nil })
		}))
		return got
	}
	accept, del := call("01", "r1", domain.CallAcceptItem), call("02", "r1", domain.CallDeleteItem)
	require.NoError(t, s.Update(func(tx domain.Tx) error { return errors.Join(tx.PutILSCall(del), tx.PutILSCall(accept)) }))
	assert.Equal(t, []domain.ILSCall{accept, del}, all(), "in id order, every field back")
	refused := accept
	refused.Status, refused.Attempts, refused.LastError, refused.NextTry = domain.MessageRefused, 2, "AcceptItem: Duplicate Item", time.Time{}
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutILSCall(refused) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		c, ok, err := tx.ILSCall("01")
		assert.True(t, ok)
		assert.Equal(t, refused, c, "a put replaces")
		_, ok, err2 := tx.ILSCall("03")
		assert.False(t, ok)
		return errors.Join(err, err2)
	}))
	err := s.Update(func(tx domain.Tx) error { return tx.PutILSCall(call("", "r2", domain.CallCheckInItem)) })
	assert.ErrorIs(t, err, domain.ErrInvalidInput, "an ILS call needs an id")
	assert.Len(t, all(), 2)
}

func contractDamagedRecord(t *testing.T, s domain.Store) {
	for _, kind := range []string{storage.KindOutbox, storage.KindDeliveries, storage.KindSeenMessages, storage.KindOperators, storage.KindConfigChanges, storage.KindHeldMessages, storage.KindILSCalls} {
		require.NoError(t, s.Update(func(tx domain.Tx) error { return raw(tx).PutRecord(kind, "bad", []byte("{not json")) }))
	}
	for _, walk := range []func(domain.Tx) error{
		func(tx domain.Tx) error {
			return tx.ForEachOutboxMessage(func(domain.OutboxMessage) error { return nil })
		},
		func(tx domain.Tx) error { return tx.ForEachDelivery(func(domain.Delivery) error { return nil }) },
		func(tx domain.Tx) error { return tx.ForEachOperator(func(domain.Operator) error { return nil }) },
		func(tx domain.Tx) error {
			return tx.ForEachConfigChange(func(domain.ConfigChange) error { return nil })
		},
		func(tx domain.Tx) error { _, _, err := tx.OutboxMessage("bad"); return err },
		func(tx domain.Tx) error { _, _, err := tx.Delivery("bad"); return err },
		func(tx domain.Tx) error { _, _, err := tx.SeenMessage("bad"); return err },
		func(tx domain.Tx) error { _, _, err := tx.HeldMessage("bad"); return err },
		func(tx domain.Tx) error { return tx.ForEachHeldMessage(func(domain.HeldMessage) error { return nil }) },
		func(tx domain.Tx) error { _, _, err := tx.ILSCall("bad"); return err },
		func(tx domain.Tx) error { return tx.ForEachILSCall(func(domain.ILSCall) error { return nil }) },
	} {
		assert.ErrorIs(t, s.View(walk), domain.ErrValueDamaged)
	}
}

func contractSettings(t *testing.T, s domain.Store) {
	setting := func(key string) string {
		t.Helper()
		var v string
		require.NoError(t, s.View(func(tx domain.Tx) (err error) {
			v, err = tx.Setting(key)
			return err
		}))
		return v
	}
	assert.Equal(t, "", setting("missing"))
	assert.Equal(t, "", setting(""))
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.PutSetting("barcode_pattern", `^\d+$`), tx.PutSetting("barcode_pattern", `^[A-Z]\d+$`),
			tx.PutSetting("desk", "rs"), tx.PutSetting("note", "Grüße\nzwei Zeilen"))
	}))
	assert.Equal(t, `^[A-Z]\d+$`, setting("barcode_pattern"))
	assert.Equal(t, "rs", setting("desk"))
	assert.Equal(t, "Grüße\nzwei Zeilen", setting("note"))
	assert.Equal(t, "", setting("Desk"), "keys are case sensitive")

	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutSetting("desk", "") }))
	assert.Equal(t, "", setting("desk"), "the empty value reads as unset")
}

// allNotices reads every notice.
func allNotices(t *testing.T, s domain.Store) []domain.Notice {
	t.Helper()
	var ns []domain.Notice
	require.NoError(t, s.View(func(tx domain.Tx) (err error) {
		ns, err = tx.Notices()
		return err
	}))
	return ns
}

func contractNotices(t *testing.T, s domain.Store) {
	assert.Empty(t, allNotices(t, s))
	ids := newIDs(t, 4)
	first := domain.Notice{ID: ids[0], RequestID: ids[1], Ref: "BVB-77", Kind: domain.NoticeReadyForPickup,
		To: "ada@example.edu", ToName: "Ada Lovelace", Subject: "Ready for pickup: Zürich", Body: "Grüezi Ada,\nbis Montag.\n",
		Created: at, Status: domain.NoticeQueued, NextTry: at}
	second := first
	second.ID = ids[2]
	second.To = "bob@example.edu"
	second.Status, second.Attempts, second.LastError = domain.NoticeFailed, 3, "connection refused"
	second.NextTry = at.Add(4*time.Minute + 1)
	second.Where = "smtp:mail.example.edu"

	// put out of order: the list still follows creation
	require.NoError(t, s.Update(func(tx domain.Tx) error { return errors.Join(tx.PutNotice(second), tx.PutNotice(first)) }))
	assert.Equal(t, normNotices([]domain.Notice{first, second}), normNotices(allNotices(t, s)))

	// replace
	first.Status, first.Attempts, first.SentAt, first.NextTry = domain.NoticeSent, 1, at.Add(time.Minute), time.Time{}
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.PutNotice(first) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		got, err := tx.Notice(first.ID)
		assert.Equal(t, normNotice(first), normNotice(got))
		return err
	}))

	// delete, twice, and a notice that never was
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		return errors.Join(tx.DeleteNotice(second.ID), tx.DeleteNotice(second.ID), tx.DeleteNotice(ids[3]), tx.DeleteNotice(""))
	}))
	assert.Equal(t, normNotices([]domain.Notice{first}), normNotices(allNotices(t, s)))
	err := s.View(func(tx domain.Tx) error {
		_, err := tx.Notice(second.ID)
		return err
	})
	assert.Contains(t, isRefusal(t, err, domain.ErrNotFound), second.ID)
}

// concurrently runs fn(g, i) for i < perWorker in each of workers goroutines
// and returns the errors, one per call that failed.
func concurrently(workers, perWorker int, fn func(g, i int) error) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				if err := fn(g, i); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("worker %d, call %d: %w", g, i, err))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func contractConcurrentPuts(t *testing.T, s domain.Store) {
	const workers, each = 8, 20
	errs := concurrently(workers, each, func(g, i int) error {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		return s.Update(func(tx domain.Tx) error {
			r := borrowing(id.String(), fmt.Sprintf("C-%d-%d", g, i), "P", domain.Received, fmt.Sprintf("B-%d-%d", g, i))
			return errors.Join(tx.PutRequest(r), raw(tx).PutRecord("outbox", id.String(), []byte("m")))
		})
	})
	require.Empty(t, errs)

	st := stateOf(t, s)
	assert.Equal(t, workers*each, st.Count)
	assert.Len(t, st.Requests, workers*each)
	assert.Len(t, st.Summaries, workers*each)
	assert.Len(t, st.Index, 2*workers*each)
	assert.Len(t, st.Records["outbox"], workers*each)
	assert.True(t, slices.IsSortedFunc(st.Requests, func(a, b domain.Request) int { return strings.Compare(a.ID, b.ID) }))
	require.NoError(t, s.View(func(tx domain.Tx) error {
		for g := range workers {
			for i := range each {
				rs, err := tx.RequestsByExternalID(fmt.Sprintf("C-%d-%d", g, i))
				if err != nil {
					return err
				}
				assert.Len(t, rs, 1)
				_, ok, err := tx.RequestByBarcode(fmt.Sprintf("B-%d-%d", g, i))
				if err != nil {
					return err
				}
				assert.True(t, ok)
			}
		}
		return nil
	}))
}

// Updates are isolated from each other: one that reads a value and writes
// it back changed does not lose another's change. The desk does this with
// requests (read, check the state, put back), notices (recordDelivery
// counts attempts while withdraw may cancel), records (updateRecorded) and
// settings. Each counter exists before the race.
func contractConcurrentCounter(t *testing.T, s domain.Store) {
	const workers, each = 8, 20
	id, noticeID := newRequestID(t), newRequestID(t)
	tests := []struct {
		name string
		// create stores the counter at 0
		create func(tx domain.Tx) error
		// read returns the counter
		read func(tx domain.Tx) (int, error)
		// write stores the counter
		write func(tx domain.Tx, n int) error
	}{
		{"a request",
			func(tx domain.Tx) error { return tx.PutRequest(lending(id, "", "BL", domain.Created, "")) },
			func(tx domain.Tx) (int, error) {
				r, err := tx.Request(id)
				if err != nil {
					return 0, err
				}
				return len(r.History), nil
			},
			func(tx domain.Tx, n int) error {
				r, err := tx.Request(id)
				if err != nil {
					return err
				}
				r.History = append(r.History, domain.Event{At: time.Now(), From: r.State, To: r.State, Action: domain.ActNotice, Note: strconv.Itoa(n)})
				return tx.PutRequest(r)
			}},
		{"a notice",
			func(tx domain.Tx) error {
				return tx.PutNotice(domain.Notice{ID: noticeID, Status: domain.NoticeQueued})
			},
			func(tx domain.Tx) (int, error) {
				n, err := tx.Notice(noticeID)
				return n.Attempts, err
			},
			func(tx domain.Tx, n int) error {
				cur, err := tx.Notice(noticeID)
				if err != nil {
					return err
				}
				cur.Attempts = n
				return tx.PutNotice(cur)
			}},
		{"a record",
			func(tx domain.Tx) error { return raw(tx).PutRecord("outbox", "counter", []byte("0")) },
			func(tx domain.Tx) (int, error) {
				v, _, err := raw(tx).Record("outbox", "counter")
				if err != nil {
					return 0, err
				}
				return strconv.Atoi(string(v))
			},
			func(tx domain.Tx, n int) error {
				return raw(tx).PutRecord("outbox", "counter", []byte(strconv.Itoa(n)))
			}},
		{"a setting",
			func(tx domain.Tx) error { return tx.PutSetting("counter", "0") },
			func(tx domain.Tx) (int, error) {
				v, err := tx.Setting("counter")
				if err != nil {
					return 0, err
				}
				return strconv.Atoi(v)
			},
			func(tx domain.Tx, n int) error { return tx.PutSetting("counter", strconv.Itoa(n)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, s.Update(tt.create))
			errs := concurrently(workers, each, func(_, _ int) error {
				return s.Update(func(tx domain.Tx) error {
					n, err := tt.read(tx)
					if err != nil {
						return err
					}
					return tt.write(tx, n+1)
				})
			})
			require.Empty(t, errs)
			require.NoError(t, s.View(func(tx domain.Tx) error {
				n, err := tt.read(tx)
				assert.Equal(t, workers*each, n, "increments that landed")
				return err
			}))
		})
	}
}

// Requests racing for one active barcode, or one partner's external id: one
// wins, the others are refused as they would be one after the other.
func contractConcurrentClaims(t *testing.T, s domain.Store) {
	const racers = 8
	tests := []struct {
		name string
		kind error
		// prepare makes racer i's request, stored before the race (or not)
		prepare func(id string) (r domain.Request, stored bool)
		// claim changes it so that it takes the contested key
		claim func(r domain.Request) domain.Request
		// holder finds who holds the key afterwards
		holder func(tx domain.Tx) ([]domain.Request, error)
	}{
		{"active barcode", domain.ErrBarcodeInUse,
			func(id string) (domain.Request, bool) { return borrowing(id, "", "P", domain.Created, "RACE1"), true },
			func(r domain.Request) domain.Request { r.State = domain.Received; return r },
			func(tx domain.Tx) ([]domain.Request, error) {
				r, ok, err := tx.RequestByBarcode("RACE1")
				if !ok {
					return nil, err
				}
				return []domain.Request{r}, err
			}},
		{"external id", domain.ErrDuplicateExternalID,
			func(id string) (domain.Request, bool) { return lending(id, "RACE-E", "P", domain.Created, ""), false },
			func(r domain.Request) domain.Request { return r },
			func(tx domain.Tx) ([]domain.Request, error) { return tx.RequestsByExternalID("RACE-E") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []domain.Request
			for _, id := range newIDs(t, racers) {
				r, stored := tt.prepare(id)
				if stored {
					putAll(t, s, r)
				}
				rs = append(rs, r)
			}
			start := make(chan struct{})
			results := make([]error, racers)
			var wg sync.WaitGroup
			for i := range rs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i] = putOne(s, tt.claim(rs[i]))
				}()
			}
			close(start)
			wg.Wait()

			winner := -1
			for i, err := range results {
				if err == nil {
					assert.Equal(t, -1, winner, "only one wins")
					winner = i
					continue
				}
				assert.ErrorIs(t, err, tt.kind, "racer %d", i)
			}
			require.NotEqual(t, -1, winner, "one wins: %v", results)
			require.NoError(t, s.View(func(tx domain.Tx) error {
				held, err := tt.holder(tx)
				assert.Equal(t, []string{rs[winner].ID}, requestIDs(held))
				return err
			}))
		})
	}
}

// next advances a number series in its own update.
func next(t *testing.T, s domain.Store, series string) uint64 {
	t.Helper()
	var n uint64
	require.NoError(t, s.Update(func(tx domain.Tx) (err error) {
		n, err = tx.NextRequestNumber(series)
		return err
	}))
	return n
}

func contractNumberSeries(t *testing.T, s domain.Store) {
	assert.Equal(t, uint64(1), next(t, s, "B-2026"))
	assert.Equal(t, uint64(2), next(t, s, "B-2026"))
	assert.Equal(t, uint64(1), next(t, s, "L-2026"), "each series counts on its own")
	assert.Equal(t, uint64(1), next(t, s, "B-2027"))

	// a failed update takes its steps back with it
	boom := errors.New("boom")
	err := s.Update(func(tx domain.Tx) error {
		for range 3 {
			if _, err := tx.NextRequestNumber("B-2026"); err != nil {
				return err
			}
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, uint64(3), next(t, s, "B-2026"))

	// steps in one transaction each count
	require.NoError(t, s.Update(func(tx domain.Tx) error {
		for want := uint64(2); want <= 3; want++ {
			n, err := tx.NextRequestNumber("L-2026")
			if err != nil {
				return err
			}
			assert.Equal(t, want, n)
		}
		return nil
	}))
	assert.Error(t, s.View(func(tx domain.Tx) error {
		_, err := tx.NextRequestNumber("L-2026")
		return err
	}), "a View cannot step a series")
}

func contractRequestNumbers(t *testing.T, s domain.Store) {
	ids := newIDs(t, 3)
	a := borrowing(ids[0], "", "BL", domain.Created, "")
	a.RequestNumber = "B-2026-00001"
	b := lending(ids[1], "E-1", "BL", domain.Created, "")
	b.RequestNumber = "L-2026-00001"
	c := lending(ids[2], "E-2", "BL", domain.Created, "") // a request stored without a number
	putAll(t, s, a, b, c)

	byNumber := func(number string) (domain.Request, bool) {
		t.Helper()
		var r domain.Request
		var ok bool
		require.NoError(t, s.View(func(tx domain.Tx) (err error) {
			r, ok, err = tx.RequestByNumber(number)
			return err
		}))
		return r, ok
	}
	for _, want := range []domain.Request{a, b} {
		got, ok := byNumber(want.RequestNumber)
		require.True(t, ok, want.RequestNumber)
		assert.Equal(t, want.ID, got.ID)
	}
	for _, miss := range []string{"", "B-2026-00002", "b-2026-00001"} {
		_, ok := byNumber(miss)
		assert.False(t, ok, miss)
	}
	sums := summaries(t, s)
	assert.Equal(t, []string{"B-2026-00001", "L-2026-00001", ""},
		[]string{sums[0].RequestNumber, sums[1].RequestNumber, sums[2].RequestNumber})

	// another request cannot take a number
	before := stateOf(t, s)
	dup := c
	dup.RequestNumber = a.RequestNumber
	msg := isRefusal(t, putOne(s, dup), domain.ErrInvalidInput)
	assert.Contains(t, msg, "B-2026-00001")
	assert.Equal(t, before, stateOf(t, s))

	// a request put again keeps its entry; a number given later is found
	b.Title = "Changed"
	c.RequestNumber = "L-2026-00002"
	putAll(t, s, b, c)
	got, ok := byNumber("L-2026-00001")
	require.True(t, ok)
	assert.Equal(t, "Changed", got.Title)
	got, ok = byNumber("L-2026-00002")
	require.True(t, ok)
	assert.Equal(t, c.ID, got.ID)

	// reindexing keeps the numbers found
	require.NoError(t, s.Update(func(tx domain.Tx) error { return tx.Reindex() }))
	for _, want := range []domain.Request{a, b, c} {
		got, ok := byNumber(want.RequestNumber)
		require.True(t, ok, want.RequestNumber)
		assert.Equal(t, want.ID, got.ID)
	}
}
