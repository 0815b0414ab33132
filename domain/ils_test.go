package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
		{KeyNCIPTimeout, "3s", "3s", true},
		{KeyNCIPTimeout, "-1s", "", false},
		{KeyNCIPTimeout, "soon", "", false},
		{KeyNCIPSteps, " Checkout, accept,checkout ", "checkout,accept", true},
		{KeyNCIPSteps, "", "", true},
		{KeyNCIPSteps, "accept,Delete", "accept,delete", true},
		{KeyNCIPSteps, "remove", "", false},
		{KeyNCIPUnreachable, "Refuse", "refuse", true},
		{KeyNCIPUnreachable, " Queue", "queue", true},
		{KeyNCIPUnreachable, "wait", "", false},
		{KeyNCIPPickupCodes, "Main Library=MAIN, Branch=BR", "Main Library=MAIN, Branch=BR", true},
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

func TestNCIPStepsAndPickupCodes(t *testing.T) {
	n := NCIPSettings{Steps: "accept,checkin", PickupCodes: "Main Library=MAIN"}
	assert.False(t, n.Step(StepAccept), "no step calls the ILS without its address")
	n.URL = "https://ils.example.edu/ncip"
	assert.True(t, n.Step(StepAccept))
	assert.False(t, n.Step(StepCheckout))
	assert.Equal(t, "MAIN", n.PickupCode("main library "))
	assert.Equal(t, "Branch", n.PickupCode("Branch"))
	assert.Empty(t, NCIPSettings{URL: n.URL}.StepList(), "blank ncip-steps names no step")
}

func TestNCIPTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 5 * time.Second, "3s": 3 * time.Second, "junk": 5 * time.Second} {
		if got := (NCIPSettings{Timeout: in}).CallTimeout(); got != want {
			t.Errorf("timeout %q = %s, want %s", in, got, want)
		}
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
