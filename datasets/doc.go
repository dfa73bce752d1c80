// Package datasets reads labelled image sets into memory as uint8 pixels:
// CIFAR-10 and CIFAR-100 in their official binary formats, a deterministic
// synthetic set for tests and offline demos, and downloads the official
// archives with checksum verification.
//
// A Dataset holds N images of C×H×W bytes in planar (CHW) order, as the
// CIFAR files store them: image i's channel c row y column x is
// Pixels[i*C*H*W + (c*H+y)*W + x]. Labels are class indices 0..len(Classes)-1.
// The Dataset owns its slices; callers may read them freely and must not
// grow them.
//
// Every problem with input data is an error naming the file and, where it
// applies, the record: a missing file, a size that is not a whole number of
// records, a label out of range. Nothing in this package panics on bad
// input.
package datasets
