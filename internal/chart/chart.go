package chart

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/simclr-go/simclr/run"
)

// Max bounds the values Curves draws.
const Max = 1e15

// Save writes p to path (.png or .svg), w×h, atomically.
func Save(p *plot.Plot, path string, w, h vg.Length) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	return run.WriteFileAtomic(path, func(f *os.File) error {
		wt, err := p.WriterTo(w, h, format)
		if err != nil {
			return err
		}
		_, err = wt.WriteTo(f)
		return err
	})
}

// Ticks are gonum's default ticks, labelled with as many decimals as it
// takes for neighbouring labels to differ (4.62, 4.58, not 4.6, 4.6).
type Ticks struct{}

func (Ticks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	step := math.Inf(1)
	prev := math.NaN()
	for _, t := range ts {
		if t.Label != "" {
			if !math.IsNaN(prev) {
				step = math.Min(step, t.Value-prev)
			}
			prev = t.Value
		}
	}
	digits := 0
	if step > 0 && !math.IsInf(step, 0) {
		digits = max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	}
	if digits > 8 {
		return ts // tiny steps: gonum's own labels (exponent form)
	}
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = fmt.Sprintf("%.*f", digits, ts[i].Value)
		}
	}
	return ts
}

// Curves draws a run's metrics into dir: loss.png/.svg and lr.png/.svg
// per logged step, accuracy.png/.svg per epoch (kNN monitor, online
// probe) when there is any. It returns the files written and how many
// values it skipped.
func Curves(ms []run.Metrics, dir string) (written []string, skipped int, err error) {
	var loss, lr, knn, aux plotter.XYs
	add := func(xy *plotter.XYs, x, y float64) {
		if math.IsNaN(y) || math.Abs(y) > Max {
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
	if len(loss) == 0 {
		return nil, skipped, fmt.Errorf("no step lines to plot")
	}
	save := func(name, title, xl, yl string, series ...any) error {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xl, yl
		p.Y.Tick.Marker = Ticks{}
		p.Legend.Top = name != "accuracy" // loss and lr fall to the bottom right; accuracy rises
		p.Add(plotter.NewGrid())
		if err := plotutil.AddLinePoints(p, series...); err != nil {
			return err
		}
		for _, ext := range []string{".png", ".svg"} {
			file := filepath.Join(dir, name+ext)
			if err := Save(p, file, 6*vg.Inch, 4*vg.Inch); err != nil {
				return err
			}
			written = append(written, file)
		}
		return nil
	}
	if err := save("loss", "training loss", "step", "loss", "loss", loss); err != nil {
		return written, skipped, err
	}
	if err := save("lr", "learning rate", "step", "lr", "lr", lr); err != nil {
		return written, skipped, err
	}
	var series []any
	if len(knn) > 0 {
		series = append(series, "kNN monitor (test)", knn)
	}
	if len(aux) > 0 {
		series = append(series, "online probe (train)", aux)
	}
	if len(series) > 0 {
		err = save("accuracy", "accuracy per epoch", "epoch", "top-1 %", series...)
	}
	return written, skipped, err
}
