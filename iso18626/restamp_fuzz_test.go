package iso18626

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzRestamp feeds Restamp arbitrary bytes, seeded with the samples. It
// must never panic; what it stamps it must stamp again the same way, so
// that a message restamped at each try is the message as queued with only
// the time of that try in it.
func FuzzRestamp(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "samples*", "*.xml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<a><b><header><timestamp>x</timestamp></header></b></a>`))
	first := time.Date(2026, 3, 2, 10, 15, 3, 0, time.UTC)
	second := first.Add(90 * time.Minute)
	f.Fuzz(func(t *testing.T, data []byte) {
		once, err := Codec{}.Restamp(data, first)
		if err != nil {
			return
		}
		stamp, err := FormatDateTime(first)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(once, []byte(stamp)) {
			t.Fatalf("the time of sending is not in %q", once)
		}
		again, err := Codec{}.Restamp(once, second)
		if err != nil {
			t.Fatalf("a restamped message cannot be restamped: %v", err)
		}
		direct, err := Codec{}.Restamp(data, second)
		if err != nil {
			t.Fatalf("restamping at another time fails: %v", err)
		}
		if !bytes.Equal(again, direct) {
			t.Fatalf("restamped twice %q, once %q", again, direct)
		}
	})
}
