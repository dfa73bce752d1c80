package dist

import (
	"errors"
	"os"
)

// UnderMPI reports whether this process was started by mpirun (Open MPI
// sets OMPI_COMM_WORLD_SIZE in every rank's environment).
func UnderMPI() bool { return os.Getenv("OMPI_COMM_WORLD_SIZE") != "" }

// ErrNoMPI is World's error under mpirun in a binary built without the
// mpi tag.
var ErrNoMPI = errors.New("dist: started by mpirun, but this binary has no MPI: build it with go build -tags mpi ./cmd/simclr (needs libopenmpi-dev)")

// World is the world this process runs in: Open MPI's under mpirun (in a
// binary built with -tags mpi), else Single. Call end once, at the end of
// the program: end(false) leaves the world in order; end(true), after a
// failure on this rank, ends every rank of the job at once (MPI_Abort), so
// none is left waiting for this one.
func World() (c Comm, end func(failed bool), err error) {
	if !UnderMPI() {
		return Single{}, func(bool) {}, nil
	}
	return openMPIWorld()
}
