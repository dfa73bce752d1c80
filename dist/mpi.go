//go:build mpi

package dist

/*
#cgo pkg-config: ompi-c
#include <mpi.h>
#include <stdlib.h>

static int world_init(void) {
	int ok = 0;
	MPI_Initialized(&ok);
	if (ok) return MPI_SUCCESS;
	return MPI_Init(NULL, NULL);
}
static int world_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int world_size(int *n) { return MPI_Comm_size(MPI_COMM_WORLD, n); }
static int allreduce_f32(float *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static int allreduce_f64(double *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static int allgather_f32(float *send, int n, float *recv) {
	return MPI_Allgather(send, n, MPI_FLOAT, recv, n, MPI_FLOAT, MPI_COMM_WORLD);
}
static int bcast_f32(float *buf, int n, int root) { return MPI_Bcast(buf, n, MPI_FLOAT, root, MPI_COMM_WORLD); }
static int world_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int world_finalize(void) { return MPI_Finalize(); }
static void world_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// MPIBuilt reports whether this binary has the Open MPI communicator.
const MPIBuilt = true

// MPI is the world of an mpirun job, over Open MPI's MPI_COMM_WORLD. Open
// MPI's default error handler (MPI_ERRORS_ARE_FATAL) ends the whole job on
// a communication failure, and mpirun ends every rank when one exits
// abnormally: a failed rank never leaves the others waiting.
type MPI struct{ rank, size int }

// OpenMPI initialises MPI (once per process) and returns the world.
func OpenMPI() (*MPI, error) {
	if rc := C.world_init(); rc != C.MPI_SUCCESS {
		return nil, fmt.Errorf("dist: MPI_Init failed (code %d)", int(rc))
	}
	var r, n C.int
	if C.world_rank(&r) != C.MPI_SUCCESS || C.world_size(&n) != C.MPI_SUCCESS {
		return nil, fmt.Errorf("dist: MPI_COMM_WORLD has no rank or size")
	}
	return &MPI{rank: int(r), size: int(n)}, nil
}

func (c *MPI) Rank() int { return c.rank }
func (c *MPI) Size() int { return c.size }

func check(op string, rc C.int) error {
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("dist: %s failed (MPI code %d)", op, int(rc))
	}
	return nil
}

func ptr(b []float32) *C.float {
	if len(b) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&b[0]))
}

func (c *MPI) AllReduce(buf []float32) error {
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Allreduce", C.allreduce_f32(ptr(buf), C.int(len(buf))))
}

func (c *MPI) AllReduce64(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Allreduce", C.allreduce_f64((*C.double)(unsafe.Pointer(&buf[0])), C.int(len(buf))))
}

func (c *MPI) AllGather(send, recv []float32) error {
	if len(recv) != c.size*len(send) {
		return fmt.Errorf("dist: all-gather of %d values from %d ranks into %d", len(send), c.size, len(recv))
	}
	if len(send) == 0 {
		return nil
	}
	return check("MPI_Allgather", C.allgather_f32(ptr(send), C.int(len(send)), ptr(recv)))
}

func (c *MPI) Broadcast(buf []float32, root int) error {
	if root < 0 || root >= c.size {
		return fmt.Errorf("dist: broadcast from rank %d in a world of %d", root, c.size)
	}
	if len(buf) == 0 {
		return nil
	}
	return check("MPI_Bcast", C.bcast_f32(ptr(buf), C.int(len(buf)), C.int(root)))
}

func (c *MPI) Barrier() error { return check("MPI_Barrier", C.world_barrier()) }

// Close finalises MPI; call it once, at the end of the program.
func (c *MPI) Close() error { return check("MPI_Finalize", C.world_finalize()) }

// Abort ends every rank of the job with exit status code.
func (c *MPI) Abort(code int) { C.world_abort(C.int(code)) }
