package domain

import "strings"

// StationKind is the kind of place a workstation stands at.
type StationKind string

// The kinds of station: the resource-sharing desk, a pickup (circulation)
// desk, or a digitization department.
const (
	StationRS           StationKind = "rs"
	StationPickup       StationKind = "pickup"
	StationDigitization StationKind = "digitization"
)

// Station is where a workstation stands; scans are routed by it. Written as
// "rs", "pickup:NAME" or "digitization:NAME".
type Station struct {
	Kind StationKind
	Name string
}

// RSDesk is the resource-sharing desk, the default station.
var RSDesk = Station{Kind: StationRS}

// ParseStation reads "rs", "pickup:NAME" or "digitization:NAME".
func ParseStation(s string) (Station, error) {
	s = strings.TrimSpace(s)
	kind, name, hasName := strings.Cut(s, ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	name = strings.TrimSpace(name)
	switch StationKind(kind) {
	case StationRS:
		if !hasName || name == "" {
			return RSDesk, nil
		}
	case StationPickup, StationDigitization:
		if name != "" {
			return Station{Kind: StationKind(kind), Name: name}, nil
		}
	}
	return Station{}, refuse(ErrInvalidStation, "%q is not a desk: use rs, pickup:LOCATION or digitization:NAME.", s)
}

// String writes the station the way ParseStation reads it.
func (s Station) String() string {
	if s.Kind == StationRS || s.Kind == "" {
		return string(StationRS)
	}
	return string(s.Kind) + ":" + s.Name
}

// Label is the station's name for staff.
func (s Station) Label() string {
	switch s.Kind {
	case StationPickup:
		return s.Name + " (pickup desk)"
	case StationDigitization:
		return s.Name + " (digitization)"
	}
	return "RS desk"
}

// Same reports whether two stations are the same place; names ignore letter case.
func (s Station) Same(o Station) bool {
	norm := func(k StationKind) StationKind {
		if k == "" {
			return StationRS
		}
		return k
	}
	return norm(s.Kind) == norm(o.Kind) && strings.EqualFold(s.Name, o.Name)
}
