package graphop

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestDoOwnsAndReusesItsOutput(t *testing.T) {
	calls := 0
	op := &Op{Name: "double", InDims: []int{1}, Shape: tensor.Shape{3},
		Fwd: func(out []float32, in [][]float32) {
			calls++
			for i, v := range in[0] {
				out[i] = 2 * v
			}
		}}
	in := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))
	a, err := op.Do(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := op.Do(in)
	if a != b || calls != 2 {
		t.Fatalf("output not reused (%p vs %p) or kernel not run twice (%d)", a, b, calls)
	}
	d, _ := Data(b)
	if d[2] != 6 {
		t.Fatalf("got %v", d)
	}
	if _, err := op.Do(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))); err == nil {
		t.Fatal("float64 input accepted")
	}
	if _, err := op.Do(in, in); err == nil {
		t.Fatal("wrong arity accepted")
	}
}

func TestInPlace(t *testing.T) {
	op := &Op{Name: "neg", InDims: []int{1}, Shape: tensor.Shape{2}, InPlace: 1,
		Fwd: func(out []float32, in [][]float32) {
			for i, v := range in[0] {
				out[i] = -v
			}
		}}
	in := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))
	v, err := op.Do(in)
	if err != nil || v != G.Value(in) || in.Data().([]float32)[1] != -2 {
		t.Fatalf("in-place op: %v, %v", v, err)
	}
	bad := &Op{Name: "neg", InDims: []int{1}, Shape: tensor.Shape{3}, InPlace: 1, Fwd: op.Fwd}
	if _, err := bad.Do(in); err == nil {
		t.Fatal("in-place into a differently shaped input accepted")
	}
}

func TestScalarData(t *testing.T) {
	f := G.F32(1.5)
	d, err := Data(&f)
	if err != nil || d[0] != 1.5 {
		t.Fatalf("%v %v", d, err)
	}
}
