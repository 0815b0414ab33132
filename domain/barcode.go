package domain

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultBarcodePattern accepts 1–64 printable ASCII characters without spaces.
const DefaultBarcodePattern = `^[\x21-\x7E]{1,64}$`

// BarcodeRule validates item barcodes against a configurable pattern.
type BarcodeRule struct {
	re *regexp.Regexp
}

// NewBarcodeRule compiles a barcode pattern; an empty pattern means the default.
// The rule always also requires 1–64 printable characters without spaces.
func NewBarcodeRule(pattern string) (BarcodeRule, error) {
	if pattern == "" {
		pattern = DefaultBarcodePattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return BarcodeRule{}, refuse(ErrInvalidInput, "The barcode pattern %q is not a valid regular expression: %v.", pattern, err)
	}
	return BarcodeRule{re: re}, nil
}

var defaultBarcodeRule = BarcodeRule{re: regexp.MustCompile(DefaultBarcodePattern)}

// Check returns nil for a valid barcode and a refusal wrapping ErrInvalidBarcode otherwise.
func (b BarcodeRule) Check(code string) error {
	re := b.re
	if re == nil {
		re = defaultBarcodeRule.re
	}
	switch {
	case code == "":
		return refuse(ErrInvalidBarcode, "The barcode is empty: scan or type the item's barcode.")
	case utf8.RuneCountInString(code) > 64:
		return refuse(ErrInvalidBarcode, "The barcode is %d characters long; a barcode has at most 64.", utf8.RuneCountInString(code))
	case strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || unicode.IsControl(r) || unicode.IsSpace(r) }):
		return refuse(ErrInvalidBarcode, "The barcode %q contains a space or control character; scan it again.", code)
	case !printable(code) || !re.MatchString(code):
		return refuse(ErrInvalidBarcode, "%q is not a valid item barcode here; scan the barcode label on the item.", code)
	}
	return nil
}

// printable reports whether s is valid UTF-8 made of visible characters:
// no spaces, controls, invisible format characters or U+FFFD.
func printable(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == utf8.RuneError || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
