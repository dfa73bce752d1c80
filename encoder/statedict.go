package encoder

import (
	"fmt"
	"strings"
)

// Tensor is one named tensor of a StateDict, row-major.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// StateDict is the model's weights and BatchNorm running statistics under
// PyTorch state_dict names and layouts, as experiments/torch_load.py's
// modules name them: "encoder." then the layer (conv1.weight,
// bn1.running_mean, layer2.0.shortcut.weight, …), "head." then fc1,
// bn1, fc2 … for the projection head. Linear weights are out×in (PyTorch's
// layout; ours is in×out); convolutions are out×in×k×k in both. The data
// is copied.
func (m *Model) StateDict() []Tensor {
	bnOf := map[*Param]*BatchNorm{}
	for _, bn := range m.bns {
		bnOf[bn.Affine] = bn
	}
	var out []Tensor
	for _, p := range m.params {
		name := torchName(p.Name)
		if bn := bnOf[p]; bn != nil {
			c := p.Shape[1]
			out = append(out,
				Tensor{name + ".weight", []int{c}, clone(p.Data[:c])},
				Tensor{name + ".bias", []int{c}, clone(p.Data[c:])},
				Tensor{name + ".running_mean", []int{c}, clone(bn.RunMean)},
				Tensor{name + ".running_var", []int{c}, clone(bn.RunVar)})
			continue
		}
		switch {
		case strings.HasSuffix(p.Name, ".b"):
			out = append(out, Tensor{name + ".bias", clone(p.Shape), clone(p.Data)})
		case len(p.Shape) == 2: // a linear layer: in×out here, out×in in PyTorch
			in, o := p.Shape[0], p.Shape[1]
			t := make([]float32, len(p.Data))
			for i := range in {
				for j := range o {
					t[j*in+i] = p.Data[i*o+j]
				}
			}
			out = append(out, Tensor{name + ".weight", []int{o, in}, t})
		default:
			out = append(out, Tensor{name + ".weight", clone(p.Shape), clone(p.Data)})
		}
	}
	return out
}

// torchName maps a parameter's name to its module's PyTorch name:
// conv1.w → encoder.conv1, stem.w → encoder.stem.conv (beside
// encoder.stem.bn; shortcuts alike), head1.w → head.fc1, head.bn →
// head.bn1, head.bn2 → head.bn2, head2.b → head.fc2.
func torchName(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".w"), ".b")
	switch {
	case strings.HasSuffix(name, "stem") || strings.HasSuffix(name, "shortcut"):
		return "encoder." + name + ".conv"
	case name == "head.bn":
		return "head.bn1"
	case strings.HasPrefix(name, "head.bn"):
		return name
	case strings.HasPrefix(name, "head"):
		var i int
		fmt.Sscanf(name, "head%d", &i)
		return fmt.Sprintf("head.fc%d", i)
	}
	return "encoder." + name
}

func clone[T any](s []T) []T { return append([]T(nil), s...) }
