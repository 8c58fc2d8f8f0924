package main

import (
	"io"
	"os"

	"github.com/seamconform/seamconform/spec"
)

// specCommand is `spec prepare [-o FILE] PUBLISHED`, the step behind `make
// spec`: it writes the gzip that the binary embeds.
func specCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "prepare" {
		return usagef("want: spec prepare [-o FILE.json.gz] PUBLISHED.json")
	}
	fs := newFlagSet("spec prepare", stdout)
	out := fs.String("o", "", "write the prepared contract (gzip) to `FILE` instead of standard output")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one published document, got %d arguments", fs.NArg())
	}
	published, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return usagef("%s", err)
	}
	prepared, err := spec.Prepare(published)
	if err != nil {
		return usagef("%s: %s", fs.Arg(0), err)
	}
	if *out == "" {
		_, err = stdout.Write(prepared)
		return err
	}
	if err := os.WriteFile(*out, prepared, 0o644); err != nil {
		return usagef("cannot write -o: %s", err)
	}
	return nil
}
