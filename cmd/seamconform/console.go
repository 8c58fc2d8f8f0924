package main

import (
	"bytes"
	"io"
	"os"
	"os/signal"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
)

// console is the run's standard output: everything printed goes to the
// terminal and into the log kept for run.log. Ginkgo writes through
// ginkgo(), which an interrupt mutes, so that Ctrl-C shows one line and the
// partial verdict instead of Ginkgo's progress report and goroutine stacks.
type console struct {
	mu    sync.Mutex
	out   io.Writer
	log   bytes.Buffer
	muted atomic.Bool

	// interrupts receives the signals that mute Ginkgo (see muteOnSignals).
	interrupts chan os.Signal
}

func newConsole(out io.Writer) *console {
	return &console{out: out, interrupts: make(chan os.Signal, 1)}
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log.Write(p)
	return c.out.Write(p)
}

// alsoLog writes p to w (stderr, say) and keeps it in the log.
func (c *console) alsoLog(w io.Writer, p string) {
	c.mu.Lock()
	c.log.WriteString(p)
	c.mu.Unlock()
	_, _ = io.WriteString(w, p)
}

// ginkgo is the writer Ginkgo's reporter prints to.
func (c *console) ginkgo() io.Writer { return ginkgoWriter{c} }

type ginkgoWriter struct{ c *console }

func (g ginkgoWriter) Write(p []byte) (int, error) {
	select {
	case <-g.c.interrupts:
		g.c.mute()
	default:
	}
	if g.c.muted.Load() {
		return len(p), nil
	}
	return g.c.Write(p)
}

// mute stops Ginkgo's output from here on.
func (c *console) mute() { c.muted.Store(true) }

// muteOnSignals mutes Ginkgo's output from the first SIGINT or SIGTERM on,
// until stop. Ginkgo hears the signal too, and prints its progress report
// with goroutine stacks; the run's own handler, which mutes it, runs on
// another goroutine and could come second. The signal is in this channel
// before Ginkgo's handler goroutine can print: each write looks.
func (c *console) muteOnSignals() (stop func()) {
	signal.Notify(c.interrupts, os.Interrupt, syscall.SIGTERM)
	return func() { signal.Stop(c.interrupts) }
}

var ansiCodes = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// Log returns what was printed, without colour codes.
func (c *console) Log() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansiCodes.ReplaceAll(c.log.Bytes(), nil)
}

// isTerminal reports whether w is a character device (a terminal), the
// only place colour codes belong.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
