package experiment

import (
	"bytes"
	"fmt"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/simclr-go/simclr/run"
)

// File is an experiment file.
type File struct {
	Name     string         `yaml:"name"`     // the experiment: runs/<name>/, experiments/results/<name>/
	Defaults map[string]any `yaml:"defaults"` // training config every row starts from
	Eval     Eval           `yaml:"eval"`     // every row's evaluation unless the row gives its own
	Rows     []Row          `yaml:"rows"`
	Anchors  map[string]any `yaml:"anchors"` // not read: a place to define YAML anchors the rows refer to
	Summary  string         `yaml:"summary"` // markdown RESULTS.md shows above the table: what the rows say so far
}

// Eval is what a row's encoder is measured with.
type Eval struct {
	Heads     []string `yaml:"heads"`      // linear probes; the first is the row's top1 (default [ce])
	KNN       bool     `yaml:"knn"`        // also weighted kNN (k 200, τ 0.1)
	Limit     int      `yaml:"limit"`      // labelled training images (0: all)
	TestLimit int      `yaml:"test_limit"` // test images (0: all)
}

// Row is one line of the results table.
type Row struct {
	Name     string         `yaml:"name"`
	Note     string         `yaml:"note"`     // what the row tests, for the table
	Group    string         `yaml:"group"`    // rows of one ablation share a group (a bar chart each)
	Base     string         `yaml:"base"`     // the row an ablation is read against (its chart's line; the group's first base counts)
	Train    map[string]any `yaml:"train"`    // over Defaults
	Baseline string         `yaml:"baseline"` // instead of training: pixels or random
	// Reference, when set, trains the row's config with another
	// implementation (torch: experiments/reference/simclr_torch.py) and
	// probes the features it writes exactly as a Go row's.
	Reference string `yaml:"reference"`
	Eval      *Eval  `yaml:"eval"`
}

var rowName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Load reads and checks an experiment file: names, unknown keys, and each
// row's config (resolved, so a bad value is an error before anything runs).
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !rowName.MatchString(f.Name) {
		return nil, fmt.Errorf("%s: experiment name %q: want lower-case letters, digits, '.', '_' or '-'", path, f.Name)
	}
	seen := map[string]bool{}
	for _, r := range f.Rows {
		if !rowName.MatchString(r.Name) || seen[r.Name] {
			return nil, fmt.Errorf("%s: row name %q: empty, repeated or not lower-case letters, digits, '.', '_' or '-'", path, r.Name)
		}
		seen[r.Name] = true
		if r.Baseline != "" && r.Train != nil {
			return nil, fmt.Errorf("%s: row %s: a baseline row trains nothing; drop its train keys", path, r.Name)
		}
		if r.Reference != "" && (r.Reference != "torch" || r.Baseline != "") {
			return nil, fmt.Errorf("%s: row %s: reference %q: want torch, on a row that is not a baseline", path, r.Name, r.Reference)
		}
		if _, err := f.Config(r); err != nil {
			return nil, fmt.Errorf("%s: row %s: %w", path, r.Name, err)
		}
	}
	return &f, nil
}

// Config is a row's resolved training config: Defaults, then the row's keys.
func (f *File) Config(r Row) (run.Config, error) {
	var c run.Config
	if err := run.DecodeConfig(f.Defaults, &c); err != nil {
		return c, fmt.Errorf("defaults: %w", err)
	}
	if err := run.DecodeConfig(r.Train, &c); err != nil {
		return c, err
	}
	return c.Resolved()
}

// EvalOf is the evaluation of row r.
func (f *File) EvalOf(r Row) Eval {
	e := f.Eval
	if r.Eval != nil {
		e = *r.Eval
	}
	if len(e.Heads) == 0 {
		e.Heads = []string{"ce"}
	}
	return e
}
