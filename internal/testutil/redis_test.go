package testutil

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"strconv"

	"github.com/redis/go-redis/v9"
)

// TestRedisRoundTrip proves the server with a real client: keys, counters,
// streams and pub/sub. Under CI=true it fails instead of skipping when
// redis-server is missing.
func TestRedisRoundTrip(t *testing.T) {
	rd := StartRedis(t)
	opts, err := redis.ParseURL(rd.URL())
	if err != nil {
		t.Fatalf("parse %s: %v", rd.URL(), err)
	}
	if opts.Addr != rd.Addr || opts.DB != 0 {
		t.Fatalf("URL %s parses to %s db %d, want %s db 0", rd.URL(), opts.Addr, opts.DB, rd.Addr)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if err := c.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v1" {
		t.Fatalf("GET k = %q, %v; want v1", got, err)
	}
	if _, err := c.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET missing: %v, want redis.Nil", err)
	}
	for want := int64(1); want <= 3; want++ {
		if got, err := c.Incr(ctx, "n").Result(); err != nil || got != want {
			t.Fatalf("INCR n = %d, %v; want %d", got, err, want)
		}
	}

	var ids []string
	for _, v := range []string{"a", "b", "c"} {
		id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: map[string]any{"v": v}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	msgs, err := c.XRange(ctx, "s", ids[1], "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != ids[1] || msgs[0].Values["v"] != "b" || msgs[1].Values["v"] != "c" {
		t.Fatalf("XRANGE s %s + = %v, want b and c", ids[1], msgs)
	}

	sub := c.Subscribe(ctx, "events")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
		t.Fatal(err)
	}
	if n, err := c.Publish(ctx, "events", "hello").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH reached %d subscribers, %v; want 1", n, err)
	}
	select {
	case m := <-sub.Channel():
		if m.Channel != "events" || m.Payload != "hello" {
			t.Fatalf("received %s %q, want events hello", m.Channel, m.Payload)
		}
	case <-ctx.Done():
		t.Fatal("no pub/sub message received")
	}
}

// TestRedisIsolatedAndStopped: two servers are independent, and Stop leaves
// no process and no listener behind.
func TestRedisIsolatedAndStopped(t *testing.T) {
	a, b := StartRedis(t), StartRedis(t)
	if a.Addr == b.Addr {
		t.Fatalf("both servers on %s", a.Addr)
	}
	ctx := context.Background()
	ca := redis.NewClient(&redis.Options{Addr: a.Addr})
	defer ca.Close()
	cb := redis.NewClient(&redis.Options{Addr: b.Addr})
	defer cb.Close()
	if err := ca.Set(ctx, "only-a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := cb.Exists(ctx, "only-a").Result(); err != nil || n != 0 {
		t.Fatalf("key leaked to the second server: %d, %v", n, err)
	}

	pid := a.p.cmd.Process.Pid
	a.Stop()
	a.Stop() // idempotent
	assertGone(t, pid, a.Addr)
	if err := pingRedis(b.Addr); err != nil {
		t.Fatalf("stopping one server broke the other: %v", err)
	}
}

// TestRedisKillRestart: Kill crashes the server, Restart brings it back
// on the same address; with RedisAppendOnly the data survives, without
// it the server comes back empty.
func TestRedisKillRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []RedisOption
		keep bool
	}{{"append-only", []RedisOption{RedisAppendOnly()}, true}, {"default", nil, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rd := StartRedis(t, tc.opts...)
			ctx := context.Background()
			c := redis.NewClient(&redis.Options{Addr: rd.Addr, MaxRetries: -1})
			defer c.Close()
			if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			pid := rd.p.cmd.Process.Pid
			rd.Kill()
			rd.Kill() // idempotent
			assertGone(t, pid, rd.Addr)
			if err := c.Ping(ctx).Err(); err == nil {
				t.Fatal("ping answered after Kill")
			}
			rd.Restart(t)
			if err := pingRedis(rd.Addr); err != nil {
				t.Fatalf("not back after Restart: %v", err)
			}
			got, err := c.Get(ctx, "k").Result()
			if tc.keep && (err != nil || got != "v") {
				t.Fatalf("GET k after restart = %q, %v; want v", got, err)
			}
			if !tc.keep && !errors.Is(err, redis.Nil) {
				t.Fatalf("GET k after restart without persistence = %q, %v; want redis.Nil", got, err)
			}
			rd.Restart(t) // restarting a running server stops it first
			if err := pingRedis(rd.Addr); err != nil {
				t.Fatalf("not back after a second Restart: %v", err)
			}
		})
	}
}

func assertGone(t *testing.T, pid int, addr string) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Stop (kill 0: %v)", pid, err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Stop", addr)
	}
}

// fakeTB records Skip and Fatal instead of ending the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) Skip(args ...any)    { f.skipped = args[0].(string) }
func (f *fakeTB) Fatal(args ...any)   { f.failed = args[0].(string) }
func (f *fakeTB) Logf(string, ...any) {}

func TestMissingBinary(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		f := &fakeTB{TB: t}
		if p := requireBinary(f, "eddy-no-such-server"); p != "" {
			t.Fatalf("found %q", p)
		}
		if ci == "true" && (f.failed == "" || f.skipped != "") {
			t.Errorf("CI=true: failed %q, skipped %q; want a failure", f.failed, f.skipped)
		}
		if ci == "" && (f.skipped == "" || f.failed != "") {
			t.Errorf("CI unset: failed %q, skipped %q; want a skip", f.failed, f.skipped)
		}
		if msg := f.failed + f.skipped; !contains(msg, "scripts/install-servers.sh") {
			t.Errorf("message %q does not say how to install", msg)
		}
	}
	if p, ok := findBinary("sh"); !ok || p == "" {
		t.Errorf("findBinary(sh) = %q, %v", p, ok)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestPortTaken: a server whose port is taken exits, and startServer
// retries on another port.
func TestPortTaken(t *testing.T) {
	bin := requireBinary(t, "redis-server")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	calls := 0
	p := startServer(t, "redis-server", bin, func(port int, dir string) []string {
		calls++
		if calls == 1 {
			port = taken
		}
		return []string{"--port", itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}
	}, pingRedis)
	if calls != 2 {
		t.Errorf("server started after %d attempts, want 2 (first port taken)", calls)
	}
	if err := pingRedis(p.addr); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
