//go:build unix

package parallel

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup keeps a terminal's Ctrl-C from reaching a worker
// directly: the parent passes each signal on once, as Ginkgo counts a second
// interrupt as "skip the clean-up".
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
