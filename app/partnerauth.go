package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// inboundUsage is how partner edit is told what a partner must prove.
const inboundUsage = "[--inbound-token-stdin] [--client-ca FILE] [--allow-from CIDR[,CIDR...]] [--no-auth]"

// inboundFlags are partner edit's flags for what a partner proves when
// it sends us a message.
type inboundFlags struct {
	s          *partnerCommands
	tokenStdin *bool
	clientCA   *string
	allowFrom  *string
	noAuth     *bool
}

func (s *partnerCommands) inboundFlags(fs *flag.FlagSet) *inboundFlags {
	return &inboundFlags{s: s,
		tokenStdin: fs.Bool("inbound-token-stdin", false, "read from standard input the token the partner must send (Authorization: Bearer); only its hash is kept"),
		clientCA:   fs.String("client-ca", "", "PEM file of the CA whose client certificates prove the partner (\"\": none)"),
		allowFrom:  fs.String("allow-from", "", "networks the partner's messages may come from, CIDR[,CIDR...] (\"\": anywhere)"),
		noAuth:     fs.Bool("no-auth", false, "the partner proves nothing: remove its token, client CA and address limit"),
	}
}

var inboundFlagNames = []string{"inbound-token-stdin", "client-ca", "allow-from", "no-auth"}

// given reports whether any of the flags was on the command line.
func (f *inboundFlags) given(set map[string]bool) bool {
	for _, n := range inboundFlagNames {
		if set[n] {
			return true
		}
	}
	return false
}

// read reads the token and the CA file and checks everything given, before
// anything is saved: the edit it returns cannot fail.
func (f *inboundFlags) read(set map[string]bool) (func(*domain.Partner), error) {
	if !f.given(set) {
		return func(*domain.Partner) {}, nil
	}
	if *f.noAuth && (set["inbound-token-stdin"] || set["client-ca"] || set["allow-from"]) {
		return nil, usagef("partner edit: --no-auth removes every credential; give it alone")
	}
	var edits []func(*domain.Partner) error
	if *f.noAuth {
		edits = append(edits, func(p *domain.Partner) error { p.SetNoAuth(); return nil })
	}
	if *f.tokenStdin {
		if f.s.stdin == nil {
			return nil, usagef("partner edit: --inbound-token-stdin needs the token on standard input")
		}
		line, err := bufio.NewReader(f.s.stdin).ReadString('\n')
		if err != nil && line == "" {
			return nil, usagef("partner edit: no token on standard input")
		}
		token := strings.TrimRight(line, "\r\n")
		edits = append(edits, func(p *domain.Partner) error { return p.SetInboundToken(token) })
	}
	if set["client-ca"] {
		pemText := ""
		if *f.clientCA != "" {
			b, err := os.ReadFile(f.s.local(*f.clientCA))
			if err != nil {
				return nil, fmt.Errorf("cannot read the client CA file: %w", err)
			}
			pemText = string(b)
		}
		edits = append(edits, func(p *domain.Partner) error { return p.SetClientCA(pemText) })
	}
	if set["allow-from"] {
		list := *f.allowFrom
		edits = append(edits, func(p *domain.Partner) error { return p.SetAllowFrom(list) })
	}
	var check domain.Partner
	for _, e := range edits {
		if err := e(&check); err != nil {
			return nil, err
		}
	}
	return func(p *domain.Partner) {
		for _, e := range edits {
			_ = e(p) // checked above
		}
	}, nil
}

// printInbound says what the partner must prove, without showing a credential.
func (s *partnerCommands) printInbound(p domain.Partner) {
	if p.NoAuth {
		s.printf("Inbound: no credential (--no-auth).\n")
		return
	}
	from := "anywhere"
	if len(p.AllowFrom) > 0 {
		from = strings.Join(p.AllowFrom, ",")
	}
	s.printf("Inbound: token %s, client CA %s, from %s.\n", setOrNot(p.InboundToken), setOrNot(p.ClientCA), from)
}

func setOrNot(v string) string {
	if v == "" {
		return "not set"
	}
	return "set"
}

// credentialsHidden is the partners with their token hash and client CA
// shown only as "set", for partner list --json.
func credentialsHidden(ps []domain.Partner) []domain.Partner {
	out := make([]domain.Partner, len(ps))
	for i, p := range ps {
		if p.InboundToken != "" {
			p.InboundToken = "set"
		}
		if p.ClientCA != "" {
			p.ClientCA = "set"
		}
		out[i] = p
	}
	return out
}
