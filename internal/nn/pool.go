package nn

import "fmt"

// MaxPool describes 2×2 max pooling with stride 2 over N×C×H×W (H and W
// even): output N×C×(H/2)×(W/2).
type MaxPool struct{ N, C, H, W int }

func (p MaxPool) InSize() int  { return p.N * p.C * p.H * p.W }
func (p MaxPool) OutSize() int { return p.N * p.C * (p.H / 2) * (p.W / 2) }

// Forward writes the maxima into y and, into arg, which element of each
// 2×2 window won (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right;
// the first of equal values).
func (p MaxPool) Forward(y, x []float32, arg []uint8) {
	if len(x) != p.InSize() || len(y) != p.OutSize() || len(arg) != len(y) || p.H%2 != 0 || p.W%2 != 0 {
		panic(fmt.Sprintf("nn: maxpool %+v: x=%d y=%d arg=%d", p, len(x), len(y), len(arg)))
	}
	ho, wo := p.H/2, p.W/2
	forEach(p.N, func(n int) {
		for c := 0; c < p.C; c++ {
			base := (n*p.C + c) * p.H * p.W
			ob := (n*p.C + c) * ho * wo
			for oy := 0; oy < ho; oy++ {
				r0 := x[base+2*oy*p.W : base+2*oy*p.W+p.W]
				r1 := x[base+(2*oy+1)*p.W : base+(2*oy+1)*p.W+p.W]
				maxPoolRow(y[ob+oy*wo:ob+oy*wo+wo], arg[ob+oy*wo:ob+oy*wo+wo], r0, r1)
			}
		}
	})
}

// maxPoolRowGo is the portable row of Forward (the AVX2 kernel does the
// same eight windows at a time).
func maxPoolRowGo(yo []float32, ao []uint8, r0, r1 []float32) {
	for ox := range yo {
		best, bi := r0[2*ox], uint8(0)
		if v := r0[2*ox+1]; v > best {
			best, bi = v, 1
		}
		if v := r1[2*ox]; v > best {
			best, bi = v, 2
		}
		if v := r1[2*ox+1]; v > best {
			best, bi = v, 3
		}
		yo[ox], ao[ox] = best, bi
	}
}

// Backward routes each output gradient to the input that won the max.
func (p MaxPool) Backward(dx, dy []float32, arg []uint8) {
	ho, wo := p.H/2, p.W/2
	forEach(p.N, func(n int) {
		d := dx[n*p.C*p.H*p.W : (n+1)*p.C*p.H*p.W]
		clear(d)
		for c := 0; c < p.C; c++ {
			for oy := 0; oy < ho; oy++ {
				o := ((n*p.C+c)*ho + oy) * wo
				row := (c*p.H + 2*oy) * p.W
				for ox, a := range arg[o : o+wo] {
					d[row+int(a>>1)*p.W+2*ox+int(a&1)] = dy[o+ox]
				}
			}
		}
	})
}

// GlobalAvgPool averages each N×C plane of S elements into y (N×C).
func GlobalAvgPool(y, x []float32, n, c, s int) {
	if len(x) != n*c*s || len(y) != n*c {
		panic("nn: global average pool: wrong sizes")
	}
	inv := 1 / float32(s)
	for i := range y {
		var sum float32
		for _, v := range x[i*s : (i+1)*s] {
			sum += v
		}
		y[i] = sum * inv
	}
}

// GlobalAvgPoolBackward spreads dy (N×C) evenly over the S elements.
func GlobalAvgPoolBackward(dx, dy []float32, s int) {
	inv := 1 / float32(s)
	for i, g := range dy {
		d := dx[i*s : (i+1)*s]
		for j := range d {
			d[j] = g * inv
		}
	}
}

// AddReLU sets y = max(a+b, 0), the join of a residual block.
func AddReLU(y, a, b []float32) {
	forEach(chunks, func(ch int) {
		lo, hi := split(len(y), chunks, ch)
		for i := lo; i < hi; i++ {
			y[i] = max(a[i]+b[i], 0)
		}
	})
}

// AddReLUGrad adds to dx the gradient dy of a residual join's addend
// where the join's output y > 0: AddReLUBackward added to a gradient
// already there, without the separate buffer.
func AddReLUGrad(dx, y, dy []float32) {
	forEach(chunks, func(ch int) {
		lo, hi := split(len(y), chunks, ch)
		for i := lo; i < hi; i++ {
			dx[i] += reluMask(dy[i], y[i])
		}
	})
}

// AddReLUBackward sets dx = dy where y > 0 and 0 elsewhere: the gradient
// of both addends.
func AddReLUBackward(dx, y, dy []float32) {
	forEach(chunks, func(ch int) {
		lo, hi := split(len(y), chunks, ch)
		for i := lo; i < hi; i++ {
			dx[i] = reluMask(dy[i], y[i])
		}
	})
}
