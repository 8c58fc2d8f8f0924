// Command seamconform checks implementations of the Seam Connect API against
// its contract. It only wires flags to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: seamconform <command> [flags]

commands:
  run            run the conformance suite (against the embedded mocks unless --endpoint is given)
  requirements   print the requirement catalogue (--markdown for REQUIREMENTS.md)
  serve          serve the reference implementation over HTTP
  spec prepare   prepare the embedded contract from a published Seam OpenAPI document

  report check   verify a certification bundle written by run --report-dir

  --version      print the version
  --help         print this help

Run "seamconform <command> --help" for a command's flags. run also passes
any Ginkgo flag through as --ginkgo.NAME=VALUE.

Exit codes of run: 0 CONFORMANT, 1 NOT CONFORMANT, 2 bad usage, a report
that could not be written, or a refusal before anything ran (a workspace
not known to be a sandbox, a credential refused at the preflight),
3 INCOMPLETE (something could not be checked, the endpoint never answering
included), 4 NOTHING CHECKED (a dry run or an empty selection).
`

// usageError is bad input from the user: one line on stderr and exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain returns the process exit code: for run, that of its verdict
// (reports.Exit*); otherwise 0 success, 1 the command failed, 2 bad usage.
func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var code int
	var err error
	switch args[0] {
	case "run":
		code, err = runCommand(args[1:], stdout, stderr)
	case "report":
		code, err = reportCommand(args[1:], stdout)
	case "requirements":
		err = requirementsCommand(args[1:], stdout)
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = serveCommand(ctx, args[1:], stdout, stderr)
		stop()
	case "spec":
		err = specCommand(args[1:], stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "--version", "-version", "version":
		fmt.Fprintf(stdout, "seamconform %s\n", toolVersion())
		return 0
	default:
		err = usagef("unknown command %q (want run, report check, requirements, serve or spec prepare)", args[0])
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "seamconform: %s\n", ue.msg)
		return 2
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "seamconform: %s\n", err)
		return 1
	}
	return code
}
