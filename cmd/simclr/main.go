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
	{"export", "write a run's features (.npy) or its weights (safetensors, PyTorch names)", runExport},
	{"pack", "pack a dataset into one file that training memory-maps (datasets larger than memory)", runPack},
	{"bench", "time the training step (forward, backward, update) on this machine", runBench},
	{"experiment", "run the rows of an experiment file (resumably) or report their results", runExperiment},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "simclr: self-supervised SimCLR pretraining and linear evaluation\n\nUsage:\n  simclr COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'simclr help COMMAND' (or 'simclr COMMAND -h') for a command's flags and examples,\n'simclr --version' for the version.\n")
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
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1:
		usage(stdout)
		return 0
	case args[0] == "help": // simclr help CMD [SUB] is simclr CMD [SUB] -h
		args = append(args[1:], "-h")
	case args[0] == "--version" || args[0] == "-version" || args[0] == "version":
		fmt.Fprintln(stdout, version())
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
			fmt.Fprintf(stderr, "simclr %s: %s\n", c.name, message(c.name, err))
			return 2
		default:
			fmt.Fprintf(stderr, "simclr %s: %s\n", c.name, message(c.name, err))
			return 1
		}
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(stderr, "simclr: unknown command %q%s; run 'simclr help' for the list\n", args[0], didYouMean(args[0], names, ""))
	return 2
}

// message is err on one line with one prefix: the packages' own "train: "
// (or the command's name) is dropped, since "simclr CMD: " comes first.
func message(cmd string, err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	for _, p := range []string{cmd + ": ", "train: ", "eval: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// parse parses args into fs, returning a usageError for bad flags (one
// line, with the nearest flag name when there is one) and stray
// arguments, and the set of flags given explicitly. -h prints the
// command's help on stdout.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) (map[string]bool, error) {
	var out strings.Builder
	fs.SetOutput(&out)
	fs.Init(fs.Name(), flag.ContinueOnError)
	fs.Usage = func() { commandUsage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, out.String())
			return nil, err
		}
		return nil, usageError{badFlag(fs, err)}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set, nil
}
