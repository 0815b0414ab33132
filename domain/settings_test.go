package domain

import (
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- settings ----

func storedSetting(t *testing.T, s *memStore, key string) string {
	t.Helper()
	var v string
	require.NoError(t, s.View(func(tx Tx) error {
		var err error
		v, err = tx.Setting(key)
		return err
	}))
	return v
}

func TestSettingsEmptyStore(t *testing.T) {
	f := newDeskFixture(t)
	s, err := f.desk.Settings()
	require.NoError(t, err)
	assert.Equal(t, Settings{}, s)
	assert.Nil(t, s.DigitizationDepartments)
	assert.Nil(t, s.PickupLocations)
}

func TestSaveSettingsRoundTrip(t *testing.T) {
	folder := filepath.FromSlash("/scans/new")
	const catalogue = "https://search.example.edu/discovery/search?query=any,contains,{title}&vid=49UNI"
	tests := []struct {
		name        string
		in          Settings
		want        Settings
		departments string // as stored
		pickups     string // as stored
	}{
		{
			name: "everything, lists cleaned",
			in: Settings{
				CatalogueURL:            "  " + catalogue + " ",
				DigitizationDepartments: []string{" Scan Lab ", "", "scan lab", "Photo Lab", "   ", "SCAN LAB"},
				PickupLocations:         []string{"Main Library", " Branch ", "main library", "Law Library", "BRANCH"},
				ScanFolder:              " " + folder + "  ",
			},
			want: Settings{
				CatalogueURL:            catalogue,
				DigitizationDepartments: []string{"Scan Lab", "Photo Lab"},
				PickupLocations:         []string{"Main Library", "Branch", "Law Library"},
				ScanFolder:              folder,
			},
			departments: "Scan Lab,Photo Lab",
			pickups:     "Main Library,Branch,Law Library",
		},
		{
			name: "order kept as given",
			in: Settings{CatalogueURL: "http://opac.example.org/?q={query}",
				DigitizationDepartments: []string{"Zeta", "alpha", "Mid"}, PickupLocations: []string{"West", "East"}},
			want: Settings{CatalogueURL: "http://opac.example.org/?q={query}",
				DigitizationDepartments: []string{"Zeta", "alpha", "Mid"}, PickupLocations: []string{"West", "East"}},
			departments: "Zeta,alpha,Mid",
			pickups:     "West,East",
		},
		{
			name:        "only blanks: nothing",
			in:          Settings{CatalogueURL: "   ", DigitizationDepartments: []string{"", " "}, PickupLocations: []string{"\t"}, ScanFolder: "  "},
			want:        Settings{},
			departments: "",
			pickups:     "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			old := f.folders.dir(filepath.FromSlash("/scans/old"))
			f.folders.dir(folder)
			// something saved before is replaced, not merged
			require.NoError(t, f.desk.SaveSettings(Settings{CatalogueURL: "https://old.example.org/?q={title}",
				DigitizationDepartments: []string{"Old Lab"}, PickupLocations: []string{"Old Desk"}, ScanFolder: old}))

			require.NoError(t, f.desk.SaveSettings(tt.in))
			got, err := f.desk.Settings()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.departments, storedSetting(t, f.store, SettingDigitizationDepartments))
			assert.Equal(t, tt.pickups, storedSetting(t, f.store, SettingPickupLocations))
			assert.Equal(t, tt.want.CatalogueURL, storedSetting(t, f.store, SettingCatalogueURL))
			assert.Equal(t, tt.want.ScanFolder, storedSetting(t, f.store, SettingScanFolder))

			// another desk over the same store reads the same
			d, err := OpenDesk(Config{Store: f.store})
			require.NoError(t, err)
			again, err := d.Settings()
			require.NoError(t, err)
			assert.Equal(t, tt.want, again)

			// saving what was read changes nothing
			require.NoError(t, f.desk.SaveSettings(got))
			again, err = f.desk.Settings()
			require.NoError(t, err)
			assert.Equal(t, tt.want, again)
		})
	}
}

func TestSaveSettingsRefusals(t *testing.T) {
	file := filepath.FromSlash("/scans/scans.txt")
	missing := filepath.FromSlash("/scans/no-such-folder")
	tests := []struct {
		name string
		edit func(*Settings)
	}{
		{"catalogue without scheme", func(s *Settings) { s.CatalogueURL = "search.example.edu/discovery/search?query={title}" }},
		{"catalogue relative path", func(s *Settings) { s.CatalogueURL = "/discovery/search?query={title}" }},
		{"catalogue ftp", func(s *Settings) { s.CatalogueURL = "ftp://search.example.edu/{title}" }},
		{"catalogue javascript", func(s *Settings) { s.CatalogueURL = "javascript:alert({title})" }},
		{"catalogue mailto", func(s *Settings) { s.CatalogueURL = "mailto:ill@example.edu?subject={title}" }},
		{"catalogue file", func(s *Settings) { s.CatalogueURL = "file:///etc/passwd" }},
		{"catalogue without host", func(s *Settings) { s.CatalogueURL = "https:///search?q={title}" }},
		{"catalogue scheme only", func(s *Settings) { s.CatalogueURL = "https://" }},
		{"catalogue opaque https", func(s *Settings) { s.CatalogueURL = "https:search.example.edu/?q={title}" }},
		{"scan folder does not exist", func(s *Settings) { s.ScanFolder = missing }},
		{"scan folder is a file", func(s *Settings) { s.ScanFolder = file }},
		{"department with a comma", func(s *Settings) {
			s.DigitizationDepartments = []string{"Scan Lab", "Photo Lab, 2nd floor"}
		}},
		{"pickup location with a comma", func(s *Settings) { s.PickupLocations = []string{"Main, Library"} }},
		{"only a comma", func(s *Settings) { s.PickupLocations = []string{","} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.folders.put(file, []byte("not a folder"))
			old := Settings{CatalogueURL: "https://old.example.org/?q={title}", DigitizationDepartments: []string{"Old Lab"},
				PickupLocations: []string{"Old Desk"}, ScanFolder: f.folders.dir(filepath.FromSlash("/scans/old"))}
			require.NoError(t, f.desk.SaveSettings(old))
			before := f.store.snapshot()

			s := Settings{CatalogueURL: "https://new.example.org/?q={query}", DigitizationDepartments: []string{"New Lab"},
				PickupLocations: []string{"New Desk"}, ScanFolder: f.folders.dir(filepath.FromSlash("/scans/new"))}
			tt.edit(&s)
			err := f.desk.SaveSettings(s)
			f.refused(err, ErrInvalidInput, before)
			got, err := f.desk.Settings()
			require.NoError(t, err)
			assert.Equal(t, old, got, "the old settings are kept")
		})
	}
}

// A desk that cannot reach the file system cannot check a scan folder, so
// it keeps none; the other settings need no folders.
func TestSaveSettingsScanFolderWithoutFolders(t *testing.T) {
	f := newDeskFixture(t)
	d := NewDesk(Config{Store: f.store})
	before := f.store.snapshot()
	err := d.SaveSettings(Settings{PickupLocations: []string{"Main Library"}, ScanFolder: f.folders.dir(filepath.FromSlash("/scans"))})
	require.ErrorIs(t, err, errNoFolders)
	assert.Equal(t, before, f.store.snapshot(), "nothing is stored")

	require.NoError(t, d.SaveSettings(Settings{PickupLocations: []string{"Main Library"}}))
	got, err := d.Settings()
	require.NoError(t, err)
	assert.Equal(t, Settings{PickupLocations: []string{"Main Library"}}, got)
}

// ---- catalogue search ----

func TestCatalogueSearch(t *testing.T) {
	const template = "https://search.example.edu/s?t={title}&i={issn}&b={isbn}&d={doi}&a={author}&q={query}"
	full := Request{Citation: Citation{Title: "Zeitschrift für Tests & Co", ISSN: "1234-567X",
		ISBN: "978-3-16-148410-0", DOI: "10.1000/xyz 1&2", Author: "Müller, Anna"}}
	tests := []struct {
		name  string
		r     Request
		query string // what {query} becomes
	}{
		{"ISSN preferred", full, "1234-567X"},
		{"then ISBN", Request{Citation: Citation{Title: "A Book für all", ISBN: "978-3-16-148410-0"}}, "978-3-16-148410-0"},
		{"then title", Request{Citation: Citation{Title: "Tom & Jerry über alles"}}, "Tom & Jerry über alles"},
		{"nothing", Request{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, ok := Settings{CatalogueURL: template}.CatalogueSearch(tt.r)
			require.True(t, ok)
			assert.NotContains(t, link, " ", "escaped")
			assert.NotContains(t, link, "{", "every placeholder replaced")
			assert.True(t, strings.HasPrefix(link, "https://search.example.edu/s?t="), link)
			u, err := url.Parse(link)
			require.NoError(t, err)
			q := u.Query()
			assert.Len(t, q, 6, "an & in a value does not make a new parameter: %s", link)
			assert.Equal(t, []string{tt.r.Title}, q["t"])
			assert.Equal(t, []string{tt.r.ISSN}, q["i"])
			assert.Equal(t, []string{tt.r.ISBN}, q["b"])
			assert.Equal(t, []string{tt.r.DOI}, q["d"])
			assert.Equal(t, []string{tt.r.Author}, q["a"])
			assert.Equal(t, []string{tt.query}, q["q"])
		})
	}
}

func TestCatalogueSearchExact(t *testing.T) {
	tests := []struct {
		name     string
		template string
		r        Request
		want     string
	}{
		{"space, ampersand and umlaut in the title",
			"https://search.example.edu/discovery/search?query=any,contains,{title}&vid=X",
			Request{Citation: Citation{Title: "Journal für Tests & Co"}},
			"https://search.example.edu/discovery/search?query=any,contains,Journal+f%C3%BCr+Tests+%26+Co&vid=X"},
		{"query is the ISSN",
			"https://opac.example.org/?q={query}",
			Request{Citation: Citation{Title: "Journal für Tests", ISSN: "0028-0836", ISBN: "978-0"}},
			"https://opac.example.org/?q=0028-0836"},
		{"a placeholder used twice",
			"https://opac.example.org/?a={isbn}&b={isbn}",
			Request{Citation: Citation{ISBN: "978 0"}},
			"https://opac.example.org/?a=978+0&b=978+0"},
		{"a value that looks like a placeholder is not expanded again",
			"https://opac.example.org/?t={title}&a={author}",
			Request{Citation: Citation{Title: "{author}", Author: "Doe"}},
			"https://opac.example.org/?t=%7Bauthor%7D&a=Doe"},
		{"no placeholders", "https://opac.example.org/", Request{Citation: Citation{Title: "T"}}, "https://opac.example.org/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, ok := Settings{CatalogueURL: tt.template}.CatalogueSearch(tt.r)
			require.True(t, ok)
			assert.Equal(t, tt.want, link)
		})
	}
}

func TestCatalogueSearchUnset(t *testing.T) {
	link, ok := Settings{}.CatalogueSearch(Request{Citation: Citation{Title: "T", ISSN: "1234-5678"}})
	assert.False(t, ok)
	assert.Empty(t, link)
}

// ---- stations ----

func pickupAt(name string) Station       { return Station{Kind: StationPickup, Name: name} }
func digitizationAt(name string) Station { return Station{Kind: StationDigitization, Name: name} }

func TestStations(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		setup    func(f *deskFixture)
		want     []Station
	}{
		{
			name: "nothing configured, no requests: RS desk and the default department",
			want: []Station{RSDesk, digitizationAt("Digitization")},
		},
		{
			name:     "from settings only",
			settings: Settings{PickupLocations: []string{"Main Library", "Branch"}, DigitizationDepartments: []string{"Scan Lab", "Photo Lab"}},
			want: []Station{RSDesk, pickupAt("Main Library"), pickupAt("Branch"),
				digitizationAt("Scan Lab"), digitizationAt("Photo Lab")},
		},
		{
			name:     "from settings and requests, deduplicated ignoring case",
			settings: Settings{PickupLocations: []string{"Main Library", "Branch"}, DigitizationDepartments: []string{"Scan Lab"}},
			setup: func(f *deskFixture) {
				f.borrowing("BVB", "B-1", func(in *BorrowingInput) { in.Pickup = "main library" })
				f.borrowing("BVB", "B-2", func(in *BorrowingInput) { in.Pickup = "Law Library" })
				f.borrowing("BVB", "B-3", func(in *BorrowingInput) { in.Pickup = "LAW LIBRARY" })
				l := f.lending("RAPID", "L-1")
				_, err := f.desk.Pick(l.ID, digitizationAt("scan lab"), "39000000001", atRS)
				require.NoError(f.t, err)
				l = f.lending("RAPID", "L-2")
				_, err = f.desk.Pick(l.ID, digitizationAt("Photo Lab"), "39000000002", atRS)
				require.NoError(f.t, err)
				l = f.lending("RAPID", "L-3")
				_, err = f.desk.Pick(l.ID, RSDesk, "39000000003", atRS)
				require.NoError(f.t, err)
				// a closed request's pick target still names a department
				l = f.lending("RAPID", "L-4")
				_, err = f.desk.Pick(l.ID, digitizationAt("Map Room"), "39000000004", atRS)
				require.NoError(f.t, err)
				_, err = f.desk.Cancel(l.ID, "", atRS)
				require.NoError(f.t, err)
			},
			want: []Station{RSDesk, pickupAt("Main Library"), pickupAt("Branch"), pickupAt("Law Library"),
				digitizationAt("Scan Lab"), digitizationAt("Photo Lab"), digitizationAt("Map Room")},
		},
		{
			name: "no departments configured: the default, then those of picks",
			setup: func(f *deskFixture) {
				f.borrowing("BVB", "B-1") // pickup Main Library
				l := f.lending("RAPID", "L-1")
				_, err := f.desk.Pick(l.ID, digitizationAt("Photo Lab"), "39000000001", atRS)
				require.NoError(f.t, err)
				l = f.lending("RAPID", "L-2")
				_, err = f.desk.Pick(l.ID, digitizationAt("DIGITIZATION"), "39000000002", atRS)
				require.NoError(f.t, err)
			},
			want: []Station{RSDesk, pickupAt("Main Library"), digitizationAt("Digitization"), digitizationAt("Photo Lab")},
		},
		{
			name:     "requests without pickup or pick add nothing",
			settings: Settings{DigitizationDepartments: []string{"Scan Lab"}},
			setup: func(f *deskFixture) {
				f.lending("RAPID", "L-1")
			},
			want: []Station{RSDesk, digitizationAt("Scan Lab")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			require.NoError(t, f.desk.SaveSettings(tt.settings))
			if tt.setup != nil {
				tt.setup(f)
			}
			got, err := f.desk.Stations()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			require.NotEmpty(t, got)
			assert.True(t, got[0].Same(RSDesk), "the RS desk comes first")
		})
	}
}

// ---- scans waiting in the scan folder ----

func TestWaitingScans(t *testing.T) {
	f := newDeskFixture(t)
	dir := filepath.FromSlash("/scans")
	for _, name := range []string{"R-1.pdf", "r-2.PDF", "R-3.pdf", "notes.txt", "A_B.pdf", "R-6.pdf", "R-7",
		"R-7.pdf.txt", "request.pdf", "R-8.pdf", "Zu\u0308rich 12.pdf"} {
		f.folders.put(filepath.Join(dir, name), []byte(pdfContent))
	}
	lend := func(id, ext string, st State) Summary {
		return Summary{ID: id, Side: Lending, ExternalID: ext, Partner: "RAPID", State: st}
	}
	rs := []Summary{
		lend("id-1", "R-1", Created),
		lend("id-2", "R-2", PickRequested), // file r-2.PDF: names match ignoring case
		lend("id-3", "R-3", ShippedDigitally),
		lend("id-4", "R-4", ItemAtDesk), // no file
		lend("id-5", "A/B", Created),    // stored as A_B.pdf
		{ID: "id-6", Side: Borrowing, ExternalID: "R-6", Partner: "BVB", State: Created},
		lend("id-7", "R-7", Created),   // only .pdf.txt exist
		lend("id-8", "", Created),      // no external id: request.pdf is not its scan
		lend("id-9", "R-8", Cancelled), // closed
		lend("id-10", "R-8", Rejected), // closed
		lend("id-11", "R-11", ItemAtDesk),
		lend("id-12", "Zürich 12", Created), // its file's name decomposed, as macOS writes it
	}
	got, err := f.desk.WaitingScans(dir, rs)
	require.NoError(t, err)
	assert.ElementsMatch(t, []WaitingScan{
		{RequestID: "id-1", Path: filepath.Join(dir, "R-1.pdf")},
		{RequestID: "id-2", Path: filepath.Join(dir, "r-2.PDF")},
		{RequestID: "id-5", Path: filepath.Join(dir, "A_B.pdf")},
		{RequestID: "id-12", Path: filepath.Join(dir, "Zu\u0308rich 12.pdf")},
	}, got)

	// a request that can ship now finds its scan
	f.folders.put(filepath.Join(dir, "R-11.Pdf"), []byte(pdfContent))
	got, err = f.desk.WaitingScans(dir, rs)
	require.NoError(t, err)
	assert.Len(t, got, 5)
	assert.Contains(t, got, WaitingScan{RequestID: "id-11", Path: filepath.Join(dir, "R-11.Pdf")})

	got, err = f.desk.WaitingScans(dir, nil)
	require.NoError(t, err)
	assert.Empty(t, got, "no requests, nothing waits")
}

func TestWaitingScansNoFolder(t *testing.T) {
	rs := []Summary{{ID: "id-1", Side: Lending, ExternalID: "R-1", State: Created}}
	for name, d := range map[string]*Desk{
		"with folders":    newDeskFixture(t).desk,
		"without folders": NewDesk(Config{Store: newMemStore()}),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := d.WaitingScans("", rs)
			assert.NoError(t, err)
			assert.Nil(t, got)
		})
	}
}

func TestWaitingScansUnreadableFolder(t *testing.T) {
	f := newDeskFixture(t)
	file := f.folders.put(filepath.FromSlash("/scans/R-1.pdf"), []byte(pdfContent))
	rs := []Summary{{ID: "id-1", Side: Lending, ExternalID: "R-1", State: Created}}
	for name, dir := range map[string]string{
		"missing": filepath.FromSlash("/gone"),
		"a file":  file,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := f.desk.WaitingScans(dir, rs)
			require.ErrorIs(t, err, ErrInvalidInput)
			assertSentence(t, err)
			assert.Contains(t, err.Error(), dir)
			assert.Nil(t, got)
		})
	}
}

func TestWaitingScansWithoutFolders(t *testing.T) {
	d := NewDesk(Config{Store: newMemStore()})
	got, err := d.WaitingScans(filepath.FromSlash("/scans"), []Summary{{ID: "id-1", Side: Lending, ExternalID: "R-1", State: Created}})
	require.ErrorIs(t, err, errNoFolders)
	assert.Nil(t, got)
}

func TestBackupKeep(t *testing.T) {
	f := newDeskFixture(t)
	forgetConfigChanges(t, f)
	n, err := f.desk.BackupKeep()
	require.NoError(t, err)
	assert.Equal(t, DefaultBackupKeep, n, "two weeks unless set")

	for i, tt := range []struct {
		name string
		n    int
		want int // kept afterwards
		err  error
	}{
		{"a month", 30, 30, nil},
		{"none: daily snapshots off", 0, 0, nil},
		{"a year", MaxBackupKeep, MaxBackupKeep, nil},
		{"negative", -1, MaxBackupKeep, ErrInvalidInput},
		{"more than a year", MaxBackupKeep + 1, MaxBackupKeep, ErrInvalidInput},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.now = wed(12, i)
			err := f.desk.SetBackupKeep(tt.n, atRS)
			if tt.err != nil {
				var ref *Refusal
				require.ErrorAs(t, err, &ref)
				assert.ErrorIs(t, err, tt.err)
				assert.Contains(t, ref.Msg, "from 0 (none)")
			} else {
				require.NoError(t, err)
			}
			n, err := f.desk.BackupKeep()
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}

	es := f.audit(AuditFilter{Action: ActConfigure})
	require.Len(t, es, 3, "each change is audited, refusals are not")
	assert.Equal(t, "backups", es[2].Ref)
	assert.Equal(t, "backup_keep: 14 → 30", es[2].Note)
	assert.Equal(t, "backup_keep: 30 → 0", es[1].Note)
	assert.Equal(t, "ana", es[0].Operator)

	require.NoError(t, f.store.Update(func(tx Tx) error { return tx.PutSetting(SettingBackupKeep, "lots") }))
	n, err = f.desk.BackupKeep()
	require.NoError(t, err)
	assert.Equal(t, DefaultBackupKeep, n, "an unreadable value falls back to the default")
}

func TestSetBackupKeepNeedsFulfillment(t *testing.T) {
	f := newDeskFixture(t)
	withStaff(t, f)
	err := f.desk.SetBackupKeep(7, as("rita", RSDesk))
	require.ErrorIs(t, err, ErrNotAllowed)
	n, _ := f.desk.BackupKeep()
	assert.Equal(t, DefaultBackupKeep, n)
	require.NoError(t, f.desk.SetBackupKeep(7, as("finn", RSDesk)))
	n, _ = f.desk.BackupKeep()
	assert.Equal(t, 7, n)
}

func TestNamedAfter(t *testing.T) {
	s := Summary{ID: "id-1", ExternalID: "Zürich 42"}
	tests := []struct {
		path string
		want bool
	}{
		{"/scans/Zürich 42.pdf", true},
		{"/scans/zürich 42.PDF", true},
		{"/scans/Zu\u0308rich 42.pdf", true},                       // decomposed, as macOS gives names
		{`C:\Scans März\ZÜRICH 42.tif`, runtime.GOOS == "windows"}, // a Windows path where its separator is \
		{"/scans/Zürich 42 (2).pdf", false},
		{"/scans/Zurich 42.pdf", false},
		{"/scans/.pdf", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, NamedAfter(tt.path, s), tt.path)
	}
	assert.True(t, NamedAfter("/x/A_B.pdf", Summary{ExternalID: "A/B"}), "named after the file-safe form")
	assert.False(t, NamedAfter("/x/request.pdf", Summary{}), "no external id, no scan")
}
