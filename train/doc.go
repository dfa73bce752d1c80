// Package train is the training engine: one loop, three seams.
//
// The loop (Run, RunOn) is epochs of steps. Each epoch shuffles the images
// from the run's seed and reads an augment.Stream, which fills the next
// batch while a step trains; each step is
//
//	load views → Backward (forward + backward) → ReduceGrads → Update
//
// with a linear-warmup + cosine learning rate stepped every iteration; each
// epoch ends with its metrics line, the online probe and the kNN monitor,
// and a checkpoint. What a run writes (config.json, metrics.jsonl,
// checkpoints) and how it is read back is package run.
//
// The seams, each one place to change:
//
//   - Method: what is learned. It says how many views of each image a step
//     needs and whether the projection head is built, and adds its
//     objective to the model's graph (its own parameters, labels and an
//     after-step hook if it has them). SimCLR (NT-Xent on two views) and
//     Supervised (cross-entropy on labels, one view) are here; a new method
//     is a new type and a case in NewMethod.
//   - dist.Comm: the world. Between backward and update, ReduceGrads
//     replaces the gradients with their mean over the ranks, all-reduced as
//     one fused buffer; with dist.Single (the default) it does nothing, so
//     one process trains exactly as before the seam existed.
//   - encoder.Config: the network. A new architecture is a method of
//     encoder.Model and its name in encoder/model.go; nothing here changes.
//
// Optimizers (SGD with momentum or Nesterov, LARS, AdamW) implement
// Optimizer over the trainer's parameters: the model's tensors in the
// graph, then the method's.
//
// Runs are reproducible: shuffling and augmentation draw from generators
// seeded by (seed, epoch, image, view), and the kernels reduce in fixed
// chunks, so the same config gives bit-identical weights and metrics
// (timing fields aside) for any GOMAXPROCS on one machine; a run resumed
// from any checkpoint, mid-epoch included, ends bit-identical to an
// uninterrupted one. An interrupt (context cancelled) writes checkpoint.bin
// only, never over an epoch's kept snapshot.
//
// Units: learning rates are per step; images_per_sec counts source images,
// views_per_sec encoder inputs (SimCLR: two per image).
//
// Bad configuration values are *run.FieldError naming the key; Run returns
// errors for bad data and a non-finite loss (the last checkpoint on disk
// stays the good one). Nothing here panics on user input.
package train
