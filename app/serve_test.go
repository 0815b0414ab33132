package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/illdesk/illdesk/domain"
)

const partnerToken = "e2e-0123456789abcdef0123456789abcdef"

// runStdin is c.run with stdin as standard input.
func (c *cli) runStdin(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"--db", c.db, "--operator", "tester"}, args...), env{
		stdout: &out, stderr: &errOut, stdin: strings.NewReader(stdin),
		getenv: func(string) string { return "" },
		clock:  domain.ClockFunc(func() time.Time { return c.clock }),
	})
	return code, out.String(), errOut.String()
}

func TestPartnerInboundCredentials(t *testing.T) {
	c := newCLI(t)
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "OCLC:RAPID")
	c.ok("partner", "add", "MAIL", "--name", "By mail only")
	assert.Regexp(t, `RAPID .*not authenticated\n`, c.ok("partner", "list"), "a partner from before credentials is marked")
	ca := filepath.Join("testdata", "partner-ca.pem") // a partner's CA certificate, as given for --client-ca

	cases := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		says   string
		listed string
	}{
		{"a short token", "short\n", []string{"--inbound-token-stdin"}, 1, "at least 32 printable characters", "not authenticated"},
		{"no token", "", []string{"--inbound-token-stdin"}, 2, "no token on standard input", "not authenticated"},
		{"a bad network", "", []string{"--allow-from", "10.0.0.0/8,somewhere"}, 1, `"somewhere" is not a network`, "not authenticated"},
		{"no-auth with a token", partnerToken + "\n", []string{"--no-auth", "--inbound-token-stdin"}, 2, "give it alone", "not authenticated"},
		{"a CA file that is not one", "", []string{"--client-ca", filepath.Join(t.TempDir(), "missing.pem")}, 1, "cannot read the client CA file", "not authenticated"},
		{"a token", partnerToken + "\n", []string{"--inbound-token-stdin"}, 0, "Inbound: token set, client CA not set, from anywhere.", "token"},
		{"a client CA and networks", "", []string{"--client-ca", ca, "--allow-from", "192.0.2.0/24, 10.1.2.3"}, 0,
			"Inbound: token set, client CA set, from 192.0.2.0/24,10.1.2.3/32.", "token + client certificate + from 192.0.2.0/24,10.1.2.3/32"},
		{"no-auth", "", []string{"--no-auth"}, 0, "Inbound: no credential (--no-auth).", "none (no-auth)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := c.runStdin(tc.stdin, append([]string{"partner", "edit", "RAPID"}, tc.args...)...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, out+errOut, tc.says)
			assert.NotContains(t, out+errOut, partnerToken, "a token is never printed back")
			assert.Regexp(t, `RAPID .*`+regexpQuote(tc.listed)+`\n`, c.ok("partner", "list"))
		})
	}
	assert.Regexp(t, `MAIL .*By mail only +24h +28 *\n`, c.ok("partner", "list"), "a partner without ISO 18626 needs no credential")

	code, _, errOut := c.runStdin(partnerToken+"\n", "partner", "edit", "RAPID", "--inbound-token-stdin", "--client-ca", ca)
	require.Equal(t, 0, code, errOut)
	var ps []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("partner", "list", "--json")), &ps))
	require.Len(t, ps, 2)
	assert.Equal(t, "set", ps[1]["inbound_token"])
	assert.Equal(t, "set", ps[1]["client_ca"])
	_, hasToken := ps[0]["inbound_token"]
	assert.False(t, hasToken, "a partner without credentials keeps its JSON shape")
	audit := c.ok("audit", "--json")
	assert.Contains(t, audit, "inbound_token: not set → set")
	assert.NotContains(t, audit, partnerToken)
	assert.NotContains(t, audit, "sha256:")
	assert.NotContains(t, audit, "BEGIN CERTIFICATE")
}

func regexpQuote(s string) string {
	r := strings.NewReplacer("(", `\(`, ")", `\)`, "+", `\+`, ".", `\.`)
	return r.Replace(s)
}

func TestServeRefusesToStart(t *testing.T) {
	c := newCLI(t)
	cases := []struct {
		name  string
		setup [][]string
		args  []string
		says  string
	}{
		{"no agency id", nil, []string{"--listen", "127.0.0.1:0"}, "only once our own agency id is set: illdesk config set agency-id"},
		{"plain HTTP beyond loopback", [][]string{{"config", "set", "agency-id", "ISIL:US-OURS"}}, []string{"--listen", "0.0.0.0:0"}, "allow-plain-http on"},
		{"a certificate without its key", nil, []string{"--listen", "0.0.0.0:0", "--tls-cert", "cert.pem"}, "give both --tls-cert FILE and --tls-key FILE"},
		{"a certificate that cannot be read", nil, []string{"--listen", "0.0.0.0:0", "--tls-cert", "cert.pem", "--tls-key", "key.pem"}, "cannot use the certificate cert.pem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.setup {
				c.ok(s...)
			}
			code, out, errOut := c.run(append([]string{"serve"}, tc.args...)...)
			assert.NotEqual(t, 0, code)
			assert.NotContains(t, out, "Listening")
			assert.Contains(t, errOut, tc.says)
		})
	}
	c.ok("config", "set", "read-timeout", "5s")
	assert.Contains(t, c.ok("config", "show"), "read-timeout              5s\n")
	assert.Contains(t, c.ok("config", "show"), "allow-plain-http          off\n")
	code, _, errOut := c.run("config", "set", "rate-per-address", "lots")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "rate-per-address takes a whole number")
}

// servingChild is illdesk serve as a process of its own, on a free port
// of 127.0.0.1.
func servingChild(t *testing.T, db string) (cmd *exec.Cmd, addr string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "--db", db, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), childEnv+"=1", "ILLDESK_SMTP_PASSWORD=")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	_, rest, ok := strings.Cut(line, "http://")
	require.True(t, ok, "serve said %q", line)
	addr, _, _ = strings.Cut(rest, "/")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return cmd, addr
}

// rssKB is a process's resident memory in KiB, from /proc.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// TestServeSlowSendersMemory runs illdesk serve as a process and has 200
// connections from another address hold it, sending their bodies one byte
// a second; every other one sends nearly a whole 1 MB message at once
// first. The process stays under 100 MB resident and a partner's message
// is answered within a second.
func TestServeSlowSendersMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("resident memory is read from /proc")
	}
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skip("this system has no second loopback address (127.0.0.2)")
	} else {
		ln.Close()
	}
	c := newCLI(t)
	c.ok("config", "set", "agency-id", "ISIL:US-OURS")
	c.ok("config", "set", "read-timeout", "4s")
	c.ok("config", "set", "max-connections-per-address", "250") // every slow sender gets a place: the worst case
	c.ok("partner", "add", "RAPID", "--name", "RapidILL", "--agency-id", "OCLC:RAPID")
	code, _, errOut := c.runStdin(partnerToken+"\n", "partner", "edit", "RAPID", "--inbound-token-stdin")
	require.Equal(t, 0, code, errOut)
	cmd, addr := servingChild(t, c.db)
	idle := rssKB(t, cmd.Process.Pid)

	const body = 1_000_000
	stop := make(chan struct{})
	defer close(stop)
	for i := range 200 {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 5 * time.Second}
		conn, err := d.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		go func() {
			fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: desk\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n", body)
			if i%2 == 1 {
				_, _ = conn.Write(bytes.Repeat([]byte("<"), body-1000))
			}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("<")); err != nil {
						return
					}
				}
			}
		}()
		go func() { _, _ = io.Copy(io.Discard, conn) }()
	}
	partner := &http.Client{Timeout: time.Second}
	peak := 0
	for i := range 6 {
		time.Sleep(500 * time.Millisecond)
		peak = max(peak, rssKB(t, cmd.Process.Pid))
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(statusRequest("OCLC:RAPID", fmt.Sprint("N", i))))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/xml")
		req.Header.Set("Authorization", "Bearer "+partnerToken)
		resp, err := partner.Do(req)
		require.NoError(t, err, "a partner's message is answered within a second")
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		peak = max(peak, rssKB(t, cmd.Process.Pid))
	}
	t.Logf("illdesk serve: %d KiB resident idle, %d KiB at most with 200 slow senders", idle, peak)
	assert.Less(t, peak, 100*1024, "illdesk serve stays under 100 MB resident")
}

// statusRequest is a partner's StatusRequest, answered with an ERROR
// confirmation when we have no such request: enough to see the answer.
func statusRequest(agency, id string) string {
	typ, val, _ := strings.Cut(agency, ":")
	return `<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" version="1.2"><requestingAgencyMessage><header>
<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>US-OURS</agencyIdValue></supplyingAgencyId>
<requestingAgencyId><agencyIdType>` + typ + `</agencyIdType><agencyIdValue>` + val + `</agencyIdValue></requestingAgencyId>
<timestamp>2026-12-07T08:00:00Z</timestamp><requestingAgencyRequestId>` + id + `</requestingAgencyRequestId>
</header><action>StatusRequest</action></requestingAgencyMessage></ISO18626Message>`
}
