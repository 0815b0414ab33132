package domain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wednesday is the fixture's start time: Wednesday 4 March 2026, 10:00 UTC.
var wednesday = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

const pdfContent = "%PDF-1.7\n% fake scan for tests\n%%EOF\n"

var (
	atRS       = Actor{Operator: "ana", Station: RSDesk}
	atMain     = Actor{Operator: "ben", Station: Station{Kind: StationPickup, Name: "Main Library"}}
	atMainLow  = Actor{Operator: "ben", Station: Station{Kind: StationPickup, Name: "main library"}}
	atBranch   = Actor{Operator: "cem", Station: Station{Kind: StationPickup, Name: "Branch"}}
	atScanLab  = Actor{Operator: "dora", Station: Station{Kind: StationDigitization, Name: "Scan Lab"}}
	atPhotoLab = Actor{Operator: "eve", Station: Station{Kind: StationDigitization, Name: "Photo Lab"}}
	scanLab    = Station{Kind: StationDigitization, Name: "Scan Lab"}
)

type deskFixture struct {
	t       *testing.T
	desk    *Desk
	store   *memStore
	vault   *fakeVault
	pf      *fakePreflight
	folders *memFolders // the file system the desk sees
	now     time.Time
	nextID  int
	// nextToken numbers the download links' tokens.
	nextToken int
}

// newDeskFixture builds a Desk over the in-memory store, a fixed clock on
// Wednesday 10:00 UTC, a UTC calendar with Monday 9 March 2026 as a holiday
// and two partners: RAPID (defaults: 24 h, 28 days) and BVB (48 h, 21 days,
// 1 MB file limit).
func newDeskFixture(t *testing.T) *deskFixture {
	t.Helper()
	f := &deskFixture{t: t, store: newMemStore(), vault: newFakeVault(), now: wednesday, folders: newMemFolders(),
		pf: &fakePreflight{report: PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: int64(len(pdfContent)), Message: "The PDF is fine."}}}
	f.desk = NewDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Folders: f.folders,
		Clock:    ClockFunc(func() time.Time { return f.now }),
		Calendar: mustCalendar(t, time.UTC, "2026-03-09"),
		Secrets:  fakeSecrets{},
		NewID: func() string {
			f.nextID++
			return fmt.Sprintf("rq-%04d-7000-8000-%012d", f.nextID, f.nextID*7919)
		},
		NewToken: func() string {
			f.nextToken++
			return fmt.Sprintf("tok%019d", f.nextToken)
		}})
	_, err := f.desk.AddPartner(Partner{Code: "RAPID", Name: "RapidILL"})
	require.NoError(t, err)
	_, err = f.desk.AddPartner(Partner{Code: "BVB", Name: "Bavarian network", TurnaroundHours: 48, LoanPeriodDays: 21, MaxFileBytes: 1_000_000})
	require.NoError(t, err)
	return f
}

func (f *deskFixture) lending(partner, ext string, edit ...func(*LendingInput)) Request {
	f.t.Helper()
	in := LendingInput{Partner: partner, ExternalID: ext, Format: FormatPhysical,
		Citation: Citation{Title: "Journal of Tests", ArticleTitle: "On desks", Pages: "12-30"}}
	for _, e := range edit {
		e(&in)
	}
	r, err := f.desk.NewLending(in, atRS)
	require.NoError(f.t, err)
	return r
}

func (f *deskFixture) borrowing(partner, ext string, edit ...func(*BorrowingInput)) Request {
	f.t.Helper()
	in := BorrowingInput{Partner: partner, ExternalID: ext, Citation: Citation{Title: "A Borrowed Book"},
		Requester: "Pat Patron", RequesterEmail: "pat@example.org", Pickup: "Main Library"}
	for _, e := range edit {
		e(&in)
	}
	r, err := f.desk.NewBorrowing(in, atRS)
	require.NoError(f.t, err)
	return r
}

// stored reads a request straight from the store.
func (f *deskFixture) stored(id string) Request {
	f.t.Helper()
	var r Request
	require.NoError(f.t, f.store.View(func(tx Tx) error {
		var err error
		r, err = tx.Request(id)
		return err
	}))
	return r
}

func (f *deskFixture) partner(code string) Partner {
	f.t.Helper()
	var p Partner
	require.NoError(f.t, f.store.View(func(tx Tx) error {
		var err error
		p, err = tx.Partner(code)
		return err
	}))
	return p
}

// refused checks a refusal: the sentinel matches, the message is a sentence
// for staff, and the store is exactly as it was before the attempt.
func (f *deskFixture) refused(err error, sentinel error, before memData) {
	f.t.Helper()
	require.Error(f.t, err)
	require.True(f.t, errors.Is(err, sentinel), "want %v, got %v", sentinel, err)
	assertSentence(f.t, err)
	assert.Equal(f.t, before, f.store.snapshot(), "a refused action changes nothing in the store")
}

func (f *deskFixture) pdf() string { return writeTempPDF(f.t, pdfContent) }

// ship prepares the file for the request named by ref and ships it, as both
// front ends do; the report is the prepared one, also when Ship refuses.
func (f *deskFixture) ship(ref, path string, accept bool, by Actor) (Request, PreflightReport, error) {
	return shipWith(f.desk, ref, path, accept, by)
}

func shipWith(d *Desk, ref, path string, accept bool, by Actor) (Request, PreflightReport, error) {
	s, err := d.Prepare(ref, []string{path}, by)
	if err != nil {
		return Request{}, PreflightReport{}, err
	}
	r, err := d.Ship(s, accept, by)
	return r, s.Report, err
}

func actions(r Request) []Action {
	var as []Action
	for _, e := range r.History {
		as = append(as, e.Action)
	}
	return as
}

// ---- partners ----

func TestAddPartner(t *testing.T) {
	f := newDeskFixture(t)
	rapid := f.partner("RAPID")
	assert.Equal(t, DefaultTurnaroundHours, rapid.TurnaroundHours)
	assert.Equal(t, 24, rapid.TurnaroundHours)
	assert.Equal(t, DefaultLoanPeriodDays, rapid.LoanPeriodDays)
	assert.Equal(t, 28, rapid.LoanPeriodDays)

	p, err := f.desk.AddPartner(Partner{Code: "  NYPL ", Name: "  New York Public Library "})
	require.NoError(t, err)
	assert.Equal(t, Partner{Code: "NYPL", Name: "New York Public Library", TurnaroundHours: 24, LoanPeriodDays: 28}, p)
	assert.Equal(t, p, f.partner("NYPL"))

	explicit := Partner{Code: "OCLC-1", Name: "An OCLC library", TurnaroundHours: 72, LoanPeriodDays: 14,
		MaxFileBytes: 5_000_000, Email: "ill@example.org", AgencyID: "ISIL:DE-1", NeedsReview: true}
	p, err = f.desk.AddPartner(explicit)
	require.NoError(t, err)
	assert.Equal(t, explicit, p)
	assert.Equal(t, explicit, f.partner("OCLC-1"))

	ps, err := f.desk.Partners()
	require.NoError(t, err)
	var codes []string
	for _, p := range ps {
		codes = append(codes, p.Code)
	}
	assert.Equal(t, []string{"BVB", "NYPL", "OCLC-1", "RAPID"}, codes)
}

func TestAddPartnerRefusals(t *testing.T) {
	tests := []struct {
		name string
		p    Partner
		want error
	}{
		{"duplicate code", Partner{Code: "RAPID", Name: "Another Rapid"}, ErrPartnerExists},
		{"duplicate code with spaces", Partner{Code: " BVB ", Name: "Again"}, ErrPartnerExists},
		{"no code", Partner{Name: "Nameless"}, ErrInvalidInput},
		{"blank code", Partner{Code: "   ", Name: "Blank"}, ErrInvalidInput},
		{"code with a space", Partner{Code: "RA PID", Name: "x"}, ErrInvalidInput},
		{"code with a tab", Partner{Code: "RA\tPID", Name: "x"}, ErrInvalidInput},
		{"code too long", Partner{Code: strings.Repeat("X", 33), Name: "x"}, ErrInvalidInput},
		{"no name", Partner{Code: "NEW"}, ErrInvalidInput},
		{"blank name", Partner{Code: "NEW", Name: "  "}, ErrInvalidInput},
		{"negative turnaround", Partner{Code: "NEW", Name: "x", TurnaroundHours: -1}, ErrInvalidInput},
		{"negative loan period", Partner{Code: "NEW", Name: "x", LoanPeriodDays: -7}, ErrInvalidInput},
		{"negative size limit", Partner{Code: "NEW", Name: "x", MaxFileBytes: -1}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			before := f.store.snapshot()
			p, err := f.desk.AddPartner(tt.p)
			f.refused(err, tt.want, before)
			assert.Equal(t, Partner{}, p)
		})
	}
	f := newDeskFixture(t)
	_, err := f.desk.AddPartner(Partner{Code: strings.Repeat("X", 32), Name: "max length"})
	assert.NoError(t, err, "32 characters are allowed")
}

// ---- creating requests ----

func TestNewLending(t *testing.T) {
	f := newDeskFixture(t)
	in := LendingInput{Partner: "RAPID", ExternalID: "  RAPID-2026-0001 ", Format: FormatElectronic,
		Citation: Citation{Title: "  Journal of Tests ", ArticleTitle: "On desks", Pages: "12-30", ISSN: "1234-5678"},
		Holdings: Holdings{Location: "Stacks", CallNumber: "QA76", ItemBarcode: "39000000001",
			EResources: []EResource{{Name: "JSTOR", URL: "https://example.org/j"}}},
		Note: "rush"}
	r, err := f.desk.NewLending(in, atRS)
	require.NoError(t, err)

	assert.Equal(t, "rq-0001-7000-8000-000000007919", r.ID)
	assert.Equal(t, Lending, r.Side)
	assert.Equal(t, Created, r.State)
	assert.Equal(t, "RAPID-2026-0001", r.ExternalID, "trimmed")
	assert.Equal(t, "RAPID", r.Partner)
	assert.Equal(t, FormatElectronic, r.Format)
	assert.Equal(t, "Journal of Tests", r.Title, "trimmed")
	assert.Equal(t, "1234-5678", r.ISSN)
	assert.Equal(t, in.Holdings, r.Holdings)
	assert.Equal(t, "rush", r.InternalNote)
	assert.Equal(t, wednesday, r.Created)
	assert.True(t, r.Deadline.Equal(time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)), "deadline %s", r.Deadline)
	assert.Empty(t, r.ActiveBarcode(), "a holdings barcode is not active until a pick")
	require.Len(t, r.History, 1)
	assert.Equal(t, Event{At: wednesday, From: "", To: Created, Action: ActCreate, Actor: "ana", Desk: "rs"}, r.History[0])
	assert.Equal(t, r, f.stored(r.ID), "what is returned is what is stored")
}

func TestNewLendingDeadline(t *testing.T) {
	tests := []struct {
		name    string
		now     time.Time
		partner string
		want    time.Time
	}{
		{"RAPID 24 h from Wednesday", wednesday, "RAPID", time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)},
		{"BVB 48 h from Wednesday", wednesday, "BVB", time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)},
		{"Thursday 10:00 + 24 = Friday 10:00", time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), "RAPID", time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)},
		{"Friday 15:00 + 24 over the Monday holiday = Tuesday 15:00", time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC), "RAPID", time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)},
		{"Saturday arrival + 24 over the Monday holiday = Wednesday 00:00", time.Date(2026, 3, 7, 11, 0, 0, 0, time.UTC), "RAPID", time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)},
		{"Friday 15:00 + 48 over the holiday = Wednesday 15:00", time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC), "BVB", time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.now = tt.now
			r := f.lending(tt.partner, "EXT-1")
			assert.True(t, tt.want.Equal(r.Deadline), "want %s, got %s", tt.want, r.Deadline)
			assert.Equal(t, tt.now, r.Created)
		})
	}
}

func TestNewLendingRefusals(t *testing.T) {
	base := func() LendingInput {
		return LendingInput{Partner: "RAPID", ExternalID: "RAPID-9", Citation: Citation{Title: "T"}}
	}
	tests := []struct {
		name string
		edit func(*LendingInput)
		want error
	}{
		{"no external id", func(in *LendingInput) { in.ExternalID = "" }, ErrInvalidInput},
		{"blank external id", func(in *LendingInput) { in.ExternalID = "   " }, ErrInvalidInput},
		{"external id too long", func(in *LendingInput) { in.ExternalID = strings.Repeat("9", 129) }, ErrInvalidInput},
		{"external id with a control character", func(in *LendingInput) { in.ExternalID = "RAPID\x00-9" }, ErrInvalidInput},
		{"external id with a newline", func(in *LendingInput) { in.ExternalID = "RAPID\n9" }, ErrInvalidInput},
		{"no title", func(in *LendingInput) { in.Title = "" }, ErrInvalidInput},
		{"blank title", func(in *LendingInput) { in.Title = " \t " }, ErrInvalidInput},
		{"no partner", func(in *LendingInput) { in.Partner = "" }, ErrInvalidInput},
		{"blank partner", func(in *LendingInput) { in.Partner = "  " }, ErrInvalidInput},
		{"unknown partner", func(in *LendingInput) { in.Partner = "NOPE" }, ErrPartnerNotFound},
		{"bad item barcode", func(in *LendingInput) { in.ItemBarcode = "39 000" }, ErrInvalidBarcode},
		{"e-resource without link", func(in *LendingInput) { in.EResources = []EResource{{Name: "JSTOR"}} }, ErrInvalidInput},
		{"e-resource without name", func(in *LendingInput) { in.EResources = []EResource{{URL: "https://x"}} }, ErrInvalidInput},
		{"duplicate external id", func(in *LendingInput) { in.ExternalID = "RAPID-1" }, ErrDuplicateExternalID},
		{"duplicate external id with spaces", func(in *LendingInput) { in.ExternalID = " RAPID-1 " }, ErrDuplicateExternalID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.lending("RAPID", "RAPID-1")
			before := f.store.snapshot()
			in := base()
			tt.edit(&in)
			r, err := f.desk.NewLending(in, atRS)
			f.refused(err, tt.want, before)
			assert.Equal(t, Request{}, r)
		})
	}
}

func TestNewLendingSameExternalIDOtherPartner(t *testing.T) {
	f := newDeskFixture(t)
	a := f.lending("RAPID", "SHARED-1")
	b := f.lending("BVB", "SHARED-1")
	assert.NotEqual(t, a.ID, b.ID)
	assert.Equal(t, "BVB", f.stored(b.ID).Partner)
}

func TestNewBorrowing(t *testing.T) {
	f := newDeskFixture(t)
	r, err := f.desk.NewBorrowing(BorrowingInput{Partner: "BVB", ExternalID: " BVB-77 ",
		Citation: Citation{Title: " A Borrowed Book ", Author: "Doe"}, Requester: " Pat Patron ",
		RequesterEmail: " pat@example.org ", Pickup: " Main Library ", Note: "patron in a hurry"}, Actor{Station: RSDesk})
	require.NoError(t, err)
	assert.Equal(t, Borrowing, r.Side)
	assert.Equal(t, Created, r.State)
	assert.Equal(t, "BVB-77", r.ExternalID)
	assert.Equal(t, "BVB", r.Partner)
	assert.Equal(t, "A Borrowed Book", r.Title)
	assert.Equal(t, "Doe", r.Author)
	assert.Equal(t, "Pat Patron", r.Requester)
	assert.Equal(t, "pat@example.org", r.RequesterEmail)
	assert.Equal(t, "Main Library", r.Pickup)
	assert.Equal(t, "patron in a hurry", r.InternalNote)
	assert.Equal(t, wednesday, r.Created)
	assert.True(t, r.Deadline.IsZero())
	assert.Empty(t, r.ActiveBarcode())
	require.Len(t, r.History, 1)
	assert.Equal(t, Event{At: wednesday, To: Created, Action: ActCreate, Actor: "staff", Desk: "rs"}, r.History[0], "no operator → staff")
	assert.Equal(t, r, f.stored(r.ID))

	// the external identifier is optional, and several requests may lack one
	a := f.borrowing("RAPID", "")
	b := f.borrowing("RAPID", "")
	assert.NotEqual(t, a.ID, b.ID)
}

func TestNewBorrowingRefusals(t *testing.T) {
	base := func() BorrowingInput {
		return BorrowingInput{Partner: "BVB", Citation: Citation{Title: "T"}, Requester: "Pat", Pickup: "Main Library"}
	}
	tests := []struct {
		name string
		edit func(*BorrowingInput)
		want error
	}{
		{"no title", func(in *BorrowingInput) { in.Title = " " }, ErrInvalidInput},
		{"no requester", func(in *BorrowingInput) { in.Requester = "" }, ErrInvalidInput},
		{"no pickup", func(in *BorrowingInput) { in.Pickup = "  " }, ErrInvalidInput},
		{"bad email", func(in *BorrowingInput) { in.RequesterEmail = "pat.example.org" }, ErrInvalidInput},
		{"no partner", func(in *BorrowingInput) { in.Partner = "" }, ErrInvalidInput},
		{"unknown partner", func(in *BorrowingInput) { in.Partner = "NOPE" }, ErrPartnerNotFound},
		{"duplicate external id", func(in *BorrowingInput) { in.ExternalID = "BVB-1" }, ErrDuplicateExternalID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.borrowing("BVB", "BVB-1")
			before := f.store.snapshot()
			in := base()
			tt.edit(&in)
			r, err := f.desk.NewBorrowing(in, atRS)
			f.refused(err, tt.want, before)
			assert.Equal(t, Request{}, r)
		})
	}
}

func TestDefaultIDsAreUUIDv7InCreationOrder(t *testing.T) {
	f := newDeskFixture(t)
	d := NewDesk(Config{Store: f.store, Clock: ClockFunc(func() time.Time { return wednesday }), Calendar: mustCalendar(t, time.UTC)})
	a, err := d.NewLending(LendingInput{Partner: "RAPID", ExternalID: "U-1", Citation: Citation{Title: "T"}}, atRS)
	require.NoError(t, err)
	b, err := d.NewLending(LendingInput{Partner: "RAPID", ExternalID: "U-2", Citation: Citation{Title: "T"}}, atRS)
	require.NoError(t, err)
	assert.Len(t, a.ID, 36)
	assert.Equal(t, byte('7'), a.ID[14], "version 7")
	assert.NotEqual(t, a.ID, b.ID)
	assert.Less(t, a.ID, b.ID, "ids sort by creation")
	assert.Equal(t, wednesday, d.Now())
}

// ---- finding ----

func TestFind(t *testing.T) {
	f := newDeskFixture(t)
	l1 := f.lending("RAPID", "RAPID-1")
	l2 := f.lending("BVB", "SHARED-9")
	l3 := f.lending("RAPID", "SHARED-9")

	found := []struct {
		ref  string
		want Request
	}{
		{l1.ID, l1},
		{"RAPID-1", l1},
		{"  RAPID-1 ", l1},
		{"rq-0001", l1},
		{"rq-0003-7000", l3},
		{" " + l2.ID + " ", l2},
		{l3.ID[len(l3.ID)-8:], l3}, // the tail Ref shows for requests without an external id
	}
	for _, tt := range found {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := f.desk.Find(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	before := f.store.snapshot()
	_, err := f.desk.Find("SHARED-9")
	f.refused(err, ErrAmbiguousRef, before)
	var ref *Refusal
	require.ErrorAs(t, err, &ref)
	require.Len(t, ref.Candidates, 2)
	assert.ElementsMatch(t, []string{l2.ID, l3.ID}, []string{ref.Candidates[0].ID, ref.Candidates[1].ID})
	for _, s := range []string{l2.ID, l3.ID, "BVB", "RAPID", "SHARED-9"} {
		assert.Contains(t, err.Error(), s)
	}

	_, err = f.desk.Find("rq-0")
	f.refused(err, ErrAmbiguousRef, before)
	require.ErrorAs(t, err, &ref)
	assert.Len(t, ref.Candidates, 3)

	for _, miss := range []string{"RAPID-404", "rq-", "rq-9", "rapid-1", "zzzz"} {
		_, err = f.desk.Find(miss)
		f.refused(err, ErrNotFound, before)
		assert.Contains(t, err.Error(), miss)
	}
	_, err = f.desk.Find("  ")
	f.refused(err, ErrInvalidInput, before)
}

// ---- list ----

func TestListFilterAndUrgency(t *testing.T) {
	f := newDeskFixture(t)
	electronic := func(in *LendingInput) { in.Format = FormatElectronic; in.Title = "Electronic Quarterly" }
	f.lending("BVB", "BVB-A", electronic) // deadline Fri 10:00
	f.now = wednesday.Add(time.Hour)
	lb := f.lending("RAPID", "RAPID-B") // deadline Thu 11:00
	f.now = wednesday.Add(2 * time.Hour)
	lc := f.lending("RAPID", "RAPID-C") // deadline Thu 12:00, rejected below
	f.now = wednesday.Add(3 * time.Hour)
	f.borrowing("BVB", "BVB-B", func(in *BorrowingInput) { in.Requester = "Quinn Reader" }) // urgency: created Wed 13:00
	_, err := f.desk.Reject(lc.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	f.now = wednesday.Add(4 * time.Hour)
	f.lending("RAPID", "RAPID-D")  // deadline Thu 14:00
	f.lending("RAPID", "RAPID-D2") // same deadline: creation (id) order breaks the tie

	ids := func(rs []Request) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ExternalID)
		}
		return out
	}
	format := FormatElectronic
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"default: active only, most urgent first", Filter{}, []string{"RAPID-B", "RAPID-D", "RAPID-D2", "BVB-A", "BVB-B"}},
		{"all", Filter{All: true}, []string{"RAPID-B", "RAPID-C", "RAPID-D", "RAPID-D2", "BVB-A", "BVB-B"}},
		{"lending", Filter{Side: Lending}, []string{"RAPID-B", "RAPID-D", "RAPID-D2", "BVB-A"}},
		{"borrowing", Filter{Side: Borrowing}, []string{"BVB-B"}},
		{"state shows closed requests", Filter{State: Rejected}, []string{"RAPID-C"}},
		{"state created", Filter{State: Created, Side: Lending}, []string{"RAPID-B", "RAPID-D", "RAPID-D2", "BVB-A"}},
		{"partner, any case", Filter{Partner: "bvb"}, []string{"BVB-A", "BVB-B"}},
		{"format", Filter{Format: &format}, []string{"BVB-A"}},
		{"text in title", Filter{Text: "quarterly"}, []string{"BVB-A"}},
		{"text in requester", Filter{Text: "QUINN"}, []string{"BVB-B"}},
		{"text in external id", Filter{Text: "rapid-d"}, []string{"RAPID-D", "RAPID-D2"}},
		{"text in id", Filter{Text: lb.ID[:7]}, []string{"RAPID-B"}},
		{"text matches nothing", Filter{Text: "nothing like it"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.desk.List(tt.filter)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(got))
		})
	}
	// urgency order across a loan's due date; undated requests come last
	rs := []Request{
		{ID: "b", Side: Borrowing, Created: wednesday, DueDate: wednesday.AddDate(0, 0, 1)},
		{ID: "a", Side: Lending, Created: wednesday, Deadline: wednesday.AddDate(0, 0, 2)},
		{ID: "c", Side: Borrowing, Created: wednesday.Add(-time.Hour)},
		{ID: "d", Side: Lending, Created: wednesday, Deadline: wednesday.AddDate(0, 0, 1)},
	}
	assert.Equal(t, []string{"b", "d", "a", "c"}, listedIDs(rs))
}

// ---- pick ----

func TestPick(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	f.now = wednesday.Add(30 * time.Minute)
	got, err := f.desk.Pick("RAPID-1", scanLab, " 39000000001 ", atRS)
	require.NoError(t, err)
	assert.Equal(t, PickRequested, got.State)
	assert.Equal(t, "digitization:Scan Lab", got.PickTarget)
	assert.Equal(t, "39000000001", got.ItemBarcode)
	assert.Equal(t, "39000000001", got.ActiveBarcode())
	require.Len(t, got.History, 2)
	ev := got.History[1]
	assert.Equal(t, ActPick, ev.Action)
	assert.Equal(t, Created, ev.From)
	assert.Equal(t, PickRequested, ev.To)
	assert.Equal(t, "rs", ev.Desk)
	assert.Equal(t, "ana", ev.Actor)
	assert.Equal(t, f.now, ev.At)
	assert.Contains(t, ev.Note, "39000000001")
	assert.Contains(t, ev.Note, "Scan Lab")
	assert.Equal(t, got, f.stored(l.ID))

	// the holdings barcode is used when none is given; a move request goes to the RS desk
	l2 := f.lending("RAPID", "RAPID-2", func(in *LendingInput) { in.ItemBarcode = "39000000002" })
	got, err = f.desk.Pick(l2.ID, RSDesk, "", atRS)
	require.NoError(t, err)
	assert.Equal(t, "rs", got.PickTarget)
	assert.Equal(t, "39000000002", got.ActiveBarcode())

	// a given barcode replaces the holdings one
	l3 := f.lending("RAPID", "RAPID-3", func(in *LendingInput) { in.ItemBarcode = "39000000003" })
	got, err = f.desk.Pick(l3.ID, RSDesk, "39000000033", atRS)
	require.NoError(t, err)
	assert.Equal(t, "39000000033", got.ActiveBarcode())
}

func TestPickRefusals(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		to      Station
		barcode string
		want    error
	}{
		{"needs a barcode", "RAPID-1", RSDesk, "", ErrInvalidInput},
		{"blank barcode", "RAPID-1", RSDesk, "   ", ErrInvalidInput},
		{"target a pickup desk", "RAPID-1", Station{Kind: StationPickup, Name: "Main Library"}, "39000000001", ErrInvalidStation},
		{"target unknown kind", "RAPID-1", Station{Kind: "shelf"}, "39000000001", ErrInvalidStation},
		{"target zero station", "RAPID-1", Station{}, "39000000001", ErrInvalidStation},
		{"bad barcode", "RAPID-1", RSDesk, "39 000", ErrInvalidBarcode},
		{"barcode on another pick", "RAPID-1", RSDesk, "39000000099", ErrBarcodeInUse},
		{"barcode on a received borrowing", "RAPID-1", RSDesk, "39000000098", ErrBarcodeInUse},
		{"already picked", "RAPID-P", RSDesk, "39000000001", ErrIllegalTransition},
		{"closed", "RAPID-X", RSDesk, "39000000001", ErrIllegalTransition},
		{"closed, with a bad barcode: the state is what matters", "RAPID-X", RSDesk, "39 000", ErrIllegalTransition},
		{"borrowing", "BVB-B", RSDesk, "39000000001", ErrIllegalTransition},
		{"unknown request", "NOPE-1", RSDesk, "39000000001", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.lending("RAPID", "RAPID-1")
			p := f.lending("RAPID", "RAPID-P")
			_, err := f.desk.Pick(p.ID, RSDesk, "39000000099", atRS)
			require.NoError(t, err)
			x := f.lending("RAPID", "RAPID-X")
			_, err = f.desk.Cancel(x.ID, "", atRS)
			require.NoError(t, err)
			b := f.borrowing("BVB", "BVB-B")
			_, err = f.desk.Receive(b.ID, "39000000098", atRS)
			require.NoError(t, err)

			before := f.store.snapshot()
			got, err := f.desk.Pick(tt.ref, tt.to, tt.barcode, atRS)
			f.refused(err, tt.want, before)
			assert.Equal(t, Request{}, got)
		})
	}
}

func TestPickToUnnamedDigitizationIsRefused(t *testing.T) {
	f := newDeskFixture(t)
	f.lending("RAPID", "RAPID-1")
	before := f.store.snapshot()
	_, err := f.desk.Pick("RAPID-1", Station{Kind: StationDigitization}, "39000000001", atRS)
	// a pick target "digitization:" could never be matched by a real station
	// (ParseStation refuses it), so the item could never arrive
	f.refused(err, ErrInvalidStation, before)
	_, err = f.desk.Pick("RAPID-1", Station{Kind: StationDigitization, Name: "   "}, "39000000001", atRS)
	f.refused(err, ErrInvalidStation, before)
}

// ---- the lending life cycle ----

func TestLendingLifeCycle(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-2026-0001")
	assert.True(t, l.Active())

	f.now = wednesday.Add(15 * time.Minute)
	_, err := f.desk.Pick(l.ExternalID, scanLab, "39000000001", atRS)
	require.NoError(t, err)

	// scanned at the wrong station: nothing happens, staff are told where it goes
	before := f.store.snapshot()
	_, err = f.desk.Scan("39000000001", "", atRS)
	f.refused(err, ErrWrongDesk, before)
	assert.Contains(t, err.Error(), "Scan Lab")
	_, err = f.desk.Scan("39000000001", "", atPhotoLab)
	f.refused(err, ErrWrongDesk, before)

	// scanned at the target department: the item arrived
	f.now = wednesday.Add(45 * time.Minute)
	res, err := f.desk.Scan(" 39000000001 ", "", atScanLab)
	require.NoError(t, err)
	assert.Equal(t, ActPickArrived, res.Action)
	assert.Equal(t, ItemAtDesk, res.Request.State)
	assert.Contains(t, res.Message, "39000000001")
	assert.Equal(t, res.Request, f.stored(l.ID))
	ev := res.Request.History[len(res.Request.History)-1]
	assert.Equal(t, Event{At: f.now, From: PickRequested, To: ItemAtDesk, Action: ActPickArrived, Actor: "dora", Desk: "digitization:Scan Lab"}, ev)

	// scanning again does nothing
	before = f.store.snapshot()
	_, err = f.desk.Scan("39000000001", "", atScanLab)
	f.refused(err, ErrWrongState, before)

	// ship with an accepted preflight
	f.now = wednesday.Add(2 * time.Hour)
	path := f.pdf()
	out, rep, err := f.ship(l.ExternalID, path, false, atScanLab)
	require.NoError(t, err)
	assert.Equal(t, VerdictAccept, rep.Verdict)
	assert.Equal(t, []string{path}, f.pf.calls)
	assert.Equal(t, ShippedDigitally, out.State)
	assert.False(t, out.Active())
	require.Equal(t, []vaultPut{{Src: path, Name: "RAPID-2026-0001"}}, f.vault.puts, "the vault gets the external id as name")
	require.NotNil(t, out.ShippedFile)
	assert.Equal(t, "RAPID-2026-0001.pdf", out.ShippedFile.Name)
	assert.EqualValues(t, len(pdfContent), out.ShippedFile.Bytes)
	assert.Equal(t, 19, out.ShippedFile.Pages, "pages from the preflight")
	assert.Len(t, out.ShippedFile.SHA256, 64)
	assert.Contains(t, f.vault.files, "RAPID-2026-0001.pdf")
	assert.Empty(t, f.vault.removed)
	assert.Equal(t, out, f.stored(l.ID))
	assert.Equal(t, []Action{ActCreate, ActPick, ActPickArrived, ActShip}, actions(out))
	last := out.History[len(out.History)-1]
	assert.Equal(t, ItemAtDesk, last.From)
	assert.Equal(t, ShippedDigitally, last.To)
	assert.Equal(t, f.now, last.At)
	assert.Equal(t, "digitization:Scan Lab", last.Desk)
	assert.Contains(t, last.Note, "RAPID-2026-0001.pdf")
	assert.Contains(t, last.Note, "19 pages")
	assert.Empty(t, out.ActiveBarcode(), "shipping frees the barcode")

	// the barcode no longer routes; shipping again is refused and touches nothing
	before = f.store.snapshot()
	_, err = f.desk.Scan("39000000001", "", atScanLab)
	f.refused(err, ErrUnknownCode, before)
	_, _, err = f.ship(l.ExternalID, path, true, atScanLab)
	f.refused(err, ErrIllegalTransition, before)
	assert.Len(t, f.vault.puts, 1)
	assert.Len(t, f.pf.calls, 1, "no preflight for a request that cannot ship")
}

func TestShipStraightFromCreatedWithPathLikeExternalID(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "../RAPID:7")
	out, _, err := f.ship(l.ID, f.pdf(), false, atRS)
	require.NoError(t, err)
	assert.Equal(t, ShippedDigitally, out.State)
	assert.Equal(t, "../RAPID:7", f.vault.puts[0].Name, "the vault sanitizes the name itself")
	assert.Equal(t, "__RAPID_7.pdf", out.ShippedFile.Name)
}

func TestShipWithAcceptedWarning(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	f.pf.report = PreflightReport{Verdict: VerdictWarn, Reason: "encrypted", Message: "The PDF is encrypted.", Pages: 19, Bytes: 100}
	out, rep, err := f.ship(l.ID, f.pdf(), true, atRS)
	require.NoError(t, err)
	assert.Equal(t, VerdictWarn, rep.Verdict)
	assert.Equal(t, ShippedDigitally, out.State)
	assert.Contains(t, out.History[len(out.History)-1].Note, "warning accepted")
	assert.Contains(t, out.History[len(out.History)-1].Note, "encrypted")
}

func TestShipRefusals(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		accept   bool
		setup    func(f *deskFixture)
		want     error
		contains []string
		// preflighted says whether the file was checked
		preflighted bool
	}{
		{"preflight rejects", "RAPID-1", true, func(f *deskFixture) {
			f.pf.report = PreflightReport{Verdict: VerdictReject, Reason: "not_pdf", Message: "The file is not a PDF."}
		}, ErrPreflightRejected, []string{"not a PDF", "Nothing was shipped"}, true},
		{"warning not accepted", "RAPID-1", false, func(f *deskFixture) {
			f.pf.report = PreflightReport{Verdict: VerdictWarn, Reason: "encrypted", Message: "The PDF is encrypted.", Pages: 19}
		}, ErrNeedsConfirmation, []string{"encrypted"}, true},
		{"page count far from the request", "RAPID-1", false, func(f *deskFixture) {
			f.pf.report = PreflightReport{Verdict: VerdictAccept, Pages: 60, Bytes: 100}
		}, ErrNeedsConfirmation, []string{"60 pages", "12-30"}, true},
		{"over the partner's size limit", "BVB-1", false, func(f *deskFixture) {
			f.pf.report = PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: 2_500_000}
		}, ErrNeedsConfirmation, []string{"2.5 MB", "1.0 MB", "BVB"}, true},
		{"borrowing request", "BVB-B", true, nil, ErrIllegalTransition, nil, false},
		{"already rejected", "RAPID-X", true, nil, ErrIllegalTransition, nil, false},
		{"unknown request", "RAPID-404", true, nil, ErrNotFound, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.lending("RAPID", "RAPID-1")
			f.lending("BVB", "BVB-1")
			f.borrowing("BVB", "BVB-B")
			x := f.lending("RAPID", "RAPID-X")
			_, err := f.desk.Reject(x.ID, ReasonNotHeld, "", "", atRS)
			require.NoError(t, err)
			if tt.setup != nil {
				tt.setup(f)
			}
			before := f.store.snapshot()
			out, rep, err := f.ship(tt.ref, f.pdf(), tt.accept, atRS)
			f.refused(err, tt.want, before)
			assert.Equal(t, Request{}, out)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, f.vault.puts, "vault not touched")
			assert.Empty(t, f.vault.files)
			if tt.preflighted {
				assert.Len(t, f.pf.calls, 1)
				assert.NotEmpty(t, rep.Verdict, "the report is returned to show staff")
			} else {
				assert.Empty(t, f.pf.calls)
			}
		})
	}
}

func TestShipVaultFailure(t *testing.T) {
	f := newDeskFixture(t)
	f.lending("RAPID", "RAPID-1")
	f.vault.putErr = errors.New("disk full")
	before := f.store.snapshot()
	_, _, err := f.ship("RAPID-1", f.pdf(), false, atRS)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")
	assert.Equal(t, before, f.store.snapshot())
	assert.Empty(t, f.vault.removed)
}

// Another workstation closes the request while the file is being checked:
// the shipment must fail and the file just stored must be removed again.
func TestShipRaceRemovesStoredFile(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	f.pf.hook = func(string) {
		_, err := f.desk.Cancel(l.ID, "withdrawn by the borrower", atBranch)
		require.NoError(t, err)
	}
	_, _, err := f.ship(l.ID, f.pdf(), false, atRS)
	require.ErrorIs(t, err, ErrIllegalTransition)
	require.Len(t, f.vault.puts, 1)
	assert.Equal(t, []string{"RAPID-1.pdf"}, f.vault.removed)
	assert.Empty(t, f.vault.files, "no orphan file in the vault")
	got := f.stored(l.ID)
	assert.Equal(t, Cancelled, got.State)
	assert.Nil(t, got.ShippedFile)
	assert.Equal(t, []Action{ActCreate, ActCancel}, actions(got))
}

// The store refuses the write after the file is in the vault: the file is
// removed and the request unchanged.
func TestShipStoreFailureRemovesStoredFile(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	f.store.failPut = func(r Request) error {
		if r.State == ShippedDigitally {
			return errors.New("write failed")
		}
		return nil
	}
	before := f.store.snapshot()
	_, _, err := f.ship(l.ID, f.pdf(), false, atRS)
	require.Error(t, err)
	assert.Equal(t, before, f.store.snapshot())
	assert.Equal(t, []string{"RAPID-1.pdf"}, f.vault.removed)
	assert.Empty(t, f.vault.files)
}

func TestShipWithoutVault(t *testing.T) {
	f := newDeskFixture(t)
	f.lending("RAPID", "RAPID-1")
	d := NewDesk(Config{Store: f.store, Preflight: f.pf, Clock: ClockFunc(func() time.Time { return f.now }), Calendar: mustCalendar(t, time.UTC)})
	before := f.store.snapshot()
	_, _, err := shipWith(d, "RAPID-1", f.pdf(), false, atRS)
	require.Error(t, err)
	assert.Equal(t, before, f.store.snapshot())
}

// ---- file checks ----

func TestCheckFile(t *testing.T) {
	f := newDeskFixture(t)
	rapid, bvb := f.partner("RAPID"), f.partner("BVB")
	req := func(pages string) Request { return Request{Side: Lending, Citation: Citation{Pages: pages}} }
	tests := []struct {
		name        string
		r           Request
		p           Partner
		pf          PreflightReport
		verdict     Verdict
		reason      string
		contains    []string
		notContains []string
	}{
		{"fine", req("12-30"), bvb, PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: 500_000, Message: "OK."},
			VerdictAccept, "", []string{"OK."}, nil},
		{"cover pages are fine", req("12-30"), bvb, PreflightReport{Verdict: VerdictAccept, Pages: 21, Bytes: 500_000},
			VerdictAccept, "", nil, nil},
		{"too many pages", req("12-30"), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 60, Bytes: 1, Message: "OK."},
			VerdictWarn, "page_count", []string{"60 pages", "12-30", "(19)"}, []string{"OK."}},
		{"too few pages", req("pp. 12–30"), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 5, Bytes: 1},
			VerdictWarn, "page_count", []string{"5 pages", "(19)"}, nil},
		{"too large for the partner", req("12-30"), bvb, PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: 2_000_000},
			VerdictWarn, "too_large", []string{"2.0 MB", "BVB", "1.0 MB"}, nil},
		{"exactly at the limit", req("12-30"), bvb, PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: 1_000_000},
			VerdictAccept, "", nil, nil},
		{"no limit for the partner", req("12-30"), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 19, Bytes: 50_000_000},
			VerdictAccept, "", nil, nil},
		{"both page count and size", req("12-30"), bvb, PreflightReport{Verdict: VerdictAccept, Pages: 60, Bytes: 2_000_000},
			VerdictWarn, "page_count", []string{"60 pages", "2.0 MB"}, nil},
		{"preflight warning kept and extended", req("12-30"), rapid, PreflightReport{Verdict: VerdictWarn, Reason: "encrypted", Message: "The PDF is encrypted.", Pages: 60},
			VerdictWarn, "encrypted", []string{"The PDF is encrypted.", "60 pages"}, nil},
		{"preflight reject stays", req("12-30"), bvb, PreflightReport{Verdict: VerdictReject, Reason: "truncated", Message: "The PDF is cut off.", Pages: 60, Bytes: 9_000_000},
			VerdictReject, "truncated", []string{"The PDF is cut off."}, []string{"60 pages", "MB"}},
		{"unreadable page range is not checked", req("xii-xv"), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 60},
			VerdictAccept, "", nil, nil},
		{"no pages requested", req(""), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 600},
			VerdictAccept, "", nil, nil},
		{"page count unknown", req("12-30"), rapid, PreflightReport{Verdict: VerdictAccept, Pages: 0},
			VerdictAccept, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.pf.report = tt.pf
			rep := f.desk.CheckFile(tt.r, tt.p, "/tmp/x.pdf")
			assert.Equal(t, tt.verdict, rep.Verdict)
			assert.Equal(t, tt.reason, rep.Reason)
			assert.Equal(t, "/tmp/x.pdf", rep.File)
			assert.Equal(t, tt.pf.Pages, rep.Pages)
			assert.Equal(t, tt.pf.Bytes, rep.Bytes)
			for _, s := range tt.contains {
				assert.Contains(t, rep.Message, s)
			}
			for _, s := range tt.notContains {
				assert.NotContains(t, rep.Message, s)
			}
			if tt.verdict == VerdictAccept {
				assert.Equal(t, tt.pf.Message, rep.Message, "an accepted file keeps the preflight's message")
			}
		})
	}
}

// ---- reject, bad citation, cancel ----

func TestReject(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1", func(in *LendingInput) { in.Note = "old note" })
	f.now = wednesday.Add(time.Hour)
	out, err := f.desk.Reject("RAPID-1", "notonshelf", " searched twice ", " Sorry, it is missing. ", atRS)
	require.NoError(t, err)
	assert.Equal(t, Rejected, out.State)
	assert.Equal(t, ReasonNotOnShelf, out.RejectReason)
	assert.Equal(t, "Sorry, it is missing.", out.PartnerNote)
	assert.Equal(t, "old note\nsearched twice", out.InternalNote)
	ev := out.History[len(out.History)-1]
	assert.Equal(t, Event{At: f.now, From: Created, To: Rejected, Action: ActReject, Actor: "ana", Desk: "rs",
		Note: "Reason: Missing / not on shelf. searched twice. Sorry, it is missing."}, ev)
	assert.Equal(t, out, f.stored(l.ID))

	// by label, from a pick: the barcode is freed
	l2 := f.lending("RAPID", "RAPID-2")
	_, err = f.desk.Pick(l2.ID, RSDesk, "39000000002", atRS)
	require.NoError(t, err)
	out, err = f.desk.Reject(l2.ID, "Policy problem", "", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ReasonPolicyProblem, out.RejectReason)
	assert.Empty(t, out.ActiveBarcode())
	assert.Empty(t, out.PartnerNote)

	// from item at desk; Other with a partner note only is enough
	l3 := f.lending("RAPID", "RAPID-3")
	_, err = f.desk.Pick(l3.ID, RSDesk, "39000000003", atRS)
	require.NoError(t, err)
	_, err = f.desk.Scan("39000000003", "", atRS)
	require.NoError(t, err)
	out, err = f.desk.Reject(l3.ID, ReasonOther, "", "Licence forbids it for your country.", atRS)
	require.NoError(t, err)
	assert.Equal(t, ReasonOther, out.RejectReason)
	assert.Equal(t, ItemAtDesk, out.History[len(out.History)-1].From)

	// Other with an internal note only
	l4 := f.lending("RAPID", "RAPID-4")
	out, err = f.desk.Reject(l4.ID, ReasonOther, "damaged binding", "", atRS)
	require.NoError(t, err)
	assert.Equal(t, "damaged binding", out.InternalNote)
}

func TestRejectRefusals(t *testing.T) {
	tests := []struct {
		name        string
		ref         string
		reason      Reason
		note, pnote string
		want        error
	}{
		{"no reason", "RAPID-1", "", "", "", ErrReasonRequired},
		{"blank reason", "RAPID-1", "  ", "a note", "", ErrReasonRequired},
		{"unknown reason", "RAPID-1", "Lost", "", "", ErrUnknownReason},
		{"bad citation is not a reject reason", "RAPID-1", "NotFoundAsCited", "", "", ErrUnknownReason},
		{"other without a note", "RAPID-1", ReasonOther, "", "", ErrNoteRequired},
		{"other with blank notes", "RAPID-1", "other", "  ", "\t", ErrNoteRequired},
		{"already closed", "RAPID-X", ReasonNotHeld, "", "", ErrIllegalTransition},
		{"borrowing", "BVB-B", ReasonNotHeld, "", "", ErrIllegalTransition},
		{"unknown request", "NOPE-1", ReasonNotHeld, "", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.lending("RAPID", "RAPID-1")
			x := f.lending("RAPID", "RAPID-X")
			_, err := f.desk.BadCitation(x.ID, "Volume 12 has no such article.", atRS)
			require.NoError(t, err)
			f.borrowing("BVB", "BVB-B")
			before := f.store.snapshot()
			out, err := f.desk.Reject(tt.ref, tt.reason, tt.note, tt.pnote, atRS)
			f.refused(err, tt.want, before)
			assert.Equal(t, Request{}, out)
		})
	}
}

func TestBadCitation(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	before := f.store.snapshot()
	for _, note := range []string{"", "   ", "\n"} {
		_, err := f.desk.BadCitation(l.ID, note, atRS)
		f.refused(err, ErrNoteRequired, before)
	}
	b := f.borrowing("BVB", "BVB-B")
	before = f.store.snapshot()
	_, err := f.desk.BadCitation(b.ID, "wrong", atRS)
	f.refused(err, ErrIllegalTransition, before)
	_, err = f.desk.BadCitation("NOPE", "wrong", atRS)
	f.refused(err, ErrNotFound, before)

	f.now = wednesday.Add(time.Hour)
	out, err := f.desk.BadCitation("RAPID-1", " Volume 12 has no such article; check the year. ", atRS)
	require.NoError(t, err)
	assert.Equal(t, BadCitation, out.State)
	assert.Equal(t, "Volume 12 has no such article; check the year.", out.PartnerNote)
	assert.Empty(t, out.RejectReason)
	assert.Equal(t, Event{At: f.now, From: Created, To: BadCitation, Action: ActBadCitation, Actor: "ana", Desk: "rs",
		Note: "Volume 12 has no such article; check the year."}, out.History[len(out.History)-1])
	assert.Equal(t, out, f.stored(l.ID))

	before = f.store.snapshot()
	_, err = f.desk.BadCitation(l.ID, "again", atRS)
	f.refused(err, ErrIllegalTransition, before)
}

func TestCancel(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1", func(in *LendingInput) { in.Note = "first" })
	out, err := f.desk.Cancel(l.ID, " borrower withdrew ", atRS)
	require.NoError(t, err)
	assert.Equal(t, Cancelled, out.State)
	assert.Equal(t, "Cancelled by partner", out.StatusLabel())
	assert.Equal(t, "first\nborrower withdrew", out.InternalNote)
	assert.Equal(t, "borrower withdrew", out.History[len(out.History)-1].Note)

	// a cancelled pick frees its barcode for another pick
	p := f.lending("RAPID", "RAPID-2")
	_, err = f.desk.Pick(p.ID, RSDesk, "39000000002", atRS)
	require.NoError(t, err)
	_, err = f.desk.Cancel(p.ID, "", atRS)
	require.NoError(t, err)
	q := f.lending("RAPID", "RAPID-3")
	_, err = f.desk.Pick(q.ID, RSDesk, "39000000002", atRS)
	require.NoError(t, err)

	b := f.borrowing("BVB", "BVB-1")
	out, err = f.desk.Cancel(b.ID, "", atRS)
	require.NoError(t, err)
	assert.Equal(t, Cancelled, out.State)
	assert.Equal(t, "Cancelled", out.StatusLabel())

	// a received borrowing can no longer be cancelled; a closed request neither
	r := f.borrowing("BVB", "BVB-2")
	_, err = f.desk.Receive(r.ID, "39000000005", atRS)
	require.NoError(t, err)
	before := f.store.snapshot()
	for _, ref := range []string{r.ID, l.ID, b.ID} {
		_, err = f.desk.Cancel(ref, "no", atRS)
		f.refused(err, ErrIllegalTransition, before)
	}
	_, err = f.desk.Cancel("NOPE", "", atRS)
	f.refused(err, ErrNotFound, before)
}

// ---- the borrowing life cycle by scans ----

func TestBorrowingLifeCycleByScan(t *testing.T) {
	f := newDeskFixture(t)
	const code = "39001234"
	b := f.borrowing("BVB", "BVB-77")

	// received at the RS desk with the request selected
	f.now = wednesday.Add(1 * time.Hour)
	res, err := f.desk.Scan(code, b.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, ActReceive, res.Action)
	assert.Equal(t, Received, res.Request.State)
	assert.Equal(t, code, res.Request.ItemBarcode)
	assert.Equal(t, code, res.Request.ActiveBarcode())
	assert.Contains(t, res.Message, code)
	assert.Contains(t, res.Message, "Main Library")
	assert.Equal(t, res.Request, f.stored(b.ID))

	// scans in the wrong places change nothing and say where it goes
	wrong := []struct {
		by       Actor
		contains string
	}{
		{atBranch, "Main Library"},
		{atRS, "Main Library"},
		{atScanLab, "Main Library"},
	}
	for _, w := range wrong {
		before := f.store.snapshot()
		_, err = f.desk.Scan(code, "", w.by)
		f.refused(err, ErrWrongDesk, before)
		assert.Contains(t, err.Error(), w.contains)
	}

	// at its pickup desk (any letter case): on the hold shelf
	f.now = wednesday.Add(26 * time.Hour)
	res, err = f.desk.Scan(code, "", atMainLow)
	require.NoError(t, err)
	assert.Equal(t, ActHoldShelf, res.Action)
	assert.Equal(t, OnHoldShelf, res.Request.State)
	assert.Equal(t, f.now.AddDate(0, 0, DefaultHoldShelfDays), res.Request.HoldUntil)
	assert.Contains(t, res.Message, "Pat Patron")
	assert.Equal(t, res.Request, f.stored(b.ID))

	before := f.store.snapshot()
	_, err = f.desk.Scan(code, "", atBranch)
	f.refused(err, ErrWrongDesk, before)
	assert.Contains(t, err.Error(), "Main Library")

	// checked out at its pickup desk: due date from the partner's loan period (BVB: 21 days)
	f.now = wednesday.Add(50 * time.Hour)
	res, err = f.desk.Scan(code, "", atMain)
	require.NoError(t, err)
	assert.Equal(t, ActCheckout, res.Action)
	assert.Equal(t, Loaned, res.Request.State)
	assert.Equal(t, f.now.AddDate(0, 0, 21), res.Request.DueDate)
	assert.Contains(t, res.Message, res.Request.DueDate.Format(DateLayout))
	assert.Equal(t, res.Request, f.stored(b.ID))

	before = f.store.snapshot()
	_, err = f.desk.Scan(code, "", atRS)
	f.refused(err, ErrWrongDesk, before)
	assert.Contains(t, err.Error(), "circulation desk")

	// checked in at any circulation desk
	f.now = wednesday.AddDate(0, 0, 14)
	res, err = f.desk.Scan(code, "", atBranch)
	require.NoError(t, err)
	assert.Equal(t, ActCheckin, res.Action)
	assert.Equal(t, ReturnedByPatron, res.Request.State)

	before = f.store.snapshot()
	_, err = f.desk.Scan(code, "", atMain)
	f.refused(err, ErrWrongDesk, before)
	assert.Contains(t, err.Error(), "RS desk")

	// completed at the RS desk: barcode freed, off the active list
	f.now = wednesday.AddDate(0, 0, 15)
	res, err = f.desk.Scan(code, "", atRS)
	require.NoError(t, err)
	assert.Equal(t, ActComplete, res.Action)
	done := res.Request
	assert.Equal(t, Completed, done.State)
	assert.False(t, done.Active())
	assert.Empty(t, done.ActiveBarcode())
	assert.Contains(t, res.Message, "BVB")
	assert.Equal(t, done, f.stored(b.ID))
	active, err := f.desk.List(Filter{})
	require.NoError(t, err)
	for _, r := range active {
		assert.NotEqual(t, b.ID, r.ID, "completed request is off the active list")
	}

	assert.Equal(t, []Action{ActCreate, ActReceive, ActHoldShelf, ActCheckout, ActCheckin, ActComplete}, actions(done))
	var desks []string
	for i, e := range done.History {
		desks = append(desks, e.Desk)
		if i > 0 {
			assert.Equal(t, done.History[i-1].To, e.From, "history is a chain")
		}
	}
	assert.Equal(t, []string{"rs", "rs", "pickup:main library", "pickup:Main Library", "pickup:Branch", "rs"}, desks)
	assert.Equal(t, []string{"ana", "ana", "ben", "ben", "cem", "ana"},
		[]string{done.History[0].Actor, done.History[1].Actor, done.History[2].Actor, done.History[3].Actor, done.History[4].Actor, done.History[5].Actor})

	// the barcode no longer routes anywhere
	before = f.store.snapshot()
	_, err = f.desk.Scan(code, "", atRS)
	f.refused(err, ErrUnknownCode, before)

	// and can receive a new request; RAPID's default loan period applies there
	b2 := f.borrowing("RAPID", "RAPID-88")
	res, err = f.desk.Scan(code, b2.ID, atRS)
	require.NoError(t, err)
	assert.Equal(t, ActReceive, res.Action)
	assert.Equal(t, b2.ID, res.Request.ID)
	_, err = f.desk.Scan(code, "", atMain)
	require.NoError(t, err)
	res, err = f.desk.Scan(code, "", atMain)
	require.NoError(t, err)
	assert.Equal(t, f.now.AddDate(0, 0, DefaultLoanPeriodDays), res.Request.DueDate)
	assert.Equal(t, done, f.stored(b.ID), "the completed request is untouched")
}

func TestReceive(t *testing.T) {
	f := newDeskFixture(t)
	a := f.borrowing("BVB", "BVB-A", func(in *BorrowingInput) { in.Title = "Holder Title" })
	b := f.borrowing("BVB", "BVB-B")
	l := f.lending("RAPID", "RAPID-1")

	before := f.store.snapshot()
	for _, bad := range []string{"", "  ", "39 01", strings.Repeat("9", 65)} {
		_, err := f.desk.Receive(a.ID, bad, atRS)
		f.refused(err, ErrInvalidBarcode, before)
	}
	_, err := f.desk.Receive(l.ID, "39000000001", atRS)
	f.refused(err, ErrIllegalTransition, before)
	_, err = f.desk.Receive("NOPE", "39000000001", atRS)
	f.refused(err, ErrNotFound, before)

	out, err := f.desk.Receive("BVB-A", " 39000000001 ", atRS)
	require.NoError(t, err)
	assert.Equal(t, Received, out.State)
	assert.Equal(t, "39000000001", out.ItemBarcode)
	assert.Contains(t, out.History[len(out.History)-1].Note, "39000000001")

	before = f.store.snapshot()
	_, err = f.desk.Receive(a.ID, "39000000002", atRS)
	f.refused(err, ErrIllegalTransition, before)

	// the barcode is in use: the message names the request that holds it
	_, err = f.desk.Receive(b.ID, "39000000001", atRS)
	f.refused(err, ErrBarcodeInUse, before)
	assert.Contains(t, err.Error(), "BVB-A")
	assert.Contains(t, err.Error(), "Holder Title")

	// also when a lending pick holds it
	_, err = f.desk.Pick(l.ID, RSDesk, "39000000007", atRS)
	require.NoError(t, err)
	before = f.store.snapshot()
	_, err = f.desk.Receive(b.ID, "39000000007", atRS)
	f.refused(err, ErrBarcodeInUse, before)
	assert.Contains(t, err.Error(), "RAPID-1")
}

func TestScanRefusals(t *testing.T) {
	type setup struct {
		f                            *deskFixture
		created, received, lend, pic Request
	}
	build := func(t *testing.T) setup {
		f := newDeskFixture(t)
		s := setup{f: f}
		s.created = f.borrowing("BVB", "BVB-C")
		s.received = f.borrowing("BVB", "BVB-R")
		_, err := f.desk.Receive(s.received.ID, "39000000001", atRS)
		require.NoError(t, err)
		s.lend = f.lending("RAPID", "RAPID-L")
		s.pic = f.lending("RAPID", "RAPID-P")
		_, err = f.desk.Pick(s.pic.ID, scanLab, "39000000002", atRS)
		require.NoError(t, err)
		_, err = f.desk.Scan("39000000002", "", atScanLab)
		require.NoError(t, err)
		return s
	}
	tests := []struct {
		name     string
		code     string
		selected func(s setup) string
		by       Actor
		want     error
		contains []string
	}{
		{"nothing scanned", "", nil, atRS, ErrUnknownCode, nil},
		{"only spaces", "   ", nil, atRS, ErrUnknownCode, nil},
		{"unknown code", "39999999999", nil, atRS, ErrUnknownCode, []string{"39999999999"}},
		{"unknown code at a pickup desk with a created borrowing selected", "39999999999",
			func(s setup) string { return s.created.ID }, atMain, ErrUnknownCode, nil},
		{"unknown code at digitization with a created borrowing selected", "39999999999",
			func(s setup) string { return s.created.ID }, atScanLab, ErrUnknownCode, nil},
		{"unknown code at RS with a lending request selected", "39999999999",
			func(s setup) string { return s.lend.ID }, atRS, ErrUnknownCode, nil},
		{"unknown code at RS with a received borrowing selected", "39999999999",
			func(s setup) string { return s.received.ID }, atRS, ErrUnknownCode, nil},
		{"invalid barcode to receive", "39 99", func(s setup) string { return s.created.ID }, atRS, ErrInvalidBarcode, nil},
		{"over-long barcode to receive", strings.Repeat("9", 65), func(s setup) string { return s.created.ID }, atRS, ErrInvalidBarcode, nil},
		{"selected request vanished", "39999999999", func(setup) string { return "rq-9999" }, atRS, ErrNotFound, nil},
		// the barcode already belongs to an item in process: it is routed for
		// that request, never received for the selected one
		{"barcode of a received item while receiving another", "39000000001",
			func(s setup) string { return s.created.ID }, atRS, ErrWrongDesk, []string{"39000000001", "Main Library"}},
		{"lending item already at its desk", "39000000002", nil, atScanLab, ErrWrongState, []string{"RAPID-P"}},
		{"lending item at the wrong desk", "39000000002", nil, atMain, ErrWrongState, []string{"RAPID-P"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := build(t)
			sel := ""
			if tt.selected != nil {
				sel = tt.selected(s)
			}
			before := s.f.store.snapshot()
			res, err := s.f.desk.Scan(tt.code, sel, tt.by)
			s.f.refused(err, tt.want, before)
			assert.Equal(t, ScanResult{}, res)
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), c)
			}
		})
	}
}

func TestScanExternalIDSelects(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1")
	b := f.borrowing("BVB", "BVB-1")
	closed := f.lending("RAPID", "DUP-1")
	_, err := f.desk.Reject(closed.ID, ReasonNotHeld, "", "", atRS)
	require.NoError(t, err)
	open := f.lending("BVB", "DUP-1")
	f.lending("RAPID", "TWICE-1")
	f.lending("BVB", "TWICE-1")

	tests := []struct {
		code string
		sel  string
		by   Actor
		want string
	}{
		{"RAPID-1", "", atRS, l.ID},
		{" RAPID-1 ", "", atMain, l.ID},
		{"BVB-1", "", atScanLab, b.ID},
		// at the RS desk with a borrowing awaiting receipt selected, an
		// external identifier still only selects
		{"RAPID-1", b.ID, atRS, l.ID},
		{"BVB-1", b.ID, atRS, b.ID},
		// a closed request sharing the identifier gives way to the active one
		{"DUP-1", "", atRS, open.ID},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			before := f.store.snapshot()
			res, err := f.desk.Scan(tt.code, tt.sel, tt.by)
			require.NoError(t, err)
			assert.Empty(t, res.Action, "selecting is not an action")
			assert.Equal(t, tt.want, res.Request.ID)
			assert.Equal(t, f.stored(tt.want), res.Request)
			assert.Contains(t, res.Message, "Selected")
			assert.Contains(t, res.Message, strings.TrimSpace(tt.code))
			assert.Equal(t, before, f.store.snapshot(), "selecting changes nothing")
		})
	}

	// two active requests share the identifier: staff must choose
	before := f.store.snapshot()
	_, err = f.desk.Scan("TWICE-1", "", atRS)
	f.refused(err, ErrAmbiguousRef, before)
	var ref *Refusal
	require.ErrorAs(t, err, &ref)
	assert.Len(t, ref.Candidates, 2)
}

// ---- clock ----

func TestTimeLeft(t *testing.T) {
	f := newDeskFixture(t)
	l := f.lending("RAPID", "RAPID-1") // deadline Thursday 10:00
	left, ok := f.desk.TimeLeft(l.Deadline)
	require.True(t, ok)
	assert.Equal(t, 24*time.Hour, left)

	f.now = time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC) // Friday 16:00
	left, ok = f.desk.TimeLeft(l.Deadline)
	require.True(t, ok)
	assert.Equal(t, -30*time.Hour, left, "overdue: Thursday 10:00–24:00 and Friday 00:00–16:00")

	f.now = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC) // Tuesday 01:00 after the holiday Monday
	left, _ = f.desk.TimeLeft(l.Deadline)
	assert.Equal(t, -(14+24+1)*time.Hour, left, "weekend and holiday do not count")

	_, ok = f.desk.TimeLeft(f.borrowing("BVB", "").Deadline)
	assert.False(t, ok)
	assert.Equal(t, []string{"2026-03-09"}, f.desk.Calendar().Holidays())
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{870, "870 B"},
		{999, "999 B"},
		{1000, "1.0 KB"},
		{12_500, "12.5 KB"},
		{3_400_000, "3.4 MB"},
		{1_000_000, "1.0 MB"},
		{2_500_000_000, "2.5 GB"},
		{999_949, "999.9 KB"},
		// rounding must carry into the next unit, not show "1000.0 KB"
		{999_999, "1.0 MB"},
		{999_999_999, "1.0 GB"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, HumanBytes(tt.n), "%d", tt.n)
	}
}

// ---- settings ----

func putSettings(t *testing.T, s *memStore, kv map[string]string) {
	t.Helper()
	require.NoError(t, s.Update(func(tx Tx) error {
		for k, v := range kv {
			if err := tx.PutSetting(k, v); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestOpenDeskLoadsSettings(t *testing.T) {
	f := newDeskFixture(t)
	putSettings(t, f.store, map[string]string{SettingHolidays: "2026-12-25,2026-03-09", SettingBarcodePattern: `^39\d{8}$`})
	d, err := OpenDesk(Config{Store: f.store, Vault: f.vault, Preflight: f.pf, Clock: ClockFunc(func() time.Time { return f.now })})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-03-09", "2026-12-25"}, d.Calendar().Holidays())

	b := f.borrowing("BVB", "BVB-1")
	before := f.store.snapshot()
	_, err = d.Receive(b.ID, "TMP-1", atRS)
	f.refused(err, ErrInvalidBarcode, before)
	_, err = d.Scan("TMP-1", b.ID, atRS)
	f.refused(err, ErrInvalidBarcode, before)
	out, err := d.Receive(b.ID, "3912345678", atRS)
	require.NoError(t, err)
	assert.Equal(t, Received, out.State)
}

func TestOpenDeskDefaults(t *testing.T) {
	f := newDeskFixture(t)
	d, err := OpenDesk(Config{Store: f.store, Clock: ClockFunc(func() time.Time { return f.now })})
	require.NoError(t, err)
	assert.Empty(t, d.Calendar().Holidays())
	b := f.borrowing("BVB", "BVB-1")
	_, err = d.Receive(b.ID, "TMP-1/a", atRS)
	assert.NoError(t, err, "default barcode rule")
}

func TestOpenDeskRefusesBadSettings(t *testing.T) {
	for name, kv := range map[string]map[string]string{
		"bad holiday": {SettingHolidays: "2026-03-09,2026-02-30"},
		"bad pattern": {SettingBarcodePattern: `^39(`},
	} {
		t.Run(name, func(t *testing.T) {
			f := newDeskFixture(t)
			putSettings(t, f.store, kv)
			d, err := OpenDesk(Config{Store: f.store})
			require.ErrorIs(t, err, ErrInvalidInput)
			assertSentence(t, err)
			assert.Nil(t, d)
		})
	}
}

func TestSetHolidays(t *testing.T) {
	f := newDeskFixture(t)
	before := f.store.snapshot()
	err := f.desk.SetHolidays([]string{"2026-03-16", "16.03.2026"})
	f.refused(err, ErrInvalidInput, before)
	assert.Equal(t, []string{"2026-03-09"}, f.desk.Calendar().Holidays(), "calendar unchanged after a refusal")

	require.NoError(t, f.desk.SetHolidays([]string{" 2026-12-25", "2026-03-16", "", "2026-03-16"}))
	assert.Equal(t, []string{"2026-03-16", "2026-12-25"}, f.desk.Calendar().Holidays())
	var stored string
	require.NoError(t, f.store.View(func(tx Tx) error {
		var err error
		stored, err = tx.Setting(SettingHolidays)
		return err
	}))
	assert.Equal(t, "2026-03-16,2026-12-25", stored)

	// new deadlines use the new holidays in the same (UTC) zone: Monday 9 March
	// is a working day again, Monday 16 March is off
	f.now = time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	r := f.lending("RAPID", "RAPID-1")
	assert.True(t, time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC).Equal(r.Deadline), "got %s", r.Deadline)
	f.now = time.Date(2026, 3, 13, 15, 0, 0, 0, time.UTC)
	r = f.lending("RAPID", "RAPID-2")
	assert.True(t, time.Date(2026, 3, 17, 15, 0, 0, 0, time.UTC).Equal(r.Deadline), "got %s", r.Deadline)

	// a desk opened later over the same store sees them
	d, err := OpenDesk(Config{Store: f.store})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-03-16", "2026-12-25"}, d.Calendar().Holidays())

	// clearing
	require.NoError(t, f.desk.SetHolidays(nil))
	assert.Empty(t, f.desk.Calendar().Holidays())
	d, err = OpenDesk(Config{Store: f.store})
	require.NoError(t, err)
	assert.Empty(t, d.Calendar().Holidays())
}

// listedIDs is the order the list model shows the requests in.
func listedIDs(rs []Request) []string {
	return rowIDs(listingOf(rs).Filter(Filter{All: true}))
}

func TestListingPutsDatedFirst(t *testing.T) {
	base := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	rs := []Request{
		{ID: "b-old", Side: Borrowing, Created: base.Add(-72 * time.Hour)},
		{ID: "l-late", Side: Lending, Created: base, Deadline: base.Add(48 * time.Hour)},
		{ID: "b-loan", Side: Borrowing, Created: base.Add(-96 * time.Hour), DueDate: base.Add(24 * time.Hour)},
		{ID: "l-soon", Side: Lending, Created: base, Deadline: base.Add(2 * time.Hour)},
		{ID: "b-new", Side: Borrowing, Created: base},
	}
	assert.Equal(t, []string{"l-soon", "b-loan", "l-late", "b-new", "b-old"}, listedIDs(rs))
}

func TestParseLendingService(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"", "", nil},
		{"copy", "Copy", nil},
		{" Loan ", "Loan", nil},
		{"copy-or-loan", "CopyOrLoan", nil},
		{"scan", "", ErrInvalidInput},
		{"Copy or loan", "", ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLendingService(tt.in)
			assert.Equal(t, tt.want, got)
			if tt.err == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
	for _, s := range LendingServices {
		_, err := ParseLendingService(s)
		assert.NoError(t, err, "%s is offered, so it is read", s)
	}
}
