package domain

import (
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// windowsReserved are device names Windows refuses as file names, with or without an extension.
var windowsReserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"COM0": true, "LPT0": true, "CONIN$": true, "CONOUT$": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	// Windows treats the superscript digits ¹ ² ³ as digits here too.
	"COM¹": true, "COM²": true, "COM³": true, "LPT¹": true, "LPT²": true, "LPT³": true,
}

// maxFileStem bounds the length of a sanitized name so the path stays well
// under every OS's limit.
const maxFileStem = 100

// SanitizeFileName turns a partner-supplied identifier into a safe file name
// stem: never a path (no separators, no "..", no drive letters), no control
// or characters Windows forbids, no reserved Windows device name, no leading
// or trailing dots or spaces. An identifier with nothing usable left becomes
// "request".
func SanitizeFileName(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
			// dropped
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", "_")
	}
	s = strings.Trim(s, ". ")
	if s == "" {
		return "request"
	}
	// The reserved-name check comes after the cut: cutting a long name can
	// leave a bare device name ("CON" followed by many spaces and more).
	s = cutStem(s)
	if reservedName(s) {
		s = cutStem("_" + s)
	}
	return s
}

// reservedName reports whether Windows takes the name for a device: the part
// before the first dot, without surrounding spaces, is a reserved name.
func reservedName(s string) bool {
	base, _, _ := strings.Cut(s, ".")
	return windowsReserved[strings.ToUpper(strings.TrimSpace(base))]
}

// cutStem shortens s to at most maxFileStem bytes on a rune boundary and
// drops the dots and spaces the cut leaves at the end. s must not start with
// a dot or a space, so the result is never empty.
func cutStem(s string) string {
	if len(s) <= maxFileStem {
		return s
	}
	cut := maxFileStem
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], ". ")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// scanNameKey is how a scan's file name stem and an external identifier are
// compared: in Unicode's composed form, as macOS gives names decomposed
// ("Zürich" as "Zu" and a combining diaeresis), and ignoring case.
func scanNameKey(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// NamedAfter reports whether the file at path is named after the request's
// external identifier (SanitizeFileName of it, any extension), which is how
// a scan finds its request when it is dropped or waits in the scan folder.
func NamedAfter(path string, s Summary) bool {
	if s.ExternalID == "" {
		return false
	}
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return scanNameKey(stem) == scanNameKey(SanitizeFileName(s.ExternalID))
}
