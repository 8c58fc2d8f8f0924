package main

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuilder counts the writes that reach it.
type lockedBuilder struct {
	mu     sync.Mutex
	b      strings.Builder
	writes int
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestFlushingWriterBatchesLinesAndKeepsTheirOrder(t *testing.T) {
	out := &lockedBuilder{}
	f := newFlushingWriter(out, time.Hour) // only Close flushes here
	var want strings.Builder
	for i := range 1000 {
		line := strings.Repeat("x", i%7) + "\n"
		want.WriteString(line)
		_, _ = f.Write([]byte(line))
	}
	if out.String() != "" {
		t.Fatal("lines were written before the interval or the size bound")
	}
	_ = f.Close()
	_ = f.Close() // a second Close is harmless
	if out.String() != want.String() || out.writes != 1 {
		t.Fatalf("after Close: %d writes, same text %v; want one write of every line in order", out.writes, out.String() == want.String())
	}
}

func TestFlushingWriterWritesOutOnItsOwn(t *testing.T) {
	out := &lockedBuilder{}
	f := newFlushingWriter(out, time.Millisecond)
	defer f.Close()
	_, _ = f.Write([]byte("GET /devices/list 200\n"))
	deadline := time.Now().Add(10 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if out.String() != "GET /devices/list 200\n" {
		t.Fatalf("the ticker never wrote the line out: %q", out.String())
	}
}

func TestFlushingWriterWritesOutAFullBuffer(t *testing.T) {
	out := &lockedBuilder{}
	f := newFlushingWriter(out, time.Hour)
	defer f.Close()
	_, _ = f.Write(make([]byte, flushAt))
	if len(out.String()) != flushAt {
		t.Fatalf("a full buffer was not written out at once: %d bytes out", len(out.String()))
	}
}
