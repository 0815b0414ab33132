package domain

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 messages"}, {1, "1 message"}, {2, "2 messages"}} {
		if got := Count(tc.n, "message", "messages"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Journal of Documentation", "Journal of Documentation"},
		{"Elephants\n12:00:00 New lending request FORGED", "Elephants 12:00:00 New lending request FORGED"},
		{"a\x1b[31mred\x1b[0m", "a [31mred [0m"},
		{"  spaced \t out  ", "spaced out"},
		{"", ""},
	} {
		if got := OneLine(tc.in); got != tc.want {
			t.Errorf("OneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
