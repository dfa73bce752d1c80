package scratch

import "testing"

func TestGrowReusesOrAllocates(t *testing.T) {
	s := make([]float32, 4, 8)
	g := Grow(s, 6)
	if len(g) != 6 || &g[0] != &s[0] {
		t.Fatalf("Grow within capacity: len %d, same backing %v", len(g), &g[0] == &s[0])
	}
	if g = Grow(s, 9); len(g) != 9 || &g[0] == &s[0] {
		t.Fatal("Grow past capacity did not allocate")
	}
	if e := Grow([]int(nil), 0); len(e) != 0 {
		t.Fatal("Grow(nil, 0) not empty")
	}
}
