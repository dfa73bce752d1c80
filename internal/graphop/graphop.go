package graphop

import (
	"fmt"
	"hash"
	"hash/fnv"
	"time"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Forward computes an op's output into out from its inputs' data.
type Forward func(out []float32, in [][]float32)

// Backward builds the gradient nodes of an op, one per input (nil where
// the input is not differentiable), from its inputs, output and the
// gradient of the cost with respect to the output.
type Backward func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)

// Op is a gorgonia operator backed by a Forward kernel.
type Op struct {
	Name   string
	InDims []int        // number of dimensions of each input
	Shape  tensor.Shape // output shape; empty for a scalar
	Fwd    Forward
	Bwd    Backward // nil: not differentiable
	Diff   []bool   // which inputs Bwd differentiates
	// InPlace, when not 0, is the 1-based index of an input of the output's
	// shape whose buffer the output overwrites instead of the op owning
	// one. Only safe when this op is the last reader of that input's value:
	// a gradient node must then not be shared with another consumer (a
	// BatchNorm fused with a residual join does not overwrite its gradient,
	// which the shortcut reads too, for this reason). Fwd
	// gets the same slice as out and as that input, and must read each
	// element before writing it.
	InPlace int

	out    *tensor.Dense
	scalar G.F32
	ins    [][]float32

	// Set by Plan: the output's memory in the plan's arena, and the op's
	// place in the plan's run order.
	buf   []float32
	order *runOrder
	seq   int
}

// Apply adds op to the graph with the given inputs.
func Apply(op *Op, inputs ...*G.Node) (*G.Node, error) {
	n, err := G.ApplyOp(op, inputs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.Name, err)
	}
	return n, nil
}

func (op *Op) Arity() int { return len(op.InDims) }

func (op *Op) Type() hm.Type {
	ts := make(hm.Types, 0, len(op.InDims)+1)
	for _, d := range op.InDims {
		ts = append(ts, tensorType(d))
	}
	ts = append(ts, tensorType(len(op.Shape)))
	return hm.NewFnType(ts...)
}

func tensorType(dims int) hm.Type {
	if dims == 0 {
		return tensor.Float32
	}
	return G.TensorType{Dims: dims, Of: tensor.Float32}
}

func (op *Op) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.Shape.Clone(), nil }

// Do runs the kernel. The returned value is owned by op.
func (op *Op) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != len(op.InDims) {
		return nil, fmt.Errorf("%s: got %d inputs, want %d", op.Name, len(vals), len(op.InDims))
	}
	if timing.on.Load() {
		defer record(op.Name, time.Now())
	}
	op.ins = op.ins[:0]
	for i, v := range vals {
		d, err := Data(v)
		if err != nil {
			return nil, fmt.Errorf("%s: input %d: %w", op.Name, i, err)
		}
		op.ins = append(op.ins, d)
	}
	if len(op.Shape) == 0 {
		var s [1]float32
		op.Fwd(s[:], op.ins)
		op.scalar = G.F32(s[0])
		return &op.scalar, nil
	}
	if op.InPlace > 0 {
		t, ok := vals[op.InPlace-1].(*tensor.Dense)
		if !ok || !t.Shape().Eq(op.Shape) {
			return nil, fmt.Errorf("%s: input %d cannot hold the output in place", op.Name, op.InPlace-1)
		}
		op.Fwd(op.ins[op.InPlace-1], op.ins)
		return t, nil
	}
	if op.order != nil {
		if err := op.order.check(op); err != nil {
			return nil, err
		}
	}
	if op.out == nil {
		if op.buf != nil {
			op.out = op.planned()
		} else {
			op.out = tensor.New(tensor.WithShape(op.Shape...), tensor.Of(tensor.Float32))
		}
	}
	op.Fwd(op.out.Data().([]float32), op.ins)
	return op.out, nil
}

// Data returns the float32 elements of a gorgonia value (one for a scalar).
func Data(v G.Value) ([]float32, error) {
	switch v := v.(type) {
	case *G.F32:
		return []float32{float32(*v)}, nil
	case tensor.Tensor:
		switch d := v.Data().(type) {
		case []float32:
			return d, nil
		case float32:
			return []float32{d}, nil
		}
		return nil, fmt.Errorf("value of dtype %v, want float32", v.Dtype())
	}
	return nil, fmt.Errorf("value of type %T, want a float32 tensor", v)
}

func (op *Op) ReturnsPtr() bool      { return false }
func (op *Op) CallsExtern() bool     { return false }
func (op *Op) OverwritesInput() int  { return -1 }
func (op *Op) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s@%p", op.Name, op) }
func (op *Op) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *Op) String() string { return op.Name }

// DiffWRT reports which inputs have gradients.
func (op *Op) DiffWRT(n int) []bool {
	if op.Bwd == nil {
		return make([]bool, n)
	}
	return op.Diff
}

// SymDiff builds the gradient nodes with Bwd.
func (op *Op) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.Bwd == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.Name)
	}
	return op.Bwd(inputs, output, grad)
}
