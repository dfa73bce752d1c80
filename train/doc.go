// Package train runs SimCLR pretraining: one readable loop of
// augment → encode both views → NT-Xent → backward → optimizer update
// (SGD with momentum or Nesterov, LARS, AdamW), with a linear-warmup +
// cosine learning-rate schedule stepped every iteration (not every epoch).
// The views come from an augment.Stream: while a step trains, the
// augmentation workers fill the next batch.
//
// A run directory holds what a run produced:
//
//	config.json          the resolved Config (every default filled in)
//	metrics.jsonl        one JSON object per logged step and per epoch
//	                     (epoch lines add the kNN monitor and online probe)
//	checkpoint.bin       model weights, BatchNorm statistics, optimizer
//	                     state, online probe, epoch/step and the config,
//	                     rewritten atomically (temp file + fsync + rename)
//	                     every epoch and on an interrupt
//	checkpoint-eNNNN.bin the same every CheckpointEvery epochs, the newest
//	                     Keep kept
//
// Runs are reproducible: shuffling and augmentation draw from generators
// seeded by (seed, epoch, image, view), and the kernels reduce in fixed
// chunks, so the same config gives bit-identical weights and metrics
// (timing fields aside) for any GOMAXPROCS on one machine; a resumed run
// ends bit-identical to an uninterrupted one.
//
// Units: learning rates are per step; images_per_sec counts source images
// (each is two views), views_per_sec counts encoder inputs.
//
// Config's zero value means the defaults documented on each field (the
// paper's CIFAR-10 choices where they apply). Invalid values are errors
// from Config.Resolved naming the field; Run returns errors for bad data
// and a non-finite loss. Nothing here panics on user input.
package train
