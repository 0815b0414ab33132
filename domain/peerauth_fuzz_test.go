package domain

import (
	"errors"
	"strings"
	"testing"
)

// FuzzCheckCaller feeds the decision on a network caller arbitrary claimed
// agencies, tokens, security codes and addresses against partners with
// every kind of credential. Whatever comes in, a caller is let through as a
// partner with a token only with that token, never with another partner's
// credential, and a refusal is one of the two caller refusals.
func FuzzCheckCaller(f *testing.F) {
	partners := []Partner{
		{Code: "RAPID", AgencyID: "OCLC:RAPID", InboundToken: hashToken(rapidToken)},
		{Code: "BVB", AgencyID: "ISIL:DE-BVB", InboundToken: hashToken(bvbToken), AllowFrom: []string{"10.0.0.0/8", "2001:db8::/32"}},
		{Code: "OLD", AgencyID: "ISIL:DE-OLD"},
		{Code: "NET", AgencyID: "ISIL:DE-NET", AllowFrom: []string{"192.0.2.0/24"}},
		{Code: "MAIL"},
	}
	f.Add("OCLC:RAPID", rapidToken, "", "198.51.100.1")
	f.Add("oclc:rapid", "", rapidToken, "::ffff:10.0.0.1")
	f.Add("ISIL:DE-BVB", bvbToken, "", "10.1.2.3")
	f.Add("ISIL:DE-BVB", "", bvbToken, "2001:db8::1")
	f.Add("ISIL:DE-OLD", rapidToken, "", "")
	f.Add("ISIL:DE-NET", "", "", "192.0.2.200")
	f.Add("", "", "", "not an address")
	f.Add("ISIL:NOBODY", "", bvbToken, "10.0.0.1")
	f.Fuzz(func(t *testing.T, claimed, token, code, addr string) {
		c := Caller{Addr: addr, Token: token}
		got, err := CheckCaller(partners, claimed, code, c, wednesday)
		if err != nil {
			if !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrForbiddenCaller) {
				t.Fatalf("refused with %v, not a caller refusal", err)
			}
			if got.Found || got.Proven || got.Partner.Code != "" {
				t.Fatalf("a refusal names partner %q", got.Partner.Code)
			}
			for _, secret := range []string{token, code} {
				if len(secret) >= MinInboundTokenLength && strings.Contains(err.Error(), secret) {
					t.Fatalf("the refusal %q repeats a credential", err)
				}
			}
			return
		}
		presents := func(p Partner) bool {
			return p.InboundToken != "" && (hashToken(token) == p.InboundToken && token != "" || hashToken(code) == p.InboundToken && code != "")
		}
		if !got.Found {
			for _, p := range partners {
				if p.AgencyID != "" && strings.EqualFold(p.AgencyID, claimed) {
					t.Fatalf("agency %q of %s not found", claimed, p.Code)
				}
				if presents(p) {
					t.Fatalf("the credential of %s let through a message naming the unknown %q", p.Code, claimed)
				}
			}
			return
		}
		p := got.Partner
		if !strings.EqualFold(p.AgencyID, claimed) {
			t.Fatalf("message naming %q let through as %s", claimed, p.Code)
		}
		if p.HasCredential() && !(got.Proven && presents(p)) {
			t.Fatalf("%s let through without its token", p.Code)
		}
		if !allowedFrom(p, addr) {
			t.Fatalf("%s let through from %q", p.Code, addr)
		}
		for _, q := range partners {
			if q.Code != p.Code && presents(q) && !presents(p) {
				t.Fatalf("the credential of %s let through a message naming %s", q.Code, p.Code)
			}
		}
	})
}
