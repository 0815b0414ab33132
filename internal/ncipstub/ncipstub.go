// Package ncipstub is a stand-in ILS for tests: an NCIP v2.02 responder on
// 127.0.0.1 that checks every request against the NCIP schema (with
// xmllint, where it is installed), answers as an ILS would — patrons (one
// blocked), items, temporary items made by AcceptItem, Problems for what
// it does not know — and records the calls it saw, in order. It is an
// ordinary package so that the tests of several packages and the
// end-to-end script (cmd/ncipstub) can share it; nothing else uses it.
package ncipstub

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/illdesk/illdesk/ncip"
)

//go:embed testdata/ncip_v2_02.xsd
var schema []byte

// User is a patron the stand-in knows.
type User struct {
	Name, Email string
	// Block is the block on the record, "" when none.
	Block string
}

// Item is an item the stand-in knows.
type Item struct {
	Title, Author string
	// Temporary items are those AcceptItem made.
	Temporary bool
	// Loaned is the patron the item is checked out to.
	Loaned string
}

// Server is a running stand-in ILS.
type Server struct {
	// URL is where NCIP messages are POSTed.
	URL string
	// Key, when set, is the API key every request must carry.
	Key string
	// CallsFile, when set, gets each call's name, and each wrong
	// request's "ERROR reason", a line each as they arrive.
	CallsFile string

	srv     *http.Server
	xsd     string
	xmllint string
	mu      sync.Mutex
	users   map[string]User
	items   map[string]Item
	calls   []string
	errs    []error
}

// Patrons and items every stand-in starts with.
var (
	Users = map[string]User{
		"P100": {Name: "Ada Lovelace", Email: "ada@example.edu"},
		"P200": {Name: "Blaise Pascal", Email: "blaise@example.edu", Block: "Excessive Fines"},
		// the ILL patron record of a partner we lend books to
		"ILL-RAPID": {Name: "RapidILL interlibrary loan", Email: "ill@rapid.example.org"},
	}
	Items = map[string]Item{
		"39001000000017": {Title: "Middlemarch", Author: "Eliot, George"},
	}
)

// Start serves on addr ("127.0.0.1:0" for a free port); dir holds the
// schema for xmllint.
func Start(addr, dir string) (*Server, error) {
	xsd := filepath.Join(dir, "ncip_v2_02.xsd")
	if err := os.WriteFile(xsd, schema, 0o600); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + l.Addr().String() + "/ncip", xsd: xsd, users: map[string]User{}, items: map[string]Item{}}
	s.xmllint, _ = exec.LookPath("xmllint")
	for k, v := range Users {
		s.users[k] = v
	}
	for k, v := range Items {
		s.items[k] = v
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// SkipValidation stops checking requests against the schema, so that a
// benchmark times the client and the round trip rather than xmllint.
func (s *Server) SkipValidation() { s.xmllint = "" }

// Validates reports whether requests are checked against the schema
// (xmllint is installed).
func (s *Server) Validates() bool { return s.xmllint != "" }

// Calls are the names of the messages received, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Errors are what was wrong with the requests received: not valid
// against the schema, not NCIP, without the key.
func (s *Server) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// Item is the item with the barcode as the stand-in now knows it.
func (s *Server) Item(barcode string) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[barcode]
	return it, ok
}

// Validate checks an NCIP message against the v2.02 schema with xmllint.
func (s *Server) Validate(data []byte) error {
	if s.xmllint == "" {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(s.xsd), "msg-*.xml")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	f.Close()
	out, err := exec.Command(s.xmllint, "--noout", "--nonet", "--schema", s.xsd, f.Name()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint: %v: %s", err, out)
	}
	return nil
}

func (s *Server) fail(w http.ResponseWriter, status int, err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.note("ERROR " + err.Error())
	s.mu.Unlock()
	http.Error(w, err.Error(), status)
}

// ServeHTTP answers one NCIP message.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.fail(w, http.StatusMethodNotAllowed, fmt.Errorf("%s, not POST", r.Method))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/xml" {
		s.fail(w, http.StatusUnsupportedMediaType, fmt.Errorf("Content-Type %q, not application/xml", ct))
		return
	}
	if s.Key != "" && r.Header.Get(ncip.KeyHeader) != s.Key {
		s.fail(w, http.StatusForbidden, errors.New("no or wrong API key"))
		return
	}
	if r.URL.RawQuery != "" {
		s.fail(w, http.StatusBadRequest, fmt.Errorf("a query in the address: %q", r.URL.RawQuery))
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	if err := s.Validate(data); err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	m, err := ncip.Decode(data)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, m.Name())
	s.note(m.Name())
	ans := s.answer(m)
	s.mu.Unlock()
	out, err := ncip.Encode(ans)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, err)
		return
	}
	if err := s.Validate(out); err != nil {
		s.fail(w, http.StatusInternalServerError, fmt.Errorf("the answer: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(out)
}

// note appends a line to CallsFile; s.mu is held.
func (s *Server) note(line string) {
	if s.CallsFile == "" {
		return
	}
	f, err := os.OpenFile(s.CallsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	defer f.Close()
	_, _ = fmt.Fprintln(f, strings.ReplaceAll(line, "\n", " "))
}

func problem(kind, element, value string) []ncip.Problem {
	return []ncip.Problem{{Type: ncip.Value{Text: kind},
		Detail: kind + ": " + value, Element: element, Value: value}}
}

// answer is the ILS's answer to m; s.mu is held.
func (s *Server) answer(m ncip.Message) ncip.Message {
	switch {
	case m.LookupUser != nil:
		id := m.LookupUser.UserID.Value
		u, ok := s.users[id]
		if !ok {
			return ncip.Message{LookupUserResponse: &ncip.UserResponse{Problem: problem("Unknown User", "UserIdentifierValue", id)}}
		}
		opt := &ncip.UserOptions{Name: &ncip.NameInformation{Personal: ncip.PersonalName{Unstructured: u.Name}},
			Addresses: []ncip.UserAddress{{Role: ncip.Value{Text: "Home"},
				Electronic: &ncip.ElectronicAddress{Type: ncip.Value{Text: "mailto"}, Data: u.Email}}}}
		if u.Block != "" {
			opt.Blocks = []ncip.BlockOrTrap{{AgencyID: ncip.Value{Text: "ILS"}, Type: ncip.Value{Text: u.Block}}}
		}
		return ncip.Message{LookupUserResponse: &ncip.UserResponse{UserID: &ncip.UserID{Value: id}, Optional: opt}}
	case m.AcceptItem != nil:
		a := m.AcceptItem
		r := &ncip.Response{}
		switch {
		case a.UserID != nil && s.users[a.UserID.Value] == (User{}):
			r.Problem = problem("Unknown User", "UserIdentifierValue", a.UserID.Value)
		case a.ItemID == nil:
			r.Problem = problem("Needed Data Missing", "ItemId", "")
		case s.items[a.ItemID.Value] != (Item{}):
			r.Problem = problem("Duplicate Item", "ItemIdentifierValue", a.ItemID.Value)
		default:
			it := Item{Temporary: true}
			if a.ItemOptional != nil && a.ItemOptional.Bibliographic != nil {
				it.Title, it.Author = a.ItemOptional.Bibliographic.Title, a.ItemOptional.Bibliographic.Author
			}
			s.items[a.ItemID.Value] = it
			r.RequestID, r.ItemID = &a.RequestID, a.ItemID
		}
		return ncip.Message{AcceptItemResponse: r}
	case m.CheckOutItem != nil:
		c := m.CheckOutItem
		u, uok := s.users[c.UserID.Value]
		it, iok := s.items[c.ItemID.Value]
		r := &ncip.Response{}
		switch {
		case !uok:
			r.Problem = problem("Unknown User", "UserIdentifierValue", c.UserID.Value)
		case u.Block != "":
			r.Problem = problem("User Blocked", "UserIdentifierValue", c.UserID.Value)
		case !iok:
			r.Problem = problem("Unknown Item", "ItemIdentifierValue", c.ItemID.Value)
		case it.Loaned != "":
			r.Problem = problem("Item Already Checked Out", "ItemIdentifierValue", c.ItemID.Value)
		default:
			it.Loaned = c.UserID.Value
			s.items[c.ItemID.Value] = it
			r.ItemID, r.UserID = &c.ItemID, &c.UserID
			r.DateDue = time.Now().UTC().AddDate(0, 0, 28).Format(time.RFC3339)
		}
		return ncip.Message{CheckOutItemResponse: r}
	case m.CheckInItem != nil:
		id := m.CheckInItem.ItemID
		it, ok := s.items[id.Value]
		r := &ncip.Response{}
		if !ok {
			r.Problem = problem("Unknown Item", "ItemIdentifierValue", id.Value)
		} else {
			it.Loaned = ""
			s.items[id.Value] = it
			r.ItemID = &id
		}
		return ncip.Message{CheckInItemResponse: r}
	case m.DeleteItem != nil:
		id := m.DeleteItem.ItemID
		r := &ncip.Response{}
		if _, ok := s.items[id.Value]; !ok {
			r.Problem = problem("Unknown Item", "ItemIdentifierValue", id.Value)
		} else {
			delete(s.items, id.Value)
			r.ItemID = &id
		}
		return ncip.Message{DeleteItemResponse: r}
	case m.LookupItem != nil:
		id := m.LookupItem.ItemID
		it, ok := s.items[id.Value]
		r := &ncip.ItemResponse{}
		if !ok {
			r.Problem = problem("Unknown Item", "ItemIdentifierValue", id.Value)
		} else {
			r.ItemID = &id
			r.Optional = &ncip.ItemOptional{Bibliographic: &ncip.Bibliographic{Author: it.Author, Title: it.Title}}
		}
		return ncip.Message{LookupItemResponse: r}
	}
	return ncip.Message{Problem: problem("Unsupported Service", "NCIPMessage", m.Name())}
}

// ForTest starts a stand-in for the test and stops it when the test ends;
// it fails the test if a request was not valid NCIP. Where xmllint is
// missing the requests are not checked against the schema, and the test
// says so.
func ForTest(t testing.TB) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Validates() {
		t.Log("xmllint not found: NCIP messages are not checked against the schema")
	}
	t.Cleanup(func() {
		s.Close()
		for _, err := range s.Errors() {
			t.Errorf("the stand-in ILS refused a request: %v", err)
		}
	})
	return s
}
