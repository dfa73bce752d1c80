package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/run"
)

// baselineFile is where a baseline's evaluation is cached: under the
// dataset cache, by dataset, baseline, encoder (random init only), head
// and split sizes, so that a run's evaluation can be read against it.
func baselineFile(dataset, baseline, arch string, width float64, head string, ntrain, ntest int) string {
	enc := ""
	if baseline == BaselineRandom {
		enc = fmt.Sprintf("-%s-w%g", arch, width)
	}
	return filepath.Join(datasets.CacheDir(), "baselines", fmt.Sprintf("%s-%s%s-%s-%dx%d.json", dataset, baseline, enc, head, ntrain, ntest))
}

// CacheBaseline keeps a baseline's evaluation e for CachedBaseline (a no-op
// for a run's own evaluation). arch and width are the encoder's.
func CacheBaseline(e *Evaluation, arch string, width float64) error {
	if e.Baseline == "" {
		return nil
	}
	p := baselineFile(e.Dataset, e.Baseline, arch, width, e.Head, e.NTrain, e.NTest)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return run.WriteJSON(p, e)
}

// CachedBaseline is the top-1 of the cached baseline matching a run's
// evaluation e (same dataset, head and split sizes; the random init of the
// same encoder), if simclr eval --baseline has cached one.
func CachedBaseline(e *Evaluation, baseline, arch string, width float64) (float64, bool) {
	b, err := os.ReadFile(baselineFile(e.Dataset, baseline, arch, width, e.Head, e.NTrain, e.NTest))
	if err != nil {
		return 0, false
	}
	var r struct {
		Top1 float64 `json:"top1"`
	}
	if json.Unmarshal(b, &r) != nil {
		return 0, false
	}
	return r.Top1, true
}
