package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
)

var errHelp = errors.New("help shown")

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("seamconform "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning flag errors into one-line usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	// The flag package prints the error and the usage on its own: we print
	// one line for an error, and the usage once for -h.
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return errHelp
	case err != nil:
		return usagef("%s", withoutValue(err.Error()))
	case fs.NArg() > 0 && fs.Name() != "seamconform spec prepare":
		// Not shown: a variable left empty before a flag's value shifts the
		// arguments, and the stray one is then often a credential.
		return usagef("unexpected argument after the flags (not shown, as it may be a credential): each flag takes one value; is a variable before it empty?")
	}
	// An empty value is most often a CI variable that was not set
	// (--endpoint "$URL"): taken as the default, a run would check the
	// embedded mocks and pass, a serve would write no report. An empty
	// label filter selects every spec, as no filter does.
	var empty []string
	fs.Visit(func(f *flag.Flag) {
		if f.Value.String() == "" && f.Name != "label-filter" {
			empty = append(empty, "--"+f.Name)
		}
	})
	if len(empty) > 0 {
		return usagef("%s given an empty value: is a variable empty? Leave a flag out for its default", strings.Join(empty, ", "))
	}
	return nil
}

// withoutValue drops the value from the flag package's `invalid value "V"
// for flag -NAME: ...`, for the reason above.
func withoutValue(message string) string {
	rest, ok := strings.CutPrefix(message, `invalid value "`)
	if !ok {
		return message
	}
	if _, after, found := strings.Cut(rest, `" for flag `); found {
		return "invalid value for flag " + after
	}
	return message
}

// envOr returns the flag's value, or the environment variable's when the
// flag was not given.
func envOr(value, name string) string {
	if value != "" {
		return value
	}
	return os.Getenv(name)
}

// explicit reports whether the flag was given on the command line.
func explicit(fs *flag.FlagSet, name string) (given bool) {
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
