package testutil

import "syscall"

// sysProcAttr kills the server if the test process dies without cleanup
// (a test timeout panic, say).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
