//go:build mpi

package dist

func openMPIWorld() (Comm, func() error, error) {
	c, err := OpenMPI()
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}
