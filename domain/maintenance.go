package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// MaintenanceService looks after the database as a whole: it checks (and
// repairs) it against the vault of shipped files, imports the history of
// another system, seeds demonstration data, and keeps how many daily
// backups are kept.
type MaintenanceService struct {
	*core
	// vault is checked against the shipped requests.
	vault Vault
}

// Check verifies every invariant the desk relies on:
//   - each shipped request has its vault file with the recorded size and SHA-256;
//   - the indexes (external identifiers, active barcodes) and the summaries match the requests;
//   - active barcodes are unique;
//   - each history is a chain of legal transitions ending in the current state;
//   - outgoing messages, file deliveries and patron notices belong to existing requests;
//   - the vault holds no file that no request recorded.
//
// With repair it rebuilds the indexes and summaries from the requests and
// removes orphan vault files (a Fulfillment Services Operator's task), then
// checks again; what it cannot repair stays in Problems.
func (d *MaintenanceService) Check(repair bool, by Actor) (CheckReport, error) {
	if repair {
		if err := d.allow(by, RoleFulfillment, "Repairing the database"); err != nil {
			return CheckReport{}, err
		}
	}
	rep, err := d.check()
	if err != nil || !repair || rep.Sound() {
		return rep, err
	}
	var fixed []Problem
	reindex := false
	for _, p := range rep.Problems {
		switch {
		case !p.Repairable:
		case p.Kind == ProblemVaultOrphan:
			if err := d.vault.Remove(p.File); err != nil {
				return rep, err
			}
			fixed = append(fixed, p)
		case p.Kind == ProblemIndex:
			reindex = true
			fixed = append(fixed, p)
		}
	}
	if reindex {
		if err := d.store.Update(func(tx Tx) error { return tx.Reindex() }); err != nil {
			return rep, err
		}
	}
	again, err := d.check()
	again.Repaired = fixed
	return again, err
}

// check gathers the problems in one read transaction, then verifies the vault.
func (d *MaintenanceService) check() (CheckReport, error) {
	var rep CheckReport
	var shipped []Request
	recorded := map[string]bool{} // vault names that requests recorded
	err := d.store.View(func(tx Tx) error {
		if err := tx.Verify(); err != nil {
			rep.Problems = append(rep.Problems, Problem{Kind: ProblemDamaged,
				Detail: fmt.Sprintf("The database file is damaged (%v). Restore the latest backup with illdesk restore FILE.", err)})
		}
		ids := map[string]Request{}
		barcodes := map[string][]string{}
		if err := tx.ForEachRequest(func(r Request) error {
			rep.Requests++
			ids[r.ID] = r
			if bc := r.ActiveBarcode(); bc != "" {
				barcodes[bc] = append(barcodes[bc], r.ID)
			}
			if r.ShippedFile != nil {
				recorded[r.ShippedFile.Name] = true
			}
			if r.State == ShippedDigitally {
				shipped = append(shipped, r)
			}
			rep.Problems = append(rep.Problems, historyProblems(r)...)
			return nil
		}); err != nil {
			return err
		}
		duplicated := map[string]bool{}
		for _, code := range sortedKeys(barcodes) {
			if owners := barcodes[code]; len(owners) > 1 {
				duplicated[code] = true
				rep.Problems = append(rep.Problems, Problem{Kind: ProblemBarcodeDuplicate, RequestID: owners[0],
					Detail: fmt.Sprintf("Barcode %s is active on %d requests (%s); finish or correct all but one of them.", code, len(owners), strings.Join(owners, ", "))})
			}
		}
		idx, err := indexProblems(tx, ids, duplicated)
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, idx...)
		orphans, err := orphanRecords(tx, ids)
		rep.Problems = append(rep.Problems, orphans...)
		return err
	})
	if err != nil {
		return rep, err
	}
	vp, files, err := d.vaultProblems(shipped, recorded)
	rep.VaultFiles = files
	rep.Problems = append(rep.Problems, vp...)
	return rep, err
}

// vaultProblems verifies each shipped request's file and lists the vault
// files no request recorded; it returns how many files the vault holds.
func (d *MaintenanceService) vaultProblems(shipped []Request, recorded map[string]bool) ([]Problem, int, error) {
	if d.vault == nil {
		return nil, 0, nil
	}
	var out []Problem
	for _, r := range shipped {
		f := r.ShippedFile
		if f == nil {
			if !shippedElsewhere(r) {
				out = append(out, Problem{Kind: ProblemNoFileRecorded, RequestID: r.ID,
					Detail: fmt.Sprintf("%s was shipped at this desk but no file is recorded for it.", r.Ref())})
			}
			continue
		}
		size, sum, err := d.vault.Verify(f.Name)
		switch {
		case err != nil:
			out = append(out, Problem{Kind: ProblemVaultMissing, RequestID: r.ID, File: f.Name,
				Detail: fmt.Sprintf("The file “%s” shipped for %s cannot be read from the vault: %v. Restore it from a backup of the vault.", f.Name, r.Ref(), err)})
		case size != f.Bytes || !strings.EqualFold(sum, f.SHA256):
			out = append(out, Problem{Kind: ProblemVaultMismatch, RequestID: r.ID, File: f.Name,
				Detail: fmt.Sprintf("The file “%s” shipped for %s is %d bytes with SHA-256 %s, but %d bytes with %s were shipped. Restore it from a backup of the vault.", f.Name, r.Ref(), size, sum, f.Bytes, f.SHA256)})
		}
	}
	files, err := d.vault.Files()
	if err != nil {
		return out, 0, err
	}
	for _, name := range files {
		if !recorded[name] {
			out = append(out, Problem{Kind: ProblemVaultOrphan, Repairable: true, File: name,
				Detail: fmt.Sprintf("The vault file “%s” belongs to no request (left by an interrupted shipment). Run illdesk check --repair to remove it.", name)})
		}
	}
	return out, len(files), nil
}

// ImportHistory stores past requests read from a CSV history file (columns
// above). Every line is checked first; when any is bad nothing is stored and
// the *Refusal (ErrInvalidInput) lists the bad lines, which the result's
// Problems also holds. A good file is stored in one transaction. Importing
// history needs the Fulfillment Services role.
func (d *MaintenanceService) ImportHistory(r io.Reader, by Actor) (HistoryResult, error) {
	if err := d.allow(by, RoleFulfillment, "Importing history"); err != nil {
		return HistoryResult{}, err
	}
	// read once: a store may run the transaction again after a conflict
	rows, fileProblems, err := d.readHistory(r)
	if err != nil {
		return HistoryResult{}, err
	}
	var res HistoryResult
	err = d.store.Update(func(tx Tx) error {
		res = HistoryResult{}
		if err := allowTx(tx, by, RoleFulfillment, "Importing history"); err != nil {
			return err
		}
		problems := append(slices.Clone(fileProblems), d.checkHistoryInStore(tx, rows)...)
		if len(problems) > 0 {
			slices.SortStableFunc(problems, func(a, b HistoryProblem) int { return a.Line - b.Line })
			res.Problems = problems
			return historyRefusal(problems)
		}
		if len(rows) == 0 {
			return refuse(ErrInvalidInput, "The history file has no requests below its header row; nothing was imported.")
		}
		for _, row := range rows {
			rq, err := d.historyRequest(tx, row)
			if err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
			if err := tx.PutRequest(rq); err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
			markCreated(tx, rq)
			res.Imported++
			if rq.State == Created {
				res.Open++
			} else {
				res.Closed++
			}
		}
		return nil
	})
	if err != nil {
		if res.Problems == nil {
			return HistoryResult{}, err
		}
		return HistoryResult{Problems: res.Problems}, err
	}
	return res, nil
}

// readHistory parses and checks the file on its own (partners and the
// database are checked by checkHistoryInStore). A file that cannot be read
// as CSV at all is an error; bad lines are problems.
func (d *MaintenanceService) readHistory(in io.Reader) ([]historyRow, []HistoryProblem, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var problems []HistoryProblem
	add := func(line int, format string, args ...any) {
		problems = append(problems, HistoryProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, refuse(ErrInvalidInput, "The history file is empty: it needs a header row naming its columns (%s).", strings.Join(historyRequired, ", "))
	}
	if err != nil {
		return nil, nil, csvRefusal(err)
	}
	col := map[string]int{}
	var unknown []string
	for i, h := range header {
		name := normColumn(h)
		switch {
		case name == "":
			add(1, "Column %d has no name in the header row.", i+1)
		case !slices.Contains(historyRequired, name) && !slices.Contains(historyOptional, name):
			unknown = append(unknown, fmt.Sprintf("%q", strings.TrimSpace(h)))
		default:
			if _, dup := col[name]; dup {
				add(1, "The column %q appears twice in the header row.", name)
				continue
			}
			col[name] = i
		}
	}
	if len(unknown) > 0 {
		word := "column"
		if len(unknown) > 1 {
			word = "columns"
		}
		add(1, "Unknown %s %s: the columns are %s (optional: %s).", word, strings.Join(unknown, ", "),
			strings.Join(historyRequired, ", "), strings.Join(historyOptional, ", "))
	}
	var missing []string
	for _, c := range historyRequired {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		add(1, "The header row lacks the required %s %s.", map[bool]string{true: "column", false: "columns"}[len(missing) == 1], strings.Join(missing, ", "))
		return nil, problems, nil // the lines cannot be read without them
	}

	now := d.clock.Now()
	loc := d.Calendar().location()
	var rows []historyRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.StartLine, "The line cannot be read as CSV (%v); the rest of the file was not checked.", pe.Err)
				break
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			add(line, "The line has %d fields but the header row names %d columns.", len(rec), len(header))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		before := len(problems)
		bad := func(format string, args ...any) { add(line, format, args...) }
		row := historyRow{line: line}
		rq := &row.r

		side, err := ParseSide(get("side"))
		if err != nil {
			bad("%q is not a side: use lending or borrowing.", get("side"))
		}
		rq.Side = side
		rq.ExternalID = get("external_id")
		switch {
		case len(rq.ExternalID) > 128 || strings.ContainsFunc(rq.ExternalID, func(r rune) bool { return r < ' ' }):
			bad("The external id %q is too long or contains control characters.", rq.ExternalID)
		case rq.ExternalID == "" && side == Lending:
			bad("A lending request needs the partner's request number in external_id.")
		}
		rq.Partner = get("partner")
		if rq.Partner == "" {
			bad("The partner is missing: give the code of a partner set up in ILL Desk.")
		}
		rq.Title = get("title")
		if rq.Title == "" {
			bad("The title is missing.")
		}
		created, okCreated := historyTime(get("created"), loc, "created", bad)
		if okCreated && get("created") == "" {
			bad("The created date is missing.")
			okCreated = false
		}
		if okCreated && created.After(now) {
			bad("The created date %s is in the future.", get("created"))
		}
		rq.Created = created
		closed, okClosed := historyTime(get("closed"), loc, "closed", bad)
		if okClosed && !closed.IsZero() && closed.After(now) {
			bad("The closed date %s is in the future.", get("closed"))
		}
		row.closed = closed

		fs := get("final_state")
		if fs != "" {
			st := State(strings.ToLower(fs))
			if side != "" && (!slices.Contains(States(side), st) || !st.Final(side)) {
				bad("%q is not a final state of a %s request: use %s, or leave final_state empty for an open request.", fs, side, finalList(side))
			} else if side != "" {
				row.final = st
			}
		}
		switch {
		case fs != "" && get("closed") == "":
			bad("The request ended as %s but its closed date is missing.", fs)
		case fs == "" && get("closed") != "":
			bad("The request has a closed date but no final_state: give the state it ended in.")
		}
		if okCreated && okClosed && !closed.IsZero() && closed.Before(created) {
			bad("The request was closed (%s) before it was created (%s).", get("closed"), get("created"))
		}
		reason := get("reason")
		switch {
		case row.final == Rejected:
			rs, err := ParseReason(reason)
			if err != nil {
				if reason == "" {
					bad("A rejected request needs its ISO 18626 reason in the reason column: one of %s.", reasonList())
				} else {
					bad("%q is not a reject reason: use one of %s.", reason, reasonList())
				}
			}
			rq.RejectReason = rs
		case reason != "" && fs == "":
			bad("The request is open but gives a reason (%q): a reason belongs to a closed request.", reason)
		default:
			row.reasonN = reason
		}
		rq.Requester = get("requester")
		rq.Pickup = get("pickup")
		rq.Pages = get("pages")
		rq.InternalNote = get("note")
		if len(problems) == before {
			rows = append(rows, row)
		}
	}
	return rows, problems, nil
}

// checkHistoryInStore checks what needs the database: that partners exist
// and that no external id repeats for a partner, in the file or stored.
func (d *MaintenanceService) checkHistoryInStore(tx Tx, rows []historyRow) []HistoryProblem {
	var problems []HistoryProblem
	add := func(line int, format string, args ...any) {
		problems = append(problems, HistoryProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{}
	type key struct{ partner, ext string }
	seen := map[key]int{}
	for _, row := range rows {
		p := row.r.Partner
		ok, checked := known[p]
		if !checked {
			_, err := tx.Partner(p)
			ok = err == nil
			known[p] = ok
		}
		if !ok {
			add(row.line, "No partner has the code %q: add the partner first (illdesk partner add).", p)
			continue
		}
		ext := row.r.ExternalID
		if ext == "" {
			continue
		}
		k := key{p, ext}
		if first, dup := seen[k]; dup {
			add(row.line, "Partner %s's request %s is already on line %d of this file.", p, ext, first)
			continue
		}
		seen[k] = row.line
		stored, err := tx.RequestsByExternalID(ext)
		if err != nil {
			add(row.line, "Cannot look up request %s: %v.", ext, err)
			continue
		}
		for _, s := range stored {
			if s.Partner == p {
				add(row.line, "Partner %s already has request %s in ILL Desk (%s, %s).", p, ext, s.Side, s.StatusLabel())
				break
			}
		}
	}
	return problems
}

// historyRequest builds the request of a checked line: a create event at its
// creation and, when closed, one event reaching its final state.
func (d *MaintenanceService) historyRequest(tx Tx, row historyRow) (Request, error) {
	p, err := partnerFor(tx, row.r.Partner)
	if err != nil {
		return Request{}, err
	}
	rq := row.r
	rq.ID = d.newID()
	rq.Partner = p.Code
	if rq.Side == Lending {
		// Borrowing requests carry no partner deadline, as NewBorrowing makes them.
		rq.Deadline = d.Calendar().AddBusinessHours(rq.Created, p.TurnaroundHours)
	}
	ev := Event{At: rq.Created, Actor: historyActor, Desk: historyDesk, Note: historyNote}
	if err := rq.Transition(ActCreate, ev); err != nil {
		return Request{}, err
	}
	if err := AssignNumber(tx, &rq); err != nil {
		return Request{}, err
	}
	if row.final == "" {
		return rq, nil
	}
	// The steps between creation and the end are not known, so the closing
	// event goes straight to the final state (a borrowing request reaches
	// completed without the receive, loan and return in between).
	note := historyNote
	if row.reasonN != "" {
		note += " (reason: " + row.reasonN + ")"
	}
	rq.History = append(rq.History, Event{At: row.closed, From: Created, To: row.final,
		Action: closingAction(rq.Side, row.final), Actor: historyActor, Desk: historyDesk, Note: note})
	rq.State = row.final
	return rq, nil
}

// Seed fills the database with n realistic requests of both sides — varied
// partners, states, dates over the last three years and citations — in
// large batched transactions (through the store's RequestLoader when it has
// one), for trying ILL Desk at department scale. The same seed gives the
// same requests. It returns how many were added.
func (d *MaintenanceService) Seed(n int, seed uint64, by Actor) (int, error) {
	if err := d.allow(by, RoleFulfillment, "Seeding the database"); err != nil {
		return 0, err
	}
	if n <= 0 || n > 10_000_000 {
		return 0, refuse(ErrInvalidInput, "Give a number of requests from 1 to 10,000,000.")
	}
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if err := d.store.Update(func(tx Tx) error {
		for _, p := range seedPartners {
			if _, err := tx.Partner(p.Code); err != nil {
				if err := tx.PutPartner(p); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	// number on from the requests already there, so seeding twice adds more
	var base int
	if err := d.store.View(func(tx Tx) error {
		var err error
		base, err = tx.RequestCount()
		return err
	}); err != nil {
		return 0, err
	}
	now := d.clock.Now()
	cal := d.Calendar()
	loader, bulk := d.loader()
	batch := 5000
	if bulk {
		batch = 50_000
	}
	added := 0
	for added < n {
		// made outside the transaction, which a store may run again
		rs := make([]Request, min(batch, n-added))
		for i := range rs {
			r, err := seedRequest(rnd, now, cal, base+added+i, d.newID())
			if err != nil {
				return added, err
			}
			rs[i] = r
		}
		var err error
		if bulk {
			err = loader.LoadRequests(rs)
		} else {
			err = d.store.Update(func(tx Tx) error {
				for _, r := range rs {
					if err := AssignNumber(tx, &r); err != nil {
						return err
					}
					if err := tx.PutRequest(r); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			return added, err
		}
		added += len(rs)
	}
	return added, nil
}

// BackupKeep is how many daily snapshots of the database are kept (the
// window makes one a day at start and deletes the oldest beyond this); 0
// means no daily snapshots are made. Unset or unreadable, it is
// DefaultBackupKeep.
func (d *MaintenanceService) BackupKeep() (int, error) {
	var v string
	err := d.store.View(func(tx Tx) error {
		var err error
		v, err = tx.Setting(SettingBackupKeep)
		return err
	})
	if err != nil || v == "" {
		return DefaultBackupKeep, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxBackupKeep {
		return DefaultBackupKeep, nil
	}
	return n, nil
}

// SetBackupKeep sets how many daily snapshots are kept, 0 to make none (a
// Fulfillment Services Operator's task); the change is audited.
func (d *MaintenanceService) SetBackupKeep(n int, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing how many backups are kept"); err != nil {
		return err
	}
	if n < 0 || n > MaxBackupKeep {
		return refuse(ErrInvalidInput, "The number of daily backups to keep must be from 0 (none) to %d, e.g. %d for two weeks.", MaxBackupKeep, DefaultBackupKeep)
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(SettingBackupKeep)
		if err != nil {
			return err
		}
		if before == "" {
			before = strconv.Itoa(DefaultBackupKeep)
		}
		if err := d.auditConfig(tx, actorOf(by), "backups", map[string]string{SettingBackupKeep: before},
			map[string]string{SettingBackupKeep: strconv.Itoa(n)}); err != nil {
			return err
		}
		return tx.PutSetting(SettingBackupKeep, strconv.Itoa(n))
	})
}

// loader is the store's RequestLoader, when it has one.
func (d *MaintenanceService) loader() (RequestLoader, bool) {
	l, ok := d.adapter().(RequestLoader)
	return l, ok
}
