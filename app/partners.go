package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/illdesk/illdesk/domain"
)

func (s *partnerCommands) cmdPartner(args []string) error {
	if len(args) == 0 {
		return usagef("usage: illdesk partner add|list ...")
	}
	switch args[0] {
	case "add":
		fs := newFlags("partner add")
		name := fs.String("name", "", "partner name")
		hours := fs.Int("turnaround-hours", domain.DefaultTurnaroundHours, "turnaround in business hours")
		email := fs.String("email", "", "contact email")
		agency := fs.String("agency-id", "", "ISO 18626 agency id TYPE:VALUE")
		loanDays := fs.Int("loan-days", domain.DefaultLoanPeriodDays, "loan period in days")
		maxMB := fs.Float64("max-mb", 0, "largest file the partner accepts, in MB (0: no limit)")
		endpoint := fs.String("iso-endpoint", "", "URL the partner's ISO 18626 messages are POSTed to")
		delivery := fs.String("delivery", "", "email:ADDRESS, folder:PATH or iso")
		ilsPatron := fs.String("ils-patron-id", "", "the partner's ILL patron record in our ILS, that lent books are checked out to")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 1, "partner add CODE --name NAME [--turnaround-hours H] [--email E]"); err != nil {
			return err
		}
		if *hours <= 0 || *loanDays <= 0 || *maxMB < 0 {
			return usagef("partner add: --turnaround-hours and --loan-days must be positive, --max-mb not negative")
		}
		p, err := s.desk.AddPartner(domain.Partner{Code: pos[0], Name: *name, TurnaroundHours: *hours,
			Email: *email, AgencyID: *agency, LoanPeriodDays: *loanDays, MaxFileBytes: int64(*maxMB * 1e6),
			ISOEndpoint: *endpoint, Delivery: *delivery, ILSPatronID: *ilsPatron}, s.actor())
		if err != nil {
			return err
		}
		s.printf("Added partner %s (%s), turnaround %d business hours.\n", p.Code, p.Name, p.TurnaroundHours)
		return nil
	case "edit":
		return s.cmdPartnerEdit(args[1:])
	case "list":
		asJSON, err := jsonOnly("partner list", args[1:], "partner list [--json]")
		if err != nil {
			return err
		}
		ps, err := s.desk.Partners()
		if err != nil {
			return err
		}
		if asJSON {
			return s.printJSON(nonNil(credentialsHidden(ps)))
		}
		if len(ps) == 0 {
			s.printf("No partners yet. Add one with: illdesk partner add CODE --name NAME\n")
			return nil
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		// the ILS PATRON column only once a partner has an ILL patron record in the ILS
		ils := slices.ContainsFunc(ps, func(p domain.Partner) bool { return p.ILSPatronID != "" })
		head := "CODE\tNAME\tTURNAROUND\tLOAN DAYS\tEMAIL\tINBOUND"
		if ils {
			head += "\tILS PATRON"
		}
		fmt.Fprintln(tw, head)
		for _, p := range ps {
			row := fmt.Sprintf("%s\t%s\t%dh\t%d\t%s\t%s", p.Code, p.Name, p.TurnaroundHours, p.LoanPeriodDays, p.Email, p.Authentication())
			if ils {
				row += "\t" + p.ILSPatronID
			}
			fmt.Fprintln(tw, row)
		}
		return tw.Flush()
	}
	return usagef("unknown partner command %q: use partner add, partner edit or partner list", args[0])
}

// cmdPartnerEdit changes the fields given on the command line and keeps the others.
func (s *partnerCommands) cmdPartnerEdit(args []string) error {
	fs := newFlags("partner edit")
	name := fs.String("name", "", "partner name")
	hours := fs.Int("turnaround-hours", 0, "turnaround in business hours")
	email := fs.String("email", "", "contact email")
	agency := fs.String("agency-id", "", "ISO 18626 agency id TYPE:VALUE")
	loanDays := fs.Int("loan-days", 0, "loan period in days")
	maxMB := fs.Float64("max-mb", -1, "largest file the partner accepts, in MB (0: no limit)")
	endpoint := fs.String("iso-endpoint", "", "URL the partner's ISO 18626 messages are POSTed to")
	delivery := fs.String("delivery", "", "email:ADDRESS, folder:PATH or iso")
	reviewed := fs.Bool("reviewed", false, "mark a partner created from an ISO 18626 request as reviewed")
	tokenStdin := fs.Bool("outbound-token-stdin", false, "read the token we present to the partner from standard input and keep it in the system keyring")
	serverCA := fs.String("server-ca", "", "PEM file of the CA of the partner's self-signed server certificate (\"\": the system's authorities)")
	inbound := s.inboundFlags(fs)
	renewals := fs.Int("renewals", domain.DefaultRenewals, "how many renewals of a book we lend the partner grants")
	renew := fs.String("renew", domain.RenewAuto, "how the partner's Renew is answered: auto or ask")
	ilsPatron := fs.String("ils-patron-id", "", "the partner's ILL patron record in our ILS, that lent books are checked out to (\"\": none)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "partner edit CODE [--name N] [--turnaround-hours H] [--email E] [--agency-id T:V] [--iso-endpoint URL] [--delivery D] [--loan-days D] [--max-mb MB] [--reviewed] [--outbound-token-stdin] [--server-ca FILE] [--renewals N] [--renew auto|ask] [--ils-patron-id ID] "+inboundUsage); err != nil {
		return err
	}
	out, err := s.outboundFlags(fs, *tokenStdin, *serverCA)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	credentials, err := inbound.read(set)
	if err != nil {
		return err
	}
	if set["renew"] {
		if *renew, err = domain.ParseRenewPolicy(*renew); err != nil {
			return usageError{err.Error()}
		}
	}
	p, err := s.desk.EditPartner(pos[0], func(p *domain.Partner) {
		credentials(p)
		if set["name"] {
			p.Name = *name
		}
		if set["turnaround-hours"] {
			p.TurnaroundHours = *hours
		}
		if set["email"] {
			p.Email = *email
		}
		if set["agency-id"] {
			p.AgencyID = *agency
		}
		if set["loan-days"] {
			p.LoanPeriodDays = *loanDays
		}
		if set["max-mb"] {
			p.MaxFileBytes = int64(*maxMB * 1e6)
		}
		if set["iso-endpoint"] {
			p.ISOEndpoint = *endpoint
		}
		if set["delivery"] {
			p.Delivery = *delivery
		}
		if *reviewed {
			p.NeedsReview = false
		}
		if set["renewals"] {
			p.Renewals = renewals
		}
		if set["renew"] {
			p.Renew = *renew
		}
		if set["ils-patron-id"] {
			p.ILSPatronID = *ilsPatron
		}
	}, s.actor())
	if err != nil {
		return err
	}
	if err := out.apply(s, p.Code); err != nil {
		return err
	}
	s.printf("Partner %s (%s) saved.\n", p.Code, p.Name)
	if inbound.given(set) {
		s.printInbound(p)
	}
	return nil
}

// outboundEdit is what partner edit changes of how we reach the partner,
// read and checked before anything changes.
type outboundEdit struct {
	token       string // "" keeps the token
	serverCA    string
	setServerCA bool
}

// outboundFlags reads the token from standard input and the server CA from
// its file, and checks both, so that bad input changes nothing.
func (s *partnerCommands) outboundFlags(fs *flag.FlagSet, tokenStdin bool, serverCA string) (outboundEdit, error) {
	var out outboundEdit
	if tokenStdin {
		if s.stdin == nil {
			return out, usagef("partner edit: --outbound-token-stdin needs the token on standard input")
		}
		line, err := bufio.NewReader(s.stdin).ReadString('\n')
		if err != nil && line == "" {
			return out, usagef("partner edit: no token on standard input")
		}
		out.token = strings.TrimRight(line, "\r\n")
		if err := domain.CheckOutboundToken(out.token); err != nil {
			return out, err
		}
	}
	fs.Visit(func(f *flag.Flag) { out.setServerCA = out.setServerCA || f.Name == "server-ca" })
	if out.setServerCA && serverCA != "" {
		raw, err := os.ReadFile(s.local(serverCA))
		if err != nil {
			return out, fmt.Errorf("cannot read the server CA: %w", err)
		}
		out.serverCA = string(raw)
		if err := domain.CheckServerCA(out.serverCA); err != nil {
			return out, err
		}
	}
	return out, nil
}

// apply stores the partner's server CA and the token we present to it.
func (o outboundEdit) apply(s *partnerCommands, code string) error {
	if o.setServerCA {
		if err := s.desk.SetPartnerServerCA(code, o.serverCA, s.actor()); err != nil {
			return err
		}
	}
	if o.token != "" {
		return s.desk.SetPartnerOutboundToken(code, o.token, s.actor())
	}
	return nil
}
