package domain

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// routeStations are the places a fuzzed scan is made at: every kind of
// station, named after the fuzzed desk name, the request's pickup desk and
// its pick target, plus the unnamed station (the RS desk).
func routeStations(desk, pickup, target string) []Station {
	st := []Station{
		RSDesk, {},
		{Kind: StationPickup, Name: desk}, {Kind: StationDigitization, Name: desk}, {Kind: StationRS, Name: desk},
		{Kind: StationPickup, Name: pickup}, {Kind: StationPickup, Name: strings.ToUpper(pickup)},
		{Kind: StationDigitization, Name: pickup},
	}
	if t, err := ParseStation(target); err == nil {
		st = append(st, t, Station{Kind: t.Kind, Name: strings.ToLower(t.Name)})
	}
	if s, err := ParseStation(desk); err == nil {
		st = append(st, s)
	}
	return st
}

// wantRoute is DESIGN.md's scan table, written out on its own: the action a
// scan leads to, or the sentinel of the refusal.
func wantRoute(at Station, r Request) (Action, error) {
	atPickupOf := at.Kind == StationPickup && strings.EqualFold(at.Name, r.Pickup)
	atRS := at.Kind == StationRS || at.Kind == ""
	switch r.Side {
	case Borrowing:
		switch r.State {
		case Received:
			if atPickupOf {
				return ActHoldShelf, nil
			}
			return "", ErrWrongDesk
		case OnHoldShelf:
			if atPickupOf {
				return ActCheckout, nil
			}
			return "", ErrWrongDesk
		case Loaned:
			if at.Kind == StationPickup { // any circulation desk
				return ActCheckin, nil
			}
			return "", ErrWrongDesk
		case ReturnedByPatron:
			if atRS && at.Name == "" {
				return ActComplete, nil
			}
			return "", ErrWrongDesk
		}
	case Lending:
		switch r.State {
		case ItemAtDesk, LoanedToPartner, ReturnInTransit:
			if !r.IsLoan() {
				break
			}
			switch {
			case !(atRS && at.Name == ""):
				return "", ErrWrongDesk
			case r.State == ItemAtDesk:
				return ActLoanToPartner, nil
			}
			return ActLoanReturned, nil
		case PickRequested:
			// A target that cannot be read counts as the RS desk, the
			// default station (Label names it so in the refusal).
			target, err := ParseStation(r.PickTarget)
			if err != nil {
				target = RSDesk
			}
			if at.Same(target) {
				return ActPickArrived, nil
			}
			return "", ErrWrongDesk
		}
	}
	return "", ErrWrongState
}

// FuzzRoute routes arbitrary codes, with arbitrary desk, pickup, pick target,
// requester and external id names, for every station kind × request side ×
// state, a lending request for a copy and one for a loan. Route must never panic; it returns exactly the action of the scan
// table (an action legal for the request, so that applying it cannot fail)
// or a *Refusal wrapping ErrWrongDesk or ErrWrongState whose message is a
// sentence naming the code; the code itself never changes the outcome; and
// the request is left as it was.
func FuzzRoute(f *testing.F) {
	f.Add("39000000001", "Main Library", "Main Library", "rs", "Pat Patron", "RAPID-12345")
	f.Add("39000000001", "Branch", "Main Library", "digitization:Scan Lab", "", "")
	f.Add("TMP-2026/001#x", "main library", "MAIN LIBRARY", "pickup:Main Library", "Pat", "RAPID-1")
	f.Add("", "", "", "", "", "")
	f.Add(" ", " ", " ", " ", " ", " ")
	f.Add("%!s(MISSING) %d %v", "%s", "%v", "digitization:%x", "%%", "%!")
	f.Add("3900\n0001", "Main\nLibrary", "Main\x00Library", "rs:", "Pat\tPatron", "\x7f")
	f.Add("\xff\xfe\xfd", "\xc3", "Zürich", "pickup:Zürich", "Dž", "ǅ")
	f.Add(strings.Repeat("9", 65), "pickup:Main Library", "rs", "digitization:", "", "RAPID-12345")
	f.Add("39000000001", "digitization:Scan Lab", "Scan Lab", "DIGITIZATION: scan lab ", "the patron", "")
	f.Add("RAPID-12345", "rs", "", "garbage", "", "RAPID-12345")
	const refCode = "39000000001"

	f.Fuzz(func(t *testing.T, code, desk, pickup, target, requester, ext string) {
		for _, at := range routeStations(desk, pickup, target) {
			for _, side := range []Side{Lending, Borrowing, Lending + "-loan"} {
				for _, st := range allStates {
					r := sampleRequest(side, st)
					if side == Lending+"-loan" { // a book we lend
						r.Side, r.ServiceType = Lending, "CopyOrLoan"
						r.ArticleTitle, r.Pages = "", ""
					}
					r.ExternalID, r.Pickup, r.PickTarget, r.Requester = ext, pickup, target, requester
					before := deepCopy(r)

					act, err := Route(at, r, code)
					if !reflect.DeepEqual(before, r) {
						t.Fatalf("Route changed the request")
					}
					wantAct, wantErr := wantRoute(at, r)
					if err == nil {
						if act != wantAct || wantAct == "" {
							t.Fatalf("%s %s at %#v: Route gives %q, the scan table %q (%v)", side, st, at, act, wantAct, wantErr)
						}
						if !r.Can(act) {
							t.Fatalf("%s %s at %#v: Route gives %q, which is not allowed in that state", side, st, at, act)
						}
					} else {
						if act != "" {
							t.Fatalf("Route refused with an action %q: %v", act, err)
						}
						if wantErr == nil {
							t.Fatalf("%s %s at %#v: Route refuses (%v), the scan table gives %q", side, st, at, err, wantAct)
						}
						if !errors.Is(err, wantErr) {
							t.Fatalf("%s %s at %#v: refusal %v does not wrap %v", side, st, at, err, wantErr)
						}
						checkRefusal(t, err, code, code, desk, pickup, target, requester, ext)
					}

					// The code only appears in the message: it never changes the outcome.
					act2, err2 := Route(at, r, refCode)
					if act2 != act || (err == nil) != (err2 == nil) || (err != nil && !errors.Is(err2, wantErr)) {
						t.Fatalf("%s %s at %#v: code %q gives %q/%v, code %q gives %q/%v", side, st, at, code, act, err, refCode, act2, err2)
					}
				}
			}
		}
	})
}

// checkRefusal checks that err is a *Refusal whose message is a sentence for
// staff and contains named verbatim; inputs are the fuzzed strings, which may
// bring their own "%!" into the message.
func checkRefusal(t *testing.T, err error, named string, inputs ...string) {
	t.Helper()
	var ref *Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("refusal is not a *Refusal: %T %v", err, err)
	}
	if ref.Kind == nil || !errors.Is(err, ref.Kind) {
		t.Fatalf("refusal %q wraps no sentinel", err)
	}
	msg := err.Error()
	if strings.TrimSpace(msg) == "" || !strings.HasSuffix(msg, ".") {
		t.Fatalf("refusal %q is not a sentence", msg)
	}
	if msg == ref.Kind.Error() {
		t.Fatalf("refusal message %q is only the sentinel", msg)
	}
	if strings.Contains(msg, "%!") && !strings.Contains(strings.Join(inputs, ""), "%!") {
		t.Fatalf("formatting mistake in %q", msg)
	}
	if !strings.Contains(msg, named) {
		t.Fatalf("refusal %q does not name %q", msg, named)
	}
}

// FuzzBarcodeRule compiles arbitrary patterns and checks arbitrary codes
// with them and with the default rule. NewBarcodeRule must never panic and
// refuse a bad pattern with ErrInvalidInput; Check must never panic, refuse
// with a *Refusal wrapping ErrInvalidBarcode, and accept exactly the codes
// the rule describes: 1–64 characters of valid UTF-8, none of them a space, a
// control, an invisible or a replacement character, matching the pattern.
// An empty code, or one with a control character, is always refused.
func FuzzBarcodeRule(f *testing.F) {
	f.Add("", "39000000001")
	f.Add(DefaultBarcodePattern, "TMP-2026/001#x")
	f.Add(`^39\d{8}$`, "3912345678")
	f.Add(`^39\d{8}$`, "39１２３４５６７８")
	f.Add(`.*`, "")
	// testdata/fuzz/FuzzBarcodeRule holds the codes a permissive pattern
	// once let through: a C1 control, a no-break space, a zero-width space
	// and a line separator.
	f.Add(`.*`, "\ufffd")
	f.Add(`.*`, "39\xff")
	f.Add(`.*`, "3900\x7f")
	f.Add(`.*`, strings.Repeat("x", 65))
	f.Add(`.*`, strings.Repeat("ü", 64))
	f.Add(`[`, "x")
	f.Add(`a{2,1}`, "aa")
	f.Add(`(?i)^tmp-`, "TMP-1")
	f.Add(`x{1000}{1000}`, "x")

	f.Fuzz(func(t *testing.T, pattern, code string) {
		rule, err := NewBarcodeRule(pattern)
		re, reErr := regexp.Compile(pattern)
		if pattern == "" {
			re, reErr = regexp.MustCompile(DefaultBarcodePattern), nil
		}
		if err != nil {
			if reErr == nil {
				t.Fatalf("pattern %q compiles but is refused: %v", pattern, err)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("a bad pattern is refused without ErrInvalidInput: %v", err)
			}
			checkRefusal(t, err, "", pattern)
			re, rule = regexp.MustCompile(DefaultBarcodePattern), BarcodeRule{}
		} else if reErr != nil {
			t.Fatalf("pattern %q does not compile but is taken: %v", pattern, reErr)
		}

		for _, r := range []struct {
			rule BarcodeRule
			re   *regexp.Regexp
		}{{rule, re}, {BarcodeRule{}, regexp.MustCompile(DefaultBarcodePattern)}} {
			err := r.rule.Check(code)
			want := barcodeOK(code) && r.re.MatchString(code)
			switch {
			case err == nil && !want:
				t.Fatalf("pattern %q: Check accepts %q", r.re, code)
			case err != nil && want:
				t.Fatalf("pattern %q: Check refuses %q: %v", r.re, code, err)
			case err != nil:
				if !errors.Is(err, ErrInvalidBarcode) {
					t.Fatalf("refusal %v does not wrap ErrInvalidBarcode", err)
				}
				checkRefusal(t, err, "", code)
			}
			if code == "" || strings.ContainsFunc(code, unicode.IsControl) {
				if err == nil {
					t.Fatalf("Check accepts %q", code)
				}
			}
		}
	})
}

// barcodeOK is the rule every barcode follows whatever the pattern, written
// out on its own.
func barcodeOK(code string) bool {
	if code == "" || !utf8.ValidString(code) || utf8.RuneCountInString(code) > 64 {
		return false
	}
	for _, r := range code {
		if unicode.IsControl(r) || unicode.IsSpace(r) || !unicode.IsGraphic(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}
