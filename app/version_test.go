package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersionMatchesFyneApp keeps the version that `illdesk --version`
// prints and the one the packages are made with (FyneApp.toml) the same.
func TestVersionMatchesFyneApp(t *testing.T) {
	details := fyneAppDetails(t, "../FyneApp.toml")
	assert.Equal(t, strconv.Quote(appVersion), details["Version"],
		"FyneApp.toml [Details] Version and appVersion in app/version.go differ: raise both together")
	assert.Equal(t, strconv.Itoa(appBuild), details["Build"],
		"FyneApp.toml [Details] Build and appBuild in app/version.go differ: raise both together")
	assert.Equal(t, strconv.Quote(appID), details["ID"], "FyneApp.toml [Details] ID and appID in app/window.go differ")
	assert.Equal(t, `"ILL Desk"`, details["Name"])
}

// fyneAppDetails reads the keys of the [Details] table of FyneApp.toml as
// written there (strings keep their quotes). The file is simple enough for a
// line reader, which spares a TOML dependency.
func fyneAppDetails(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	details := map[string]string{}
	table := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			table = strings.Trim(line, "[]")
		case table == "Details":
			key, value, ok := strings.Cut(line, "=")
			require.True(t, ok, "%s: cannot read %q", path, line)
			details[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, details, "%s has no [Details] table", path)
	return details
}

func TestVersionFlag(t *testing.T) {
	c := newCLI(t)
	out := c.ok("--version")
	assert.Equal(t, "ILL Desk "+appVersion+" (build "+strconv.Itoa(appBuild)+"), "+
		runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n", out)
	_, err := os.Stat(c.db)
	assert.True(t, os.IsNotExist(err), "--version must not open or create the database")
	assert.Contains(t, topUsage, "--version")
}
