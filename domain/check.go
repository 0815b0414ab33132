package domain

import (
	"fmt"
	"slices"
)

// ProblemKind names one kind of broken invariant that Check finds.
type ProblemKind string

// The invariants Check verifies, one kind of problem each.
const (
	// ProblemVaultMissing: a shipped request's file is not in the vault.
	ProblemVaultMissing ProblemKind = "vault_file_missing"
	// ProblemVaultMismatch: the file is there but its size or SHA-256 differs from the record.
	ProblemVaultMismatch ProblemKind = "vault_file_changed"
	// ProblemNoFileRecorded: a request shipped at this desk has no file recorded.
	ProblemNoFileRecorded ProblemKind = "shipped_without_file"
	// ProblemVaultOrphan: a file in the vault belongs to no request (a crash
	// between storing a scan and recording the shipment leaves one).
	ProblemVaultOrphan ProblemKind = "vault_file_orphan"
	// ProblemIndex: an index entry is missing, points to a missing request
	// or to one it does not describe, or a summary differs from its request.
	ProblemIndex ProblemKind = "index"
	// ProblemBarcodeDuplicate: two active requests share a barcode.
	ProblemBarcodeDuplicate ProblemKind = "barcode_duplicate"
	// ProblemHistory: the history is not a chain of legal transitions ending in the current state.
	ProblemHistory ProblemKind = "history"
	// ProblemOrphanRecord: an outgoing message, file delivery, ILS call or
	// patron notice belongs to no request.
	ProblemOrphanRecord ProblemKind = "orphan_record"
	// ProblemDamaged: the database file's own structure is damaged.
	ProblemDamaged ProblemKind = "database_damaged"
)

// Problem is one broken invariant.
type Problem struct {
	Kind      ProblemKind `json:"kind"`
	RequestID string      `json:"request_id,omitempty"`
	// File is the vault file the problem is about, if any.
	File string `json:"file,omitempty"`
	// Detail is a sentence for staff.
	Detail string `json:"detail"`
	// Repairable is true when Check with repair fixes it without losing
	// anything: indexes and summaries are rebuilt from the requests, orphan
	// vault files are removed.
	Repairable bool `json:"repairable"`
}

// CheckReport is what Check found, and what it repaired.
type CheckReport struct {
	Requests   int       `json:"requests"`
	VaultFiles int       `json:"vault_files"`
	Problems   []Problem `json:"problems"`
	Repaired   []Problem `json:"repaired,omitempty"`
}

// Sound reports whether no problem is left.
func (c CheckReport) Sound() bool { return len(c.Problems) == 0 }

// IndexEntry is one entry of a store's lookup index, as Tx.IndexEntries
// reports it: an active barcode, or a partner's external identifier.
type IndexEntry struct {
	// Index is IndexBarcode or IndexExternal.
	Index      string
	Barcode    string
	ExternalID string
	Partner    string
	RequestID  string
}

// The indexes a store keeps.
const (
	IndexBarcode  = "barcode"
	IndexExternal = "external"
)

// SettingVaultInUse is set once the vault holds a shipped file, so that a
// vault folder gone missing is noticed rather than made again empty.
const SettingVaultInUse = "vault_in_use"

// seedActor records the events of requests made by Seed; like imported
// history, they went through no desk and their shipments carry no file.
const seedActor = "seed"

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// historyProblems replays a request's history from nothing: every event must
// start where the last ended and be a legal move (imported and seeded
// closing events excepted), and the last must end in the current state.
func historyProblems(r Request) []Problem {
	bad := func(format string, args ...any) []Problem {
		return []Problem{{Kind: ProblemHistory, RequestID: r.ID, Detail: fmt.Sprintf("The history of %s ", r.Ref()) + fmt.Sprintf(format, args...)}}
	}
	if len(r.History) == 0 {
		return bad("is empty; a request always has its creation event.")
	}
	replay := Request{ID: r.ID, ExternalID: r.ExternalID, Side: r.Side}
	for i, ev := range r.History {
		switch {
		case ev.From != replay.State:
			return bad("breaks at entry %d (%s): it starts from “%s” but the request was “%s”.", i+1, ev.Action, ev.From, replay.State)
		case ev.From == ev.To && (ev.Action == ActNotice || ev.Action == ActMessage || ev.Action == ActLink):
			replay.History = append(replay.History, ev)
		case ev.Actor == historyActor && i > 0 && ev.To.Final(r.Side):
			// imported history: the steps between creation and the end are not known
			replay.State = ev.To
			replay.History = append(replay.History, ev)
		default:
			next := replay
			next.History = slices.Clone(replay.History)
			if err := next.Transition(ev.Action, ev); err != nil || next.State != ev.To {
				return bad("has an illegal entry %d: %s from “%s” to “%s”.", i+1, ev.Action, ev.From, ev.To)
			}
			replay = next
		}
	}
	if replay.State != r.State {
		return bad("ends in “%s” but the request is “%s”.", replay.State, r.State)
	}
	return nil
}

// indexProblems compares the store's index entries and summaries with the
// requests. A duplicated barcode can index only one of its requests; the
// duplicate is reported on its own.
func indexProblems(tx Tx, ids map[string]Request, duplicated map[string]bool) ([]Problem, error) {
	var out []Problem
	bad := func(id, format string, args ...any) {
		out = append(out, Problem{Kind: ProblemIndex, RequestID: id, Repairable: true,
			Detail: fmt.Sprintf(format, args...) + " Run illdesk check --repair to rebuild the indexes."})
	}
	seenBarcode := map[string]bool{}
	seenExternal := map[string]bool{}
	if err := tx.IndexEntries(func(e IndexEntry) error {
		r, ok := ids[e.RequestID]
		switch {
		case !ok:
			bad(e.RequestID, "The %s index points to request %s, which does not exist.", e.Index, e.RequestID)
		case e.Index == IndexBarcode && r.ActiveBarcode() != e.Barcode && !duplicated[e.Barcode]:
			bad(r.ID, "The barcode index sends %s to %s, whose active barcode is “%s”.", e.Barcode, r.Ref(), r.ActiveBarcode())
		case e.Index == IndexExternal && (r.ExternalID != e.ExternalID || r.Partner != e.Partner):
			bad(r.ID, "The external id index sends %s of %s to request %s, which is %s of %s.", e.ExternalID, e.Partner, r.ID, r.ExternalID, r.Partner)
		case e.Index == IndexBarcode:
			seenBarcode[r.ID] = true
		default:
			seenExternal[r.ID] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	summaries := map[string]Summary{}
	if err := tx.ForEachSummary(func(s Summary) error { summaries[s.ID] = s; return nil }); err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(ids) {
		r := ids[id]
		if bc := r.ActiveBarcode(); bc != "" && !seenBarcode[id] && !duplicated[bc] {
			bad(id, "Barcode %s of %s is not in the barcode index, so scanning it finds nothing.", r.ActiveBarcode(), r.Ref())
		}
		if r.ExternalID != "" && !seenExternal[id] {
			bad(id, "External id %s of %s is not in the index, so scanning it finds nothing.", r.ExternalID, r.Ref())
		}
		s, ok := summaries[id]
		if !ok {
			bad(id, "Request %s has no summary, so the list does not show it.", r.Ref())
		} else if !sameSummary(s, r.Summary()) {
			bad(id, "The list shows %s differently from how it is stored.", r.Ref())
		}
		delete(summaries, id)
	}
	for _, id := range sortedKeys(summaries) {
		bad(id, "The list shows request %s, which does not exist.", id)
	}
	return out, nil
}

// sameSummary compares summaries with times compared as instants (a store
// may keep them in another time zone).
func sameSummary(a, b Summary) bool {
	if !a.Created.Equal(b.Created) || !a.Deadline.Equal(b.Deadline) || !a.DueDate.Equal(b.DueDate) || !a.Since.Equal(b.Since) {
		return false
	}
	if !a.LenderDeadline.Equal(b.LenderDeadline) {
		return false
	}
	a.Created, a.Deadline, a.DueDate, a.Since, a.LenderDeadline = b.Created, b.Deadline, b.DueDate, b.Since, b.LenderDeadline
	return a == b
}

// orphanRecords lists the outgoing messages, file deliveries, ILS calls
// and patron notices whose request does not exist.
func orphanRecords(tx Tx, ids map[string]Request) ([]Problem, error) {
	var out []Problem
	orphan := func(what, id, requestID string) {
		if ids[requestID].ID == "" {
			out = append(out, Problem{Kind: ProblemOrphanRecord, RequestID: requestID,
				Detail: fmt.Sprintf("Outgoing %s %s belongs to no request (%q).", what, id, requestID)})
		}
	}
	if err := tx.ForEachOutboxMessage(func(m OutboxMessage) error {
		orphan("message", m.ID, m.RequestID)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := tx.ForEachDelivery(func(dl Delivery) error {
		orphan("file delivery", dl.ID, dl.RequestID)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := tx.ForEachILSCall(func(c ILSCall) error {
		orphan("ILS call", c.ID, c.RequestID)
		return nil
	}); err != nil {
		return nil, err
	}
	ns, err := tx.Notices()
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if ids[n.RequestID].ID == "" {
			out = append(out, Problem{Kind: ProblemOrphanRecord, RequestID: n.RequestID,
				Detail: fmt.Sprintf("Patron notice %s belongs to no request (%q).", n.ID, n.RequestID)})
		}
	}
	return out, nil
}

// shippedElsewhere reports whether a shipped request came from imported
// history or the seed, which record the shipment but keep no file.
func shippedElsewhere(r Request) bool {
	for _, ev := range r.History {
		if ev.To == ShippedDigitally && ev.From != ev.To {
			return ev.Actor == historyActor || ev.Actor == seedActor
		}
	}
	return false
}
