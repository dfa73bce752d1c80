package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/simclr-go/simclr/run"
)

// plotMax bounds the values plot draws.
const plotMax = 1e15

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr plot", flag.ContinueOnError)
	var runDir, out string
	fs.StringVar(&runDir, "run", "", "run directory written by simclr train (required)")
	fs.StringVar(&out, "out", "", "directory for the pictures (default: the run directory)")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if runDir == "" {
		return usagef("--run is required")
	}
	if out == "" {
		out = runDir
	}
	ms, err := run.ReadMetrics(runDir)
	if err != nil {
		return err
	}
	var loss, lr, knn, aux plotter.XYs
	skipped := 0
	add := func(xy *plotter.XYs, x, y float64) {
		if math.IsNaN(y) || math.Abs(y) > plotMax { // a diverged run: gonum's axes cannot span it
			skipped++
			return
		}
		*xy = append(*xy, plotter.XY{X: x, Y: y})
	}
	for _, m := range ms {
		switch m.Kind {
		case "step":
			add(&loss, float64(m.Step), m.Loss)
			add(&lr, float64(m.Step), m.LR)
		case "epoch":
			if m.KNNTop1 != nil {
				add(&knn, float64(m.Epoch), 100**m.KNNTop1)
			}
			if m.AuxTop1 > 0 {
				add(&aux, float64(m.Epoch), 100*m.AuxTop1)
			}
		}
	}
	if skipped > 0 {
		fmt.Fprintf(stderr, "plot: skipped %d values that are not finite or beyond ±%g\n", skipped, plotMax)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(loss) == 0 {
		return fmt.Errorf("%s has no step lines to plot", filepath.Join(runDir, run.MetricsFile))
	}
	var written []string
	save := func(name, title, xl, yl string, series ...any) error {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xl, yl
		p.Add(plotter.NewGrid())
		if err := plotutil.AddLinePoints(p, series...); err != nil {
			return err
		}
		for _, ext := range []string{".png", ".svg"} {
			file := filepath.Join(out, name+ext)
			if err := run.WriteFileAtomic(file, func(w *os.File) error {
				wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, ext[1:])
				if err != nil {
					return err
				}
				_, err = wt.WriteTo(w)
				return err
			}); err != nil {
				return err
			}
			written = append(written, file)
		}
		return nil
	}
	if err := save("loss", "training loss", "step", "loss", "loss", loss); err != nil {
		return err
	}
	if err := save("lr", "learning rate", "step", "lr", "lr", lr); err != nil {
		return err
	}
	if len(knn) > 0 || len(aux) > 0 {
		var series []any
		if len(knn) > 0 {
			series = append(series, "kNN monitor (test)", knn)
		}
		if len(aux) > 0 {
			series = append(series, "online probe (train)", aux)
		}
		if err := save("accuracy", "accuracy per epoch", "epoch", "top-1 %", series...); err != nil {
			return err
		}
	}
	for _, w := range written {
		fmt.Fprintln(stdout, "wrote", w)
	}
	return nil
}
