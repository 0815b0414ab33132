package iso18626

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with the samples. Parse
// must never panic and must refuse with a *ParseError; what it accepts and
// Marshal writes must parse back to the same message; the confirmations of
// both must always be writable.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "samples*", "*.xml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(wrap(samBody("<reasonForMessage>Notification</reasonForMessage>", "<status>Loaned</status><lastChange>2026-03-02T15:45:00+05:30</lastChange>",
		"<deliveryInfo><dateSent>2026-03-02T10:15:00.5-0800</dateSent><deliveryMethod>URL</deliveryMethod></deliveryInfo>"))))
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><request>&b;</request>`))
	received := time.Date(2026, 3, 2, 10, 15, 3, 0, time.UTC)

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("refused without a *ParseError: %T %v", err, err)
			}
			if m.Kind() != "" {
				t.Fatalf("a refused message has a body")
			}
			out := ConfirmParseError(data, err, received)
			if _, err := Parse(bytes.NewReader(out)); err != nil {
				t.Fatalf("ConfirmParseError wrote what Parse refuses: %v\n%s", err, out)
			}
			return
		}
		if m.Kind() == "" {
			t.Fatalf("Parse accepted a message without exactly one body")
		}
		if _, ok := m.Header(); ok {
			if _, err := Marshal(Confirm(m, received, nil)); err != nil {
				t.Fatalf("the confirmation cannot be written: %v", err)
			}
		}
		out, err := Marshal(m)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Marshal error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		back, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse refuses what Marshal wrote: %v\n%s", err, out)
		}
		m.Version = Version2017
		if !reflect.DeepEqual(m, back) {
			t.Fatalf("round trip changed the message:\n%#v\n%#v\n%s", m, back, out)
		}
	})
}
