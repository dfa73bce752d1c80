package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/simclr-go/simclr/internal/experiment"
)

// runExperiment is simclr experiment run|report FILE.
func runExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "run" && args[0] != "report") {
		return usagef("want simclr experiment run FILE [--only ROW,ROW] [--out DIR] or simclr experiment report FILE")
	}
	verb := args[0]
	fs := flag.NewFlagSet("simclr experiment "+verb, flag.ContinueOnError)
	var o experiment.Options
	var only string
	fs.StringVar(&o.Results, "results", "", "committed results directory (default experiments/results/<experiment>)")
	if verb == "run" {
		fs.StringVar(&o.Out, "out", "", "run directories (default runs/<experiment>)")
		fs.StringVar(&only, "only", "", "comma-separated rows to run (default: every row without a result)")
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return usagef("simclr experiment %s needs the experiment file first", verb)
	}
	path := args[1]
	if _, err := parse(fs, args[2:], stdout); err != nil {
		return err
	}
	f, err := experiment.Load(path)
	if err != nil {
		return usageError{err.Error()}
	}
	if verb == "report" {
		if o.Results == "" {
			o.Results = "experiments/results/" + f.Name
		}
		written, err := experiment.Report(f, o.Results)
		for _, w := range written {
			fmt.Fprintln(stdout, "wrote", w)
		}
		return err
	}
	if only != "" {
		o.Only = strings.Split(only, ",")
	}
	o.Progress = stderr
	return experiment.Run(ctx, f, o)
}
