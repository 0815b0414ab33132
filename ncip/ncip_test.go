package ncip_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/ncipstub"
	"github.com/illdesk/illdesk/ncip"
)

func client(t *testing.T, url, profile, key string) *ncip.Client {
	t.Helper()
	c, err := ncip.New(domain.NCIPSettings{URL: url, FromAgency: "ILLDESK", ToAgency: "MAIN", Profile: profile, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func problemText(err error) string {
	var r *domain.ILSRefusal
	if !errors.As(err, &r) {
		return ""
	}
	return r.Error()
}

func TestBorrowingCallsAgainstTheStandIn(t *testing.T) {
	ils := ncipstub.ForTest(t)
	ils.Key = "s3cret"
	c := client(t, ils.URL, "ILL Desk", "s3cret")
	ctx := context.Background()

	u, err := c.LookupUser(ctx, "P100")
	if err != nil {
		t.Fatal(err)
	}
	if want := (domain.ILSUser{ID: "P100", Name: "Ada Lovelace", Email: "ada@example.edu"}); u.ID != want.ID || u.Name != want.Name || u.Email != want.Email || u.Blocked {
		t.Errorf("LookupUser P100 = %+v, want %+v", u, want)
	}
	if err := c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R1", ItemBarcode: "ILL0001", PatronID: "P100",
		Title: "Le Rouge & le Noir", Author: "Stendhal", PickupLocation: "MAIN"}); err != nil {
		t.Fatal(err)
	}
	if it, ok := ils.Item("ILL0001"); !ok || !it.Temporary || it.Title != "Le Rouge & le Noir" {
		t.Errorf("after AcceptItem the ILS holds %+v, %v", it, ok)
	}
	if err := c.CheckOutItem(ctx, "P100", "ILL0001", "R1"); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckInItem(ctx, "ILL0001"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteItem(ctx, "ILL0001"); err != nil {
		t.Fatal(err)
	}
	it, err := c.LookupItem(ctx, "39001000000017")
	if err != nil || it.Title != "Middlemarch" || it.Author != "Eliot, George" {
		t.Errorf("LookupItem = %+v, %v", it, err)
	}
	want := []string{"LookupUser", "AcceptItem", "CheckOutItem", "CheckInItem", "DeleteItem", "LookupItem"}
	if got := ils.Calls(); !slices.Equal(got, want) {
		t.Errorf("the ILS saw %v, want %v", got, want)
	}
}

// TestDeleteItemAgainstTheStandIn deletes temporary items, with and
// without an application profile: the stand-in (which checks each request
// against the schema) forgets the item, and a second DeleteItem of it is
// refused with the ILS's words.
func TestDeleteItemAgainstTheStandIn(t *testing.T) {
	for _, profile := range []string{"", "ILL Desk"} {
		t.Run("profile "+profile, func(t *testing.T) {
			ils := ncipstub.ForTest(t)
			c := client(t, ils.URL, profile, "")
			ctx := context.Background()
			if err := c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R1", ItemBarcode: "ILL0001", PatronID: "P100", Title: "T"}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name, refusal string
			}{
				{"the temporary item", ""},
				{"again", "DeleteItem: Unknown Item: Unknown Item: ILL0001 (ItemIdentifierValue ILL0001)"},
			} {
				err := c.DeleteItem(ctx, "ILL0001")
				if got := problemText(err); got != tc.refusal || (tc.refusal == "" && err != nil) {
					t.Errorf("DeleteItem %s = %v, want refusal %q", tc.name, err, tc.refusal)
				}
				if _, ok := ils.Item("ILL0001"); ok {
					t.Errorf("after DeleteItem %s the stand-in still holds ILL0001", tc.name)
				}
			}
			if errs := ils.Errors(); len(errs) > 0 {
				t.Errorf("invalid messages: %v", errs)
			}
		})
	}
}

func TestProblemsAreTheILSsWords(t *testing.T) {
	ils := ncipstub.ForTest(t)
	c := client(t, ils.URL, "", "")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"unknown user", func() error { _, err := c.LookupUser(ctx, "NOBODY"); return err },
			"LookupUser: Unknown User: Unknown User: NOBODY (UserIdentifierValue NOBODY)"},
		{"unknown item", func() error { _, err := c.LookupItem(ctx, "X9"); return err },
			"LookupItem: Unknown Item: Unknown Item: X9 (ItemIdentifierValue X9)"},
		{"blocked checkout", func() error { return c.CheckOutItem(ctx, "P200", "39001000000017", "") },
			"CheckOutItem: User Blocked: User Blocked: P200 (UserIdentifierValue P200)"},
		{"check in unknown", func() error { return c.CheckInItem(ctx, "X9") },
			"CheckInItem: Unknown Item: Unknown Item: X9 (ItemIdentifierValue X9)"},
		{"delete unknown", func() error { return c.DeleteItem(ctx, "X9") },
			"DeleteItem: Unknown Item: Unknown Item: X9 (ItemIdentifierValue X9)"},
		{"accept for unknown patron", func() error {
			return c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R2", ItemBarcode: "ILL2", PatronID: "NOBODY"})
		}, "AcceptItem: Unknown User: Unknown User: NOBODY (UserIdentifierValue NOBODY)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, domain.ErrILSRefused) || problemText(err) != tc.want {
				t.Errorf("got %v, want the refusal %q", err, tc.want)
			}
		})
	}
	u, err := c.LookupUser(ctx, "P200")
	if err != nil || !u.Blocked || !slices.Equal(u.Problems, []string{"Excessive Fines"}) {
		t.Errorf("LookupUser P200 = %+v, %v; want blocked for Excessive Fines", u, err)
	}
}

// TestLendingCallsAgainstTheStandIn lends one of our books to a
// partner's ILL patron record and takes it back, as the lending steps do.
func TestLendingCallsAgainstTheStandIn(t *testing.T) {
	ils := ncipstub.ForTest(t)
	c := client(t, ils.URL, "ILL Desk", "")
	ctx := context.Background()
	if it, err := c.LookupItem(ctx, "39001000000017"); err != nil || it.Title != "Middlemarch" {
		t.Fatalf("LookupItem = %+v, %v", it, err)
	}
	if err := c.CheckOutItem(ctx, "ILL-RAPID", "39001000000017", "rq-1"); err != nil {
		t.Fatal(err)
	}
	if it, _ := ils.Item("39001000000017"); it.Loaned != "ILL-RAPID" {
		t.Errorf("after CheckOutItem the item is loaned to %q, want ILL-RAPID", it.Loaned)
	}
	err := c.CheckOutItem(ctx, "ILL-RAPID", "39001000000017", "rq-1")
	if want := "CheckOutItem: Item Already Checked Out: Item Already Checked Out: 39001000000017 (ItemIdentifierValue 39001000000017)"; problemText(err) != want {
		t.Errorf("a second CheckOutItem = %v, want the refusal %q", err, want)
	}
	if err := c.CheckInItem(ctx, "39001000000017"); err != nil {
		t.Fatal(err)
	}
	if it, _ := ils.Item("39001000000017"); it.Loaned != "" {
		t.Errorf("after CheckInItem the item is loaned to %q", it.Loaned)
	}
	want := []string{"LookupItem", "CheckOutItem", "CheckOutItem", "CheckInItem"}
	if got := ils.Calls(); !slices.Equal(got, want) {
		t.Errorf("the ILS saw %v, want %v", got, want)
	}
}

// TestMessagesAreValid checks the messages the client sends, with and
// without the optional parts, against the NCIP v2.02 schema.
func TestMessagesAreValid(t *testing.T) {
	ils := ncipstub.ForTest(t)
	if !ils.Validates() {
		t.Skip("xmllint not found: the messages cannot be checked against the schema")
	}
	for _, profile := range []string{"", "ILL Desk"} {
		c := client(t, ils.URL, profile, "")
		ctx := context.Background()
		_ = c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R" + profile})
		_ = c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R" + profile, ItemBarcode: "T" + profile, PatronID: "P100", Title: "T", Author: "A", PickupLocation: "MAIN"})
		_ = c.CheckOutItem(ctx, "P100", "T"+profile, "")
		_ = c.CheckInItem(ctx, "T"+profile)
		_, _ = c.LookupItem(ctx, "T"+profile)
		_ = c.DeleteItem(ctx, "T"+profile)
		_, _ = c.LookupUser(ctx, "P200")
	}
	if errs := ils.Errors(); len(errs) > 0 {
		t.Fatalf("invalid messages: %v", errs)
	}
	if n := len(ils.Calls()); n != 14 {
		t.Errorf("the ILS answered %d calls, want 14", n)
	}
}

func TestGoldenLookupUser(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/xml" || r.Header.Get(ncip.KeyHeader) != "k" || r.URL.RawQuery != "" {
			t.Errorf("request headers %v, query %q", r.Header, r.URL.RawQuery)
		}
		_, _ = w.Write([]byte(`<?xml version="1.0"?><NCIPMessage xmlns="http://www.niso.org/2008/ncip" xmlns:ncip="http://www.niso.org/2008/ncip" ncip:version="` + ncip.Version + `"><LookupUserResponse><UserId><UserIdentifierValue>P1</UserIdentifierValue></UserId><UserOptionalFields><NameInformation><PersonalNameInformation><StructuredPersonalUserName><GivenName>Ada</GivenName><Surname>Lovelace</Surname></StructuredPersonalUserName></PersonalNameInformation></NameInformation></UserOptionalFields></LookupUserResponse></NCIPMessage>`))
	}))
	defer srv.Close()
	u, err := client(t, srv.URL, "ILL Desk", "k").LookupUser(context.Background(), "P1")
	if err != nil || u.Name != "Ada Lovelace" {
		t.Fatalf("LookupUser = %+v, %v", u, err)
	}
	want, err := os.ReadFile("testdata/lookupuser.golden.xml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("LookupUser sent\n%s\nwant\n%s", got, want)
	}
}

func TestUnreachable(t *testing.T) {
	redirect := httptest.NewServer(http.RedirectHandler("https://ils.example.edu/ncip", http.StatusFound))
	defer redirect.Close()
	notNCIP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html/>")) }))
	defer notNCIP.Close()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"redirect", redirect.URL, "redirects are not followed"},
		{"not NCIP", notNCIP.URL, "did not answer as an NCIP responder"},
		{"slow", slow.URL, "did not answer LookupUser in time"},
		{"closed", closed.URL, "could not reach"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err := client(t, tc.url, "", "").LookupUser(ctx, "P1")
			if !errors.Is(err, domain.ErrILSUnreachable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want unreachable saying %q", err, tc.want)
			}
		})
	}
}

func TestNewRefusesPlainHTTPElsewhere(t *testing.T) {
	for _, u := range []string{"http://ils.example.edu/ncip", "ftp://x/", "ils"} {
		if _, err := ncip.New(domain.NCIPSettings{URL: u}); !errors.Is(err, domain.ErrInvalidInput) {
			t.Errorf("New(%q) = %v, want ErrInvalidInput", u, err)
		}
	}
	for _, u := range []string{"https://ils.example.edu/ncip", "http://127.0.0.1:8080/ncip", "http://localhost/ncip"} {
		if _, err := ncip.New(domain.NCIPSettings{URL: u}); err != nil {
			t.Errorf("New(%q) = %v", u, err)
		}
	}
}
