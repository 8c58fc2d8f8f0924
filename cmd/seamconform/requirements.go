package main

import (
	"io"

	"github.com/onsi/ginkgo/v2"

	"github.com/seamconform/seamconform/reports"
	"github.com/seamconform/seamconform/suites"
)

func requirementsCommand(args []string, stdout io.Writer) error {
	fs := newFlagSet("requirements", stdout)
	markdown := fs.Bool("markdown", false, "print REQUIREMENTS.md instead of one line per requirement")
	if err := parse(fs, args); err != nil {
		return err
	}
	entries, err := reports.Catalogue(ginkgo.PreviewSpecs(suites.Description))
	if err != nil {
		return err
	}
	if *markdown {
		reports.WriteMarkdown(stdout, entries)
	} else {
		reports.WriteText(stdout, entries)
	}
	return nil
}
