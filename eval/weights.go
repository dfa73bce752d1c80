package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/simclr-go/simclr/internal/safetensors"
)

// WriteWeights writes e's encoder and projection head as safetensors
// under PyTorch state_dict names (encoder.StateDict), with what a loader
// needs in the metadata: format, arch, width, head_depth, proj_dim,
// features, the input's side, mean and std (applied to pixels in [0,1]),
// and the model config as JSON. experiments/torch_load.py reads it.
func (e *Encoder) WriteWeights(w io.Writer) error {
	c := e.Model.Config
	r := e.Pipe.Recipe()
	mean, _ := json.Marshal(r.Mean)
	std, _ := json.Marshal(r.Std)
	model, _ := json.Marshal(c)
	meta := map[string]string{
		"format":     "simclr-go",
		"arch":       c.Arch,
		"width":      strconv.FormatFloat(c.Width, 'g', -1, 64),
		"head_depth": strconv.Itoa(c.HeadDepth),
		"proj_dim":   strconv.Itoa(c.ProjDim),
		"features":   strconv.Itoa(e.Model.Features),
		"side":       strconv.Itoa(e.Pipe.Side(e.Side)),
		"mean":       string(mean),
		"std":        string(std),
		"model":      string(model),
	}
	sd := e.Model.StateDict()
	ts := make([]safetensors.Tensor, len(sd))
	for i, t := range sd {
		ts[i] = safetensors.Tensor{Name: t.Name, Shape: t.Shape, Data: t.Data}
	}
	if err := safetensors.Write(w, ts, meta); err != nil {
		return fmt.Errorf("eval: weights: %w", err)
	}
	return nil
}
