package dist

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

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

func TestLocalCollectives(t *testing.T) {
	got := make([][]float32, 3)
	err := RunLocal(3, func(c Comm) error {
		r := float32(c.Rank())
		buf := []float32{r, 10 * r, 0.5}
		if err := c.AllReduce(buf); err != nil {
			return err
		}
		b64 := []float64{1e-17 * float64(r+1), 1 + float64(r)}
		if err := c.AllReduce64(b64); err != nil {
			return err
		}
		if b64[0] != 6e-17 || b64[1] != 6 {
			return fmt.Errorf("float64 all-reduce gave %v", b64)
		}
		recv := make([]float32, 6)
		if err := c.AllGather([]float32{r, -r}, recv); err != nil {
			return err
		}
		b := []float32{r + 7}
		if err := c.Broadcast(b, 2); err != nil {
			return err
		}
		if err := c.Barrier(); err != nil {
			return err
		}
		got[c.Rank()] = append(append(buf, recv...), b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{3, 30, 1.5, 0, 0, 1, -1, 2, -2, 9}
	for r, g := range got {
		for i := range want {
			if g[i] != want[i] {
				t.Fatalf("rank %d: %v, want %v", r, g, want)
			}
		}
	}
}

// A rank that fails ends the world: the others get an error, not a hang.
func TestLocalRankFailureEndsTheWorld(t *testing.T) {
	err := RunLocal(2, func(c Comm) error {
		if c.Rank() == 1 {
			return errors.New("disk on fire")
		}
		return c.AllReduce(make([]float32, 4)) // rank 1 never arrives
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "rank 1 failed") {
		t.Fatalf("error %v", err)
	}
}
