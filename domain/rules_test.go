package domain

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// ---- reasons ----

func TestParseReason(t *testing.T) {
	tests := []struct {
		in   string
		want Reason
	}{
		{"NotHeld", ReasonNotHeld},
		{"notheld", ReasonNotHeld},
		{"NOTHELD", ReasonNotHeld},
		{"  NotOnShelf  ", ReasonNotOnShelf},
		{"notavailableforill", ReasonNotAvailableForILL},
		{"NonCirculating", ReasonNonCirculating},
		{"poorcondition", ReasonPoorCondition},
		{"PolicyProblem", ReasonPolicyProblem},
		{"other", ReasonOther},
		// labels, in any case
		{"Not held", ReasonNotHeld},
		{"missing / not on shelf", ReasonNotOnShelf},
		{"Not available for ILL (e.g. licence)", ReasonNotAvailableForILL},
		{"NON-CIRCULATING", ReasonNonCirculating},
		{"Poor condition", ReasonPoorCondition},
		{"Policy problem", ReasonPolicyProblem},
		{"Other (explain in a note)", ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseReason(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, r := range Reasons() {
		got, err := ParseReason(string(r))
		require.NoError(t, err)
		assert.Equal(t, r, got)
		got, err = ParseReason(r.Label())
		require.NoError(t, err)
		assert.Equal(t, r, got, "label %q", r.Label())
	}
}

func TestParseReasonRefusals(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrReasonRequired},
		{"   ", ErrReasonRequired},
		{"\t\n", ErrReasonRequired},
		{"Lost", ErrUnknownReason},
		{"NotFoundAsCited", ErrUnknownReason},
		{"RetryPossible", ErrUnknownReason},
		{"Not", ErrUnknownReason},
		{"NotHeld!", ErrUnknownReason},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseReason(tt.in)
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, got)
			assertSentence(t, err)
			// the message offers the choices
			assert.Contains(t, err.Error(), "NotOnShelf")
		})
	}
}

func TestReasonsAndLabels(t *testing.T) {
	assert.Equal(t, []Reason{"NotHeld", "NotOnShelf", "NotAvailableForILL", "NonCirculating", "PoorCondition", "PolicyProblem", "Other"}, Reasons())
	labels := map[string]bool{}
	for _, r := range Reasons() {
		assert.NotEqual(t, string(r), r.Label(), "%s has words for staff", r)
		assert.False(t, labels[r.Label()], "duplicate label %q", r.Label())
		labels[r.Label()] = true
	}
	assert.Equal(t, "Weird", Reason("Weird").Label())
}

// ---- pages ----

func TestExpectedPages(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		ok   bool
		note string
	}{
		{"12-30", 19, true, "plain range"},
		{"pp. 12–30", 19, true, "en dash and pp."},
		{"p. 12 - 30", 19, true, "spaces"},
		{"S. 12—30", 19, true, "em dash"},
		{"123-8", 6, true, "abbreviated: 123-128"},
		{"1234-56", 23, true, "abbreviated: 1234-1256"},
		{"129-31", 3, true, "abbreviated: 129-131"},
		{"95-105", 11, true, "longer end"},
		{"45", 1, true, "single page"},
		{"p. 45", 1, true, "single page with prefix"},
		{"7-7", 1, true, "one-page range"},
		{"", 0, false, "blank"},
		{"   ", 0, false, "blank"},
		{"xii-xv", 0, false, "roman numerals"},
		{"1-2, 5-9", 0, false, "several ranges"},
		{"30-12", 0, false, "backwards"},
		{"199-5", 0, false, "abbreviated backwards"},
		{"1-9999", 0, false, "absurdly long"},
		{"99999999999999999999-1", 0, false, "overflow"},
	}
	for _, tt := range tests {
		t.Run(tt.note+"/"+tt.in, func(t *testing.T) {
			n, ok := ExpectedPages(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.n, n)
		})
	}
}

func TestPageCountFar(t *testing.T) {
	tests := []struct {
		requested, actual int
		far               bool
	}{
		{19, 19, false},
		{19, 21, false},  // cover and title page
		{19, 42, false},  // 2*19+4 is the limit
		{19, 43, true},   // more than twice plus a few
		{19, 10, false},  // about half
		{19, 9, true},    // fewer than half
		{1, 6, false},    // 2*1+4
		{1, 7, true},     //
		{100, 49, true},  //
		{100, 50, false}, //
		{0, 5, false},    // unknown request
		{19, 0, false},   // unknown page count
		{-1, 3, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.far, PageCountFar(tt.requested, tt.actual), "requested %d, actual %d", tt.requested, tt.actual)
	}
}

// ---- barcodes ----

func TestBarcodeRuleDefault(t *testing.T) {
	rules := map[string]BarcodeRule{"zero value": {}}
	var err error
	rules["empty pattern"], err = NewBarcodeRule("")
	require.NoError(t, err)
	rules["explicit default"], err = NewBarcodeRule(DefaultBarcodePattern)
	require.NoError(t, err)

	tests := []struct {
		code string
		ok   bool
		msg  string
	}{
		{"39000000001", true, ""},
		{"A", true, ""},
		{"TMP-2026/001#x", true, ""},
		{strings.Repeat("9", 64), true, ""},
		{"", false, "empty"},
		{strings.Repeat("9", 65), false, "65"},
		{"3900 0001", false, "space"},
		{" 39000001", false, "space"},
		{"3900\t0001", false, "space or control"},
		{"3900\n", false, "control"},
		{"3900\x00", false, "control"},
		{"3900\x7f", false, "control"},
		{"Zürich5", false, "not a valid item barcode"},
		{"3900\u00a00001", false, ""}, // no-break space
		{"3900\xff", false, ""},       // invalid UTF-8
	}
	for name, rule := range rules {
		for _, tt := range tests {
			t.Run(name+"/"+tt.code, func(t *testing.T) {
				err := rule.Check(tt.code)
				if tt.ok {
					assert.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, ErrInvalidBarcode)
				var ref *Refusal
				require.ErrorAs(t, err, &ref)
				assertSentence(t, err)
				assert.Contains(t, err.Error(), tt.msg)
			})
		}
	}
}

func TestBarcodeRuleCustomPattern(t *testing.T) {
	rule, err := NewBarcodeRule(`^39\d{8}$`)
	require.NoError(t, err)
	for code, ok := range map[string]bool{
		"3912345678":  true,
		"3912345678 ": false,
		"391234567":   false,
		"39123456789": false,
		"4012345678":  false,
		"39ABCDEFGH":  false,
		"39１２３４５６７８":  false, // full-width digits are not \d
		"":            false,
	} {
		err := rule.Check(code)
		if ok {
			assert.NoError(t, err, code)
		} else {
			assert.ErrorIs(t, err, ErrInvalidBarcode, code)
		}
	}

	// a permissive pattern still cannot let spaces, controls or over-long codes through
	loose, err := NewBarcodeRule(`.*`)
	require.NoError(t, err)
	for _, bad := range []string{"", "a b", "a\tb", "a\x00b", strings.Repeat("x", 65)} {
		assert.ErrorIs(t, loose.Check(bad), ErrInvalidBarcode, "%q", bad)
	}
	assert.NoError(t, loose.Check("abc"))
}

func TestBarcodeRuleBadPattern(t *testing.T) {
	for _, p := range []string{`[`, `(abc`, `a{2,1}`, `\q`} {
		_, err := NewBarcodeRule(p)
		require.ErrorIs(t, err, ErrInvalidInput, p)
		assert.Contains(t, err.Error(), p)
		assertSentence(t, err)
	}
}

// ---- file names ----

type sanitizeCase struct {
	In   string `json:"in"`
	Want string `json:"want"`
}

const sanitizeGolden = "testdata/sanitize_filename.golden.json"

// TestSanitizeFileNameGolden reads the hand-checked table in testdata/;
// go test -run SanitizeFileNameGolden -update rewrites the "want" column from
// the current code (review the diff before committing it).
func TestSanitizeFileNameGolden(t *testing.T) {
	raw, err := os.ReadFile(sanitizeGolden)
	require.NoError(t, err)
	var cases []sanitizeCase
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.NotEmpty(t, cases)

	if *update {
		for i := range cases {
			cases[i].Want = SanitizeFileName(cases[i].In)
		}
		out, err := json.MarshalIndent(cases, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(sanitizeGolden, append(out, '\n'), 0o644))
		return
	}
	for _, c := range cases {
		t.Run(c.In, func(t *testing.T) {
			got := SanitizeFileName(c.In)
			assert.Equal(t, c.Want, got)
			assertSafeFileName(t, c.In, got)
		})
	}
}

func TestSanitizeFileNameLong(t *testing.T) {
	tests := []string{
		strings.Repeat("A", 500),
		"RAPID-" + strings.Repeat("1234567890", 30),
		strings.Repeat("ü", 200),                    // two bytes each: cut on a rune boundary
		strings.Repeat("x", 99) + "€€€",             // three-byte rune across the limit
		strings.Repeat("ab.", 40),                   // cut may end with a dot
		strings.Repeat("a ", 60),                    // cut may end with a space
		strings.Repeat("../", 80) + "etc/passwd",    // traversal, long
		strings.Repeat("😀", 40),                     // four-byte runes
		"CON" + strings.Repeat("x", 150),            // not reserved: the base is longer
		strings.Repeat("\x01", 300) + "RAPID-1",     // controls dropped before cutting
		strings.Repeat(" ", 200) + "RAPID-2" + "  ", // spaces trimmed
	}
	for _, in := range tests {
		got := SanitizeFileName(in)
		assert.LessOrEqual(t, len(got), maxFileStem, "%q", got)
		assert.NotEmpty(t, got)
		assertSafeFileName(t, in, got)
	}
	assert.Equal(t, strings.Repeat("A", 100), SanitizeFileName(strings.Repeat("A", 500)))
	assert.Equal(t, strings.Repeat("ü", 50), SanitizeFileName(strings.Repeat("ü", 200)))
	assert.Equal(t, strings.Repeat("x", 99), SanitizeFileName(strings.Repeat("x", 99)+"€€€"))
	assert.Equal(t, "RAPID-1", SanitizeFileName(strings.Repeat("\x01", 300)+"RAPID-1"))
	assert.Equal(t, "RAPID-2", SanitizeFileName(strings.Repeat(" ", 200)+"RAPID-2  "))
}

func TestSanitizeFileNameIsStable(t *testing.T) {
	// sanitizing a sanitized name changes nothing
	for _, in := range []string{"../../etc/passwd", "CON", "a/b\\c", "Zürich #5", "  x..y  ", strings.Repeat("é", 80)} {
		once := SanitizeFileName(in)
		assert.Equal(t, once, SanitizeFileName(once), "%q", in)
	}
}

func assertSafeFileName(t *testing.T, in, got string) {
	t.Helper()
	assert.NotEmpty(t, got, "%q", in)
	assert.True(t, utf8.ValidString(got), "%q → %q is not valid UTF-8", in, got)
	for _, bad := range []string{"/", "\\", "..", ":", "*", "?", "\"", "<", ">", "|", "\x00"} {
		assert.NotContains(t, got, bad, "%q → %q", in, got)
	}
	for _, r := range got {
		assert.False(t, r < 0x20 || r == 0x7f, "%q → %q has a control character", in, got)
	}
	assert.False(t, strings.HasPrefix(got, ".") || strings.HasPrefix(got, " "), "%q → %q starts with a dot or space", in, got)
	assert.False(t, strings.HasSuffix(got, ".") || strings.HasSuffix(got, " "), "%q → %q ends with a dot or space", in, got)
	base, _, _ := strings.Cut(got, ".")
	assert.False(t, windowsReserved[strings.ToUpper(strings.TrimSpace(base))], "%q → %q is a reserved device name", in, got)
	assert.Equal(t, got, filepath.Base(got), "%q → %q is not a plain file name", in, got)
	assert.False(t, filepath.IsAbs(got))
}

// ---- stations ----

func TestParseStation(t *testing.T) {
	tests := []struct {
		in    string
		want  Station
		str   string
		label string
	}{
		{"rs", RSDesk, "rs", "RS desk"},
		{"RS", RSDesk, "rs", "RS desk"},
		{"  Rs  ", RSDesk, "rs", "RS desk"},
		{"rs:", RSDesk, "rs", "RS desk"},
		{"pickup:Main Library", Station{StationPickup, "Main Library"}, "pickup:Main Library", "Main Library (pickup desk)"},
		{"PICKUP : Main Library ", Station{StationPickup, "Main Library"}, "pickup:Main Library", "Main Library (pickup desk)"},
		{"digitization:Scan Lab", Station{StationDigitization, "Scan Lab"}, "digitization:Scan Lab", "Scan Lab (digitization)"},
		{"pickup:Branch:East", Station{StationPickup, "Branch:East"}, "pickup:Branch:East", "Branch:East (pickup desk)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStation(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.str, got.String())
			assert.Equal(t, tt.label, got.Label())
			again, err := ParseStation(got.String())
			require.NoError(t, err, "String() must parse back")
			assert.Equal(t, got, again, "round trip")
		})
	}
}

func TestParseStationRefusals(t *testing.T) {
	for _, in := range []string{"", "   ", "pickup:", "pickup:   ", "digitization:", "digitization", "pickup", "shelf", "shelf:Main", "rs:Main", ":Main"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseStation(in)
			require.ErrorIs(t, err, ErrInvalidStation)
			assert.Equal(t, Station{}, got)
			assertSentence(t, err)
		})
	}
}

func TestStationZeroValueIsRS(t *testing.T) {
	assert.Equal(t, "rs", Station{}.String())
	assert.Equal(t, "RS desk", Station{}.Label())
	assert.Equal(t, "rs", RSDesk.String())
}
