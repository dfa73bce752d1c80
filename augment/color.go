package augment

import (
	"math"
	"math/rand/v2"
)

// gray is ITU-R 601-2 luma, as torchvision's rgb_to_grayscale.
func gray(r, g, b float32) float32 { return 0.299*r + 0.587*g + 0.114*b }

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

// jitter applies brightness, contrast, saturation and hue with factors
// drawn uniformly from [1-x, 1+x] (hue: [-x, x]) in a random order.
func (p *Pipeline) jitter(img []float32, r *rand.Rand) {
	order := r.Perm(4)
	factor := func(x float64) float32 { return float32(max(0, 1-x) + (1+x-max(0, 1-x))*r.Float64()) }
	b, c, s := factor(p.bright), factor(p.contrast), factor(p.sat)
	h := float32(-p.hue + 2*p.hue*r.Float64())
	n := len(img) / 3
	R, G, B := img[:n], img[n:2*n], img[2*n:]
	for _, op := range order {
		switch op {
		case 0: // brightness: blend with black
			for i := range img {
				img[i] = clamp01(img[i] * b)
			}
		case 1: // contrast: blend with the mean grey of the image
			var sum float64
			for i := range R {
				sum += float64(gray(R[i], G[i], B[i]))
			}
			m := float32(sum / float64(n))
			for i := range img {
				img[i] = clamp01(c*img[i] + (1-c)*m)
			}
		case 2: // saturation: blend with per-pixel grey
			for i := range R {
				g := gray(R[i], G[i], B[i])
				R[i] = clamp01(s*R[i] + (1-s)*g)
				G[i] = clamp01(s*G[i] + (1-s)*g)
				B[i] = clamp01(s*B[i] + (1-s)*g)
			}
		case 3: // hue: rotate in HSV
			for i := range R {
				R[i], G[i], B[i] = shiftHue(R[i], G[i], B[i], h)
			}
		}
	}
}

// shiftHue adds dh (in turns) to the hue of an RGB pixel.
func shiftHue(r, g, b, dh float32) (float32, float32, float32) {
	mx, mn := max(r, g, b), min(r, g, b)
	v := mx
	d := mx - mn
	if d == 0 {
		return r, g, b
	}
	s := d / mx
	var hh float32
	switch mx {
	case r:
		hh = (g - b) / d
	case g:
		hh = 2 + (b-r)/d
	default:
		hh = 4 + (r-g)/d
	}
	hh = hh/6 + dh
	hh -= float32(math.Floor(float64(hh)))
	// HSV to RGB.
	h6 := hh * 6
	i := int(h6) % 6
	f := h6 - float32(int(h6))
	pv, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	switch i {
	case 0:
		return v, t, pv
	case 1:
		return q, v, pv
	case 2:
		return pv, v, t
	case 3:
		return pv, q, v
	case 4:
		return t, pv, v
	}
	return v, pv, q
}

func grayscale(img []float32) {
	n := len(img) / 3
	for i := 0; i < n; i++ {
		g := gray(img[i], img[n+i], img[2*n+i])
		img[i], img[n+i], img[2*n+i] = g, g, g
	}
}
