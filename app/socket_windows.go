package main

import "net"

// listenHolder: commands are not forwarded on Windows yet; while a window
// holds the database they are refused, as before.
func listenHolder(string) (net.Listener, error) { return nil, errUnsupported }

// dialHolder finds no holder on Windows.
func dialHolder(string) (net.Conn, error) { return nil, errUnsupported }

// removeStaleSocket has nothing to remove on Windows.
func removeStaleSocket(string) {}
