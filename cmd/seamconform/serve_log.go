package main

import (
	"io"
	"sync"
	"time"
)

// flushingWriter holds what is written and writes it out every interval
// (or once 64 KiB are waiting), so a busy serve makes one write(2) per
// interval instead of one per request. Close writes out the rest.
type flushingWriter struct {
	out     io.Writer
	mu      sync.Mutex // guards buf
	buf     []byte
	writeMu sync.Mutex // keeps flushes in order; guards spare
	spare   []byte
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
}

const flushAt = 64 << 10

func newFlushingWriter(out io.Writer, every time.Duration) *flushingWriter {
	f := &flushingWriter{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				f.flush()
			case <-f.stop:
				return
			}
		}
	}()
	return f
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	f.buf = append(f.buf, p...)
	full := len(f.buf) >= flushAt
	f.mu.Unlock()
	if full {
		f.flush()
	}
	return len(p), nil
}

func (f *flushingWriter) flush() {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.mu.Lock()
	pending := f.buf
	f.buf = f.spare[:0]
	f.mu.Unlock()
	if len(pending) > 0 {
		_, _ = f.out.Write(pending) // a log that cannot be written must not stop the server
	}
	f.spare = pending // the next flush's buffer: not grown again from nothing
}

// Close stops the ticker and writes out whatever is still held; closing
// again does nothing.
func (f *flushingWriter) Close() error {
	f.closing.Do(func() {
		close(f.stop)
		<-f.done
		f.flush()
	})
	return nil
}
