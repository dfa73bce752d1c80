//go:build mpi

package dist

func openMPIWorld() (Comm, func(bool), error) {
	c, err := OpenMPI()
	if err != nil {
		return nil, nil, err
	}
	return c, func(failed bool) {
		if failed {
			c.Abort(1)
		}
		c.Close()
	}, nil
}
