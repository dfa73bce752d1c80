package graphop

import (
	"testing"
	"time"

	"gorgonia.org/tensor"
)

func TestTimeOps(t *testing.T) {
	sleep := func(name string, d time.Duration) *Op {
		return &Op{Name: name, InDims: []int{1}, Shape: tensor.Shape{1},
			Fwd: func([]float32, [][]float32) { time.Sleep(d) }}
	}
	a, b := sleep("a", 20*time.Millisecond), sleep("b", 5*time.Millisecond)
	in := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1}))
	a.Do(in) // before timing: not counted
	stop := TimeOps()
	for range 2 {
		a.Do(in)
		b.Do(in)
	}
	got := stop()
	a.Do(in) // after: not counted
	if len(got) != 2 || got["a"] < 40*time.Millisecond || got["a"] > 200*time.Millisecond || got["b"] < 10*time.Millisecond || got["b"] >= got["a"] {
		t.Fatalf("op times %v: want a ≈ 40ms and b ≈ 10ms, two runs each", got)
	}
}
