package runstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/internal/testutil"
)

// TestFileLock: two stores on one directory (two open file descriptions,
// as two processes have) exclude each other per flow; the error names
// the lock file and the holder's pid; release lets the next one in.
func TestFileLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := runstore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := runstore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	la, err := a.Lock(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lock(ctx, "f")
	path := filepath.Join(dir, "f.lock")
	if !errors.Is(err, runstore.ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second lock: %v; want ErrLocked naming %s and pid %d", err, path, os.Getpid())
	}
	// Another flow is independent.
	lg, err := b.Lock(ctx, "g")
	if err != nil {
		t.Fatalf("lock of another flow: %v", err)
	}
	if err := lg.Release(); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	if err := la.Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	lb, err := b.Lock(ctx, "f")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	defer lb.Release()
	if _, err := a.Lock(ctx, "f"); !errors.Is(err, runstore.ErrLocked) {
		t.Fatalf("lock while b holds it: %v", err)
	}
	if _, err := a.Lock(ctx, "../x"); err == nil || errors.Is(err, runstore.ErrLocked) {
		t.Errorf("bad flow name: %v", err)
	}
}

// TestHelperLockProcess is the child of TestFileLockAcrossProcesses: it
// takes the lock of flow f in EDDY_TEST_LOCK_DIR and holds it until its
// stdin closes.
func TestHelperLockProcess(t *testing.T) {
	dir := os.Getenv("EDDY_TEST_LOCK_DIR")
	if dir == "" {
		t.Skip("run by TestFileLockAcrossProcesses")
	}
	st, err := runstore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.Lock(context.Background(), "f")
	if err != nil {
		fmt.Println("LOCK FAILED:", err)
		return
	}
	fmt.Println("LOCKED")
	_, _ = os.Stdin.Read(make([]byte, 1))
	_ = l.Release()
}

func TestFileLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLockProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "EDDY_TEST_LOCK_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	buf := make([]byte, 0, 256)
	for !strings.Contains(string(buf), "LOCKED") {
		var b [64]byte
		n, err := out.Read(b[:])
		buf = append(buf, b[:n]...)
		if err != nil {
			t.Fatalf("child: %v: %s", err, buf)
		}
	}
	st, err := runstore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, err = st.Lock(context.Background(), "f")
	if !errors.Is(err, runstore.ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("lock held by child %d: %v", cmd.Process.Pid, err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("failing took %v, want fast", el)
	}
	// Kill the holder: the kernel releases its lock.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := st.Lock(context.Background(), "f")
	if err != nil {
		t.Fatalf("lock after the holder died: %v", err)
	}
	l.Release()
}

func TestRedisLease(t *testing.T) {
	r := testutil.StartRedis(t)
	ctx := context.Background()
	open := func() *runstore.RedisStore {
		st, err := runstore.OpenRedis(ctx, r.URL())
		if err != nil {
			t.Fatal(err)
		}
		st.SetLeaseTTL(time.Second)
		return st
	}
	a, b := open(), open()
	defer b.Close()
	la, err := a.Lock(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	// Renewal keeps the lease past several TTLs.
	time.Sleep(2200 * time.Millisecond)
	_, err = b.Lock(ctx, "f")
	if !errors.Is(err, runstore.ErrLocked) || !strings.Contains(err.Error(), "eddy:flows:lock:f") || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second lock: %v; want ErrLocked naming the key and pid", err)
	}
	select {
	case <-la.Lost():
		t.Fatal("lease lost while renewed")
	default:
	}
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	lb, err := b.Lock(ctx, "f")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	a.Close()
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	// Someone else overwrites the key: the holder notices at its next
	// renewal.
	if err := c.Set(ctx, "eddy:flows:lock:f", "pid 1 on elsewhere tok", 0).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lb.Lost():
	case <-time.After(2 * time.Second):
		t.Fatal("Lost not closed after the lease was taken")
	}
	if err := lb.Release(); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(ctx, "eddy:flows:lock:f").Result(); v != "pid 1 on elsewhere tok" {
		t.Errorf("release removed another holder's lease: %q", v)
	}
	// An expiring lease frees the flow.
	if err := c.Set(ctx, "eddy:flows:lock:f", "pid 1 on elsewhere tok", 200*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, "f"); !errors.Is(err, runstore.ErrLocked) {
		t.Fatalf("lock while another host holds it: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	l, err := b.Lock(ctx, "f")
	if err != nil {
		t.Fatalf("lock after expiry: %v", err)
	}
	l.Release()
}

// TestRedisLeaseDeadLocalHolder: a lease of a process of this host that
// died (kill -9) is taken over at once instead of after its TTL.
func TestRedisLeaseDeadLocalHolder(t *testing.T) {
	r := testutil.StartRedis(t)
	ctx := context.Background()
	st, err := runstore.OpenRedis(ctx, r.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	host, _ := os.Hostname()
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	for _, tc := range []struct {
		holder string
		free   bool
	}{
		{fmt.Sprintf("pid %d on %s tok", dead.Process.Pid, host), true},
		{fmt.Sprintf("pid %d on %s tok", dead.Process.Pid, host+"-other"), false},
		{fmt.Sprintf("pid %d on %s tok", os.Getppid(), host), false},
	} {
		if err := c.Set(ctx, "eddy:flows:lock:f", tc.holder, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		l, err := st.Lock(ctx, "f")
		if tc.free != (err == nil) {
			t.Fatalf("holder %q: %v, want free %v", tc.holder, err, tc.free)
		}
		if l != nil {
			l.Release()
		}
	}
}
