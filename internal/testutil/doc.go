// Package testutil starts real servers for tests: redis-server and
// nats-server, each on its own free loopback port, with no persistence,
// stopped when the test ends.
//
//	func TestSomething(t *testing.T) {
//		rd := testutil.StartRedis(t) // rd.Addr "127.0.0.1:port", rd.URL() "redis://127.0.0.1:port/0"
//		...
//	}
//
// # Missing servers
//
// The binaries are looked up on PATH, then in /usr/bin, /usr/sbin and
// /usr/local/bin. When one is missing the test is skipped, except under
// CI=true, where it fails with a hint to run scripts/install-servers.sh:
// continuous integration must never pass by skipping its real-server tests.
//
// # Lifecycle
//
// A server is started with its data directory in t.TempDir(), waited for
// until it answers a protocol-level PING (plain TCP, no client library), and
// registered with t.Cleanup to stop: SIGTERM, then SIGKILL if it has not
// exited within a few seconds, then wait, so no process is left behind. On
// Linux the server also gets SIGKILL if the test binary dies first
// (Pdeathsig). Stop may be called earlier, any number of times. If the
// chosen port is taken between picking and binding, a new port is tried.
//
// # Outages
//
// Redis.Kill crashes redis-server (SIGKILL) and Redis.Restart starts it
// again on the same address, for tests of clients that must survive the
// server going away. StartRedis(t, testutil.RedisAppendOnly()) fsyncs
// every write to an append-only file so that the data survives both.
package testutil
