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
// dark blue (1), with the percentage in every cell and the class names
// along the axes.
func WriteConfusionPNG(w io.Writer, m [][]int, classes []string) error {
	c := len(m)
	if c == 0 || len(classes) != c {
		return fmt.Errorf("eval: confusion matrix of %d rows for %d class names", c, len(classes))
	}
	const cell, left, top = 40, 100, 30
	img := image.NewRGBA(image.Rect(0, 0, left+c*cell+10, top+c*cell+60))
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
		if len(name) > 13 {
			name = name[:13]
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
		if len(name) > 5 {
			name = name[:5]
		}
		text(left+j*cell+2, top+c*cell+15, name, color.Black)
	}
	text(left, 18, "true class (rows) vs predicted (columns), % of row", color.Black)
	text(left, top+c*cell+40, "predicted class", color.Black)
	return png.Encode(w, img)
}
