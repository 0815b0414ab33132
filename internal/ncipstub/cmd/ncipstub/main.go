// Command ncipstub runs the stand-in ILS of the tests for end-to-end
// scripts: it serves NCIP on the address given, prints its URL, and on
// SIGINT or SIGTERM prints the calls it saw, one a line, and what was
// wrong with any request, then exits (1 when a request was wrong).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/illdesk/illdesk/internal/ncipstub"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "address to serve NCIP on")
	calls := flag.String("calls", "", "file the calls are written to, one a line, as they arrive")
	flag.Parse()
	dir, err := os.MkdirTemp("", "ncipstub")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer os.RemoveAll(dir)
	s, err := ncipstub.Start(*addr, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s.CallsFile = *calls
	fmt.Println(s.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	s.Close()
	for _, c := range s.Calls() {
		fmt.Println(c)
	}
	code := 0
	for _, err := range s.Errors() {
		fmt.Fprintln(os.Stderr, "ncipstub:", err)
		code = 1
	}
	os.Exit(code)
}
