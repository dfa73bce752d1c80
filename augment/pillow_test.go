package augment

import "math"

// hsvToRGB is a direct transcription of Pillow's hsv2rgb for one pixel,
// the reference for the table-driven Hue (rgbToHSV, its inverse, builds the
// tables and lives with the code).
func hsvToRGB(h, s, v uint8) (uint8, uint8, uint8) {
	if s == 0 {
		return v, v, v
	}
	h6 := float64(float32(h)) * 6.0 / 255.0
	i := int(math.Floor(h6))
	f := float32(h6 - float64(float32(i)))
	fs := float32(float64(float32(s)) / 255.0)
	fv := float64(float32(v))
	p := clip8(roundHalfAway(fv * (1.0 - float64(fs))))
	q := clip8(roundHalfAway(fv * (1.0 - float64(fs*f))))
	t := clip8(roundHalfAway(fv * (1.0 - float64(float64(fs)*(1.0-float64(f))))))
	switch i % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}
