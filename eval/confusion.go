package eval

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// WriteConfusionPNG draws a confusion matrix ([true][predicted] counts) as
// a heat map: each row normalised to fractions of its class, white (0) to
// dark blue (1), with the percentage in every cell, the class names in
// full along the axes (the column names on two staggered lines) and
// title above.
func WriteConfusionPNG(w io.Writer, m [][]int, classes []string, title string) error {
	c := len(m)
	if c == 0 || len(classes) != c {
		return fmt.Errorf("eval: confusion matrix of %d rows for %d class names", c, len(classes))
	}
	const cell, top = 40, 50
	left := 14
	for _, n := range classes {
		left = max(left, 7*min(len(n), 20)+14)
	}
	img := image.NewRGBA(image.Rect(0, 0, max(left+c*cell+70, 7*len(title)+20), top+c*cell+75))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text := func(x, y int, s string, col color.Color) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	for i, row := range m {
		total := 0
		for _, v := range row {
			total += v
		}
		name := classes[i]
		if len(name) > 20 {
			name = name[:20]
		}
		text(4, top+i*cell+cell/2+4, name, color.Black)
		for j, v := range row {
			f := 0.0
			if total > 0 {
				f = float64(v) / float64(total)
			}
			col := color.RGBA{uint8(255 - 230*f), uint8(255 - 200*f), uint8(255 - 100*f), 255}
			r := image.Rect(left+j*cell, top+i*cell, left+(j+1)*cell-1, top+(i+1)*cell-1)
			draw.Draw(img, r, image.NewUniform(col), image.Point{}, draw.Src)
			ink := color.Color(color.Black)
			if f > 0.5 {
				ink = color.White
			}
			text(r.Min.X+6, r.Min.Y+cell/2+4, fmt.Sprintf("%.0f", 100*f), ink)
		}
	}
	for j := range m {
		name := classes[j]
		if len(name) > 20 {
			name = name[:20]
		}
		text(left+j*cell+2, top+c*cell+15+15*(j%2), name, color.Black)
	}
	text(4, 18, title, color.Black)
	text(4, 38, "true class (rows) vs predicted (columns), % of row", color.Black)
	text(left, top+c*cell+60, "predicted class", color.Black)
	return png.Encode(w, img)
}
