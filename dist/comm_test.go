package dist

import "testing"

// twin is a world of two ranks that hold identical data: an all-reduce
// doubles every value. It checks Mean's arithmetic without a transport.
type twin struct{ Single }

func (twin) Size() int { return 2 }
func (twin) AllReduce(buf []float32) error {
	for i := range buf {
		buf[i] *= 2
	}
	return nil
}

func TestMean(t *testing.T) {
	buf := []float32{1, -2, 0.1}
	if err := Mean(Single{}, buf); err != nil || buf[0] != 1 || buf[1] != -2 || buf[2] != 0.1 {
		t.Fatalf("Mean over one rank changed the buffer: %v %v", buf, err)
	}
	if err := Mean(twin{}, buf); err != nil || buf[0] != 1 || buf[1] != -2 || buf[2] != 0.1 {
		t.Fatalf("mean of two identical ranks: %v %v", buf, err)
	}
}

func TestSingle(t *testing.T) {
	var c Comm = Single{}
	recv := make([]float32, 2)
	if err := c.AllGather([]float32{3, 4}, recv); err != nil || recv[0] != 3 || recv[1] != 4 {
		t.Fatalf("all-gather: %v %v", recv, err)
	}
	if c.AllGather([]float32{1}, recv) == nil {
		t.Fatal("all-gather into a buffer of the wrong size gave no error")
	}
	if c.Broadcast(recv, 1) == nil {
		t.Fatal("broadcast from a rank that does not exist gave no error")
	}
	if c.Rank() != 0 || c.Size() != 1 || c.Barrier() != nil || c.AllReduce(recv) != nil {
		t.Fatal("Single is not the world of one")
	}
}
