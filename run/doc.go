// Package run is the run directory: what a training run leaves on disk and
// how every command finds and reads it. Training writes it; eval, knn,
// export, plot and experiment tools read it through this package alone,
// without the trainer.
//
//	config.json          the resolved Config (every default filled in)
//	metrics.jsonl        one Metrics object per logged step and per epoch
//	checkpoint.bin       the latest Checkpoint: weights, BatchNorm running
//	                     statistics, optimizer and method state, the
//	                     in-epoch sums, epoch/step and the Config
//	checkpoint-eNNNN.bin the same every CheckpointEvery epochs, newest Keep kept
//	eval*.json, *.png    reports written by the evaluation commands
//
// Config is a plain struct whose zero value means the paper's CIFAR-10
// recipe; Config.Resolved fills every default and validates, returning a
// *FieldError naming the config key (batch_size, model.proj_dim, ...) for
// a bad value. LoadConfigFile reads JSON or YAML with the keys of
// config.json (snake_case, or the flags' kebab-case).
//
// Every file is written atomically (WriteFileAtomic: temp file in the same
// directory, fsync, rename, directory fsync; mode 0644), so an interrupt or
// a crash leaves the previous version intact, never a torn one; CleanTemps
// removes what a killed writer left. A checkpoint file is a header (magic,
// format version, payload length, SHA-256) and the gob payload:
// ReadCheckpoint verifies all of it and refuses non-finite tensors.
// CheckNew keeps a new run out of a directory that holds anything but an
// unfinished run of ours; Checkpoint.CheckConfig keeps a resumed run's
// config.json from changing under it. Nothing here panics on user input;
// unreadable or foreign files are errors naming the file.
package run
