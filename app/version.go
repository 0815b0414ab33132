package main

import (
	"fmt"
	"runtime"
)

// The version of ILL Desk and the number of its build. FyneApp.toml gives
// the same two to the packages made from it (scripts/package.sh); a test
// fails when they disagree, so raise both together.
const (
	appVersion = "0.9.0"
	appBuild   = 1
)

// versionLine is what `illdesk --version` prints.
func versionLine() string {
	return fmt.Sprintf("ILL Desk %s (build %d), %s %s/%s", appVersion, appBuild, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
