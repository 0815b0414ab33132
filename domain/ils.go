package domain

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ILS is the library's own circulation system, reached over NCIP: the
// patrons, the temporary items of borrowed books and the loans of ours.
// A refusal of the ILS is an *ILSRefusal (wrapping ErrILSRefused); a
// failure to reach it wraps ErrILSUnreachable.
type ILS interface {
	LookupUser(ctx context.Context, patronID string) (ILSUser, error)
	// AcceptItem creates the temporary item of a borrowed book and its
	// hold for the patron.
	AcceptItem(ctx context.Context, a ILSAccept) error
	CheckOutItem(ctx context.Context, patronID, itemBarcode, requestID string) error
	CheckInItem(ctx context.Context, itemBarcode string) error
	DeleteItem(ctx context.Context, itemBarcode string) error
	LookupItem(ctx context.Context, itemBarcode string) (ILSItem, error)
	// Where names the ILS for staff: its address.
	Where() string
}

// ILSUser is a patron as the ILS knows them. Problems are the ILS's own
// words: the blocks on the record, or why it was not found.
type ILSUser struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Blocked  bool     `json:"blocked"`
	Problems []string `json:"problems"`
}

// ILSItem is an item as the ILS knows it.
type ILSItem struct {
	Barcode string `json:"barcode"`
	Title   string `json:"title"`
	Author  string `json:"author"`
}

// ILSAccept is what AcceptItem tells the ILS of a borrowed book.
type ILSAccept struct {
	RequestID, ItemBarcode, PatronID, Title, Author string
	// PickupLocation is the ILS's code of the pickup desk.
	PickupLocation string
}

// ILSProblem is one NCIP Problem, as the ILS wrote it.
type ILSProblem struct {
	Type, Detail, Element, Value string
}

// String is the problem word for word: type, then detail, element and
// value where given.
func (p ILSProblem) String() string {
	s := p.Type
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	var at []string
	if p.Element != "" {
		at = append(at, p.Element)
	}
	if p.Value != "" {
		at = append(at, p.Value)
	}
	if len(at) > 0 {
		s += " (" + strings.Join(at, " ") + ")"
	}
	return s
}

// ILSRefusal is the ILS's answer of Problems to one call.
type ILSRefusal struct {
	Call     string
	Problems []ILSProblem
}

func (r *ILSRefusal) Error() string {
	var ps []string
	for _, p := range r.Problems {
		ps = append(ps, p.String())
	}
	return r.Call + ": " + strings.Join(ps, "; ")
}

// Unwrap makes a refusal match ErrILSRefused.
func (r *ILSRefusal) Unwrap() error { return ErrILSRefused }

// Sentinels of the ILS.
var (
	// ErrILSRefused means the ILS answered with Problems.
	ErrILSRefused = errors.New("the ILS refused")
	// ErrILSUnreachable means the ILS could not be reached or did not
	// answer as an NCIP responder.
	ErrILSUnreachable = errors.New("the ILS could not be reached")
)

// ILS setting keys, as the command line names them.
const (
	KeyNCIPURL         = "ncip-url"
	KeyNCIPFromAgency  = "ncip-from-agency"
	KeyNCIPToAgency    = "ncip-to-agency"
	KeyNCIPProfile     = "ncip-profile"
	KeyNCIPTimeout     = "ncip-timeout"
	KeyNCIPSteps       = "ncip-steps"
	KeyNCIPUnreachable = "ncip-unreachable"
	KeyNCIPPickupCodes = "ncip-pickup-codes"
	// KeyPatronNotices says who sends the ready-for-pickup notice of a
	// borrowed book: ILL Desk (ours) or the ILS (ils).
	KeyPatronNotices = "patron-notices"
)

// NCIPKeys are the ILS settings in the order they are shown.
var NCIPKeys = []string{KeyNCIPURL, KeyNCIPFromAgency, KeyNCIPToAgency, KeyNCIPProfile, KeyNCIPSteps,
	KeyNCIPUnreachable, KeyNCIPTimeout, KeyNCIPPickupCodes, KeyPatronNotices}

// NCIP steps: which borrowing actions call the ILS.
const (
	StepAccept   = "accept"
	StepCheckout = "checkout"
	StepCheckin  = "checkin"
	// StepDelete deletes the temporary item when it leaves us: its call
	// always goes through the dispatcher's queue, after the change.
	StepDelete = "delete"
)

// NCIP steps of the books we lend: the book checked out to the partner's
// ILL patron record and back in, and the item looked up when scanned.
const (
	StepLendCheckout = "lend-checkout"
	StepLendCheckin  = "lend-checkin"
	StepLookupItem   = "lookup-item"
)

// NCIPSteps are every step, in the order they are named.
var NCIPSteps = []string{StepAccept, StepCheckout, StepCheckin, StepDelete, StepLendCheckout, StepLendCheckin, StepLookupItem}

// NCIPLendingSteps are the steps of the books we lend; the others are
// the borrowing steps.
var NCIPLendingSteps = []string{StepLendCheckout, StepLendCheckin, StepLookupItem}

// Policies for an ILS that cannot be reached during a step that calls it.
const (
	// UnreachableRefuse refuses the step: nothing changes (the default).
	UnreachableRefuse = "refuse"
	// UnreachableQueue lets the step go ahead and queues its call, in the
	// same transaction, for the dispatcher to send when the ILS answers.
	UnreachableQueue = "queue"
)

// UnreachablePolicies are the values ncip-unreachable takes, the first
// the default.
var UnreachablePolicies = []string{UnreachableRefuse, UnreachableQueue}

// Who sends the ready-for-pickup notice (patron-notices).
const (
	// NoticesOurs: ILL Desk emails the patron when the book is on the hold shelf.
	NoticesOurs = "ours"
	// NoticesILS: the ILS notifies the patron of the hold AcceptItem placed.
	NoticesILS = "ils"
)

// SecretNCIPKey is the keyring entry of the ILS's API key.
const SecretNCIPKey = "ncip:api-key"

// DefaultNCIPTimeout bounds one call to the ILS.
const DefaultNCIPTimeout = 5 * time.Second

// NCIPSettings say how the ILS is reached and which steps call it.
type NCIPSettings struct {
	URL         string `json:"ncip_url"`
	FromAgency  string `json:"ncip_from_agency"`
	ToAgency    string `json:"ncip_to_agency"`
	Profile     string `json:"ncip_profile"`
	Timeout     string `json:"ncip_timeout"`
	Steps       string `json:"ncip_steps"`
	Unreachable string `json:"ncip_unreachable"`
	PickupCodes string `json:"ncip_pickup_codes"`
	// PatronNotices is patron-notices as set, "" for the default.
	PatronNotices string `json:"patron_notices"`
	// APIKey is the key sent to the ILS, from the keyring; never stored
	// or audited.
	APIKey string `json:"-"`
}

// Get is the value of an ILS setting by its command-line name, as shown:
// blanks show their defaults.
func (n NCIPSettings) Get(key string) string {
	switch key {
	case KeyNCIPURL:
		return n.URL
	case KeyNCIPFromAgency:
		return n.FromAgency
	case KeyNCIPToAgency:
		return n.ToAgency
	case KeyNCIPProfile:
		return n.Profile
	case KeyNCIPTimeout:
		return n.CallTimeout().String()
	case KeyNCIPSteps:
		return strings.Join(n.StepList(), ",")
	case KeyNCIPUnreachable:
		return n.UnreachablePolicy()
	case KeyNCIPPickupCodes:
		return n.PickupCodes
	case KeyPatronNotices:
		return n.Notices()
	}
	return ""
}

// Notices is who sends the ready-for-pickup notice: patron-notices as set,
// else the ILS when the accept step places the hold, else ILL Desk.
func (n NCIPSettings) Notices() string {
	if n.PatronNotices != "" {
		return n.PatronNotices
	}
	if n.Step(StepAccept) {
		return NoticesILS
	}
	return NoticesOurs
}

func (n *NCIPSettings) set(key, v string) {
	switch key {
	case KeyNCIPURL:
		n.URL = v
	case KeyNCIPFromAgency:
		n.FromAgency = v
	case KeyNCIPToAgency:
		n.ToAgency = v
	case KeyNCIPProfile:
		n.Profile = v
	case KeyNCIPTimeout:
		n.Timeout = v
	case KeyNCIPSteps:
		n.Steps = v
	case KeyNCIPUnreachable:
		n.Unreachable = v
	case KeyNCIPPickupCodes:
		n.PickupCodes = v
	case KeyPatronNotices:
		n.PatronNotices = v
	}
}

// IsNCIPSetting reports whether key names an ILS setting.
func IsNCIPSetting(key string) bool { return slices.Contains(NCIPKeys, key) }

// StepList are the steps named by ncip-steps; none when it is blank.
func (n NCIPSettings) StepList() []string {
	var out []string
	for _, s := range strings.Split(n.Steps, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Step reports whether the named step calls the ILS: an NCIP address is
// set and ncip-steps names it.
func (n NCIPSettings) Step(name string) bool {
	return n.URL != "" && slices.Contains(n.StepList(), name)
}

// UnreachablePolicy is ncip-unreachable: refuse (the default) or queue.
func (n NCIPSettings) UnreachablePolicy() string {
	if n.Unreachable == UnreachableQueue {
		return UnreachableQueue
	}
	return UnreachableRefuse
}

// PickupCode is the ILS's code for a pickup location's name: from
// ncip-pickup-codes, else the name itself.
func (n NCIPSettings) PickupCode(name string) string {
	codes, _ := parsePickupCodes(n.PickupCodes)
	if c, ok := codes[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c
	}
	return name
}

// parsePickupCodes reads "Main Library=MAIN,…", names matched without case.
func parsePickupCodes(s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, pair := range strings.Split(s, ",") {
		name, code, ok := strings.Cut(pair, "=")
		name, code = strings.TrimSpace(name), strings.TrimSpace(code)
		if !ok || name == "" || code == "" {
			return nil, refuse(ErrInvalidInput, "ncip-pickup-codes takes NAME=CODE pairs separated by commas, e.g. 'Main Library=MAIN'; %q is not one.", strings.TrimSpace(pair))
		}
		out[strings.ToLower(name)] = code
	}
	return out, nil
}

// PickupCode is one pair of ncip-pickup-codes: a pickup location's name
// and the ILS's code for it.
type PickupCode struct{ Name, Code string }

// PickupCodeList is ncip-pickup-codes as pairs, in the order written; a
// pair that is not NAME=CODE is left out (a stored value has none).
func PickupCodeList(s string) []PickupCode {
	var out []PickupCode
	for _, pair := range strings.Split(s, ",") {
		name, code, ok := strings.Cut(pair, "=")
		if name, code = strings.TrimSpace(name), strings.TrimSpace(code); ok && name != "" && code != "" {
			out = append(out, PickupCode{Name: name, Code: code})
		}
	}
	return out
}

// JoinPickupCodes writes pairs as ncip-pickup-codes, so that staff give
// names and codes without its syntax. Blank pairs are left out; a name
// without a code (or the reverse), or one holding "," or "=", is refused.
func JoinPickupCodes(pairs []PickupCode) (string, error) {
	var out []string
	for _, p := range pairs {
		name, code := strings.TrimSpace(p.Name), strings.TrimSpace(p.Code)
		switch {
		case name == "" && code == "":
			continue
		case name == "" || code == "":
			return "", refuse(ErrInvalidInput, "Each pickup location needs both its name and the ILS's code (%q, %q).", name, code)
		case strings.ContainsAny(name+code, ",="):
			return "", refuse(ErrInvalidInput, "A pickup location's name or code cannot hold a comma or an equals sign (%q, %q).", name, code)
		}
		out = append(out, name+"="+code)
	}
	return strings.Join(out, ","), nil
}

// CallTimeout bounds one call to the ILS: ncip-timeout, else 5 s.
func (n NCIPSettings) CallTimeout() time.Duration {
	if d, err := time.ParseDuration(n.Timeout); err == nil && d > 0 {
		return d
	}
	return DefaultNCIPTimeout
}

// checkNCIPSetting refuses an ILS setting that cannot work, returning the
// value as it is kept.
func checkNCIPSetting(key, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch key {
	case KeyNCIPURL:
		if v == "" {
			return "", nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", refuse(ErrInvalidInput, "ncip-url takes an http:// or https:// address, e.g. https://ils.example.edu/ncip.")
		}
		if u.User != nil || u.RawQuery != "" {
			return "", refuse(ErrInvalidInput, "ncip-url cannot carry a password or a key: set the API key with config set ncip-api-key-stdin.")
		}
		if plainHTTP(v) {
			return "", refuse(ErrInvalidInput, "ncip-url %s is plain http to another computer: give its https:// address "+
				"(plain http:// is allowed only on this computer: localhost, 127.0.0.1, ::1).", u.Redacted())
		}
	case KeyNCIPFromAgency, KeyNCIPToAgency, KeyNCIPProfile:
	case KeyNCIPSteps:
		var steps []string
		for _, s := range strings.Split(v, ",") {
			s = strings.ToLower(strings.TrimSpace(s))
			if s == "" {
				continue
			}
			if !slices.Contains(NCIPSteps, s) {
				return "", refuse(ErrInvalidInput, "ncip-steps takes steps separated by commas, among %s; %q is not one.",
					strings.Join(NCIPSteps, ", "), s)
			}
			if !slices.Contains(steps, s) {
				steps = append(steps, s)
			}
		}
		v = strings.Join(steps, ",")
	case KeyNCIPUnreachable:
		v = strings.ToLower(v)
		if v != "" && !slices.Contains(UnreachablePolicies, v) {
			return "", refuse(ErrInvalidInput, "ncip-unreachable takes refuse (the step is refused while the ILS does not answer) "+
				"or queue (the step goes ahead and its call is sent when the ILS answers).")
		}
	case KeyNCIPPickupCodes:
		if _, err := parsePickupCodes(v); err != nil {
			return "", err
		}
	case KeyPatronNotices:
		v = strings.ToLower(v)
		if v != "" && v != NoticesOurs && v != NoticesILS {
			return "", refuse(ErrInvalidInput, "patron-notices takes ours (ILL Desk emails the patron) or ils (the ILS notifies the patron of its hold).")
		}
	case KeyNCIPTimeout:
		if v == "" {
			return "", nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 2*time.Minute {
			return "", refuse(ErrInvalidInput, "ncip-timeout takes a duration up to 2m, e.g. 5s.")
		}
	default:
		return "", refuse(ErrInvalidInput, "%q is not an ILS setting.", key)
	}
	return v, nil
}

// ncipGroup is how the ILS settings are kept (the API key is not among
// them: it is in the keyring).
var ncipGroup = settingGroup[NCIPSettings]{
	keys: NCIPKeys, area: "ils", task: "Changing the ILS settings",
	check: checkNCIPSetting,
	set:   (*NCIPSettings).set,
}

func ncipSettings(tx Tx) (NCIPSettings, error) { return ncipGroup.read(tx) }

// NCIPSettings reads how the ILS is reached (without its API key).
func (d *ILSService) NCIPSettings() (NCIPSettings, error) { return ncipGroup.view(d.core) }

// SetNCIPSetting checks and sets one ILS setting by its command-line name
// (ncip-url, ncip-steps, …); "" clears it. It is a Fulfillment Services
// Operator's task, audited like every setting.
func (d *ILSService) SetNCIPSetting(key, value string, by ...Actor) error {
	return ncipGroup.put(d.core, key, value, by)
}

// SetNCIPKey keeps the ILS's API key in the system keyring; "" removes
// it. The key is never stored in the database or audited, only that it
// changed.
func (d *ILSService) SetNCIPKey(key string, by Actor) error {
	if err := d.allow(by, RoleFulfillment, "Changing the ILS settings"); err != nil {
		return err
	}
	if d.secrets == nil {
		return refuse(ErrInvalidInput, "This desk has no keyring to keep the ILS key in.")
	}
	if err := d.secrets.Set(SecretNCIPKey, strings.TrimSpace(key)); err != nil {
		return fmt.Errorf("keeping the ILS key in the keyring: %w", err)
	}
	return d.store.Update(func(tx Tx) error {
		return d.auditConfig(tx, by, "ils", map[string]string{"ncip_api_key": "(unchanged)"},
			map[string]string{"ncip_api_key": "(changed)"})
	})
}

// ILSService reaches the library's ILS over NCIP: patron lookups, the
// test of the connection, the calls of the borrowing steps and their
// queue. It keeps the settings (and the API key) that say how.
type ILSService struct {
	*core
	ils     func(NCIPSettings) (ILS, error)
	secrets SecretStore
	// callBackoff is the wait after a queued call's first failed try; 0
	// means DefaultRetryBackoff.
	callBackoff time.Duration
}

// current is the ILS as the settings now say (with the API key from the
// keyring), nil when no NCIP address is set.
func (d *ILSService) current() (ILS, NCIPSettings, error) {
	set, err := d.NCIPSettings()
	if err != nil || set.URL == "" || d.ils == nil {
		return nil, set, err
	}
	if d.secrets != nil {
		set.APIKey, _ = d.secrets.Get(SecretNCIPKey)
	}
	ils, err := d.ils(set)
	return ils, set, err
}

// ILSOn reports whether an NCIP address is set.
func (d *ILSService) ILSOn() bool {
	ils, _, _ := d.current()
	return ils != nil
}

// LookUpPatron asks the ILS for a patron, outside any transaction, with
// the call timeout. An unknown patron is an *ILSRefusal with the ILS's
// words; a blocked one is returned with Blocked and the blocks in Problems.
func (d *ILSService) LookUpPatron(ctx context.Context, patronID string) (ILSUser, error) {
	patronID = strings.TrimSpace(patronID)
	if patronID == "" {
		return ILSUser{}, refuse(ErrInvalidInput, "Give the patron's id or barcode.")
	}
	ils, set, err := d.current()
	if err != nil {
		return ILSUser{}, err
	}
	if ils == nil {
		return ILSUser{}, refuse(ErrInvalidInput, "No ILS is set: set its NCIP address first (config set ncip-url URL).")
	}
	ctx, cancel := context.WithTimeout(ctx, set.CallTimeout())
	defer cancel()
	u, err := ils.LookupUser(ctx, patronID)
	if err != nil {
		return ILSUser{}, err
	}
	if u.ID == "" {
		u.ID = patronID
	}
	return u, nil
}

// ncipProbe is the patron id the connection is tested with: any
// well-formed NCIP answer, a Problem included, shows the ILS answered.
const ncipProbe = "illdesk-connection-test"

// TestILS asks the ILS one LookupUser and reports whether it answered as
// an NCIP responder; the error says why not, wrapping ErrILSUnreachable.
func (d *ILSService) TestILS(ctx context.Context) (string, error) {
	ils, set, err := d.current()
	if err != nil {
		return "", err
	}
	if ils == nil {
		return "", refuse(ErrInvalidInput, "No ILS is set: config set ncip-url URL.")
	}
	ctx, cancel := context.WithTimeout(ctx, set.CallTimeout())
	defer cancel()
	_, err = ils.LookupUser(ctx, ncipProbe)
	var refusal *ILSRefusal
	if err != nil && !errors.As(err, &refusal) {
		return "", fmt.Errorf("The ILS at %s did not answer as expected: %w", ils.Where(), err)
	}
	return fmt.Sprintf("The ILS at %s answered a LookupUser.", ils.Where()), nil
}

// ErrPatronBlocked means the ILS has a block on the patron's record.
var ErrPatronBlocked = errors.New("the patron is blocked in the ILS")

// FillPatron looks a new borrowing request's patron up in the ILS, when
// one is set and the request names a patron id: the name and email the
// ILS knows fill those left blank. An unknown patron is refused with the
// ILS's words; a blocked one wrapping ErrPatronBlocked, unless
// allowBlocked. Without an ILS or a patron id it changes nothing.
func (d *ILSService) FillPatron(ctx context.Context, in *BorrowingInput, allowBlocked bool) error {
	if strings.TrimSpace(in.PatronID) == "" || !d.ILSOn() {
		return nil
	}
	u, err := d.LookUpPatron(ctx, in.PatronID)
	if err != nil {
		return err
	}
	if u.Blocked && !allowBlocked {
		return refuse(ErrPatronBlocked, "The ILS has a block on patron %s: %s.", in.PatronID, strings.Join(u.Problems, "; "))
	}
	if strings.TrimSpace(in.Requester) == "" {
		in.Requester = u.Name
	}
	if strings.TrimSpace(in.RequesterEmail) == "" {
		in.RequesterEmail = u.Email
	}
	return nil
}
