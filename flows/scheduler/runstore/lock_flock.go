//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package runstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lockFile takes an exclusive flock on path (creating it) and writes this
// process's pid into it. The file stays after release: removing it would
// let a process that opened it before the removal lock a file nobody
// else sees.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, lockedErr(strings.TrimSuffix(filepath.Base(path), ".lock"), path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := writePID(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

// unlockFile empties the lock file and releases the lock.
func unlockFile(f *os.File, path string) error {
	_ = f.Truncate(0)
	// Closing the only descriptor of the open file releases the flock.
	if err := f.Close(); err != nil {
		return fmt.Errorf("run store: unlock %s: %w", path, err)
	}
	return nil
}

// processAlive reports whether process pid exists (on this host).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
