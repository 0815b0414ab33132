package domain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ActConfigure records a change to partners, settings or operators in the
// audit trail (it belongs to no request).
const ActConfigure Action = "configure"

// ConfigChange is one audited change of configuration: who, where, when,
// what, and each field before and after.
type ConfigChange struct {
	At       time.Time `json:"at"`
	Operator string    `json:"operator"`
	Desk     string    `json:"desk"`
	What     string    `json:"what"`
	Changes  []string  `json:"changes"`
}

// fieldChanges lists "field: old → new" for every field that differs.
func fieldChanges(before, after any) ([]string, error) {
	b, err := asFields(before)
	if err != nil {
		return nil, err
	}
	a, err := asFields(after)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		if b[k] != a[k] {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, show(b[k]), show(a[k])))
		}
	}
	return out, nil
}

func asFields(v any) (map[string]string, error) {
	out := map[string]string{}
	if v == nil {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, x := range m {
		if x == nil {
			continue
		}
		if s, ok := x.(string); ok {
			out[k] = s
			continue
		}
		j, _ := json.Marshal(x)
		out[k] = string(j)
	}
	return out, nil
}

func show(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// configAudit lists the audited configuration changes that pass the filter
// (a request reference selects none of them).
func configAudit(tx Tx, f AuditFilter) ([]AuditEntry, error) {
	if strings.TrimSpace(f.Ref) != "" || (f.Action != "" && f.Action != ActConfigure) {
		return nil, nil
	}
	var out []AuditEntry
	err := tx.ForEachConfigChange(func(c ConfigChange) error {
		e := AuditEntry{At: c.At, Ref: c.What, Action: ActConfigure, ActionLabel: ActConfigure.Label(),
			Operator: c.Operator, Desk: c.Desk, Note: strings.Join(c.Changes, "; ")}
		if p, ok := strings.CutPrefix(c.What, "partner "); ok {
			e.Partner = p
		}
		ev := Event{At: e.At, Actor: e.Operator, Action: e.Action}
		if f.match(ev) && (f.Partner == "" || strings.EqualFold(e.Partner, strings.TrimSpace(f.Partner))) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
