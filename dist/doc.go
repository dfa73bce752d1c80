// Package dist is the communicator seam of data-parallel training: Comm
// names the collective operations a trainer needs (rank and size,
// all-reduce in float32 and float64, all-gather, broadcast, barrier), as in
// lightly's utils/dist.py: distribution is a parameter, not a fork.
//
// Implementations:
//
//	Single  the world of one process; every collective is the identity
//	Local   N ranks as goroutines of one process (NewLocal, RunLocal),
//	        for tests that need no MPI; sums run in rank order
//	MPI     Open MPI's MPI_COMM_WORLD over cgo, in binaries built with
//	        -tags mpi (libopenmpi-dev); the default build has no cgo
//
// World returns the one this process runs in (MPI under mpirun, else
// Single) and how to leave it; Timed wraps a Comm to add up the time spent
// in collectives.
//
// Buffers are slices owned by the caller; operations work in place or
// into the caller's destination. Every rank must call the same operations
// in the same order with buffers of the same length. Mismatched sizes are
// errors. A failed rank must not leave the others waiting: Local's Abort
// (RunLocal calls it) fails every pending collective; under MPI, Open
// MPI's default error handler and mpirun end the whole job, and World's
// end(true) calls MPI_Abort.
package dist
