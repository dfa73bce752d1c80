package graphop

import (
	"fmt"
	"reflect"
	"slices"
	"sort"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NewMachine compiles g into gorgonia's tape machine with the output
// buffers of g's Ops planned (see Plan).
func NewMachine(g *G.ExprGraph, keep G.Nodes) (G.VM, error) {
	prog, locMap, err := G.Compile(g)
	if err != nil {
		return nil, err
	}
	if _, _, err := Plan(g, keep, locMap); err != nil {
		return nil, err
	}
	return G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap)), nil
}

// Plan lays the output buffers of g's Ops out in one arena, sharing memory
// between outputs whose values are never alive at the same time, the way
// a compiler allocates stack slots: a forward activation's memory holds a
// later layer's gradient once the backward pass has read it for the last
// time. The values of keep (what the caller reads after a run: gradients,
// the loss, h) and anything they alias are never shared.
//
// Plan must run after the graph is complete (gradients included) and
// before its first run, with the registers (locMap) of the program
// compiled for that run (G.Compile). It follows the order in which the
// tape machine runs g and the machine's register reuse (a gorgonia
// operator may write into the value that last held its register); each planned Op
// checks that order when it runs and fails rather than compute from a
// buffer another output holds. It returns the arena's size and the sum of
// the planned outputs' sizes, in float32 elements.
func Plan(g *G.ExprGraph, keep G.Nodes, locMap any) (arena, outputs int, err error) {
	order, err := G.Sort(g)
	if err != nil {
		return 0, 0, err
	}
	slices.Reverse(order) // the tape machine's order
	regs, err := registers(locMap)
	if err != nil {
		return 0, 0, err
	}
	bufs, ops := aliases(g, order, regs)
	live := lifetimes(g, order, bufs, keep)
	offs, size := place(ops, live)
	mem := make([]float32, size)
	st := &runOrder{n: len(ops)}
	for i, op := range ops {
		n := op.Shape.TotalSize()
		op.buf, op.order, op.seq = mem[offs[i]:offs[i]+n:offs[i]+n], st, i
		op.out = nil
		outputs += n
	}
	return size, outputs, nil
}

// runOrder is the position of a planned graph's run: the next planned Op
// to run.
type runOrder struct{ next, n int }

// check reports whether op runs where the plan put it, and moves on.
func (r *runOrder) check(op *Op) error {
	if op.seq == 0 {
		r.next = 0 // a new run
	}
	if op.seq != r.next {
		return fmt.Errorf("%s ran as output %d of the memory plan, expected %d: the graph does not run in the planned order", op.Name, op.seq, r.next)
	}
	r.next = (r.next + 1) % r.n
	return nil
}

// aliases returns, for each node in order, the planned buffers its value
// may live in (indices into ops, the planned Ops in run order): an Op's
// own buffer, its input's for an in-place Op; for any other operator its
// inputs' and those of the value that last held its register, which it
// may write into.
func aliases(g *G.ExprGraph, order G.Nodes, regs map[*G.Node]string) (map[*G.Node][]int, []*Op) {
	bufs := map[*G.Node][]int{}
	lastInReg := map[string]*G.Node{}
	var ops []*Op
	for _, n := range order {
		kids := children(g, n)
		switch op, _ := n.Op().(*Op); {
		case n.Op() == nil: // an input: not ours
		case op != nil && op.InPlace > 0:
			bufs[n] = bufs[kids[op.InPlace-1]]
		case op != nil && len(op.Shape) > 0:
			bufs[n] = []int{len(ops)}
			ops = append(ops, op)
		case op != nil: // a scalar: held by the op itself
		default:
			var b []int
			for _, k := range kids {
				b = append(b, bufs[k]...)
			}
			if r, ok := regs[n]; ok {
				if prev := lastInReg[r]; prev != nil {
					b = append(b, bufs[prev]...)
				}
			}
			slices.Sort(b)
			bufs[n] = slices.Compact(b)
		}
		if r, ok := regs[n]; ok {
			lastInReg[r] = n
		}
	}
	return bufs, ops
}

// lifetimes returns, for each planned buffer, the first and last position
// in order at which it is written or read; kept buffers live to the end.
func lifetimes(g *G.ExprGraph, order G.Nodes, bufs map[*G.Node][]int, keep G.Nodes) [][2]int {
	var live [][2]int
	touch := func(b, at int) {
		for len(live) <= b {
			live = append(live, [2]int{at, at})
		}
		live[b][1] = max(live[b][1], at)
	}
	for at, n := range order {
		for _, b := range bufs[n] {
			touch(b, at)
		}
		for _, k := range children(g, n) {
			for _, b := range bufs[k] {
				touch(b, at)
			}
		}
	}
	for _, n := range keep {
		for _, b := range bufs[n] {
			live[b][1] = len(order)
		}
	}
	return live
}

// place gives each buffer an offset in one arena so that buffers alive at
// the same time do not overlap: largest first, each at the lowest offset
// that fits between the buffers already placed whose lifetimes meet its
// own. It returns the offsets and the arena's size.
func place(ops []*Op, live [][2]int) (offs []int, size int) {
	idx := make([]int, len(ops))
	for i := range idx {
		idx[i] = i
	}
	sz := func(i int) int { return ops[i].Shape.TotalSize() }
	sort.SliceStable(idx, func(a, b int) bool { return sz(idx[a]) > sz(idx[b]) })
	offs = make([]int, len(ops))
	var placed []int
	for _, i := range idx {
		var busy [][2]int // memory ranges of placed buffers alive with i
		for _, j := range placed {
			if live[j][0] <= live[i][1] && live[i][0] <= live[j][1] {
				busy = append(busy, [2]int{offs[j], offs[j] + sz(j)})
			}
		}
		sort.Slice(busy, func(a, b int) bool { return busy[a][0] < busy[b][0] })
		at := 0
		for _, r := range busy {
			if at+sz(i) <= r[0] {
				break
			}
			at = max(at, r[1])
		}
		offs[i] = at
		size = max(size, at+sz(i))
		placed = append(placed, i)
	}
	return offs, size
}

// registers names each node's register in locMap, G.Compile's
// map[*Node]register (a type gorgonia does not export).
func registers(locMap any) (map[*G.Node]string, error) {
	v := reflect.ValueOf(locMap)
	if v.Kind() != reflect.Map || v.Type().Key() != reflect.TypeOf((*G.Node)(nil)) {
		return nil, fmt.Errorf("graphop: register map of type %T, want G.Compile's", locMap)
	}
	regs := make(map[*G.Node]string, v.Len())
	for it := v.MapRange(); it.Next(); {
		regs[it.Key().Interface().(*G.Node)] = fmt.Sprint(it.Value().Interface())
	}
	return regs, nil
}

// children returns n's inputs in order.
func children(g *G.ExprGraph, n *G.Node) G.Nodes {
	it := g.From(n.ID())
	var kids G.Nodes
	for it.Next() {
		kids = append(kids, it.Node().(*G.Node))
	}
	return kids
}

// planned is the output tensor over the planned buffer.
func (op *Op) planned() *tensor.Dense {
	return tensor.New(tensor.WithShape(op.Shape...), tensor.WithBacking(op.buf))
}
