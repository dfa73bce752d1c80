// Package augment turns dataset images into the randomly augmented float32
// views SimCLR trains on (Chen et al. 2020, appendix A; CIFAR-10 in B.9).
//
// # Recipe
//
// A Recipe lists every range and probability; the paper's two are package
// values, SimCLRCIFAR (colour strength s = 0.5, no blur) and
// SimCLRImageNet (s = 1, blur with p 0.5, σ 0.1–2.0, kernel 10% of the
// side), and Recipe.WithStrength sets the jitter for any s. Config picks a
// preset by name, a strength, or a full Recipe; its zero value is
// SimCLRCIFAR. Impossible values (a probability outside [0, 1], scale
// min > max, an even blur kernel, ...) are errors from New naming the field.
// A view is, in order:
//
//	RandomResizedCrop(scale, ratio; bilinear)  HorizontalFlip(p)
//	RandomApply(ColorJitter(b, c, s, h), p)    RandomGrayscale(p)
//	RandomApply(GaussianBlur(k, σ), p)         ToTensor, Normalize(mean, std)
//	optional additive Gaussian noise
//
// # Exactness
//
// Each operation (ResizedCrop, FlipH, Brightness, Contrast, Saturation,
// Hue, Grayscale, GaussianBlur, Normalizer) works on 8-bit planar Images
// and reproduces torchvision 0.14 on PIL images (Pillow 9.4) bit for bit:
// Pillow's fixed-point bilinear resampler, its float32 blends, its 8-bit
// HSV round trip, torchvision's float32 ToTensor/Normalize. The blur is
// separable here and 2-D in torchvision, so it may differ by one unit.
// testdata/torchvision.json, written by experiments/golden_augment.py,
// holds the proof; the tests need no Python.
//
// # Speed
//
// The byte work runs in internal/pixel's AVX2 kernels (portable Go
// elsewhere or with -tags purego, same results): Pillow's resampler as
// fixed-point three-tap multiply-adds (the flip rides on mirrored taps),
// its blends and luma eight lanes at a time, the HSV round trip from
// tables with gathers, the blur as separable tap sums without fused
// multiply-adds, normalisation in the same float32 arithmetic as
// torchvision (tables on the portable path).
//
// # Randomness and concurrency
//
// A view's parameters (Params) are drawn from its own PCG generator seeded
// by (Config.Seed, epoch, image index, view), with torchvision's
// distributions; applying them (Render) is a pure function. Views 0 and 1
// keep the seeds of the first release; views 2 and up (multi-crop) get
// seeds no other view shares. So output is
// bit-identical for any number of workers and any schedule.
//
// Views fills caller-owned batches of any number of views synchronously. Stream double-buffers an
// epoch: while the trainer reads one batch, Config.Workers goroutines
// (default GOMAXPROCS) fill the other; after warm-up it allocates nothing
// per view, its memory is two batches plus one scratch per worker, and
// cancelling its context stops it (Next returns the context's error).
//
// # Shapes and ownership
//
// Source images are a datasets.Dataset's uint8 C×H×W records (read, never
// written). Output views are 3×S×S float32 (NCHW, image-major within a
// batch), S = Config.Size or the source side. A Pipeline is safe for
// concurrent use; a Stream is for one goroutine. Config errors are
// returned; destinations of the wrong size and malformed Images panic.
package augment
