// Command seambench measures seamconform side by side with what its users
// would otherwise pick, in one run on one machine, and prints one table:
// the suite's wall time (embedded mocks, serve, serve behind a 100 ms
// proxy), serve's throughput and latency against Stoplight Prism and a
// no-validation ceiling under the same Go load generator, and start-up
// times. `make bench` runs it from the repository root.
//
// Its pieces run alone too: `seambench delay-proxy` and `seambench ceiling`
// are the servers it starts in their own processes.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "delay-proxy":
			os.Exit(serveDelayProxy(os.Args[2:]))
		case "ceiling":
			os.Exit(serveCeiling(os.Args[2:]))
		}
	}
	os.Exit(bench(os.Args[1:]))
}

func serveDelayProxy(args []string) int {
	fs := flag.NewFlagSet("seambench delay-proxy", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`")
	upstream := fs.String("upstream", "", "base `URL` to forward to")
	delay := fs.Duration("delay", 100*time.Millisecond, "added to every answer")
	if fs.Parse(args) != nil {
		return 2
	}
	u, err := url.Parse(*upstream)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.Path != "" && u.Path != "/" {
		fmt.Fprintln(os.Stderr, "seambench delay-proxy: --upstream must be an http:// URL with no path")
		return 2
	}
	l, ok := listen(*addr, "PROXY")
	if !ok {
		return 2
	}
	return ended(delayLine(l, u.Host, *delay))
}

func serveCeiling(args []string) int {
	fs := flag.NewFlagSet("seambench ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen `address`")
	if fs.Parse(args) != nil {
		return 2
	}
	return listenAndServe(*addr, "CEILING", ceiling())
}

// listenAndServe serves h on addr (see listen).
func listenAndServe(addr, name string, h http.Handler) int {
	l, ok := listen(addr, name)
	if !ok {
		return 2
	}
	return ended(http.Serve(l, h))
}

// listen listens on addr and prints NAME=http://ADDR, for the parent.
func listen(addr, name string) (net.Listener, bool) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "seambench: %v\n", err)
		return nil, false
	}
	fmt.Printf("%s=http://%s\n", name, l.Addr())
	return l, true
}

// ended is the exit code of a server that stopped with err.
func ended(err error) int {
	if err != nil {
		fmt.Fprintf(os.Stderr, "seambench: %v\n", err)
		return 1
	}
	return 0
}
