package suggest

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"epochs", "batch_size", "temperature", "lr"}
	for s, want := range map[string]string{"epoch": "epochs", "epochz": "epochs", "temp": "temperature", "batchsize": "batch_size", "xyzzy": "", "l": "lr"} {
		if got := Nearest(s, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", s, got, want)
		}
	}
	if Edits("kitten", "sitting") != 3 || Edits("", "ab") != 2 {
		t.Error("edit distance")
	}
}
