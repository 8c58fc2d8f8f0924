package main

import (
	"io"
	"os"

	"github.com/seamconform/seamconform/spec"
)

// specCommand is `spec extract [-o FILE] PUBLISHED`, the step behind `make
// spec`.
func specCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "extract" {
		return usagef("want: spec extract [-o FILE] PUBLISHED.json")
	}
	fs := newFlagSet("spec extract", stdout)
	out := fs.String("o", "", "write the extract to `FILE` instead of standard output")
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
	extract, err := spec.Extract(published)
	if err != nil {
		return usagef("%s: %s", fs.Arg(0), err)
	}
	if *out == "" {
		_, err = stdout.Write(extract)
		return err
	}
	return os.WriteFile(*out, extract, 0o644)
}
