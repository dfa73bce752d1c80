package chart

import (
	"fmt"
	"image/color"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PCA projects the n×d rows of x onto their first two principal
// components (gonum's stat.PC on the centred rows) and returns the n×2
// coordinates and the share of the variance each component explains.
func PCA(x []float32, n, d int) (xy []float64, share [2]float64, err error) {
	if n < 3 || d < 2 || len(x) != n*d {
		return nil, share, fmt.Errorf("chart: PCA of %d values as %d×%d: want at least 3 rows and 2 columns", len(x), n, d)
	}
	a := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			a.Set(i, j, float64(x[i*d+j]))
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(a, nil) {
		return nil, share, fmt.Errorf("chart: PCA of %d×%d features did not converge", n, d)
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	share = [2]float64{vars[0] / total, vars[1] / total}
	var proj mat.Dense
	proj.Mul(a, vecs.Slice(0, d, 0, 2))
	xy = make([]float64, 2*n)
	for i := range n {
		xy[2*i], xy[2*i+1] = proj.At(i, 0), proj.At(i, 1)
	}
	return xy, share, nil
}

// Scatter draws the first two principal components of the n×d features x,
// coloured by class, to base.png and base.svg; it returns the files.
func Scatter(x []float32, n, d int, labels []int32, classes []string, title, base string) ([]string, error) {
	xy, share, err := PCA(x, n, d)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fmt.Sprintf("PC 1 (%.0f%% of variance)", 100*share[0])
	p.Y.Label.Text = fmt.Sprintf("PC 2 (%.0f%% of variance)", 100*share[1])
	p.Legend.Top = true
	for c, name := range classes {
		var pts plotter.XYs
		for i, l := range labels[:n] {
			if int(l) == c {
				pts = append(pts, plotter.XY{X: xy[2*i], Y: xy[2*i+1]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		s.Color, s.Radius, s.Shape = classColor(c), vg.Points(1.6), draw.CircleGlyph{}
		p.Add(s)
		p.Legend.Add(name, s)
	}
	var written []string
	for _, ext := range []string{".png", ".svg"} {
		if err := Save(p, base+ext, 7*vg.Inch, 6*vg.Inch); err != nil {
			return written, err
		}
		written = append(written, base+ext)
	}
	return written, nil
}

// tab10 is matplotlib's ten-colour palette: ten classes, ten colours
// (plotutil's default palette has seven, so classes would share them).
var tab10 = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}

// classColor is class c's colour: tab10, then shades of grey-blue beyond.
func classColor(c int) color.Color {
	if c < len(tab10) {
		return tab10[c]
	}
	v := uint8(60 + (c*37)%160)
	return color.RGBA{v, v, 200, 255}
}
