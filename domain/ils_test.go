package domain

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestCheckNCIPSetting(t *testing.T) {
	for _, tc := range []struct {
		key, in, want string
		ok            bool
	}{
		{KeyNCIPURL, "https://ils.example.edu/ncip", "https://ils.example.edu/ncip", true},
		{KeyNCIPURL, "http://127.0.0.1:9000/ncip", "http://127.0.0.1:9000/ncip", true},
		{KeyNCIPURL, "http://ils.example.edu/ncip", "", false},
		{KeyNCIPURL, "https://ils.example.edu/ncip?apikey=x", "", false},
		{KeyNCIPURL, "ils", "", false},
		{KeyNCIPSteps, "accept, CHECKOUT,accept", "accept,checkout", true},
		{KeyNCIPSteps, "none", "none", true},
		{KeyNCIPSteps, "accept,renew", "", false},
		{KeyNCIPUnreachable, "Queue", "queue", true},
		{KeyNCIPUnreachable, "wait", "", false},
		{KeyNCIPTimeout, "3s", "3s", true},
		{KeyNCIPTimeout, "-1s", "", false},
		{KeyNCIPTimeout, "soon", "", false},
		{KeyNCIPPickupCodes, "Main Library=MAIN, Science=SCI", "Main Library=MAIN, Science=SCI", true},
		{KeyNCIPPickupCodes, "Main Library", "", false},
		{"ncip-colour", "x", "", false},
	} {
		got, err := checkNCIPSetting(tc.key, tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("%s %q = %q, %v; want %q", tc.key, tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s %q = %q, %v; want ErrInvalidInput", tc.key, tc.in, got, err)
		}
	}
}

func TestNCIPSettingsDefaults(t *testing.T) {
	var off NCIPSettings
	if off.StepList() != nil || off.UnreachablePolicy() != UnreachableRefuse || off.CallTimeout() != 5*time.Second {
		t.Errorf("defaults without an address: %v %s %s", off.StepList(), off.UnreachablePolicy(), off.CallTimeout())
	}
	on := NCIPSettings{URL: "https://ils.example.edu/ncip"}
	if !slices.Equal(on.StepList(), NCIPSteps) {
		t.Errorf("steps with an address = %v, want every step", on.StepList())
	}
	on.Steps = "accept,delete"
	if !on.Step(StepAccept) || on.Step(StepCheckout) {
		t.Errorf("steps accept,delete: accept %v checkout %v", on.Step(StepAccept), on.Step(StepCheckout))
	}
	on.Steps = "none"
	if on.StepList() != nil {
		t.Errorf("steps none = %v", on.StepList())
	}
	on.PickupCodes = "Main Library=MAIN"
	if on.PickupCode("main library") != "MAIN" || on.PickupCode("Annex") != "Annex" {
		t.Errorf("pickup codes: %q %q", on.PickupCode("main library"), on.PickupCode("Annex"))
	}
}

func TestILSRefusalWordForWord(t *testing.T) {
	err := error(&ILSRefusal{Call: "CheckOutItem", Problems: []ILSProblem{
		{Type: "User Blocked", Detail: "Fines over limit", Element: "UserIdentifierValue", Value: "P200"},
		{Type: "Unknown Item"}}})
	if !errors.Is(err, ErrILSRefused) {
		t.Error("a refusal does not match ErrILSRefused")
	}
	want := "CheckOutItem: User Blocked: Fines over limit (UserIdentifierValue P200); Unknown Item"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}
