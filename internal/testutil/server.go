package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	startAttempts = 5
	readyTimeout  = 10 * time.Second
	stopTimeout   = 5 * time.Second
	maxLog        = 64 << 10
)

var searchDirs = []string{"/usr/bin", "/usr/sbin", "/usr/local/bin"}

// findBinary looks name up on PATH, then in searchDirs.
func findBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, d := range searchDirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// requireBinary finds name or skips the test (fails it under CI=true).
func requireBinary(tb testing.TB, name string) string {
	tb.Helper()
	p, ok := findBinary(name)
	if ok {
		return p
	}
	msg := fmt.Sprintf("%s not found on PATH or in %v; install it with scripts/install-servers.sh", name, searchDirs)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: real-server tests must not skip)")
	} else {
		tb.Skip(msg)
	}
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logBuffer keeps the last maxLog bytes of a server's output.
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > maxLog {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-maxLog:]...)
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// process is one running server.
type process struct {
	name    string
	addr    string
	cmd     *exec.Cmd
	log     *logBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
	once    sync.Once
}

// startServer runs bin with args(port, dir) on a free port and waits until
// ready(addr) succeeds, retrying on a new port if the server exits first
// (the port was taken). The process is stopped at test cleanup.
func startServer(tb testing.TB, name, bin string, args func(port int, dir string) []string, ready func(addr string) error) *process {
	tb.Helper()
	dir := tb.TempDir()
	var errs []error
	for attempt := 0; attempt < startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("%s: pick a free port: %v", name, err)
		}
		p, err := launch(name, bin, args(port, dir), "127.0.0.1:"+strconv.Itoa(port), ready)
		if err == nil {
			tb.Cleanup(func() {
				if err := p.stop(); err != nil {
					tb.Logf("%s: %v", name, err)
				}
			})
			return p
		}
		errs = append(errs, err)
		if errors.Is(err, errNotReady) {
			break // running but not answering: another port will not help
		}
	}
	tb.Fatalf("%s: could not start: %v", name, errors.Join(errs...))
	return nil
}

var errNotReady = errors.New("not ready")

func launch(name, bin string, args []string, addr string, ready func(string) error) (*process, error) {
	p := &process{name: name, addr: addr, log: &logBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	deadline := time.Now().Add(readyTimeout)
	var last error
	for {
		select {
		case <-p.done:
			return nil, fmt.Errorf("exited before answering on %s (%v): %s", addr, p.waitErr, tail(p.log.String()))
		default:
		}
		if last = ready(addr); last == nil {
			return p, nil
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("%w: no answer on %s after %v: %v; log: %s", errNotReady, addr, readyTimeout, last, tail(p.log.String()))
			p.kill()
			return nil, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends SIGTERM, waits up to stopTimeout, then SIGKILL and waits. It
// reports a server that had exited on its own before being stopped.
func (p *process) stop() error {
	var err error
	p.once.Do(func() {
		select {
		case <-p.done:
			err = fmt.Errorf("exited before the test stopped it (%v): %s", p.waitErr, tail(p.log.String()))
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			p.kill()
		}
	})
	return err
}

func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func tail(s string) string {
	const n = 2000
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	if s == "" {
		return "(no output)"
	}
	return s
}

// exchange connects to addr, writes req and succeeds when one of the first
// few lines the server sends satisfies want.
func exchange(addr, req string, want func(line string) bool) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := c.Write([]byte(req)); err != nil {
		return err
	}
	r := bufio.NewReader(c)
	for i := 0; i < 4; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if want(line) {
			return nil
		}
	}
	return errors.New("unexpected answer")
}
