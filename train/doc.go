// Package train runs SimCLR pretraining: one readable loop of
// augment → encode both views → NT-Xent → backward → SGD update, with a
// linear-warmup + cosine learning-rate schedule stepped every iteration.
//
// A run directory holds what a run produced:
//
//	config.json     the resolved Config (every default filled in)
//	metrics.jsonl   one JSON object per logged step and per epoch
//	checkpoint.bin  model weights, BatchNorm statistics, optimizer state,
//	                epoch/step and the config, rewritten atomically (temp
//	                file + rename) at the end of every epoch
//
// Units: learning rates are per step; images_per_sec counts source images
// (each is two views), views_per_sec counts encoder inputs.
//
// Config's zero value means the defaults documented on each field (the
// paper's CIFAR-10 choices where they apply). Invalid values are errors
// from Config.Resolved naming the field; Run returns errors for bad data
// and a non-finite loss. Nothing here panics on user input.
package train
