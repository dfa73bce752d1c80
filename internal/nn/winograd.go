package nn

import (
	"sync"

	"github.com/simclr-go/simclr/internal/gemm"
)

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray 2016) computes
// a 2×2 block of a 3×3 convolution's output from a 4×4 input tile with 16
// multiplications per channel pair instead of 36:
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// Transformed, the 16 positions ξ of the 4×4 tile are 16 independent
// products U_ξ (Cout×Cin) · V_ξ (Cin×tiles), so a convolution becomes 16
// matrix products of depth Cin instead of one of depth 9·Cin, with 2.25×
// fewer multiply-adds, plus the transforms, which cost O(Cin+Cout) per
// tile: measured at 1 thread, they eat the saving at 16–32 channels and
// leave a 25% gain at 64.

// winograd reports a convolution that runs as F(2×2, 3×3): 3×3, stride 1,
// padding 1, even height, a width of whole 16s, at least 16 channels in
// and out, and a CPU whose vector units run the transforms (winoVector).
// Narrower maps take the direct path: their transforms, a few tiles a
// row, would run a scalar loop that costs more than the products save.
// So do fewer channels: the transforms cost per channel, the products per
// pair of channels (a stem of 3 channels ran 2.7× slower).
func (c Conv) winograd() bool {
	return winoVector && c.K == 3 && c.Pad == 1 && c.stride() == 1 && c.H%2 == 0 && c.W%16 == 0 &&
		min(c.Cin, c.Cout) >= 16
}

// winoTiles is how many tiles one product covers: whole rows of tiles,
// about 64 of them.
const winoTiles = 64

// winoStride is the distance between the 16 matrices of a transformed
// block of ch×tb values. The transforms touch all 16 at once; 16 floats
// more than the block keeps them off one cache set (a power-of-two
// distance puts all 16 streams in the same set of an 8-way L1).
func winoStride(ch, tb int) int { return ch*tb + 16 }

// winoScratch is the size of the row buffers of inputTransform: 8 rows of
// W/2+1 and a zero row of W.
func (c Conv) winoScratch() int { return 8*(c.W/2+1) + c.W }

// winoRowBuffers cuts inputTransform's row buffers from s (winoScratch
// long) and zeroes the zero row.
func (c Conv) winoRowBuffers(s []float32) (eo, zero []float32) {
	eo, zero = s[:8*(c.W/2+1)], s[8*(c.W/2+1):c.winoScratch()]
	clear(zero)
	return eo, zero
}

// forwardWinograd is Forward for winograd() convolutions. Each unit takes
// one buffer from the pool for its transformed input and output (buffers
// of several sizes from one pool would mostly be dropped and allocated
// anew).
func (c Conv) forwardWinograd(y, x, w []float32) {
	th, tw := c.H/2, c.W/2
	rb := max(1, winoTiles/tw) // tile rows per unit
	rows := c.N * th           // tile rows of the whole batch
	u := getCol(16 * c.Cout * c.Cin)
	c.weightTransform(*u, w)
	pa := winoPool.Get().(*[16]gemm.PackedA)
	defer winoPool.Put(pa)
	for xi := range pa {
		pa[xi].Pack(false, c.Cout, c.Cin, 1, (*u)[xi*c.Cout*c.Cin:], c.Cin)
	}
	colPool.Put(u)
	units := (rows + rb - 1) / rb
	forEach(units, func(i int) {
		r0, r1 := i*rb, min(rows, (i+1)*rb)
		tb := (r1 - r0) * tw
		sv, sm := winoStride(c.Cin, tb), winoStride(c.Cout, tb)
		buf := getCol(16*(sv+sm) + c.winoScratch())
		v, m := (*buf)[:16*sv], (*buf)[16*sv:16*(sv+sm)]
		eo, zero := c.winoRowBuffers((*buf)[16*(sv+sm):])
		c.inputTransform(v, x, eo, zero, r0, r1)
		for xi := range pa {
			gemm.SgemmPacked(&pa[xi], false, tb, v[xi*sv:], tb, 0, m[xi*sm:], tb)
		}
		c.outputTransform(y, m, r0, r1)
		colPool.Put(buf)
	})
}

// winoPool holds the 16 packed transformed kernels of a Winograd
// convolution. They have a pool of their own: taken from packedPool, 16
// at a time, they would each grow to the largest weight matrix of any
// convolution that later took them (tens of MB at ResNet-18 width 1).
var winoPool = sync.Pool{New: func() any { return new([16]gemm.PackedA) }}

// weightTransform writes u[ξ][co][ci] = (G g Gᵀ)[ξ] for every kernel g =
// w[co][ci], with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
func (c Conv) weightTransform(u, w []float32) {
	plane := c.Cout * c.Cin
	for k := 0; k < plane; k++ {
		g := w[k*9 : k*9+9]
		var t [4][3]float32 // G g
		for j := 0; j < 3; j++ {
			g0, g1, g2 := g[j], g[3+j], g[6+j]
			t[0][j], t[1][j], t[2][j], t[3][j] = g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2
		}
		for i := 0; i < 4; i++ {
			t0, t1, t2 := t[i][0], t[i][1], t[i][2]
			u[(i*4+0)*plane+k] = t0
			u[(i*4+1)*plane+k] = (t0 + t1 + t2) / 2
			u[(i*4+2)*plane+k] = (t0 - t1 + t2) / 2
			u[(i*4+3)*plane+k] = t2
		}
	}
}

// inputTransform writes v[ξ][ci][t] = (Bᵀ d B)[ξ] for the tiles t of the
// batch's tile rows [r0, r1), where d is the 4×4 input patch at
// (2ty−1, 2tx−1), zero outside the image, and
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]. The 16 matrices are
// winoStride apart. eo holds 8 rows of W/2+1, zero a row of W.
//
// Bᵀ d B is separable: first the 4 rows q = Bᵀ d of a tile row's whole
// width, split into even and odd padded columns (winoRows), then each
// q's columns combined by B from those halves, shifted by one tile
// (winoCols).
func (c Conv) inputTransform(v, x, eo, zero []float32, r0, r1 int) {
	th, tw := c.H/2, c.W/2
	tb := (r1 - r0) * tw
	hw, ld := c.H*c.W, tw+1
	stride := winoStride(c.Cin, tb)
	for r := r0; r < r1; r++ {
		n, ty := r/th, r%th
		t0 := (r - r0) * tw
		for ci := 0; ci < c.Cin; ci++ {
			plane := x[(n*c.Cin+ci)*hw : (n*c.Cin+ci+1)*hw]
			var p [4][]float32
			for i := range p {
				p[i] = zero
				if iy := 2*ty - 1 + i; iy >= 0 && iy < c.H {
					p[i] = plane[iy*c.W : (iy+1)*c.W]
				}
			}
			winoRows(eo[:8*ld], p)
			for i := 0; i < 4; i++ {
				winoCols(v[4*i*stride+ci*tb+t0:], stride, tw, eo[2*i*ld:][:ld], eo[(2*i+1)*ld:][:ld])
			}
		}
	}
}

// winoRowsGo writes, for the 4 input rows p of width w (zero rows outside
// the image), the rows q = Bᵀ p split by padded column: eo[2i] = q_i at
// image columns −1, 1, 3, …, w−1 and eo[2i+1] = q_i at columns 0, 2, …,
// w (columns outside the image are zero). eo's rows are w/2+1 long.
func winoRowsGo(eo []float32, p [4][]float32) {
	w := len(p[0])
	ld := w/2 + 1
	p0, p1, p2, p3 := p[0][:w], p[1][:w], p[2][:w], p[3][:w]
	e0, o0, e1, o1 := eo[0:ld], eo[ld:2*ld], eo[2*ld:3*ld], eo[3*ld:4*ld]
	e2, o2, e3, o3 := eo[4*ld:5*ld], eo[5*ld:6*ld], eo[6*ld:7*ld], eo[7*ld:8*ld]
	e0[0], e1[0], e2[0], e3[0] = 0, 0, 0, 0
	o0[ld-1], o1[ld-1], o2[ld-1], o3[ld-1] = 0, 0, 0, 0
	for t := 0; t < w/2; t++ {
		k := 2 * t
		o0[t], o1[t], o2[t], o3[t] = p0[k]-p2[k], p1[k]+p2[k], p2[k]-p1[k], p1[k]-p3[k]
		k++
		e0[t+1], e1[t+1], e2[t+1], e3[t+1] = p0[k]-p2[k], p1[k]+p2[k], p2[k]-p1[k], p1[k]-p3[k]
	}
}

// winoColsGo writes one q row's 4 transformed columns for n tiles into
// v[0:n], v[stride:], v[2·stride:] and v[3·stride:]: q(2t)−q(2t+2),
// q(2t+1)+q(2t+2), q(2t+2)−q(2t+1) and q(2t+1)−q(2t+3) in padded
// columns, that is e[t]−e[t+1], o[t]+e[t+1], e[t+1]−o[t], o[t]−o[t+1].
func winoColsGo(v []float32, stride, n int, e, o []float32) {
	v0, v1, v2, v3 := v[:n], v[stride:][:n], v[2*stride:][:n], v[3*stride:][:n]
	e, o = e[:n+1], o[:n+1]
	for t := range v0 {
		v0[t] = e[t] - e[t+1]
		v1[t] = o[t] + e[t+1]
		v2[t] = e[t+1] - o[t]
		v3[t] = o[t] - o[t+1]
	}
}

// outputTransform writes the 2×2 output blocks Aᵀ M A of the tiles of
// tile rows [r0, r1) into y, where M[ξ] = m[ξ][co][t] and
// Aᵀ = [1 1 1 0; 0 1 −1 −1].
func (c Conv) outputTransform(y, m []float32, r0, r1 int) {
	th, tw := c.H/2, c.W/2
	tb := (r1 - r0) * tw
	hw := c.H * c.W
	stride := winoStride(c.Cout, tb)
	for r := r0; r < r1; r++ {
		n, ty := r/th, r%th
		t0 := (r - r0) * tw
		for co := 0; co < c.Cout; co++ {
			out := y[(n*c.Cout+co)*hw+2*ty*c.W:]
			winoOut(out[:c.W], out[c.W:2*c.W], m[co*tb+t0:], stride)
		}
	}
}

// winoOutGo writes the output rows y0 and y1 of len(y0)/2 tiles whose 16
// transformed values are m[ξ·stride+t].
func winoOutGo(y0, y1, m []float32, stride int) {
	n := len(y0) / 2
	y1 = y1[:2*n]
	for t := 0; t < n; t++ {
		var s [2][4]float32
		for j := 0; j < 4; j++ {
			m0, m1, m2, m3 := m[j*stride+t], m[(4+j)*stride+t], m[(8+j)*stride+t], m[(12+j)*stride+t]
			s[0][j], s[1][j] = m0+m1+m2, m1-m2-m3
		}
		y0[2*t], y0[2*t+1] = s[0][0]+s[0][1]+s[0][2], s[0][1]-s[0][2]-s[0][3]
		y1[2*t], y1[2*t+1] = s[1][0]+s[1][1]+s[1][2], s[1][1]-s[1][2]-s[1][3]
	}
}
