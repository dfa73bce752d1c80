//go:build !mpi

package dist

// MPIBuilt reports whether this binary has the Open MPI communicator:
// build with -tags mpi (cgo, libopenmpi-dev) for it.
const MPIBuilt = false

func openMPIWorld() (Comm, func(bool), error) { return nil, nil, ErrNoMPI }
