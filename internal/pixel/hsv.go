package pixel

// HSVTables hold Pillow's 8-bit RGB→HSV→RGB round trip as lookups; the
// caller fills them from its own transcription of Pillow's conversions.
// The byte tables carry 4 bytes of padding for the 4-byte gathers of the
// AVX2 kernel.
type HSVTables struct {
	// Hue[k<<16|d1<<8|d2]: the 8-bit hue of a pixel whose maximum is
	// channel k (r first, then g, then b) and whose other channels lie d1
	// and d2 below it (g, b for r; r, b for g; g, r for b).
	Hue [3<<16 + 4]uint8
	// Sat[max<<8|max-min]: the 8-bit saturation; 0 for grey (max = min),
	// which the kernels rely on.
	Sat [1<<16 + 4]uint8
	// Sector, Frac and OneMinusF: hsv2rgb's i%6, f and 1−f (in float64)
	// for each hue byte; FS its fs for each saturation byte; P[s<<8|v] its
	// p.
	Sector    [256 + 4]uint8
	Frac      [256]float32
	OneMinusF [256]float64
	FS        [256]float32
	P         [1<<16 + 4]uint8
}

// hsvSel[sector] gives where r, g and b come from: 0 v, 1 p, 2 q, 3 t.
var hsvSel = [6][3]uint8{{0, 3, 1}, {2, 0, 1}, {1, 0, 3}, {1, 2, 0}, {3, 1, 0}, {0, 1, 2}}

// HSVVals is hsv2rgb for s > 0: v, p, q, t and the order (r, g, b) takes
// them in. q and t are rounded half away from zero; both factors lie in
// [0, 1], so int(x+0.5) is that rounding and no clip is needed.
func (t *HSVTables) HSVVals(h, s, v uint8) ([4]uint8, *[3]uint8) {
	f, fs, fv := t.Frac[h], t.FS[s], float64(v)
	q := uint8(int(fv*(1.0-float64(fs*f)) + 0.5))
	tt := uint8(int(fv*(1.0-float64(float64(fs)*t.OneMinusF[h])) + 0.5))
	return [4]uint8{v, t.P[int(s)<<8|int(v)], q, tt}, &hsvSel[t.Sector[h]]
}

func hsvShiftGo(R, G, B []uint8, shift uint8, t *HSVTables) {
	G, B = G[:len(R)], B[:len(R)]
	for i := range R {
		r, g, b := R[i], G[i], B[i]
		mx, mn := max(r, g, b), min(r, g, b)
		if mx == mn {
			continue // grey: H = S = 0 and back to (v, v, v), unchanged
		}
		// The maximum's channel picks the hue table and which differences
		// index it; written to compile without branches.
		k, d1, d2 := 0, int(mx-g), int(mx-b)
		if r != mx {
			k, d1 = 1, int(mx-r)
		}
		if r != mx && g != mx {
			k, d1, d2 = 2, int(mx-g), int(mx-r)
		}
		s := t.Sat[int(mx)<<8|int(mx-mn)]
		if s == 0 {
			R[i], G[i], B[i] = mx, mx, mx
			continue
		}
		vals, sel := t.HSVVals(t.Hue[k<<16|d1<<8|d2]+shift, s, mx)
		R[i], G[i], B[i] = vals[sel[0]], vals[sel[1]], vals[sel[2]]
	}
}
