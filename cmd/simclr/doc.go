// Command simclr pretrains an image encoder with SimCLR and evaluates it
// with a linear probe.
//
//	simclr train --dataset cifar10 --data-dir DIR --out RUN --epochs N ...
//	simclr eval  --run RUN [--data-dir DIR] [--json]
//	mpirun -np 2 simclr train ... (a binary built with -tags mpi)
//
// Run "simclr COMMAND -h" for each command's flags. Errors are one line on
// standard error and a non-zero exit status: 2 for a bad command line or
// configuration value (checked before anything is read, built or
// written), 1 for bad data or a failed run, 3 for an internal error (a
// bug: please report it), 130 for an interrupted command. The first
// Ctrl-C stops a command cleanly (training writes its checkpoint); a
// second ends it at once.
package main
