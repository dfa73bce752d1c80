package train

import (
	"testing"
	"time"
)

func TestOpKinds(t *testing.T) {
	ms := time.Millisecond
	got := opKinds(map[string]time.Duration{
		"conv.layer1.0.conv1": 30 * ms, "conv.stem": 10 * ms,
		"dconv.w.layer1.0.conv1": 20 * ms, "dconv.x.stem": 4 * ms,
		"dbn.affine.bn1": 2 * ms, "daddrelu": 6 * ms, "dlinear.head.0": 8 * ms,
	}, 0.2, 2)
	want := map[string]float64{"conv": 0.020, "dconv.w": 0.010, "dconv.x": 0.002, "dbn.affine": 0.001,
		"daddrelu": 0.003, "dlinear": 0.004, "other": 0.060}
	for k, v := range want {
		if d := got[k] - v; d > 1e-12 || d < -1e-12 {
			t.Errorf("%s: %g s/step, want %g", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
}
