package testutil

import (
	"strconv"
	"strings"
	"testing"
)

// Redis is a redis-server started for one test.
type Redis struct {
	// Addr is "127.0.0.1:port".
	Addr string
	p    *process
}

// StartRedis starts redis-server on a free loopback port with no
// persistence (--save "" --appendonly no) and its directory in
// tb.TempDir(), and stops it at the end of the test. It skips the test when
// redis-server is missing, or fails it under CI=true.
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	bin := requireBinary(tb, "redis-server")
	p := startServer(tb, "redis-server", bin, func(port int, dir string) []string {
		return []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--save", "",
			"--appendonly", "no",
			"--dir", dir,
			"--daemonize", "no",
			"--loglevel", "warning",
		}
	}, pingRedis)
	return &Redis{Addr: p.addr, p: p}
}

// URL is "redis://127.0.0.1:port/0".
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Stop stops the server now (SIGTERM, then SIGKILL after a timeout) and
// waits for it to exit. It is also run at test cleanup; calling it again
// does nothing.
func (r *Redis) Stop() { _ = r.p.stop() }

// pingRedis sends a RESP PING and expects +PONG.
func pingRedis(addr string) error {
	return exchange(addr, "*1\r\n$4\r\nPING\r\n", func(line string) bool {
		return strings.HasPrefix(line, "+PONG")
	})
}
