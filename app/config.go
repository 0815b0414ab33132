package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/iso18626/isohttp"
)

func (s *configCommands) cmdHoliday(args []string) error {
	if len(args) == 0 {
		return usagef("usage: illdesk holiday list | add DATE... | remove DATE...")
	}
	current := s.desk.Calendar().Holidays()
	switch args[0] {
	case "list":
		for _, h := range current {
			s.printf("%s\n", h)
		}
		return nil
	case "add":
		return s.desk.SetHolidays(append(current, args[1:]...), s.actor())
	case "remove":
		return s.desk.SetHolidays(slices.DeleteFunc(current, func(h string) bool { return slices.Contains(args[1:], h) }), s.actor())
	}
	return usagef("unknown holiday command %q: use list, add or remove", args[0])
}

// configKeys maps the command line's setting names to how they are set.
var configKeys = map[string]func(*domain.Settings, string){
	"catalogue-url":            func(s *domain.Settings, v string) { s.CatalogueURL = v },
	"scan-folder":              func(s *domain.Settings, v string) { s.ScanFolder = v },
	"digitization-departments": func(s *domain.Settings, v string) { s.DigitizationDepartments = strings.Split(v, ",") },
	"pickup-locations":         func(s *domain.Settings, v string) { s.PickupLocations = strings.Split(v, ",") },
	"barcode-pattern":          func(s *domain.Settings, v string) { s.BarcodePattern = v },
	"listen":                   func(s *domain.Settings, v string) { s.Listen = v },
}

func (s *configCommands) cmdConfig(args []string) error {
	const usage = "config show [--json] | config set KEY VALUE  (KEY: catalogue-url, scan-folder, digitization-departments, pickup-locations, barcode-pattern, listen, agency-id, public-url, attention-hours, backup-keep, link-days, tls-client-cert, tls-client-key, allow-plain-http, max-connections, max-connections-per-address, rate-per-address, rate-per-agency, read-timeout, write-timeout, idle-timeout, unknown-agencies, sru-url, sru-profile, sru-version, sru-indexes, sru-fields, openurl-base, library-name, library-email, pickup-address NAME=ADDRESS, send-patron-id on|off, copy-delivery link|attachment, ncip-url, ncip-from-agency, ncip-to-agency, ncip-profile, ncip-steps, ncip-unreachable, ncip-timeout, ncip-pickup-codes, patron-notices ours|ils, ncip-api-key-stdin, printer NAME|default, slip-output print|pdf) | config test sru|openurl|ncip"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	cur, err := s.desk.Settings()
	if err != nil {
		return err
	}
	switch args[0] {
	case "show":
		asJSON, err := jsonOnly("config show", args[1:], usage)
		if err != nil {
			return err
		}
		if asJSON {
			return s.printJSON(cur)
		}
		s.printf("catalogue-url             %s\n", cur.CatalogueURL)
		s.printf("scan-folder               %s\n", cur.ScanFolder)
		s.printf("digitization-departments %s\n", strings.Join(cur.DigitizationDepartments, ","))
		s.printf("pickup-locations          %s\n", strings.Join(cur.PickupLocations, ","))
		s.printf("barcode-pattern           %s\n", cur.BarcodePattern)
		s.printf("listen                    %s\n", cur.Listen)
		agency, err := s.desk.AgencyID()
		if err != nil {
			return err
		}
		public, err := s.desk.PublicURL()
		if err != nil {
			return err
		}
		s.printf("agency-id                 %s\n", agency)
		s.printf("public-url                %s%s\n", public, publicURLNote(public))
		keep, err := s.desk.BackupKeep()
		if err != nil {
			return err
		}
		s.printf("backup-keep               %d\n", keep)
		days, err := s.desk.LinkDays()
		if err != nil {
			return err
		}
		s.printf("link-days                 %d\n", days)
		server, err := s.desk.ServerSettings()
		if err != nil {
			return err
		}
		for _, kv := range server.Show() {
			s.printf("%-25s %s\n", kv[0], kv[1])
		}
		unknown, err := s.desk.UnknownAgencies()
		if err != nil {
			return err
		}
		s.printf("unknown-agencies          %s\n", unknown)
		if err := s.showBorrowing(cur.PickupLocations); err != nil {
			return err
		}
		if err := s.showOutbound(); err != nil {
			return err
		}
		cat, err := s.desk.CatalogueSettings()
		if err != nil {
			return err
		}
		for _, k := range domain.CatalogueKeys {
			s.printf("%-25s %s\n", k, cat.Get(k))
		}
		ils, err := s.desk.NCIPSettings()
		if err != nil {
			return err
		}
		for _, k := range domain.NCIPKeys {
			s.printf("%-25s %s\n", k, ils.Get(k))
		}
		return s.showPrinting()
	case "test":
		if len(args) != 2 {
			return usagef("usage: illdesk config test sru|openurl|ncip")
		}
		test := s.desk.TestCatalogue
		if args[1] == "ncip" {
			test = func(ctx context.Context, _ string) (string, error) { return s.desk.TestILS(ctx) }
		}
		said, err := test(context.Background(), args[1])
		if err != nil {
			return err
		}
		s.printf("%s\n", said)
		return nil
	case "set":
		if len(args) == 2 && args[1] == "ncip-api-key-stdin" {
			return s.setNCIPKey()
		}
		if len(args) != 3 {
			return usagef("usage: illdesk %s", usage)
		}
		switch args[1] {
		case "agency-id":
			if err := s.desk.SetAgencyID(args[2], s.actor()); err != nil {
				return err
			}
			s.printf("agency-id set.\n")
			return nil
		case "attention-hours":
			h, err := strconv.Atoi(args[2])
			if err != nil {
				return usagef("config set attention-hours takes a whole number of business hours, e.g. 24")
			}
			if err := s.desk.SetAttentionHours(h, s.actor()); err != nil {
				return err
			}
			s.printf("attention-hours set.\n")
			return nil
		case "backup-keep":
			n, err := strconv.Atoi(args[2])
			if err != nil {
				return usagef("config set backup-keep takes a whole number of daily backups to keep, e.g. 14 (0: none)")
			}
			if err := s.desk.SetBackupKeep(n, s.actor()); err != nil {
				return err
			}
			s.printf("backup-keep set.\n")
			return nil
		case "public-url":
			if err := s.desk.SetPublicURL(args[2], s.actor()); err != nil {
				return err
			}
			s.printf("public-url set.\n")
			return nil
		case "link-days":
			n, err := strconv.Atoi(args[2])
			if err != nil {
				return usagef("config set link-days takes a whole number of days a download link works, e.g. 30")
			}
			if err := s.desk.SetLinkDays(n, s.actor()); err != nil {
				return err
			}
			s.printf("link-days set.\n")
			return nil
		case "tls-client-cert", "tls-client-key", "allow-plain-http":
			if err := s.setOutbound(args[1], args[2]); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		case "library-name", "library-email", "pickup-address", "send-patron-id", "copy-delivery":
			if err := s.desk.SetBorrowingSetting(args[1], args[2], s.actor()); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		case "printer", "slip-output":
			if err := s.setPrinting(args[1], args[2]); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		case "unknown-agencies":
			if err := s.desk.SetUnknownAgencies(args[2], s.actor()); err != nil {
				return err
			}
			s.printf("unknown-agencies set.\n")
			return nil
		}
		if domain.IsNCIPSetting(args[1]) {
			if err := s.desk.SetNCIPSetting(args[1], args[2], s.actor()); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		}
		if domain.IsCatalogueSetting(args[1]) {
			if err := s.desk.SetCatalogueSetting(args[1], args[2], s.actor()); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		}
		if domain.IsServerSetting(args[1]) {
			if err := s.desk.SetServerSetting(args[1], args[2], s.actor()); err != nil {
				return err
			}
			s.printf("%s set.\n", args[1])
			return nil
		}
		set, ok := configKeys[args[1]]
		if !ok {
			return usagef("unknown setting %q; usage: illdesk %s", args[1], usage)
		}
		set(&cur, args[2])
		if err := s.desk.SaveSettings(cur, s.actor()); err != nil {
			return err
		}
		s.printf("%s set.\n", args[1])
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

// publicURLNote is what config show says after a public address set before
// it had to be https: links are still made with it, but travel in clear.
func publicURLNote(u string) string {
	if domain.CheckPublicURL(u) == nil {
		return ""
	}
	return "  (not https: download links sent with it can be read on the way; set an https:// address)"
}

func (s *configCommands) cmdNotices(args []string) error {
	const usage = "notices list [--json] [--status queued|sent|failed|cancelled] | notices send | notices retry ID | notices template [--subject S] [--body-file F]"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	switch args[0] {
	case "list":
		fs := newFlags("notices list")
		asJSON := fs.Bool("json", false, "JSON output")
		status := fs.String("status", "", "queued, sent, failed or cancelled")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		ns, err := s.desk.Notices(domain.NoticeFilter{Status: domain.NoticeStatus(*status)})
		if err != nil {
			return err
		}
		if *asJSON {
			return s.printJSON(nonNil(ns))
		}
		if len(ns) == 0 {
			s.printf("No notices.\n")
			return nil
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tREQUEST\tTO\tSTATUS\tATTEMPTS\tWHERE / LAST ERROR")
		now := s.desk.Now()
		for _, n := range ns {
			where, label := n.Where, n.Status.Label()
			if n.LastError != "" && n.Status != domain.NoticeSent {
				where = n.LastError
			}
			if n.Pending() && n.Lease.Running(now) { // a window or illdesk serve is sending it
				label, where = "Sending", "claimed until "+n.Lease.Until.Local().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", n.ID, n.Ref, n.To, label, n.Attempts, where)
		}
		return tw.Flush()
	case "send":
		sent, failed, err := s.desk.Dispatcher().SendNotices(context.Background())
		if err != nil {
			return err
		}
		s.printf("%d sent, %d failed (failed notices are kept and retried).\n", sent, failed)
		if failed > 0 {
			return fmt.Errorf("%d notices could not be delivered; see illdesk notices list --status failed", failed)
		}
		return nil
	case "retry":
		if len(args) != 2 {
			return usagef("usage: illdesk %s", usage)
		}
		if err := s.desk.RetryNotice(args[1], s.actor()); err != nil {
			return err
		}
		return s.cmdNotices([]string{"send"})
	case "template":
		fs := newFlags("notices template")
		subject := fs.String("subject", "", "subject template")
		bodyFile := fs.String("body-file", "", "file holding the body template")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		t, err := s.desk.NoticeTemplate()
		if err != nil {
			return err
		}
		if *subject == "" && *bodyFile == "" {
			s.printf("Subject: %s\n\n%s\n\nFields: %s\n", t.Subject, t.Body, domain.NoticeFields)
			return nil
		}
		if *subject != "" {
			t.Subject = *subject
		}
		if *bodyFile != "" {
			b, err := os.ReadFile(s.local(*bodyFile))
			if err != nil {
				return fmt.Errorf("cannot read the body template: %w", err)
			}
			t.Body = string(b)
		}
		if err := s.desk.SetNoticeTemplate(t, s.actor()); err != nil {
			return err
		}
		s.printf("Notice template saved.\n")
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func (s *configCommands) cmdMail(args []string) error {
	const usage = "mail show | mail set --host HOST [--port P] [--tls starttls|tls|none] [--user U] [--password-stdin] --from ADDRESS | mail off"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	cur, err := s.desk.MailSettings()
	if err != nil {
		return err
	}
	switch args[0] {
	case "show":
		if !cur.SMTP() {
			s.printf("No SMTP server: notices are written as .eml files into the outbox folder.\n")
			return nil
		}
		s.printf("%s\n", cur.String())
		return nil
	case "off":
		return s.desk.SaveMailSettings(domain.MailSettings{From: cur.From}, s.actor())
	case "set":
		fs := newFlags("mail set")
		var m domain.MailSettings
		fromStdin := fs.Bool("password-stdin", false, "read the password from standard input and keep it in the system keyring")
		fs.StringVar(&m.Host, "host", "", "SMTP server")
		fs.IntVar(&m.Port, "port", 0, "port (default by TLS mode)")
		fs.StringVar(&m.TLS, "tls", domain.TLSStartTLS, "starttls, tls or none")
		fs.StringVar(&m.User, "user", "", "login")
		fs.StringVar(&m.From, "from", "", "sender address, e.g. 'Interlibrary Loan <ill@example.edu>'")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := wantArgs(pos, 0, usage); err != nil {
			return err
		}
		if *fromStdin {
			if s.stdin == nil {
				return usagef("mail set: --password-stdin needs the password on standard input")
			}
			line, err := bufio.NewReader(s.stdin).ReadString('\n')
			if err != nil && line == "" {
				return usagef("mail set: no password on standard input")
			}
			m.Password = strings.TrimRight(line, "\r\n")
		}
		// Without a new password the one in the keyring is kept.
		if err := s.desk.SaveMailSettings(m, s.actor()); err != nil {
			return err
		}
		s.printf("Mail settings saved.\n")
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

// showOutbound prints the settings of how partners are reached.
func (s *configCommands) showOutbound() error {
	cert, key, err := s.desk.ClientCertificate()
	if err != nil {
		return err
	}
	s.printf("tls-client-cert           %s\n", cert)
	s.printf("tls-client-key            %s\n", key)
	return nil
}

// setOutbound sets our client certificate or key (a file, checked now, ""
// for none) or whether plain http is allowed with other computers.
func (s *configCommands) setOutbound(key, value string) error {
	if key == "allow-plain-http" {
		switch value {
		case "on", "off":
			return s.desk.SetAllowPlainHTTP(value == "on", s.actor())
		}
		return usagef("config set allow-plain-http takes on or off")
	}
	cert, certKey, err := s.desk.ClientCertificate()
	if err != nil {
		return err
	}
	path := ""
	if value != "" {
		if path, err = filepath.Abs(s.local(value)); err != nil {
			return err
		}
	}
	if key == "tls-client-cert" {
		cert = path
	} else {
		certKey = path
	}
	if err := isohttp.CheckClientCertificate(cert, certKey); err != nil {
		msg := fmt.Sprintf("%s cannot be used as %s: %v.", value, key, err)
		if cert != "" && certKey != "" {
			msg = fmt.Sprintf("The client certificate %s and the key %s do not make a pair (%v). "+
				"To replace both, clear one first: illdesk config set tls-client-key ''", cert, certKey, err)
		}
		return &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: msg}
	}
	return s.desk.SetClientCertificate(cert, certKey, s.actor())
}

// setNCIPKey reads the ILS's API key from standard input (its first line)
// and keeps it in the system keyring.
func (s *configCommands) setNCIPKey() error {
	if s.stdin == nil {
		return usagef("config set ncip-api-key-stdin needs the key on standard input")
	}
	line, err := bufio.NewReader(s.stdin).ReadString('\n')
	if err != nil && line == "" {
		return usagef("config set ncip-api-key-stdin: no key on standard input")
	}
	if err := s.desk.SetNCIPKey(strings.TrimSpace(line), s.actor()); err != nil {
		return err
	}
	s.printf("ncip-api-key set.\n")
	return nil
}
