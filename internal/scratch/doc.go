// Package scratch holds the one helper every hot loop of this module uses
// to reuse its buffers: Grow resizes a slice without allocating when its
// capacity allows. The contents of a grown slice are unspecified (callers
// overwrite them); nothing here panics for n >= 0.
package scratch
