package domain

import "strings"

// Reason is an ISO 18626 ReasonUnfilled code given when a lending request is rejected.
type Reason string

// The reject reasons offered to staff.
const (
	ReasonNotHeld            Reason = "NotHeld"
	ReasonNotOnShelf         Reason = "NotOnShelf"
	ReasonNotAvailableForILL Reason = "NotAvailableForILL"
	ReasonNonCirculating     Reason = "NonCirculating"
	ReasonPoorCondition      Reason = "PoorCondition"
	ReasonPolicyProblem      Reason = "PolicyProblem"
	ReasonOther              Reason = "Other"
)

// Reasons lists the reject reasons in the order staff see them.
func Reasons() []Reason {
	return []Reason{ReasonNotHeld, ReasonNotOnShelf, ReasonNotAvailableForILL,
		ReasonNonCirculating, ReasonPoorCondition, ReasonPolicyProblem, ReasonOther}
}

// Label is the reason in plain words.
func (r Reason) Label() string {
	switch r {
	case ReasonNotHeld:
		return "Not held"
	case ReasonNotOnShelf:
		return "Missing / not on shelf"
	case ReasonNotAvailableForILL:
		return "Not available for ILL (e.g. licence)"
	case ReasonNonCirculating:
		return "Non-circulating"
	case ReasonPoorCondition:
		return "Poor condition"
	case ReasonPolicyProblem:
		return "Policy problem"
	case ReasonOther:
		return "Other (explain in a note)"
	case ReasonUnspecified:
		return "No reason recorded"
	}
	return string(r)
}

// ParseReason accepts an ISO 18626 code in any letter case, or its label.
func ParseReason(s string) (Reason, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", refuse(ErrReasonRequired, "A reason is required to reject: choose one of %s.", reasonList())
	}
	for _, r := range Reasons() {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Label()) {
			return r, nil
		}
	}
	return "", refuse(ErrUnknownReason, "%q is not a reject reason: choose one of %s.", s, reasonList())
}

func reasonList() string {
	var names []string
	for _, r := range Reasons() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
