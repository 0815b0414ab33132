package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/folder"
	"github.com/illdesk/illdesk/iso18626"
	"github.com/illdesk/illdesk/iso18626/isohttp"
	"github.com/illdesk/illdesk/keyring"
	"github.com/illdesk/illdesk/mail"
	"github.com/illdesk/illdesk/ncip"
	"github.com/illdesk/illdesk/openurl"
	"github.com/illdesk/illdesk/pdf/preflight"
	// pdfdoc, as pdf names the tests' helper that finds sample PDFs.
	pdfdoc "github.com/illdesk/illdesk/pdf"
	"github.com/illdesk/illdesk/sru"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/vault"
)

// env is what the command line reads from and writes to; tests supply their own.
type env struct {
	stdout, stderr io.Writer
	// stdin gives secrets typed or piped in (mail set --password-stdin).
	stdin  io.Reader
	getenv func(string) string
	// clock, when set, replaces the system clock (tests).
	clock domain.Clock
	// openWindow, when set, replaces the real window (tests).
	openWindow func(s *session) error
	// dir, when set, is the folder relative paths on the command line are
	// read in: the caller's, for a command forwarded from another process.
	dir string
	// held, when set, is the session of the window or serve that holds the
	// database open, which this forwarded command works on (socket.go).
	held *session
	// printer, when set, replaces the system's printing (tests).
	printer domain.Printer
}

// session is one invocation: the global options and, once opened, the database and desk.
type session struct {
	env
	dbPath string
	// vaultDir is the shared folder of shipped files of a department database.
	vaultDir string
	operator string
	// operatorGiven is true when --operator was on the command line;
	// signedIn once it signed in as one of the operators set up.
	operatorGiven, signedIn bool
	station                 domain.Station
	// stationGiven is true when --desk was on the command line.
	stationGiven bool
	demo         bool

	// store is the open database: db on this workstation (bbolt), or the
	// department database on PostgreSQL (pg).
	store domain.Store
	db    *bolt.DB
	pg    *postgres.DB
	desk  *domain.Desk
	// changes counts the changes saved to db, so that a window knows when a
	// command it ran for another process changed something.
	changes *countingStore
	// sentMark is the dispatcher's count of commits that queued something,
	// as of the last time this session sent (sendQueued).
	sentMark uint64
}

const topUsage = `usage: illdesk [--db PATH|postgres://USER@HOST/DB [--vault DIR]] [--operator NAME] [--desk DESK] [--demo] [<command>]
       illdesk --version

With no command ILL Desk opens its window. Commands:
  partner add|list   lend new   borrow new   list   show   holdings   pick   slip   ship
  reject   bad-citation   cancel   receive   scan   preflight   holiday   config   undo   notices   mail
  import   outbox   serve   operator add|list|remove   audit   stats   seed   loadtest
  backup   restore   migrate   quarantine list|accept|refuse   ils queue list|retry|drop
  link revoke   renew   status-request   resend   close   attach-copy   loan   recall   renew-answer
Once operators are set up, --operator NAME signs in (PIN in ILLDESK_PIN).
See README.md for every option.`

// run executes one command line and returns the exit status: 0 done,
// 1 refused (the message says why), 2 usage error.
func run(args []string, e env) int {
	if e.getenv == nil {
		e.getenv = os.Getenv
	}
	s := &session{env: e}
	err := s.dispatch(args)
	if s.store != nil {
		if cerr := s.store.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	var ue usageError
	var fwd exitStatus
	switch {
	case errors.As(err, &fwd): // run by the process holding the database, which said why
		return int(fwd)
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(e.stderr, ue.msg)
		return 2
	default:
		fmt.Fprintln(e.stderr, "illdesk:", worded(err))
		return 1
	}
}

func (s *session) dispatch(args []string) error {
	fs := newFlags("illdesk")
	fs.StringVar(&s.dbPath, "db", "", "database file, or postgres://USER@HOST/DB for a department database")
	fs.StringVar(&s.vaultDir, "vault", "", "shared folder of shipped files, with a department database")
	fs.StringVar(&s.operator, "operator", "", "operator name recorded in the history; signs in once operators are set up (PIN in ILLDESK_PIN)")
	desk := fs.String("desk", "rs", "where this workstation stands")
	fs.BoolVar(&s.demo, "demo", false, "run on a throwaway database with demo data")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{topUsage}
		}
		return usagef("%v\n%s", err, topUsage)
	}
	if *version {
		fmt.Fprintln(s.stdout, versionLine())
		return nil
	}
	st, err := domain.ParseStation(*desk)
	if err != nil {
		return usageError{err.Error()}
	}
	s.station = st
	fs.Visit(func(f *flag.Flag) {
		s.stationGiven = s.stationGiven || f.Name == "desk"
		s.operatorGiven = s.operatorGiven || f.Name == "operator"
	})
	if s.operator == "" {
		s.operator = defaultOperator()
	}
	if s.dbPath == "" {
		s.dbPath = s.getenv("ILLDESK_DB")
	}
	rest := fs.Args()
	if s.demo {
		cleanup, err := s.openDemo()
		if err != nil {
			return err
		}
		defer cleanup()
	}
	if len(rest) == 0 {
		if err := s.open(); err != nil {
			return err
		}
		if err := s.signIn(); err != nil {
			return err
		}
		if s.openWindow != nil {
			return s.openWindow(s)
		}
		return runWindow(s)
	}
	cmd, cmdArgs := rest[0], rest[1:]
	if cmd == "preflight" { // needs no database
		return (&requestCommands{s}).cmdPreflight(cmdArgs)
	}
	h, ok := commands[cmd]
	if !ok {
		return usagef("unknown command %q\n%s", cmd, topUsage)
	}
	if cmd == "restore" || cmd == "migrate" || cmd == "loadtest" { // they open their databases themselves
		return h(s, cmdArgs)
	}
	if forwarded, err := s.forward(cmd, args); forwarded {
		return err
	}
	if err := s.open(); err != nil {
		return err
	}
	if err := s.signIn(); err != nil {
		return err
	}
	// Whatever the command queued is sent here, once, for every command
	// alike (some, like ship, send earlier to report on it); even a command
	// that refused part of its input may have queued for the rest.
	s.sentMark = s.desk.Dispatcher().Queued()
	err = h(s, cmdArgs)
	if _, serr := s.sendQueued(); err == nil {
		err = serr
	}
	// The holdings of requests the command created are looked up in the
	// background; a command waits for them rather than leave them undone.
	// The window and serve go on; the lookups end in their own time.
	if cmd != "serve" {
		ctx, cancel := context.WithTimeout(context.Background(), domain.DefaultLookupTimeout+5*time.Second)
		s.desk.WaitLookups(ctx)
		cancel()
	}
	return s.signInHint(err)
}

// commands maps each command name to its handler.
var commands = map[string]func(*session, []string) error{
	"partner":      handler((*partnerCommands).cmdPartner),
	"lend":         handler((*requestCommands).cmdLend),
	"borrow":       handler((*requestCommands).cmdBorrow),
	"list":         handler((*requestCommands).cmdList),
	"show":         handler((*requestCommands).cmdShow),
	"holdings":     handler((*requestCommands).cmdHoldings),
	"patron":       handler((*requestCommands).cmdPatron),
	"pick":         handler((*requestCommands).cmdPick),
	"slip":         handler((*requestCommands).cmdSlip),
	"ship":         handler((*requestCommands).cmdShip),
	"reject":       handler((*requestCommands).cmdReject),
	"bad-citation": handler((*requestCommands).cmdBadCitation),
	"cancel":       handler((*requestCommands).cmdCancel),
	"receive":      handler((*requestCommands).cmdReceive),
	"scan":         handler((*requestCommands).cmdScan),
	"holiday":      handler((*configCommands).cmdHoliday),
	"config":       handler((*configCommands).cmdConfig),
	"undo":         handler((*requestCommands).cmdUndo),
	"notices":      handler((*configCommands).cmdNotices),
	"mail":         handler((*configCommands).cmdMail),
	"import":       handler((*partnerCommands).cmdImport),
	"outbox":       handler((*partnerCommands).cmdOutbox),
	"ils":          handler((*partnerCommands).cmdILS),
	"serve":        handler((*partnerCommands).cmdServe),
	"audit":        handler((*staffCommands).cmdAudit),
	"operator":     handler((*staffCommands).cmdOperator),
	"stats":        handler((*staffCommands).cmdStats),
	"seed":         handler((*dataCommands).cmdSeed),
	"check":        handler((*dataCommands).cmdCheck),
	"backup":       handler((*dataCommands).cmdBackup),
	"restore":      handler((*dataCommands).cmdRestore),
	"migrate":      handler((*dataCommands).cmdMigrate),
	"loadtest":     handler((*dataCommands).cmdLoadtest),
	"link":         handler((*requestCommands).cmdLink),
	"quarantine":   handler((*partnerCommands).cmdQuarantine),
	"loan":         handler((*requestCommands).cmdLoan),
	"recall":       handler((*requestCommands).cmdRecall),
	"renew-answer": handler((*requestCommands).cmdRenewAnswer),
	// borrowing from lenders over ISO 18626
	"renew":          handler((*requestCommands).cmdRenew),
	"status-request": handler((*requestCommands).cmdStatusRequest),
	"resend":         handler((*requestCommands).cmdResend),
	"close":          handler((*requestCommands).cmdClose),
	"attach-copy":    handler((*requestCommands).cmdAttachCopy),
}

// The command handlers, grouped by what they work on; each group is the
// session seen through its commands, so that no one type holds them all.
type (
	// requestCommands create, list, show and move requests along.
	requestCommands struct{ *session }
	// partnerCommands keep the partners and exchange ISO 18626 messages with them.
	partnerCommands struct{ *session }
	// configCommands set the desk up: settings, holidays, notices and mail.
	configCommands struct{ *session }
	// dataCommands look after the database itself: backups, migration, checks, demo data, the load test.
	dataCommands struct{ *session }
	// staffCommands manage operators and report on the desk: audit trail and statistics.
	staffCommands struct{ *session }
)

// commandGroup is any of the groups of command handlers above.
type commandGroup interface {
	requestCommands | partnerCommands | configCommands | dataCommands | staffCommands
}

// handler turns a group's command method into an entry of commands.
func handler[G commandGroup](h func(*G, []string) error) func(*session, []string) error {
	return func(s *session, args []string) error { return h(&G{s}, args) }
}

// defaultOperator is the name history records when staff give none: the
// user signed in to the system.
func defaultOperator() string {
	if u, err := user.Current(); err == nil {
		return operatorName(u.Username)
	}
	return "staff"
}

// operatorName is the sign-in name as staff know it: Windows gives it as
// DOMAIN\name (LIBRARY\ana), of which history and the top bar show the name.
func operatorName(username string) string {
	if i := strings.LastIndexByte(username, '\\'); i >= 0 {
		username = username[i+1:]
	}
	if username = strings.TrimSpace(username); username == "" {
		return "staff"
	}
	return username
}

// open opens the database (unless the demo already did) and builds the desk.
func (s *session) open() error {
	if s.desk != nil {
		return nil
	}
	if s.held != nil {
		s.useHeld()
		return nil
	}
	if s.dbPath == "" {
		p, err := bolt.DefaultPath()
		if err != nil {
			return fmt.Errorf("no database path: %w; give one with --db", err)
		}
		s.dbPath = p
	}
	var store domain.Store
	var files *vault.Vault
	var err error
	work := filepath.Join(filepath.Dir(s.dbPath), "work")
	if postgres.IsURL(s.dbPath) {
		if store, files, work, err = s.openDepartment(); err != nil {
			return err
		}
	} else {
		db, err := bolt.Open(s.dbPath)
		if err != nil {
			return err
		}
		removeStaleSocket(s.dbPath) // this process holds the database now
		if files, err = vault.Open(db, bolt.VaultDirFor(s.dbPath)); err != nil {
			db.Close()
			return err
		}
		s.changes = &countingStore{Store: db}
		store, s.db = s.changes, db
	}
	clock := s.clock
	if clock == nil {
		clock = domain.ClockFunc(time.Now)
	}
	printer := s.printer
	if printer == nil {
		printer = systemPrinter()
	}
	desk, err := domain.OpenDesk(domain.Config{Store: store, Vault: files, Preflight: preflight.New(), Clock: clock,
		Documents: pdfdoc.Documents{}, WorkDir: work, Folders: folder.OS{},
		Mailers:   func(ms domain.MailSettings) domain.Mailer { return mail.For(ms, filepath.Join(work, "outbox")) },
		Transport: isohttp.NewClient(), Codec: iso18626.Codec{}, Secrets: keyring.Secrets{Getenv: s.getenv},
		NewToken: linkToken, RetryBackoff: retryBackoff(s.getenv),
		Fetcher:    isohttp.NewClient(),
		Catalogues: func(cs domain.CatalogueSettings) (domain.Catalogue, error) { return sru.New(cs) },
		Resolver:   openurl.Checker{},
		Printer:    printer,
		ILS:        func(ns domain.NCIPSettings) (domain.ILS, error) { return ncip.New(ns) },
		FileSenders: func(ms domain.MailSettings) domain.FileSender {
			return mail.Files{Settings: ms, OutboxDir: filepath.Join(work, "outbox")}
		}})
	if err != nil {
		store.Close()
		return err
	}
	s.store, s.desk = store, desk
	return nil
}

// openDepartment opens the department database on PostgreSQL that --db
// names, and the folder of shipped files every workstation shares
// (--vault or ILLDESK_VAULT). The work folder (slips, combined scans, the
// mail outbox) stays on this workstation.
func (s *session) openDepartment() (domain.Store, *vault.Vault, string, error) {
	dir := s.vaultDir
	if dir == "" {
		dir = s.getenv("ILLDESK_VAULT")
	}
	if dir == "" {
		return nil, nil, "", &domain.Refusal{Kind: domain.ErrInvalidInput, Msg: "With a department database, give the shared folder " +
			"that keeps the shipped PDFs for every workstation: --vault PATH, or ILLDESK_VAULT."}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, nil, "", fmt.Errorf("no folder for this workstation's work files: %w", err)
	}
	pg, err := postgres.Open(context.Background(), s.dbPath)
	if err != nil {
		return nil, nil, "", err
	}
	files, err := vault.Open(pg, dir)
	if err != nil {
		pg.Close()
		return nil, nil, "", err
	}
	s.pg = pg
	return pg, files, filepath.Join(cache, "illdesk", "work"), nil
}

// actor is who acts in this session, and where.
func (s *session) actor() domain.Actor {
	return domain.Actor{Operator: s.operator, Station: s.station}
}

func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (s *session) printf(format string, args ...any) {
	fmt.Fprintf(s.stdout, format, args...)
}
