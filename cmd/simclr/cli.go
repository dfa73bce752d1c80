package main

import (
	"github.com/simclr-go/simclr/internal/suggest"

	"flag"
	"fmt"
	"runtime/debug"
	"strings"
)

// help is each command's description and examples for -h and simclr help.
var help = map[string]string{
	"simclr train": `Pretrains an encoder with SimCLR (or, with --method supervised, with labels) and writes a run
directory: config.json, checkpoint.bin, metrics.jsonl. Without recipe flags it trains the best recipe
measured for short CPU budgets on CIFAR-10 (τ 0.2, crops 0.2–1, lr 0.12, weight decay 5e-4, no warmup:
experiments/results/cifar10/RESULTS.md); --paper starts from the paper's instead. Ctrl-C stops
cleanly and --resume continues.

Examples:
  simclr train --dataset cifar10 --download --time-budget 15m --out runs/c10   # 15 minutes, planned
  simclr train --dataset synthetic --limit 512 --epochs 2 --out runs/try       # offline, one minute
  simclr train --config my.yaml --out runs/mine
  simclr train --resume runs/c10`,
	"simclr eval": `Fits a linear probe (cross-entropy, MSE or hinge) on a run's frozen features of the labelled
training split and prints its accuracy on the test split; also the raw-pixel and random-init baselines.

Examples:
  simclr eval --run runs/c10
  simclr eval --run runs/c10 --head mse
  simclr eval --baseline random --dataset cifar10`,
	"simclr knn": `Classifies each test image by its nearest training images in a run's feature space
(weighted kNN, cosine similarity).

Example:
  simclr knn --run runs/c10 --k 200`,
	"simclr export": `Writes a run's frozen features and labels of one split as .npy files (NumPy reads them), and/or
its encoder and head as safetensors with PyTorch state_dict names (experiments/torch_load.py loads them).

Examples:
  simclr export --run runs/c10 --split test --out runs/c10/test.npy
  simclr export --run runs/c10 --weights runs/c10/model.safetensors`,
	"simclr augment": `Writes a contact sheet: each image beside its augmented views, as training sees them.

Example:
  simclr augment --dataset cifar10 --n 8 --views 4 --out sheet.png`,
	"simclr bench": `Times the full training step of the small encoder (or --arch) + projection head with NT-Xent
and SGD: forward, backward and update; augmentation excluded (inputs are fixed random views).
--eval times the feature pass instead (eval-mode forward to h, as simclr eval and export run it).
'simclr bench augment' times the augmentation pipeline alone.

Examples:
  simclr bench --batch-size 256
  simclr bench --arch resnet18 --width 0.25 --batch-size 128 --cpuprofile cpu.out
  simclr bench --eval --arch resnet18 --batch-size 256`,
	"simclr bench augment": `Times the augmentation pipeline alone: an epoch of --n images, two views each, through the
double-buffered stream the trainer reads (views/s).

Example:
  simclr bench augment --n 10000`,
	"simclr experiment run": `Runs the rows of an experiment file that have no result yet, one after the other, into
runs/<experiment>/<row>/, and writes experiments/results/<experiment>/<row>.json for each.
Resumable: rerun it after a kill and it skips finished rows and resumes the unfinished one.

Examples:
  simclr experiment run experiments/cifar10.yaml --only quick
  simclr experiment run experiments/cifar10.yaml`,
	"simclr experiment report": `Renders RESULTS.md and its pictures from an experiment's committed results.

Example:
  simclr experiment report experiments/cifar10.yaml`,
	"simclr pack": `Packs a dataset's images, as training reads them, into DIR/train.pack (and DIR/test.pack):
uint8 pixels, labels and class names in one file that training memory-maps, so a set larger than
memory trains in bounded RSS. Folder datasets are decoded a chunk at a time.

Example:
  simclr pack --data-dir photos --image-size 64 --out photos.packed
  simclr train --dataset packed --data-dir photos.packed --out runs/photos`,
	"simclr plot": `Draws a run's loss, learning-rate and kNN-accuracy curves from metrics.jsonl, and with
--features a PCA scatter of its test-set features coloured by class.

Examples:
  simclr plot --run runs/c10
  simclr plot --run runs/c10 --features --n 2000`,
}

// flagGroups orders a command's flags under headings; flags in no group
// are listed last under "other".
var flagGroups = map[string][][2]string{
	"simclr train": {
		{"data", "dataset data-dir download limit image-size max-pixels"},
		{"model", "arch width head-depth proj-dim method"},
		{"optimisation", "epochs time-budget batch-size optimizer lr lr-scaling momentum nesterov weight-decay warmup-epochs temperature"},
		{"augmentation", "preset strength crop-min size noise workers"},
		{"run", "out config paper resume seed log-every checkpoint-every keep knn-bank knn-queries aux-head aux-labels sync-bn"},
	},
}

// commandUsage is the default -h of a command: description, examples and
// its flags, in groups where the command has them.
func commandUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "Usage: %s [flags]\n\n", fs.Name())
	if h := help[fs.Name()]; h != "" {
		fmt.Fprintf(w, "%s\n\n", h)
	}
	groups := flagGroups[fs.Name()]
	if groups == nil {
		fmt.Fprintln(w, "Flags:")
		fs.VisitAll(func(f *flag.Flag) { printFlag(fs, f) })
		return
	}
	seen := map[string]bool{}
	for _, g := range append(groups, [2]string{"other", ""}) {
		names := strings.Fields(g[1])
		if g[0] == "other" {
			fs.VisitAll(func(f *flag.Flag) {
				if !seen[f.Name] {
					names = append(names, f.Name)
				}
			})
		}
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", g[0])
		for _, n := range names {
			if f := fs.Lookup(n); f != nil {
				seen[n] = true
				printFlag(fs, f)
			}
		}
		fmt.Fprintln(w)
	}
}

// printFlag prints one flag as flag.PrintDefaults does.
func printFlag(fs *flag.FlagSet, f *flag.Flag) {
	name, usage := flag.UnquoteUsage(f)
	s := "  --" + f.Name
	if name != "" {
		s += " " + name
	}
	s += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
	if d := f.DefValue; d != "" && d != "0" && d != "false" {
		if name == "string" {
			d = fmt.Sprintf("%q", d)
		}
		s += fmt.Sprintf(" (default %s)", d)
	}
	fmt.Fprintln(fs.Output(), s)
}

// badFlag is the one-line message for a flag parse error, with the nearest
// defined flag when the name looks like a typo.
func badFlag(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	const undefined = "flag provided but not defined: "
	if !strings.HasPrefix(msg, undefined) {
		return msg
	}
	given := strings.TrimLeft(strings.TrimPrefix(msg, undefined), "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return fmt.Sprintf("unknown flag --%s%s; run '%s -h' for its flags", given, didYouMean(given, names, "--"), fs.Name())
}

// didYouMean is ` (did you mean PREFIX+name?)` for the candidate nearest
// to s (internal/suggest), otherwise "".
func didYouMean(s string, candidates []string, prefix string) string {
	if best := suggest.Nearest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %s%s?)", prefix, best)
	}
	return ""
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "simclr (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	s := fmt.Sprintf("simclr %s %s", v, bi.GoVersion)
	var rev, when string
	dirty := false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			when = kv.Value
		case "vcs.modified":
			dirty = kv.Value == "true"
		}
	}
	if rev != "" {
		s += " commit " + rev[:min(12, len(rev))]
		if dirty {
			s += "+dirty"
		}
		if when != "" {
			s += " " + when
		}
	}
	return s
}
