//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package runstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// lockFile creates path exclusively and writes this process's pid into
// it. Without flock a process that dies holding the lock leaves the file:
// remove it by hand once no such process runs (the error names the pid).
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w (if that process no longer runs, remove the file)", lockedErr(strings.TrimSuffix(filepath.Base(path), ".lock"), path))
	}
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := writePID(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

// unlockFile removes the lock file.
func unlockFile(f *os.File, path string) error {
	f.Close()
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("run store: unlock %s: %w", path, err)
	}
	return nil
}

// processAlive reports true: without kill(2) there is no cheap check.
func processAlive(pid int) bool { return true }
