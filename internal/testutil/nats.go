package testutil

import (
	"strconv"
	"strings"
	"testing"
)

// NATS is a nats-server started for one test.
type NATS struct {
	// Addr is "127.0.0.1:port".
	Addr string
	p    *process
}

// StartNATS starts nats-server (core NATS, no JetStream, no monitoring
// port) on a free loopback port and stops it at the end of the test. It
// skips the test when nats-server is missing, or fails it under CI=true.
func StartNATS(tb testing.TB) *NATS {
	tb.Helper()
	bin := requireBinary(tb, "nats-server")
	p := startServer(tb, "nats-server", bin, func(port int, _ string) []string {
		return []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port)}
	}, pingNATS)
	return &NATS{Addr: p.addr, p: p}
}

// URL is "nats://127.0.0.1:port".
func (n *NATS) URL() string { return "nats://" + n.Addr }

// Stop stops the server now (SIGTERM, then SIGKILL after a timeout) and
// waits for it to exit. It is also run at test cleanup; calling it again
// does nothing.
func (n *NATS) Stop() { _ = n.p.stop() }

// pingNATS completes the NATS handshake (INFO, CONNECT) and expects PONG.
func pingNATS(addr string) error {
	return exchange(addr, "CONNECT {\"verbose\":false}\r\nPING\r\n", func(line string) bool {
		return strings.HasPrefix(line, "PONG")
	})
}
