// Package experiment runs experiment files: YAML lists of rows, each a
// training config (the keys of config.json) with the evaluation to run on
// it, or a baseline through the same evaluation. Run trains and evaluates
// each row into OUT/<row>/, resumably: a row with a result.json is done
// and skipped, a row with a checkpoint resumes from it, so a killed
// experiment rerun picks up where it stopped. Each finished row's
// result.json is also copied to the results directory that is committed
// (experiments/results/<experiment>/<row>.json); Report renders those as
// RESULTS.md with pictures.
//
// A result records what the row measured (top-1 of the cross-entropy
// linear probe on the test split, fitted on all of train; top-5; the
// other heads; kNN), what it cost (training and evaluation wall-clock,
// images per second) and where (resolved config, seed, git commit and
// dirty flag, Go version, CPU model and flags, GOMAXPROCS, load average).
// Errors name the file and the row.
package experiment
