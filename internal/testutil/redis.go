package testutil

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Redis is a redis-server started for one test.
type Redis struct {
	// Addr is "127.0.0.1:port".
	Addr string
	mu   sync.Mutex
	p    *process
}

// RedisOption configures StartRedis.
type RedisOption func(*redisConfig)

type redisConfig struct{ appendOnly bool }

// RedisAppendOnly makes the server log every write to an append-only
// file in its directory, fsynced before each reply, so that its data
// survives Kill and Restart (by default it keeps nothing).
func RedisAppendOnly() RedisOption { return func(c *redisConfig) { c.appendOnly = true } }

// StartRedis starts redis-server on a free loopback port with no
// persistence (--save "" --appendonly no, unless RedisAppendOnly) and its
// directory in tb.TempDir(), and stops it at the end of the test. It
// skips the test when redis-server is missing, or fails it under CI=true.
func StartRedis(tb testing.TB, opts ...RedisOption) *Redis {
	tb.Helper()
	var cfg redisConfig
	for _, o := range opts {
		o(&cfg)
	}
	bin := requireBinary(tb, "redis-server")
	p := startServer(tb, "redis-server", bin, func(port int, dir string) []string {
		aof := []string{"--appendonly", "no"}
		if cfg.appendOnly {
			aof = []string{"--appendonly", "yes", "--appendfsync", "always"}
		}
		return append([]string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--save", "",
			"--dir", dir,
			"--daemonize", "no",
			"--loglevel", "warning",
		}, aof...)
	}, pingRedis)
	return &Redis{Addr: p.addr, p: p}
}

// URL is "redis://127.0.0.1:port/0".
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Stop stops the server now (SIGTERM, then SIGKILL after a timeout) and
// waits for it to exit. It is also run at test cleanup; calling it again
// does nothing.
func (r *Redis) Stop() {
	r.mu.Lock()
	p := r.p
	r.mu.Unlock()
	_ = p.stop()
}

// Kill stops the server at once with SIGKILL, as a crash would, and
// waits for it to exit. Calling it (or Stop) again does nothing.
func (r *Redis) Kill() {
	r.mu.Lock()
	p := r.p
	r.mu.Unlock()
	p.once.Do(p.kill)
}

// Restart starts the server again on the same address, with the same
// arguments and directory, after Stop or Kill (it stops a running server
// first), and waits until it answers. It fails the test if the server
// does not come back within a few seconds. The new process is stopped at
// test cleanup. Without RedisAppendOnly the server comes back empty.
func (r *Redis) Restart(tb testing.TB) {
	tb.Helper()
	r.Stop()
	r.mu.Lock()
	old := r.p
	r.mu.Unlock()
	var errs []error
	deadline := time.Now().Add(readyTimeout)
	for {
		p, err := launch(old.name, old.cmd.Path, old.cmd.Args[1:], r.Addr, pingRedis)
		if err == nil {
			r.mu.Lock()
			r.p = p
			r.mu.Unlock()
			tb.Cleanup(func() {
				if err := p.stop(); err != nil {
					tb.Logf("%s: %v", p.name, err)
				}
			})
			return
		}
		errs = append(errs, err)
		// The port may linger briefly after the old process exits.
		if errors.Is(err, errNotReady) || time.Now().After(deadline) {
			tb.Fatalf("%s: restart on %s: %v", old.name, r.Addr, errors.Join(errs...))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pingRedis sends a RESP PING and expects +PONG.
func pingRedis(addr string) error {
	return exchange(addr, "*1\r\n$4\r\nPING\r\n", func(line string) bool {
		return strings.HasPrefix(line, "+PONG")
	})
}
