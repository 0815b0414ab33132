package domain

import (
	"strconv"
	"strings"
	"unicode"
)

// OneLine is s as one line of text for staff: control characters (a
// newline, an escape) become spaces and runs of spaces one, so that a value
// from outside — a stranger's title, a note — cannot break a listing or
// forge a line of it.
func OneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
}

// Count is n with the noun for it, one or many: "1 message", "3 messages".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
