package domain

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Role is what an operator may do at the desk. The library's procedure
// names three: Requests Operator, Circulation Desk Operator and Fulfillment
// Services Operator.
type Role string

// The roles of resource-sharing staff.
const (
	// RoleRequests works the requests: every lending action (pick, ship,
	// reject, bad citation, cancel) and borrowing create, receive and cancel.
	RoleRequests Role = "requests"
	// RoleCirculation scans at circulation and pickup desks: hold shelf,
	// checkout and checkin.
	RoleCirculation Role = "circulation"
	// RoleFulfillment manages partners, settings and operators, completes
	// borrowing requests at the RS desk and undoes other operators' changes.
	RoleFulfillment Role = "fulfillment"
)

// AllRoles lists the roles in the order staff read them.
func AllRoles() []Role { return []Role{RoleRequests, RoleCirculation, RoleFulfillment} }

// Label is the role's name as staff know it.
func (r Role) Label() string {
	switch r {
	case RoleRequests:
		return "Requests Operator"
	case RoleCirculation:
		return "Circulation Desk Operator"
	case RoleFulfillment:
		return "Fulfillment Services Operator"
	}
	return string(r)
}

// ParseRole reads a role name as typed: requests, circulation or fulfillment.
func ParseRole(s string) (Role, error) {
	switch Role(strings.ToLower(strings.TrimSpace(s))) {
	case RoleRequests:
		return RoleRequests, nil
	case RoleCirculation:
		return RoleCirculation, nil
	case RoleFulfillment:
		return RoleFulfillment, nil
	}
	return "", refuse(ErrInvalidInput, "%q is not a role: use requests, circulation or fulfillment.", strings.TrimSpace(s))
}

// ParseRoles reads a comma-separated list of roles, e.g. "requests,circulation".
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		r, err := ParseRole(part)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RoleFor is the role an action on a request needs: circulation for the
// scans at a pickup desk (hold shelf, checkout, checkin), fulfillment for
// completing a borrowing request at the RS desk, requests for the rest.
func RoleFor(a Action) Role {
	switch a {
	case ActHoldShelf, ActCheckout, ActCheckin:
		return RoleCirculation
	case ActComplete:
		return RoleFulfillment
	case ActCreate, ActPick, ActPickArrived, ActShip, ActReject, ActBadCitation, ActCancel, ActReceive:
		return RoleRequests
	case ActLoanToPartner, ActLoanReturned:
		return RoleRequests
	}
	return RoleFulfillment
}

// doing names an action as the subject of a sentence: "Shipping needs …".
func doing(a Action) string {
	switch a {
	case ActCreate:
		return "Creating a request"
	case ActPick:
		return "Creating a pick request"
	case ActPickArrived:
		return "Recording the arrival of a picked item"
	case ActShip:
		return "Shipping"
	case ActReject:
		return "Rejecting a request"
	case ActBadCitation:
		return "Returning a bad citation"
	case ActCancel:
		return "Cancelling a request"
	case ActReceive:
		return "Receiving an item"
	case ActHoldShelf:
		return "Putting an item on the hold shelf"
	case ActCheckout:
		return "Checking out an item"
	case ActCheckin:
		return "Checking in an item"
	case ActComplete:
		return "Completing a borrowing request"
	case ActLoanToPartner:
		return "Lending a book to a partner"
	case ActLoanReturned:
		return "Checking in a book back from a partner"
	}
	return "“" + a.Label() + "”"
}

var (
	// ErrNotAllowed means the operator acting (or nobody, when no one is
	// signed in) may not make this change: a role or the desk is missing.
	ErrNotAllowed = errors.New("not allowed")
	// ErrSignInFailed means the operator's name or PIN is not right.
	ErrSignInFailed = errors.New("sign-in failed")
	// ErrOperatorExists means an operator with that name is already set up.
	ErrOperatorExists = errors.New("operator already exists")
	// ErrOperatorNotFound means no operator has the name given.
	ErrOperatorNotFound = errors.New("operator not found")
)

// Operator is a member of staff who signs in at a workstation.
type Operator struct {
	Name  string `json:"name"`
	Roles []Role `json:"roles"`
	// Desks are the stations the operator may work at, written like
	// Station.String() (rs, pickup:NAME, digitization:NAME); empty means all.
	Desks []string `json:"desks,omitempty"`
	// PINHash is the salted PBKDF2-SHA256 hash of the operator's PIN, ""
	// when the operator has none. It is never written out as JSON.
	PINHash string `json:"-"`
}

// Has reports whether the operator holds the role.
func (o Operator) Has(r Role) bool { return slices.Contains(o.Roles, r) }

// HasPIN reports whether signing in as the operator needs a PIN.
func (o Operator) HasPIN() bool { return o.PINHash != "" }

// AllowedAt reports whether the operator may work at the station.
func (o Operator) AllowedAt(at Station) bool {
	if len(o.Desks) == 0 {
		return true
	}
	for _, d := range o.Desks {
		if st, err := ParseStation(d); err == nil && st.Same(at) {
			return true
		}
	}
	return false
}

// RoleLabels lists the operator's roles as staff read them.
func (o Operator) RoleLabels() string {
	var ls []string
	for _, r := range o.Roles {
		ls = append(ls, r.Label())
	}
	return strings.Join(ls, ", ")
}

// OperatorKey is what an operator is stored and found under: the name
// without case or surrounding space, so that names differing only in case
// are one operator.
func OperatorKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// loadOperators reads every operator in tx, ordered by name.
func loadOperators(tx Tx) ([]Operator, error) {
	var out []Operator
	err := tx.ForEachOperator(func(o Operator) error {
		out = append(out, o)
		return nil
	})
	return out, err
}

func findOperator(ops []Operator, name string) (Operator, bool) {
	key := OperatorKey(name)
	for _, o := range ops {
		if OperatorKey(o.Name) == key {
			return o, true
		}
	}
	return Operator{}, false
}

// ---- PINs ----

const pinScheme = "pbkdf2-sha256"

// pinIterations is the PBKDF2 work factor for new PINs (OWASP's advice for
// PBKDF2-HMAC-SHA256); each hash records its own, so it can be raised later.
// Tests lower it.
var pinIterations = 600_000

// PIN length limits.
const (
	minPINLen = 4
	maxPINLen = 64
)

// hashPIN hashes a PIN with a fresh random 16-byte salt:
// pbkdf2-sha256$ITERATIONS$SALT$KEY, salt and key in unpadded base64.
func hashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, sha256.Size)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", pinScheme, pinIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// pinMatches reports whether pin is the one hash was made from, comparing
// in constant time. A malformed hash matches nothing.
func pinMatches(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != pinScheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// decoyHash is checked against when the name given at sign-in is unknown,
// so that an unknown name takes as long to refuse as a wrong PIN.
var decoyHash = sync.OnceValue(func() string {
	h, _ := hashPIN("decoy PIN, matches nothing typed")
	return h
})

// ---- managing operators ----

// OperatorInput is what a new operator is made from.
type OperatorInput struct {
	Name  string
	Roles []Role
	// Desks are the stations the operator may work at (rs, pickup:NAME,
	// digitization:NAME); empty means every desk.
	Desks []string
	// PIN is optional; when given it has 4 to 64 characters and only its
	// salted hash is kept.
	PIN string
}

// reservedNames are the actors the desk itself records in the history.
var reservedNames = []string{"staff", noticeActor, "ISO 18626"}

func checkOperatorInput(in OperatorInput) (Operator, error) {
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return Operator{}, refuse(ErrInvalidInput, "An operator needs a name.")
	case utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, unicode.IsControl):
		return Operator{}, refuse(ErrInvalidInput, "The operator name %q must be 1–64 characters without control characters.", name)
	case slices.ContainsFunc(reservedNames, func(r string) bool { return strings.EqualFold(r, name) }):
		return Operator{}, refuse(ErrInvalidInput, "%q is the name ILL Desk records its own work under; choose another operator name.", name)
	case len(in.Roles) == 0:
		return Operator{}, refuse(ErrInvalidInput, "Give %s at least one role: requests, circulation or fulfillment.", name)
	case in.PIN != "" && (utf8.RuneCountInString(in.PIN) < minPINLen || utf8.RuneCountInString(in.PIN) > maxPINLen):
		return Operator{}, refuse(ErrInvalidInput, "A PIN must have %d to %d characters.", minPINLen, maxPINLen)
	}
	o := Operator{Name: name}
	for _, r := range in.Roles {
		r, err := ParseRole(string(r))
		if err != nil {
			return Operator{}, err
		}
		if !o.Has(r) {
			o.Roles = append(o.Roles, r)
		}
	}
	slices.SortFunc(o.Roles, func(a, b Role) int { return slices.Index(AllRoles(), a) - slices.Index(AllRoles(), b) })
	var desks []Station
	for _, s := range in.Desks {
		if strings.TrimSpace(s) == "" {
			continue
		}
		st, err := ParseStation(s)
		if err != nil {
			return Operator{}, err
		}
		if !slices.ContainsFunc(desks, st.Same) {
			desks = append(desks, st)
			o.Desks = append(o.Desks, st.String())
		}
	}
	return o, nil
}

// allowTx is allow inside the caller's transaction.
func allowTx(tx Tx, by Actor, need Role, what string) error {
	ops, err := loadOperators(tx)
	if err != nil {
		return err
	}
	return authorize(ops, by, need, what)
}

// authorize decides with the operators given; none means single-user.
func authorize(ops []Operator, by Actor, need Role, what string) error {
	if len(ops) == 0 {
		return nil
	}
	needs := "a signed-in operator"
	if need != "" {
		needs = "the " + need.Label() + " role"
	}
	name := strings.TrimSpace(by.Operator)
	o, ok := findOperator(ops, name)
	switch {
	case name == "":
		return refuse(ErrNotAllowed, "Nobody is signed in: %s needs %s. Sign in first.", lowerFirst(what), needs)
	case !ok:
		return refuse(ErrNotAllowed, "%s is not an operator at this workstation: %s needs %s. Sign in first.", name, lowerFirst(what), needs)
	case !o.AllowedAt(by.Station):
		return deskRefusal(o, by.Station)
	case need != "" && !o.Has(need):
		return refuse(ErrNotAllowed, "%s needs the %s role; ask a %s to give it to you.", what, need.Label(), RoleFulfillment.Label())
	}
	return nil
}

func deskRefusal(o Operator, at Station) *Refusal {
	return refuse(ErrNotAllowed, "%s is not allowed to work at %s; %s works at %s.", o.Name, at.String(), o.Name, strings.Join(o.Desks, ", "))
}

// allowUndo checks who may undo a request's last change: the operator who
// made it needs that change's role; anyone else (or a change a partner or
// ILL Desk made) needs the Fulfillment Services role.
func allowUndo(tx Tx, by Actor, last Event) error {
	own := strings.TrimSpace(by.Operator) != "" && strings.EqualFold(strings.TrimSpace(last.Actor), strings.TrimSpace(by.Operator)) &&
		last.Desk != "interop" && last.Desk != "mail"
	if own {
		return allowTx(tx, by, RoleFor(last.Action), "Undoing “"+last.Action.Label()+"”")
	}
	return allowTx(tx, by, RoleFulfillment, "Undoing another operator's change")
}

// actorOf is the actor given to a method whose actor may be left out
// (single-user callers); left out, it is nobody, which is refused once
// operators are set up.
func actorOf(by []Actor) Actor {
	if len(by) > 0 {
		return by[0]
	}
	return Actor{}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
