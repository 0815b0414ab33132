package zebratest

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartWithoutZebra(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(t.TempDir())
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Start without zebraidx on PATH = %v, want ErrNoServer", err)
	}
}

func TestServesTheRecordsOverSRU(t *testing.T) {
	base := ForTest(t)
	resp, err := http.Get(base + "?version=1.2&operation=searchRetrieve&query=bath.issn%3D0028-0836&maximumRecords=1&recordSchema=marcxml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "<zs:numberOfRecords>1</zs:numberOfRecords>") || !strings.Contains(string(body), "rec-journal") {
		t.Fatalf("the journal's record was not served:\n%s", body)
	}
}
