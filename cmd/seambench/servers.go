package main

import (
	"io"
	"net"
	"net/http"
	"time"
)

// delayLine forwards every connection it accepts to upstream (host:port)
// and holds everything upstream sends back by delay: each answer arrives
// delay later, as from a sandbox in a distant region. It works on bytes, not
// HTTP, so that, like a real network, it costs this machine almost no CPU:
// an HTTP proxy here spent as much CPU as serve itself, taken from the run
// being measured.
func delayLine(l net.Listener, upstream string, delay time.Duration) error {
	for {
		client, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer client.Close()
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				return
			}
			defer server.Close()
			go func() {
				_, _ = io.Copy(server, client)
				_ = server.(*net.TCPConn).CloseWrite()
			}()
			delayed(client, server, delay)
		}()
	}
}

// delayed copies from src to dst, each read delay after it arrived, in
// order. When dst fails, src is closed, so that its reader ends too.
func delayed(dst io.Writer, src io.ReadCloser, delay time.Duration) {
	type chunk struct {
		data []byte
		due  time.Time
	}
	chunks := make(chan chunk, 64)
	go func() {
		defer close(chunks)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{append([]byte(nil), buf[:n]...), time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.data); err != nil {
			src.Close()
			for range chunks { // let the reader end
			}
			return
		}
	}
}

// ceiling answers every request {"ok":true} without reading or validating
// anything: what this machine and load generator reach with no work done.
func ceiling() http.Handler {
	body := []byte(`{"ok":true}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}
