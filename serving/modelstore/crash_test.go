package modelstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
)

const childEnv = "EDDY_MODELSTORE_KILL_CHILD"

// blobFor is the deterministic content of the i-th blob a writer makes:
// 300 KB, so a kill often lands mid-write.
func blobFor(tag string) []byte {
	seed := sha256.Sum256([]byte(tag))
	return bytes.Repeat(seed[:], 300_000/len(seed))
}

// TestFileKill9 re-executes the test binary as a writer that creates
// versions (and moves stages and aliases) in a loop, SIGKILLs it at a
// random moment, reopens the store and checks that every visible version
// is complete, every event is in place, and numbering continues. Three
// rounds share one directory.
func TestFileKill9(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		killChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	ctx := context.Background()
	prevMax := int64(0)
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileKill9$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it write a few versions, then kill it at an odd moment.
		waitForVersions(t, dir, prevMax+3+int64(round))
		time.Sleep(time.Duration(7+13*round) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v, want SIGKILL; stderr: %s", round, err, stderr.String())
		}

		s, err := modelstore.OpenDir(dir, nil)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		page, _, err := s.ListVersions(ctx, "m", modelstore.ListOptions{Limit: modelstore.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		visible := map[int64]bool{}
		for _, v := range page {
			visible[v.Version] = true
			r, err := s.OpenBlob(ctx, "m", v.Version)
			if err != nil {
				t.Fatalf("round %d: v%d: %v", round, v.Version, err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(b, blobFor(v.Description)) {
				t.Fatalf("round %d: v%d torn: %d bytes, %v", round, v.Version, len(b), err)
			}
		}
		// Every created event names a visible version, and the reverse.
		created := map[int64]bool{}
		evs, err := s.Events(ctx, 1, modelstore.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range evs {
			if ev.Seq != uint64(i+1) {
				t.Fatalf("round %d: event %d has seq %d", round, i, ev.Seq)
			}
			if ev.Type == modelstore.EventCreated {
				created[ev.Version] = true
				if !visible[ev.Version] {
					t.Fatalf("round %d: event %d announces v%d, which is not visible", round, ev.Seq, ev.Version)
				}
			}
		}
		for v := range visible {
			if !created[v] {
				t.Fatalf("round %d: v%d is visible without a model.created event", round, v)
			}
		}
		maxV := page[len(page)-1].Version
		if len(page) != int(maxV) {
			t.Fatalf("round %d: %d versions visible, highest %d: a gap", round, len(page), maxV)
		}
		v, err := s.Create(ctx, "m", bytes.NewReader(blobFor("parent")), modelstore.Info{Description: "parent"})
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != maxV+1 {
			t.Fatalf("round %d: next version %d after highest %d", round, v.Version, maxV)
		}
		t.Logf("round %d: %d versions survived, %d events", round, maxV, len(evs))
		prevMax = v.Version
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func waitForVersions(t *testing.T, dir string, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(filepath.Join(dir, "models", "m", "versions"))
		if int64(len(ents)) >= n {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("child wrote fewer than %d versions in 20s", n)
}

// killChild writes until killed.
func killChild(dir string) {
	ctx := context.Background()
	s, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		tag := fmt.Sprintf("child-%d-%d", os.Getpid(), i)
		v, err := s.Create(ctx, "m", bytes.NewReader(blobFor(tag)), modelstore.Info{Description: tag})
		if err == nil && i%2 == 0 {
			_, err = s.SetStage(ctx, "m", v.Version, modelstore.StageValidated, nil)
		}
		if err == nil && i%4 == 0 {
			_, err = s.SetStage(ctx, "m", v.Version, modelstore.StageDeployed, nil)
		}
		if err == nil && i%3 == 0 {
			err = s.SetAlias(ctx, "m", "champion", v.Version)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}

// redisServer is a redis-server with an append-only file synced on every
// write, so a SIGKILL loses nothing acknowledged and a restart on the
// same port and directory brings the data back.
type redisServer struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

func startAOFRedis(t *testing.T) *redisServer {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testutil.StartRedis(t) // skips, or fails under CI=true, with the usual message
		t.Fatal("redis-server not on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &redisServer{bin: bin, dir: t.TempDir(), port: port}
	r.start(t)
	t.Cleanup(func() { r.kill() })
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("redis-server on %s did not start", r.addr())
}

func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRedisKillRestart SIGKILLs redis-server while writers upload chunked
// versions, checks that calls fail with ErrUnavailable (after bounded
// retries) while it is down, restarts it on the same port and directory,
// and checks that every visible version is complete and numbering
// continues. (testutil's Redis runs without persistence and on a fresh
// port, so this test runs its own redis-server with appendfsync always.)
func TestRedisKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("kills servers")
	}
	rs := startAOFRedis(t)
	ctx := context.Background()
	opts := &modelstore.Options{ChunkSize: 32 << 10,
		Retry: modelstore.RetryPolicy{Attempts: 4, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}}
	s, err := modelstore.OpenWith(ctx, "redis://"+rs.addr()+"/0", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var mu sync.Mutex
	ok, failed := 0, 0
	var failures []error
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tag := fmt.Sprintf("w%d-%d", w, i)
				_, err := s.Create(ctx, "m", bytes.NewReader(blobFor(tag)), modelstore.Info{Description: tag})
				mu.Lock()
				if err == nil {
					ok++
				} else {
					failed++
					failures = append(failures, err)
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	waitOK := func(n int) {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			done := ok >= n
			mu.Unlock()
			if done {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("fewer than %d successful creates in 20s", n)
	}
	waitOK(5)
	rs.kill()
	// While it is down, calls fail clearly instead of hanging.
	start := time.Now()
	_, err = s.Latest(ctx, "m")
	if !errors.Is(err, modelstore.ErrUnavailable) {
		t.Fatalf("latest while redis is down: %v, want ErrUnavailable", err)
	}
	t.Logf("while down: %v (after %v)", err, time.Since(start).Round(time.Millisecond))
	time.Sleep(300 * time.Millisecond)
	rs.start(t)
	mu.Lock()
	okBefore := ok
	mu.Unlock()
	waitOK(okBefore + 5)
	close(stop)
	wg.Wait()

	// Every visible version is complete and numbered 1..n without a gap.
	page, _, err := s.ListVersions(ctx, "m", modelstore.ListOptions{Limit: modelstore.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range page {
		if v.Version != int64(i+1) {
			t.Fatalf("versions are not 1..n: position %d holds v%d", i, v.Version)
		}
		r, err := s.OpenBlob(ctx, "m", v.Version)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(b, blobFor(v.Description)) {
			t.Fatalf("v%d torn: %d bytes, %v", v.Version, len(b), err)
		}
	}
	if len(page) < ok {
		t.Fatalf("%d versions visible, but %d creates succeeded", len(page), ok)
	}
	for _, err := range failures {
		if !errors.Is(err, modelstore.ErrUnavailable) && !strings.Contains(err.Error(), "INCOMPLETE") {
			t.Errorf("create failed with an unclear error: %v", err)
		}
	}
	evs, err := s.Events(ctx, 1, modelstore.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(page) {
		t.Fatalf("%d events for %d versions", len(evs), len(page))
	}
	sum := sha256.Sum256(blobFor(page[0].Description))
	if page[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("v1 sha256 %s", page[0].SHA256)
	}
	t.Logf("%d creates succeeded, %d failed while redis was down, %d versions visible", ok, failed, len(page))
}
