package eval

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/simclr-go/simclr/internal/graphop"
)

// lossNode adds a scalar loss of a 2-d float32 node to its graph, computed
// in float64 by f, which returns the loss and fills the gradient.
func lossNode(name string, x *G.Node, f func(x, grad []float64) float64) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 2 {
		return nil, fmt.Errorf("eval: %s needs a 2-d node, got shape %v", name, s)
	}
	n := s[0] * s[1]
	xs, gs := make([]float64, n), make([]float64, n)
	load := func(in []float32) {
		for i, v := range in {
			xs[i] = float64(v)
		}
	}
	op := &graphop.Op{Name: name, InDims: []int{2}, Shape: tensor.ScalarShape(), Diff: []bool{true},
		Fwd: func(out []float32, in [][]float32) { load(in[0]); out[0] = float32(f(xs, nil)) }}
	op.Bwd = func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		d, err := graphop.Apply(&graphop.Op{Name: "d" + name, InDims: []int{2, 0}, Shape: s.Clone(),
			Fwd: func(dx []float32, in [][]float32) {
				load(in[0])
				f(xs, gs)
				for i, g := range gs {
					dx[i] = float32(g) * in[1][0]
				}
			}}, in[0], grad)
		return G.Nodes{d}, err
	}
	return graphop.Apply(op, x)
}

// CrossEntropyNode adds CrossEntropy of an N×C score node; labels is read
// when the graph runs, so the caller may refill it between runs.
func CrossEntropyNode(scores *G.Node, labels []int32, o CEOptions) (*G.Node, error) {
	c := scores.Shape()[len(scores.Shape())-1]
	if _, err := CrossEntropy(make([]float64, len(labels)*c), make([]int32, len(labels)), c, o, nil); err != nil {
		return nil, err
	}
	return lossNode("crossentropy", scores, func(x, g []float64) float64 {
		l, _ := CrossEntropy(x, labels, c, o, g)
		return l
	})
}

// HingeNode adds Hinge of an N×C score node (labels as for CrossEntropyNode).
func HingeNode(scores *G.Node, labels []int32, o HingeOptions) (*G.Node, error) {
	c := scores.Shape()[len(scores.Shape())-1]
	if _, err := Hinge(make([]float64, len(labels)*c), make([]int32, len(labels)), c, o, nil); err != nil {
		return nil, err
	}
	return lossNode("hinge", scores, func(x, g []float64) float64 {
		l, _ := Hinge(x, labels, c, o, g)
		return l
	})
}

// MSENode adds MSE between a node and a target read when the graph runs.
func MSENode(a *G.Node, target []float64) (*G.Node, error) {
	if a.Shape().TotalSize() != len(target) {
		return nil, fmt.Errorf("eval: MSE target of %d elements for shape %v", len(target), a.Shape())
	}
	return lossNode("mse", a, func(x, g []float64) float64 {
		l, _ := MSE(x, target, g)
		return l
	})
}
