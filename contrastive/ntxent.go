package contrastive

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/internal/gemm"
	"github.com/simclr-go/simclr/internal/graphop"
	"github.com/simclr-go/simclr/internal/scratch"
)

// DefaultTemperature is the paper's CIFAR-10 temperature (appendix B.9).
const DefaultTemperature = 0.5

// NTXent is the normalised temperature-scaled cross-entropy loss.
type NTXent struct {
	tau  float64
	part Part
	zhat []float32 // 2N×D normalised embeddings
	norm []float32 // 2N norms
	p    []float32 // 2N×2N: logits, then softmax over k≠i
	sym  []float32 // 2N×2N: G + Gᵀ in Grad
}

// New returns the loss with temperature tau (> 0).
func New(tau float64) (*NTXent, error) {
	if !(tau > 0) || math.IsInf(tau, 0) {
		return nil, fmt.Errorf("contrastive: temperature must be positive and finite, got %v", tau)
	}
	return &NTXent{tau: tau}, nil
}

// Part is one rank's share of a loss over a data-parallel world's
// gathered embeddings: the anchors (queries) are the rows of the images
// Rank·N/Size … (Rank+1)·N/Size−1 of each view; every row is a key
// (negative or positive). The zero Part is the whole batch.
type Part struct{ Rank, Size int }

// queries returns whether row i of rows is one of p's anchors.
func (p Part) query(i, rows int) bool {
	if p.Size <= 1 {
		return true
	}
	n := rows / 2
	b := n / p.Size
	j := i % n
	return j >= p.Rank*b && j < (p.Rank+1)*b
}

// count is the number of p's anchors among rows.
func (p Part) count(rows int) int {
	if p.Size <= 1 {
		return rows
	}
	return rows / p.Size
}

// Temperature returns τ.
func (l *NTXent) Temperature() float64 { return l.tau }

func checkBatch(rows, d, n int) error {
	if rows == 0 {
		return errors.New("contrastive: empty batch")
	}
	if rows%2 != 0 {
		return fmt.Errorf("contrastive: %d embeddings is odd; need two views per image", rows)
	}
	if d < 1 || n != rows*d {
		return fmt.Errorf("contrastive: z has %d elements, want %d×%d", n, rows, d)
	}
	return nil
}

// Loss returns L for z (rows×d, two views stacked) and keeps what Grad
// needs.
func (l *NTXent) Loss(z []float32, rows, d int) (float32, error) {
	if err := checkBatch(rows, d, len(z)); err != nil {
		return 0, err
	}
	l.zhat = scratch.Grow(l.zhat, rows*d)
	l.norm = scratch.Grow(l.norm, rows)
	l.p = scratch.Grow(l.p, rows*rows)
	for i := 0; i < rows; i++ {
		var ss float64
		for _, v := range z[i*d : (i+1)*d] {
			ss += float64(v) * float64(v)
		}
		nrm := max(math.Sqrt(ss), 1e-12) // as torch.nn.functional.normalize
		l.norm[i] = float32(nrm)
		for j, v := range z[i*d : (i+1)*d] {
			l.zhat[i*d+j] = float32(float64(v) / nrm)
		}
	}
	gemm.Parallel(0, false, true, rows, rows, d, float32(1/l.tau), l.zhat, d, l.zhat, d, 0, l.p, rows)
	half := rows / 2
	var total float64
	for i := 0; i < rows; i++ {
		row := l.p[i*rows : (i+1)*rows]
		if !l.part.query(i, rows) {
			clear(row) // a key only: no loss term, no gradient through its own row
			continue
		}
		pos := float64(row[(i+half)%rows])
		mx := math.Inf(-1)
		for k, v := range row {
			if k != i {
				mx = math.Max(mx, float64(v))
			}
		}
		var s float64
		for k, v := range row {
			if k != i {
				e := math.Exp(float64(v) - mx)
				row[k] = float32(e)
				s += e
			}
		}
		for k := range row {
			row[k] /= float32(s)
		}
		row[i] = 0
		total += mx + math.Log(s) - pos
	}
	return float32(total / float64(l.part.count(rows))), nil
}

// Grad writes ∂L/∂z, scaled by upstream, into dz; it must follow Loss on
// the same z.
func (l *NTXent) Grad(dz, z []float32, rows, d int, upstream float32) {
	half := rows / 2
	// G = (P − onehot(pos)) * upstream/2N; dẑ = (G + Gᵀ)·ẑ / τ.
	scale := upstream / float32(l.part.count(rows))
	gm := l.p // reuse: becomes G in place
	for i := 0; i < rows; i++ {
		if l.part.query(i, rows) {
			gm[i*rows+(i+half)%rows] -= 1
		}
	}
	for i := range gm {
		gm[i] *= scale
	}
	l.sym = scratch.Grow(l.sym, rows*rows)
	sym := l.sym
	for i := 0; i < rows; i++ {
		for k := 0; k < rows; k++ {
			sym[i*rows+k] = gm[i*rows+k] + gm[k*rows+i]
		}
	}
	gemm.Parallel(0, false, false, rows, d, rows, float32(1/l.tau), sym, rows, l.zhat, d, 0, dz, d)
	for i := 0; i < rows; i++ {
		zh, g := l.zhat[i*d:(i+1)*d], dz[i*d:(i+1)*d]
		var dot float64
		for j := range g {
			dot += float64(zh[j]) * float64(g[j])
		}
		inv := 1 / l.norm[i]
		for j := range g {
			g[j] = (g[j] - zh[j]*float32(dot)) * inv
		}
	}
}

// Node adds the loss of a 2N×D embedding node to its graph: a scalar node
// whose gradient gorgonia.Grad reaches through our own backward.
func (l *NTXent) Node(z *G.Node) (*G.Node, error) {
	s := z.Shape()
	if len(s) != 2 {
		return nil, fmt.Errorf("contrastive: z must be 2-d, got shape %v", s)
	}
	rows, d := s[0], s[1]
	if err := checkBatch(rows, d, rows*d); err != nil {
		return nil, err
	}
	op := &graphop.Op{Name: "ntxent", InDims: []int{2}, Shape: tensor.ScalarShape(), Diff: []bool{true},
		// The shape was checked above, so Loss cannot fail here.
		Fwd: func(out []float32, in [][]float32) { out[0], _ = l.Loss(in[0], rows, d) }}
	op.Bwd = func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dz, e := graphop.Apply(&graphop.Op{Name: "dntxent", InDims: []int{2, 0}, Shape: tensor.Shape{rows, d},
			Fwd: func(dz []float32, in [][]float32) { l.Grad(dz, in[0], rows, d, in[1][0]) }}, in[0], grad)
		return G.Nodes{dz}, e
	}
	return graphop.Apply(op, z)
}

// GlobalNode is Node over the embeddings of every rank of c, with this
// rank's anchors: SimCLR's global negatives. z is this rank's 2b×D (first
// views, then second views, of its b images); the gathered matrix is laid
// out as one process's batch of the world's images (rank r's images are
// batch positions r·b … r·b+b−1), so with its batch split over ranks in
// order the mean of the ranks' losses is the one-process loss. Backward
// all-reduces the gradient of the gathered matrix (every rank's loss
// depends on every row as a key) and keeps this rank's rows. With one rank
// it is Node. A failing collective panics (under MPI the job is ended
// first).
func (l *NTXent) GlobalNode(z *G.Node, c dist.Comm) (*G.Node, error) {
	if c == nil || c.Size() == 1 {
		return l.Node(z)
	}
	s := z.Shape()
	if len(s) != 2 || s[0]%2 != 0 {
		return nil, fmt.Errorf("contrastive: z must be 2b×D, got shape %v", s)
	}
	g, err := Gather(z, c)
	if err != nil {
		return nil, err
	}
	l.part = Part{Rank: c.Rank(), Size: c.Size()}
	return l.Node(g)
}

// Gather adds the all-gather of z (2b×D: two views of b images) over c to
// z's graph: a 2bN×D node, view-major over the world's images in rank
// order. Its backward sums the gradient over the ranks and keeps this
// rank's rows.
func Gather(z *G.Node, c dist.Comm) (*G.Node, error) {
	s := z.Shape()
	b, d, n, r := s[0]/2, s[1], c.Size(), c.Rank()
	// blocks maps (view, rank) to its row offset in the global layout.
	block := func(view, rank int) int { return (view*n*b + rank*b) * d }
	recv := make([]float32, n*2*b*d)
	op := &graphop.Op{Name: "gather", InDims: []int{2}, Shape: tensor.Shape{2 * b * n, d}, Diff: []bool{true},
		Fwd: func(out []float32, in [][]float32) {
			if err := c.AllGather(in[0], recv); err != nil {
				panic(err)
			}
			for rank := range n {
				for v := range 2 {
					copy(out[block(v, rank):][:b*d], recv[(rank*2+v)*b*d:][:b*d])
				}
			}
		}}
	sum := make([]float32, 2*b*n*d)
	op.Bwd = func(_ G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dz, err := graphop.Apply(&graphop.Op{Name: "dgather", InDims: []int{2}, Shape: tensor.Shape{2 * b, d},
			Fwd: func(dz []float32, in [][]float32) {
				copy(sum, in[0])
				if err := c.AllReduce(sum); err != nil {
					panic(err)
				}
				for v := range 2 {
					copy(dz[v*b*d:][:b*d], sum[block(v, r):][:b*d])
				}
			}}, dy)
		return G.Nodes{dz}, err
	}
	return graphop.Apply(op, z)
}
