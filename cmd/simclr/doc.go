// Command simclr pretrains an image encoder with SimCLR and evaluates it
// with a linear probe.
//
//	simclr train --dataset cifar10 --data-dir DIR --out RUN --epochs N ...
//	simclr eval  --run RUN [--data-dir DIR] [--json]
//
// Run "simclr COMMAND -h" for each command's flags. Errors are one line on
// standard error and a non-zero exit status: 2 for a bad command line, 1
// for anything else.
package main
