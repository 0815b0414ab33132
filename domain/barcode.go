package domain

import (
	"regexp"
	"slices"
	"strconv"
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

// BarcodeChars is what the characters of a barcode after its prefix may be,
// in a BarcodeShape.
type BarcodeChars string

// The characters a BarcodeShape offers, and the pattern each stands for.
const (
	// BarcodeAnyChars are any printable characters without spaces.
	BarcodeAnyChars BarcodeChars = `[\x21-\x7E]`
	// BarcodeDigits are the digits 0–9.
	BarcodeDigits BarcodeChars = `\d`
	// BarcodeLettersDigits are the letters A–Z, a–z and the digits.
	BarcodeLettersDigits BarcodeChars = `[0-9A-Za-z]`
)

// BarcodeCharsList lists the characters a shape offers, in the order staff
// see them.
var BarcodeCharsList = []BarcodeChars{BarcodeAnyChars, BarcodeDigits, BarcodeLettersDigits}

// BarcodeShape is a barcode pattern in terms staff use instead of a regular
// expression: the barcode starts with Prefix, the rest is made of Chars,
// and the whole barcode is MinLen to MaxLen characters long (0: no bound).
// The zero shape is any barcode, the empty pattern.
type BarcodeShape struct {
	Prefix         string
	Chars          BarcodeChars
	MinLen, MaxLen int
}

// Pattern is the regular expression the shape stands for, as the
// barcode_pattern setting keeps it, e.g. `^39\d{8,12}$` for barcodes of 10
// to 12 digits starting with 39; "" for the zero shape. A shape no barcode
// can match is refused.
func (b BarcodeShape) Pattern() (string, error) {
	if b.Chars == "" {
		b.Chars = BarcodeAnyChars
	}
	if b == (BarcodeShape{Chars: BarcodeAnyChars}) {
		return "", nil
	}
	prefix := utf8.RuneCountInString(b.Prefix)
	switch {
	case !slices.Contains(BarcodeCharsList, b.Chars):
		return "", refuse(ErrInvalidInput, "%q is not a kind of barcode characters.", string(b.Chars))
	case b.Prefix != "" && !printable(b.Prefix):
		return "", refuse(ErrInvalidInput, "The start of a barcode cannot contain spaces: %q.", b.Prefix)
	case b.MinLen < 0 || b.MaxLen < 0 || b.MaxLen > 64:
		return "", refuse(ErrInvalidInput, "A barcode is 1 to 64 characters long.")
	case b.MaxLen > 0 && b.MinLen > b.MaxLen:
		return "", refuse(ErrInvalidInput, "The shortest barcode (%d) is longer than the longest (%d).", b.MinLen, b.MaxLen)
	case b.MaxLen > 0 && prefix > b.MaxLen:
		return "", refuse(ErrInvalidInput, "The start %q is longer than the longest barcode (%d).", b.Prefix, b.MaxLen)
	}
	lo, hi := max(b.MinLen-prefix, 0), b.MaxLen-prefix
	if prefix == 0 {
		lo = max(lo, 1)
	}
	var quant string
	switch {
	case b.MaxLen > 0 && lo == hi:
		quant = "{" + strconv.Itoa(lo) + "}"
	case b.MaxLen > 0:
		quant = "{" + strconv.Itoa(lo) + "," + strconv.Itoa(hi) + "}"
	case lo == 0:
		quant = "*"
	case lo == 1:
		quant = "+"
	default:
		quant = "{" + strconv.Itoa(lo) + ",}"
	}
	return "^" + regexp.QuoteMeta(b.Prefix) + string(b.Chars) + quant + "$", nil
}

// barcodeShapeRE reads a pattern Pattern writes: prefix, characters, counts.
var barcodeShapeRE = regexp.MustCompile(`^\^((?:[^\\\[]|\\[[:punct:]])*)(\[\\x21-\\x7E\]|\\d|\[0-9A-Za-z\])(\*|\+|\{(\d+)(,(\d*))?\})\$$`)

// ParseBarcodeShape reads a barcode pattern back into a shape; ok is false
// for a pattern Pattern does not write (a regular expression written by
// hand), which staff then see as it is.
func ParseBarcodeShape(pattern string) (b BarcodeShape, ok bool) {
	if pattern == "" {
		return BarcodeShape{Chars: BarcodeAnyChars}, true
	}
	m := barcodeShapeRE.FindStringSubmatch(pattern)
	if m == nil {
		return BarcodeShape{}, false
	}
	b.Prefix = unquoteMeta(m[1])
	b.Chars = BarcodeChars(m[2])
	prefix := utf8.RuneCountInString(b.Prefix)
	switch {
	case m[3] == "*", m[3] == "+":
		b.MinLen = prefix + 1
		if m[3] == "*" || prefix == 0 {
			b.MinLen = 0
		}
	default:
		lo, _ := strconv.Atoi(m[4])
		b.MinLen = prefix + lo
		switch {
		case m[5] == "":
			b.MaxLen = b.MinLen
		case m[6] != "":
			hi, _ := strconv.Atoi(m[6])
			b.MaxLen = prefix + hi
		}
	}
	if b.MinLen == 1 && prefix == 0 {
		b.MinLen = 0 // one character is the least anyway
	}
	// only a pattern written exactly as Pattern writes it is a shape
	if again, err := b.Pattern(); err != nil || again != pattern {
		return BarcodeShape{}, false
	}
	return b, true
}

// unquoteMeta undoes regexp.QuoteMeta.
func unquoteMeta(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		out.WriteByte(s[i])
	}
	return out.String()
}
