//go:build unix

package pipelinetest

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used,
// a steadier measure than wall time on a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
