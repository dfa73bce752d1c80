// Package machine reads what the running machine is, for benchmarks and
// result files: the CPU's model name, clock and feature flags from
// /proc/cpuinfo, and the process's peak resident set size and CPU time. On systems
// without /proc the readings are empty or zero, never an error.
package machine
