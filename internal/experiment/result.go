package experiment

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/simclr-go/simclr/internal/machine"
	"github.com/simclr-go/simclr/run"
)

// Result is a finished row: result.json, and experiments/results/<exp>/<row>.json.
type Result struct {
	Row      string             `json:"row"`
	Note     string             `json:"note,omitempty"`
	Group    string             `json:"group,omitempty"`
	Baseline string             `json:"baseline,omitempty"`
	Impl     string             `json:"impl,omitempty"` // a reference row's implementation (pytorch …); empty: simclr-go
	Top1     float64            `json:"top1"`           // the first head's (ce): linear probe, test split, fitted on all of train
	Top5     float64            `json:"top5"`
	Heads    map[string]float64 `json:"heads"` // top-1 of every head
	KNNTop1  *float64           `json:"knn_top1,omitempty"`
	NTrain   int                `json:"n_train"`
	NTest    int                `json:"n_test"`

	Epochs       int     `json:"epochs,omitempty"`
	TrainSec     float64 `json:"train_sec"` // wall-clock of training, resumes added up
	EvalSec      float64 `json:"eval_sec"`
	ImagesPerSec float64 `json:"images_per_sec,omitempty"` // mean over the epoch lines
	FinalLoss    float64 `json:"final_loss,omitempty"`
	Curve        []Point `json:"curve,omitempty"` // epoch losses and kNN monitor

	Config *run.Config `json:"config,omitempty"`
	Seed   uint64      `json:"seed"`
	Where  Where       `json:"where"`
}

// Point is one epoch of a row's training curve.
type Point struct {
	Epoch   int      `json:"epoch"`
	Loss    float64  `json:"loss"`
	KNNTop1 *float64 `json:"knn_top1,omitempty"`
	Sec     float64  `json:"sec"` // training wall-clock at the epoch's end, over resumes
}

// Where is the machine and code a result was measured on.
type Where struct {
	Commit     string  `json:"commit"`
	Dirty      bool    `json:"dirty"`
	Go         string  `json:"go"`
	CPU        string  `json:"cpu"`
	CPUFlags   string  `json:"cpu_flags"` // the vector extensions that matter here
	GOMAXPROCS int     `json:"gomaxprocs"`
	LoadAvg    float64 `json:"load_avg"` // 1-minute load average when the row ended
}

func here() Where {
	c := machine.ReadCPU()
	w := Where{Go: runtime.Version(), CPU: c.Model, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	var flags []string
	for _, f := range []string{"avx2", "fma", "avx512f"} {
		if c.Has(f) {
			flags = append(flags, f)
		}
	}
	w.CPUFlags = strings.Join(flags, " ")
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			w.LoadAvg, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	w.Commit, w.Dirty = commit()
	return w
}

// commit is the source's git commit: from the build (go build stamps it),
// else from git in the working directory.
func commit() (string, bool) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev string
		var dirty bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			return rev, dirty
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	st, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	return strings.TrimSpace(string(out)), len(strings.TrimSpace(string(st))) > 0
}
