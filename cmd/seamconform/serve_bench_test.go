package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/seamconform/seamconform/reference"
)

// BenchmarkServeHandler is one request through the handler `serve` builds
// (request log, checker, reference), without the network: what serve adds
// to net/http's own cost, the load that seambench compares with a handler
// that only answers {"ok":true}.
func BenchmarkServeHandler(b *testing.B) {
	fs := newFlagSet("serve", io.Discard)
	ci := addCIFlags(fs)
	limits := addServeLimits(fs)
	if err := parse(fs, []string{"--seed", "1"}); err != nil {
		b.Fatal(err)
	}
	checker, err := ci.handler(reference.Options{}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	handler := limits.guard(nil).server(checker, io.Discard, ci.checker.LogPath).Handler
	auth := "Bearer " + ci.seedOf().APIKey
	for _, op := range []struct{ path, body string }{
		{"/user_identities/delete", `{"user_identity_id":"0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d"}`},
		{"/devices/list", `{}`},
	} {
		b.Run(strings.TrimPrefix(op.path, "/"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1"+op.path, strings.NewReader(op.body))
				r.Header.Set("Authorization", auth)
				r.Header.Set("Content-Type", "application/json")
				w := &discardingWriter{header: http.Header{}}
				handler.ServeHTTP(w, r)
				if w.status != http.StatusOK && w.status != http.StatusNotFound {
					b.Fatalf("%s answered %d", op.path, w.status)
				}
			}
		})
	}
}

type discardingWriter struct {
	header http.Header
	status int
}

func (w *discardingWriter) Header() http.Header { return w.header }
func (w *discardingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *discardingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
