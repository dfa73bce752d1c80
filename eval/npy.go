package eval

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// WriteNPY writes data (a []float32 or []int64) as a NumPy .npy array
// (format 1.0, little-endian, C order) of the given shape, as numpy.load
// reads it.
func WriteNPY(w io.Writer, data any, shape ...int) error {
	var descr string
	var n int
	switch d := data.(type) {
	case []float32:
		descr, n = "<f4", len(d)
	case []int64:
		descr, n = "<i8", len(d)
	default:
		return fmt.Errorf("eval: cannot write %T as .npy", data)
	}
	total := 1
	dims := make([]string, len(shape))
	for i, s := range shape {
		total *= s
		dims[i] = fmt.Sprint(s)
	}
	if total != n {
		return fmt.Errorf("eval: .npy shape %v holds %d values, data has %d", shape, total, n)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	// magic (6) + version (2) + length (2) + header + '\n', padded to 64 bytes.
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	bw := bufio.NewWriter(w)
	bw.WriteString("\x93NUMPY\x01\x00")
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	if err := binary.Write(bw, binary.LittleEndian, data); err != nil {
		return err
	}
	return bw.Flush()
}
