package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

// runEnv runs one command line against c's database with the environment
// vars and no --operator unless args give one. windowOperator receives the
// operator the window would be opened for.
func runEnv(c *cli, vars map[string]string, args ...string) (code int, stdout, stderr string, windowOperator *string) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"--db", c.db}, args...), env{
		stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return vars[k] },
		clock:  domain.ClockFunc(func() time.Time { return c.clock }),
		openWindow: func(s *session) error {
			op := s.operator
			windowOperator = &op
			return nil
		},
	})
	return code, out.String(), errOut.String(), windowOperator
}

// okEnv runs a command that must succeed and returns its stdout.
func okEnv(c *cli, vars map[string]string, args ...string) string {
	c.t.Helper()
	code, out, errOut, _ := runEnv(c, vars, args...)
	require.Equal(c.t, 0, code, "illdesk %v: %s", args, errOut)
	return out
}

// refusedEnv runs a command that must be refused (exit 1) and returns its stderr.
func refusedEnv(c *cli, vars map[string]string, args ...string) string {
	c.t.Helper()
	code, out, errOut, _ := runEnv(c, vars, args...)
	require.Equal(c.t, 1, code, "illdesk %v should be refused; stdout %s", args, out)
	return errOut
}

func pin(p string) map[string]string { return map[string]string{"ILLDESK_PIN": p} }

func TestOperatorCommands(t *testing.T) {
	c := newCLI(t)
	assert.Contains(t, okEnv(c, nil, "operator", "list"), "single-user")
	assert.Equal(t, "[]\n", okEnv(c, nil, "operator", "list", "--json"))

	// the first operator must be a Fulfillment Services Operator
	assert.Contains(t, refusedEnv(c, pin("2468"), "operator", "add", "rita", "--roles", "requests"), "Fulfillment Services Operator")
	out := okEnv(c, pin("2468"), "operator", "add", "Fay", "--roles", "fulfillment,requests")
	assert.Equal(t, "Added operator Fay (Requests Operator, Fulfillment Services Operator), at every desk, with a PIN.\n", out)

	// from now on operators are managed by a signed-in fulfillment operator
	assert.Contains(t, refusedEnv(c, pin("2468"), "operator", "add", "rita", "--roles", "requests"), "Nobody is signed in")
	assert.Contains(t, refusedEnv(c, pin("0000"), "--operator", "fay", "operator", "add", "rita", "--roles", "requests"), "Unknown operator or wrong PIN")
	out = okEnv(c, map[string]string{"ILLDESK_PIN": "2468", "ILLDESK_NEW_PIN": "1357"},
		"--operator", "fay", "operator", "add", "rita", "--roles", "requests", "--desks", "rs,pickup:Main Library")
	assert.Equal(t, "Added operator rita (Requests Operator), at rs, pickup:Main Library, with a PIN.\n", out)
	// the signed-in operator's own PIN is never given to the new one
	out = okEnv(c, pin("2468"), "--operator", "fay", "operator", "add", "cora", "--roles", "circulation")
	assert.Contains(t, out, "without a PIN")

	// listing is open to all and never shows PIN hashes
	js := okEnv(c, nil, "operator", "list", "--json")
	assert.NotContains(t, js, "pbkdf2")
	assert.NotContains(t, js, "hash")
	var views []operatorView
	require.NoError(t, json.Unmarshal([]byte(js), &views))
	assert.Equal(t, []operatorView{
		{Name: "cora", Roles: []domain.Role{domain.RoleCirculation}, Desks: []string{}},
		{Name: "Fay", Roles: []domain.Role{domain.RoleRequests, domain.RoleFulfillment}, Desks: []string{}, HasPIN: true},
		{Name: "rita", Roles: []domain.Role{domain.RoleRequests}, Desks: []string{"rs", "pickup:Main Library"}, HasPIN: true},
	}, views)
	text := okEnv(c, nil, "operator", "list")
	assert.Regexp(t, `(?m)^rita\s+requests\s+rs, pickup:Main Library\s+yes$`, text)
	assert.Regexp(t, `(?m)^cora\s+circulation\s+all\s+no$`, text)
	assert.NotContains(t, text, "pbkdf2")

	// removing
	assert.Contains(t, refusedEnv(c, pin("1357"), "--operator", "rita", "operator", "remove", "cora"),
		"Managing operators needs the Fulfillment Services Operator role")
	assert.Equal(t, "Removed operator cora.\n", okEnv(c, pin("2468"), "--operator", "fay", "operator", "remove", "cora"))
	assert.Contains(t, refusedEnv(c, pin("2468"), "--operator", "fay", "operator", "remove", "fay"), "last Fulfillment Services Operator")
	assert.Contains(t, refusedEnv(c, pin("2468"), "--operator", "fay", "operator", "remove", "nobody"), "No operator is named")

	// command line mistakes exit 2
	for _, args := range [][]string{
		{"operator"}, {"operator", "add", "x"}, {"operator", "add", "x", "--roles", "boss"}, {"operator", "remove"}, {"operator", "frobnicate"},
	} {
		code, _, _, _ := runEnv(c, pin("2468"), append([]string{"--operator", "fay"}, args...)...)
		assert.Equal(t, 2, code, "%v", args)
	}
}

func TestRefusedCommandChangesNothing(t *testing.T) {
	c := newCLI(t)
	setupLending(c) // single-user, as "tester"
	okEnv(c, pin("2468"), "operator", "add", "fay", "--roles", "fulfillment")
	okEnv(c, map[string]string{"ILLDESK_PIN": "2468", "ILLDESK_NEW_PIN": "1357"},
		"--operator", "fay", "operator", "add", "rita", "--roles", "requests", "--desks", "rs")

	before := okEnv(c, nil, "show", "--json", "12345678")
	reject := []string{"reject", "12345678", "--reason", "NotHeld"}
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"nobody signed in", nil, reject,
			"Nobody is signed in: rejecting a request needs the Requests Operator role. Sign in first. Give --operator NAME, with the PIN in ILLDESK_PIN."},
		{"an operator without the role", pin("2468"), append([]string{"--operator", "fay"}, reject...),
			"Rejecting a request needs the Requests Operator role; ask a Fulfillment Services Operator to give it to you."},
		{"a wrong PIN", pin("2468"), append([]string{"--operator", "rita"}, reject...), "Unknown operator or wrong PIN"},
		{"no PIN", nil, append([]string{"--operator", "rita"}, reject...), "Unknown operator or wrong PIN"},
		{"an unknown operator", pin("1357"), append([]string{"--operator", "tester"}, reject...), "Unknown operator or wrong PIN"},
		{"a desk not allowed", pin("1357"), append([]string{"--operator", "rita", "--desk", "pickup:Science Library"}, reject...),
			"rita is not allowed to work at pickup:Science Library"},
		{"a setting", pin("1357"), []string{"--operator", "rita", "config", "set", "public-url", "https://ill.example.edu"},
			"needs the Fulfillment Services Operator role"},
		{"a partner", pin("1357"), []string{"--operator", "rita", "partner", "add", "NEW", "--name", "New"},
			"Adding a partner needs the Fulfillment Services Operator role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errOut := refusedEnv(c, tc.vars, tc.args...)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, before, okEnv(c, nil, "show", "--json", "12345678"), "a refused command changes nothing")
		})
	}
	// looking needs no sign-in
	okEnv(c, nil, "config", "show", "--json")
	okEnv(c, nil, "list")
	okEnv(c, nil, "partner", "list")

	out := okEnv(c, pin("1357"), append([]string{"--operator", "RITA"}, reject...)...)
	assert.Contains(t, out, "Rejected")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(okEnv(c, nil, "show", "--json", "12345678")), &v))
	hist := v["history"].([]any)
	last := hist[len(hist)-1].(map[string]any)
	assert.Equal(t, "rita", last["actor"], "the operator's own spelling is recorded")
}

func TestOperatorFlagWithoutOperatorsIsUnchanged(t *testing.T) {
	c := newCLI(t)
	okEnv(c, pin("9999"), "--operator", "someone", "partner", "add", "RAPID", "--name", "RapidILL")
	id := strings.TrimSpace(okEnv(c, nil, "--operator", "ana", "lend", "new", "--partner", "RAPID", "--external-id", "R-1", "--title", "T"))
	okEnv(c, nil, "--operator", "ben", "--desk", "pickup:Main Library", "reject", id, "--reason", "NotHeld")
	v := c.show(id)
	hist := v["history"].([]any)
	assert.Equal(t, "ana", hist[0].(map[string]any)["actor"])
	assert.Equal(t, "ben", hist[1].(map[string]any)["actor"])
	assert.Equal(t, "pickup:Main Library", hist[1].(map[string]any)["desk"])

	code, _, _, op := runEnv(c, nil, "--operator", "ana")
	require.Equal(t, 0, code)
	require.NotNil(t, op)
	assert.Equal(t, "ana", *op, "the window opens for the name given")
}

func TestWindowSignIn(t *testing.T) {
	c := newCLI(t)
	okEnv(c, pin("2468"), "operator", "add", "fay", "--roles", "fulfillment", "--desks", "rs")

	code, _, errOut, op := runEnv(c, pin("0000"), "--operator", "fay")
	assert.Equal(t, 1, code)
	assert.Nil(t, op, "no window after a failed sign-in")
	assert.Contains(t, errOut, "Unknown operator or wrong PIN")

	code, _, errOut, op = runEnv(c, pin("2468"), "--operator", "fay", "--desk", "pickup:Main Library")
	assert.Equal(t, 1, code)
	assert.Nil(t, op)
	assert.Contains(t, errOut, "fay is not allowed to work at pickup:Main Library")

	code, _, _, op = runEnv(c, pin("2468"), "--operator", "FAY")
	require.Equal(t, 0, code)
	require.NotNil(t, op)
	assert.Equal(t, "fay", *op)

	code, _, _, op = runEnv(c, nil)
	require.Equal(t, 0, code)
	require.NotNil(t, op)
	assert.Empty(t, *op, "without --operator nobody is signed in; the window asks")
}
