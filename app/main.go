// Command illdesk is ILL Desk: a desktop workstation for interlibrary-loan
// staff, and the command line over the same use cases. With no command it
// opens the window; see README.md for the commands.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}))
}
