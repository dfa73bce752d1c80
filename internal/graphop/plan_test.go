package graphop

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// addConst is an Op computing in + c over n elements.
func addConst(n int, c float32) *Op {
	return &Op{Name: "add", InDims: []int{1}, Shape: tensor.Shape{n},
		Fwd: func(out []float32, in [][]float32) {
			for i, v := range in[0] {
				out[i] = v + c
			}
		}}
}

// A chain x → a → b → c → d: each output is read only by the next, so two
// buffers hold all four (a and c share one, b and d the other: d is
// written after b's last read), and the kept result is right after
// several runs.
func TestPlanSharesDeadOutputs(t *testing.T) {
	const n = 1000
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 1, G.WithShape(n), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))))
	node := x
	var ops []*Op
	for i := range 4 {
		op := addConst(n, float32(i+1))
		ops = append(ops, op)
		var err error
		if node, err = Apply(op, node); err != nil {
			t.Fatal(err)
		}
	}
	prog, locMap, err := G.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	arena, outputs, err := Plan(g, G.Nodes{node}, locMap)
	if err != nil {
		t.Fatal(err)
	}
	if outputs != 4*n || arena != 2*n {
		t.Fatalf("arena %d for outputs %d, want %d for %d", arena, outputs, 2*n, 4*n)
	}
	if &ops[0].buf[0] != &ops[2].buf[0] || &ops[1].buf[0] != &ops[3].buf[0] || &ops[0].buf[0] == &ops[1].buf[0] {
		t.Fatal("a and c should share memory, and b and d, but not a and b")
	}
	vm := G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap))
	defer vm.Close()
	for run := range 3 {
		x.Value().Data().([]float32)[7] = float32(run)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		d, _ := Data(node.Value())
		if d[7] != float32(run)+10 || d[0] != 10 {
			t.Fatalf("run %d: d = %v, %v, want %v, 10", run, d[7], d[0], float32(run)+10)
		}
		vm.Reset()
	}
	// Out of the planned order, an Op refuses to compute.
	in := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
	if _, err := ops[0].Do(in); err != nil {
		t.Fatal(err)
	}
	if _, err := ops[2].Do(in); err == nil {
		t.Fatal("an Op ran out of the planned order without an error")
	}
}

// A kept output (read after the run) shares memory with nothing written
// after it.
func TestPlanKeepsKeptOutputs(t *testing.T) {
	g := G.NewGraph()
	node := G.NewTensor(g, tensor.Float32, 1, G.WithShape(8), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(8), tensor.Of(tensor.Float32))))
	var nodes G.Nodes
	var ops []*Op
	for i := range 4 {
		ops = append(ops, addConst(8, float32(i)))
		node, _ = Apply(ops[i], node)
		nodes = append(nodes, node)
	}
	_, locMap, err := G.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Plan(g, G.Nodes{nodes[0], nodes[3]}, locMap); err != nil {
		t.Fatal(err)
	}
	for _, later := range ops[1:] {
		if &later.buf[0] == &ops[0].buf[0] {
			t.Fatal("a later output shares the kept output's memory")
		}
	}
}

// place never overlaps two buffers whose lifetimes meet.
func TestPlaceKeepsLiveBuffersApart(t *testing.T) {
	sizes := []int{5, 9, 3, 9, 1, 7, 4}
	live := [][2]int{{0, 3}, {1, 2}, {2, 6}, {3, 4}, {4, 9}, {5, 7}, {0, 9}}
	var ops []*Op
	for _, s := range sizes {
		ops = append(ops, &Op{Shape: tensor.Shape{s}})
	}
	offs, size := place(ops, live)
	total := 0
	for i := range ops {
		total += sizes[i]
		if offs[i] < 0 || offs[i]+sizes[i] > size {
			t.Fatalf("buffer %d at %d+%d outside the arena of %d", i, offs[i], sizes[i], size)
		}
		for j := range i {
			meet := live[i][0] <= live[j][1] && live[j][0] <= live[i][1]
			overlap := offs[i] < offs[j]+sizes[j] && offs[j] < offs[i]+sizes[i]
			if meet && overlap {
				t.Fatalf("buffers %d and %d are alive together and overlap", i, j)
			}
		}
	}
	if size >= total {
		t.Fatalf("arena %d shares nothing (outputs %d)", size, total)
	}
}
