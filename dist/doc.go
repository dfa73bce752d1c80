// Package dist is the communicator seam of data-parallel training: Comm
// names the collective operations a trainer needs (rank and size,
// all-reduce, all-gather, broadcast, barrier), and Single is the
// one-process world every run uses unless told otherwise. Implementations
// over a real transport (Open MPI behind a build tag, N ranks as
// goroutines for tests) plug in without touching the training loop, as in
// lightly's utils/dist.py: distribution is a parameter, not a fork.
//
// Buffers are float32 slices owned by the caller; operations work in
// place or into the caller's destination and return an error, never
// panic, when a rank fails or the sizes disagree, so a broken world ends
// with a message instead of a hang.
package dist
