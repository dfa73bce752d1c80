package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// usageError marks errors in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"train", "pretrain an encoder with SimCLR (NT-Xent) and write a run directory", runTrain},
	{"eval", "linear-probe a run's encoder on labelled data and print top-1 accuracy", runEval},
	{"augment", "write a contact sheet of images and their augmented views (PNG)", runAugment},
	{"plot", "draw a run's loss, learning-rate and accuracy curves as PNG and SVG", runPlot},
	{"knn", "classify test images by their nearest training images in a run's feature space", runKNN},
	{"export", "write a run's features and labels as .npy files", runExport},
	{"bench", "time the training step (forward, backward, update) on this machine", runBench},
	{"experiment", "run the rows of an experiment file (resumably) or report their results", runExperiment},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "simclr: self-supervised SimCLR pretraining and linear evaluation\n\nUsage:\n  simclr COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'simclr COMMAND -h' for a command's flags.\n")
}

func main() {
	// Training keeps its large buffers for the whole run and makes little
	// garbage, so a low GC target costs little CPU and keeps peak RSS near
	// the live heap instead of twice it. GOGC, when set, still rules.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { // the first signal cancels ctx (work stops cleanly); a second one ends the process at once
		<-ctx.Done()
		stop()
	}()
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// execute runs one command line and returns the exit status.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "simclr: internal error: %v (please report it with this trace)\n%s", r, debug.Stack())
			code = 3
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "simclr %s: interrupted\n", c.name)
			return 130
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "simclr %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "simclr %s: %s\n", c.name, oneLine(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(stderr, "simclr: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parse parses args into fs, returning a usageError for bad flags and
// stray arguments, and the set of flags given explicitly.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (map[string]bool, error) {
	fs.SetOutput(stderr)
	fs.Init(fs.Name(), flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set, nil
}
