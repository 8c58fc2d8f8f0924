package main

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// delayProxy forwards every request to upstream and holds each answer back
// by delay: a sandbox as far away as a distant region, on loopback.
func delayProxy(upstream *url.URL, delay time.Duration) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	// Idle connections are closed before serve's idle timeout (60 s) can
	// close them under a request being forwarded (a broken pipe, then 502).
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		proxy.ServeHTTP(w, r)
	})
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
