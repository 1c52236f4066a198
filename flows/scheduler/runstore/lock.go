package runstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// lockPath is the lock file of flow in the store's directory.
func (s *FileStore) lockPath(flow string) string { return filepath.Join(s.dir, flow+".lock") }

// Lock implements Store: an exclusive lock on the file DIR/FLOW.lock
// (flock(2) where there is one: released by the kernel when the process
// dies, however it dies), holding the holder's pid.
func (s *FileStore) Lock(ctx context.Context, flow string) (Lock, error) {
	if err := checkID(flow); err != nil {
		return nil, fmt.Errorf("run store: lock: flow %w", err)
	}
	path := s.lockPath(flow)
	f, err := lockFile(path)
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	return &fileLock{f: f, path: path, lost: make(chan struct{})}, nil
}

// lockedErr is the error of a lock file held by another: it names the
// file and the holder's pid (as the file says).
func lockedErr(flow, path string) error {
	holder := "an unknown process"
	if data, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
			holder = "pid " + strconv.Itoa(pid)
		}
	}
	return fmt.Errorf("%w: flow %q: lock file %s is held by %s", ErrLocked, flow, path, holder)
}

// writePID replaces the lock file's content with this process's pid.
func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

type fileLock struct {
	f    *os.File
	path string
	lost chan struct{}
	once sync.Once
	err  error
}

func (l *fileLock) Lost() <-chan struct{} { return l.lost }

func (l *fileLock) Release() error {
	l.once.Do(func() { l.err = unlockFile(l.f, l.path) })
	return l.err
}
