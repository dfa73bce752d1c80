// Package encoder defines SimCLR's networks: a convolutional encoder f that
// maps an image batch to representations h, and a projection head g that
// maps h to the embeddings z on which the contrastive loss is computed.
//
// Architectures: "small" (4 conv3×3-BN-ReLU, max-pools after the second
// and third, global average pool; h is 256-d) and "resnet18" (the CIFAR
// variant: 3×3 stride-1 stem, no max-pool, basic blocks [2,2,2,2] of
// widths 64-512; h is 512-d), both scaled by a width multiplier. The head
// is Linear-BN-ReLU-Linear (depth 2) or one more Linear-BN-ReLU (depth 3).
//
// Shapes: input x is N×3×H×W float32 (NCHW, H and W divisible by 8); h is
// N×Features; z is N×ProjDim (default 128). Evaluation uses h, as in the
// paper.
//
// A Model owns its parameters (Param.Data) and its BatchNorm running
// statistics. Graph builds a gorgonia graph over those same slices, so an
// optimizer that updates Param.Data in place updates every graph built from
// the model. Graphs are built for one batch size and one mode (train: batch
// statistics, running statistics updated in Do; eval: running statistics).
// A graph is not safe for concurrent use.
//
// The layers are custom gorgonia ops (package internal/graphop) over our
// own kernels (internal/nn): gorgonia's BatchNorm makes full-shape,
// Glorot-initialised parameters (gorgonia issue #408) and its global
// average pool has no gradient. BatchNorm here is PyTorch's: per-channel
// γ=1, β=0, momentum 0.1, eps 1e-5, running variance unbiased.
//
// Config errors (unknown architecture, bad dimensions) are returned;
// loading a state with missing or mis-sized tensors is an error naming the
// tensor.
package encoder
