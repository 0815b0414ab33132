package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/illdesk/illdesk/domain"
)

// importResult is one imported file as import --json shows it.
type importResult struct {
	File         string `json:"file"`
	OK           bool   `json:"ok"`
	Error        string `json:"error,omitempty"`
	Confirmation string `json:"confirmation,omitempty"`
	domain.ImportResult
}

func (s *partnerCommands) cmdImport(args []string) error {
	fs := newFlags("import")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: illdesk import [--json] FILE...")
	}
	for _, f := range pos {
		if domain.IsHistoryFile(f) && len(pos) > 1 {
			return usagef("import a history .csv file on its own: illdesk import [--json] FILE.csv")
		}
	}
	files := make([]domain.ImportFile, len(pos))
	for i, f := range pos {
		files[i] = domain.ImportFile{Name: f}
		files[i].Data, files[i].ReadErr = os.ReadFile(s.local(f))
		if files[i].ReadErr != nil && domain.IsHistoryFile(f) {
			return fmt.Errorf("cannot read %s: %w", f, files[i].ReadErr)
		}
	}
	sum, err := s.desk.Import(files, s.actor())
	if err != nil {
		return err
	}
	if domain.IsHistoryFile(pos[0]) {
		// Past requests from a history file: all of them or, when a line is
		// bad, none (the refusal lists the bad lines).
		fi := sum.Files[0]
		if *asJSON {
			out := struct {
				File  string `json:"file"`
				OK    bool   `json:"ok"`
				Error string `json:"error,omitempty"`
				domain.HistoryResult
			}{File: fi.Name, OK: fi.Err == nil, HistoryResult: *fi.History}
			if fi.Err != nil {
				out.Error = worded(fi.Err)
			}
			if jerr := s.printJSON(out); jerr != nil {
				return jerr
			}
		} else if fi.Err == nil {
			s.printf("%s from %s.\n", strings.TrimSuffix(fi.Outcome(), "."), fi.Name)
		}
		return fi.Err
	}
	results := make([]importResult, len(sum.Files))
	for i, fi := range sum.Files {
		results[i] = importResult{File: fi.Name, OK: fi.Err == nil, Confirmation: string(fi.Confirmation), ImportResult: fi.Message}
		switch {
		case files[i].ReadErr != nil:
			results[i].Error = "cannot read the file: " + files[i].ReadErr.Error()
		case fi.Err != nil:
			results[i].Error = worded(fi.Err)
		}
	}
	if *asJSON {
		if err := s.printJSON(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.OK {
				s.printf("%s: %s\n", r.File, r.Outcome)
			} else {
				fmt.Fprintf(s.stderr, "%s: %s\n", r.File, r.Error)
			}
		}
	}
	if refused := sum.Refused(); refused > 0 {
		return fmt.Errorf("%d of %d messages refused; nothing was stored for those", refused, len(pos))
	}
	return nil
}

// sendTimeout bounds how long a command goes on starting to send what it
// queued; each partner post and mail has its own timeout besides.
const sendTimeout = 10 * time.Second

// sendQueued has the dispatcher send, once, what this session's commands
// queued since it last sent: nothing when they queued nothing. What fails,
// is cut off by sendTimeout or waits for its grace period is left queued,
// for the window, illdesk serve or illdesk outbox send to retry.
func (s *session) sendQueued() (domain.QueueReport, error) {
	if s.desk.Dispatcher().Queued() == s.sentMark {
		return domain.QueueReport{}, nil
	}
	return s.sendDue()
}

// sendDue has the dispatcher send, once and within sendTimeout, whatever is
// due, queued by this command or before.
func (s *session) sendDue() (domain.QueueReport, error) {
	d := s.desk.Dispatcher()
	s.sentMark = d.Queued()
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	return d.SendDue(ctx)
}

func (s *partnerCommands) cmdOutbox(args []string) error {
	const usage = "outbox list [--json] | outbox send | outbox export DIR | outbox resend ID | outbox drop ID --note TEXT | outbox mark-sent ID [--note TEXT]"
	if len(args) == 0 {
		return usagef("usage: illdesk %s", usage)
	}
	switch args[0] {
	case "list":
		asJSON, err := jsonOnly("outbox list", args[1:], usage)
		if err != nil {
			return err
		}
		msgs, err := s.desk.Outbox("")
		if err != nil {
			return err
		}
		dls, err := s.desk.Deliveries("")
		if err != nil {
			return err
		}
		if asJSON {
			for i := range msgs {
				msgs[i].Body = nil
			}
			return s.printJSON(map[string]any{"messages": nonNil(msgs), "deliveries": nonNil(dls)})
		}
		tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tREQUEST\tPARTNER\tWHAT\tSTATUS\tATTEMPTS\tWHERE / WHY")
		for _, m := range msgs {
			fmt.Fprintf(tw, "%s\t%s\t%s\tmessage %s\t%s\t%d\t%s\n", m.ID, m.Ref, m.Partner, m.Summary, m.Status, m.Attempts, firstOf(m.Why, m.Where))
		}
		for _, d := range dls {
			fmt.Fprintf(tw, "%s\t%s\t%s\tfile %s by %s\t%s\t%d\t%s\n", d.ID, d.Ref, d.Partner, d.File, d.Method, d.Status, d.Attempts, firstOf(d.LastError, d.Where))
		}
		return tw.Flush()
	case "send":
		rep, err := s.desk.Dispatcher().SendDue(context.Background())
		if err != nil {
			return err
		}
		unsent, err := s.unsentReport()
		if err != nil {
			return err
		}
		calls, err := s.ilsReport()
		if err != nil {
			return err
		}
		if unsent > 0 {
			return fmt.Errorf("%s to partners not sent (named above); they wait in the outbox (illdesk outbox list)", domain.Count(unsent, "message", "messages"))
		}
		if calls > 0 {
			return fmt.Errorf("%s to the ILS not made (named above); they wait in the queue (illdesk ils queue list)", domain.Count(calls, "call", "calls"))
		}
		if rep.Failed > 0 {
			return fmt.Errorf("%d messages, files or notices could not be sent; they wait in the queue (illdesk outbox list)", rep.Failed)
		}
		s.printf("Everything due was sent.\n")
		return nil
	case "resend", "drop", "mark-sent":
		return s.outboxAction(args[0], args[1:])
	case "export":
		if len(args) != 2 {
			return usagef("usage: illdesk %s", usage)
		}
		dir := args[1]
		// messages name patrons and their addresses: readable by this user only
		if err := os.MkdirAll(s.local(dir), 0o700); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, err)
		}
		n, err := s.desk.ExportMessages(func(name string, body []byte) error {
			return os.WriteFile(filepath.Join(s.local(dir), name), body, 0o600)
		})
		if err != nil {
			return err
		}
		s.printf("%d messages written to %s.\n", n, dir)
		return nil
	}
	return usagef("usage: illdesk %s", usage)
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// serveMemoryLimit is the soft memory limit of illdesk serve: its
// connections and the bodies being read fit well within it.
const serveMemoryLimit = 48 << 20

// cmdServe receives partners' ISO 18626 messages over HTTP until SIGINT or
// SIGTERM. Its dispatcher sends what the changes queue (answers to the
// messages received) at once, and what waits for its grace period or its
// back-off when that ends, checking at least every few seconds.
func (s *partnerCommands) cmdServe(args []string) error {
	fs := newFlags("serve")
	listen := fs.String("listen", "127.0.0.1:8626", "address to listen on")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM) to serve with")
	keyFile := fs.String("tls-key", "", "its private key (PEM)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "serve --listen ADDR [--tls-cert FILE --tls-key FILE]"); err != nil {
		return err
	}
	logf := func(msg string) { fmt.Fprintf(s.stderr, "%s %s\n", time.Now().Format("15:04:05"), msg) }
	srv, ln, err := s.partnerServer(*listen, *certFile, *keyFile, logf, nil)
	if err != nil {
		return err
	}
	// The server's memory is bounded by its settings; the runtime is asked
	// to collect before the process grows much beyond what they allow.
	debug.SetMemoryLimit(serveMemoryLimit)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		s.desk.Dispatcher().Run(ctx, 5*time.Second, func(rep domain.QueueReport, err error) {
			if err != nil {
				logf(fmt.Sprintf("sending: %q", err.Error()))
			} else if rep.Failed > 0 {
				logf(domain.Count(rep.Failed, "item waits", "items wait") + " in the queue")
			}
		})
	}()
	// The database closes after serve returns: let a pass finish first.
	// What serve queued was its loop's to send, not the command's on the
	// way out (sendQueued), which would hold up the shutdown.
	defer func() {
		stop()
		<-sending
		s.sentMark = s.desk.Dispatcher().Queued()
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	defer s.hold(nil)() // and runs other illdesk commands on this database
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	s.printf("Listening on %s://%s/ for ISO 18626 messages. Stop with Ctrl+C.\n", scheme, ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
