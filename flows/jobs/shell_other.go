//go:build !unix

package jobs

import "os/exec"

func setProcessGroup(*exec.Cmd) {}
