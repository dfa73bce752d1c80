// Package graphop adapts plain float32 kernels to gorgonia's Op interface,
// so that simclr-go's layers are nodes of a gorgonia graph whose gradients
// come from gorgonia's symbolic differentiation (gorgonia.Grad) while the
// arithmetic runs in our own kernels.
//
// An Op owns its output buffer: it is allocated on the first Do and
// reused on every later one, so a compiled graph run step after step does
// not allocate activations anew. The value an Op returns is therefore valid
// until the Op runs again. Every input must be a float32 tensor; anything
// else is an error returned from Do.
//
// NewMachine (Plan) goes further: it lays every Op output of a finished
// graph out in one arena, by lifetime in the tape machine's run order, so
// that outputs never alive together share memory — a forward activation's
// memory holds a later gradient once the backward pass has read it for the
// last time. Then an Op's value is valid only until the next output placed
// over it is written, within the same run; the nodes the caller names as
// kept (the values it reads after a run) have memory of their own. A
// planned Op that runs out of the planned order returns an error instead
// of computing.
package graphop
