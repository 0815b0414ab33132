package domain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// reservedDevices are the names Windows keeps for devices, written out on
// their own (Microsoft's "Naming Files, Paths, and Namespaces").
var reservedDevices = func() map[string]bool {
	m := map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true}
	for _, d := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"} {
		m["COM"+d], m["LPT"+d] = true, true
	}
	return m
}()

// safeStem reports whether s is a file name stem as SanitizeFileName
// promises one, checked independently of it: not empty, at most
// maxFileStem bytes of valid UTF-8, no separator or character Windows
// forbids, no control or replacement character, no white space but the
// plain space, no "..", no leading or trailing dot or space, and no Windows
// device name before its first dot.
func safeStem(s string) (bool, string) {
	switch {
	case s == "":
		return false, "empty"
	case len(s) > maxFileStem:
		return false, "too long"
	case !utf8.ValidString(s):
		return false, "not UTF-8"
	case strings.ContainsAny(s, `/\:*?"<>|`):
		return false, "a separator or a character Windows forbids"
	case strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == utf8.RuneError || (unicode.IsSpace(r) && r != ' ')
	}):
		return false, "a control, replacement or white-space character"
	case strings.Contains(s, ".."):
		return false, `".."`
	case strings.HasPrefix(s, ".") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, ".") || strings.HasSuffix(s, " "):
		return false, "a leading or trailing dot or space"
	}
	base, _, _ := strings.Cut(s, ".")
	if reservedDevices[strings.ToUpper(strings.Trim(base, " "))] {
		return false, "a Windows device name"
	}
	return true, ""
}

// FuzzSanitizeFileName feeds SanitizeFileName arbitrary identifiers, seeded
// with the golden table. The result is always a safe stem (see safeStem: it
// is never a path, "." or "..", never has a drive letter or a device name,
// and is bounded), it is a single path element on this system, sanitizing it
// again changes nothing, an identifier that is already a safe stem is kept
// as it is, and an identifier with nothing usable (only dots, white space
// and controls) becomes "request".
func FuzzSanitizeFileName(f *testing.F) {
	raw, err := os.ReadFile(sanitizeGolden)
	if err != nil {
		f.Fatal(err)
	}
	var cases []sanitizeCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.In)
	}
	for _, s := range []string{
		// testdata/fuzz/FuzzSanitizeFileName holds the names that once came
		// out as device names: "CON", 97 spaces and "x" (cut back to "CON"),
		// and COM¹/LPT³ (superscript digits).
		"CONIN$", "conout$.txt",
		strings.Repeat("x", 99) + ".pdf", strings.Repeat("é", 51), strings.Repeat("a.", 60),
		"C:\\Windows\\system32", "\\\\?\\C:\\x", "..\\..", "a\u00a0b\u2028c\u0085d", "\ufeffRAPID-1",
	} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, id string) {
		got := SanitizeFileName(id)
		if ok, why := safeStem(got); !ok {
			t.Fatalf("SanitizeFileName(%q) = %q: %s", id, got, why)
		}
		if got == "." || got == ".." || filepath.Base(got) != got || filepath.VolumeName(got) != "" || !filepath.IsLocal(got) {
			t.Fatalf("SanitizeFileName(%q) = %q is not a single local path element", id, got)
		}
		if again := SanitizeFileName(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", id, got, again)
		}
		if ok, _ := safeStem(id); ok && got != id {
			t.Fatalf("the safe identifier %q became %q", id, got)
		}
		// Nothing usable: only dots, white space, controls and bytes that are
		// not UTF-8 (two dots in a row are replaced, not dropped).
		cleaned := strings.Map(func(r rune) rune {
			switch {
			case unicode.IsControl(r) || r == utf8.RuneError:
				return -1
			case unicode.IsSpace(r):
				return ' '
			}
			return r
		}, id)
		if strings.Trim(cleaned, ". ") == "" && !strings.Contains(cleaned, "..") && got != "request" {
			t.Fatalf("%q has nothing usable but became %q, not \"request\"", id, got)
		}
	})
}
