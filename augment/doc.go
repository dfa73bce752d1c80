// Package augment turns dataset images into the randomly augmented float32
// views SimCLR trains on, following the paper's CIFAR-10 recipe (Chen et
// al. 2020, appendix B.9, and its torchvision equivalent):
//
//	RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3, bilinear)
//	RandomHorizontalFlip(p 0.5)
//	RandomApply(ColorJitter(0.8s, 0.8s, 0.8s, 0.2s), p 0.8)   s = 0.5
//	RandomGrayscale(p 0.2)
//	optional additive Gaussian noise, then per-channel normalisation
//
// Colour operations follow torchvision's semantics on [0,1] floats:
// multiplicative brightness, contrast blended towards the image's mean
// grey, saturation towards per-pixel grey, hue shifted in HSV, the four in
// random order.
//
// Output batches are N×3×S×S float32 (NCHW), normalised with the CIFAR-10
// channel mean and standard deviation. Every view's random draws come from
// its own generator seeded by (seed, epoch, image index, view), so a batch
// is bit-identical whatever the number of workers. A Pipeline is safe for
// concurrent use; callers own the destination slices. Config errors are
// returned by New; destination slices of the wrong size panic.
package augment
