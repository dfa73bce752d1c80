// Package nn holds the CPU kernels behind simclr-go's custom gorgonia ops:
// 2-D convolution (forward, input gradient, weight gradient), batch
// normalisation fused with ReLU (train and eval), 2×2 max pooling, global
// average pooling and linear layers, each with its backward.
//
// Tensors are flat float32 slices in NCHW order (batch, channel, row,
// column); a linear layer's activations are N×F row-major. Every function
// writes only its destination arguments, which the caller owns and sizes;
// wrong lengths are programmer errors and panic.
//
// Work is split over images (or channels) in chunks whose boundaries depend
// only on the shapes, and per-chunk partial sums are reduced in chunk
// order; the convolution's weight gradient is split over blocks of input
// channels, each summing every image in order. So every result is
// bit-identical for any GOMAXPROCS.
//
// Matrix products go through internal/gemm. A convolution is a product
// with its receptive fields (im2col); stride-1 "same" convolutions pack
// those fields straight from the image into gemm's panels, 16 values
// under a mask of inside pixels at a time, with the bits an im2col buffer
// would give and without the buffer. Their input gradient is itself a
// same convolution, of dy with the kernel flipped. Where the CPU has AVX2,
// 3×3 same convolutions on maps at least 16 wide skip the packing: with
// the input zero-padded into rows of W+1, every tap reads it at a fixed
// offset from the output, so the forward with few channels (up to 32 on
// the smaller side) is a direct convolution of shifted rows, and the
// weight gradient dot products of them. With more channels, maps whose
// width is a multiple of 16 run Winograd's F(2×2, 3×3) instead: 16
// products of depth Cin in place of one of depth 9·Cin, 2.25× fewer
// multiply-adds. Both are within float32 rounding of the direct product
// but not its bits. Max pooling and the
// BatchNorm elementwise passes have AVX2 kernels (kernels_amd64.s) that
// compute exactly what the portable Go loops compute — same operations in
// the same order, no fused multiply-adds, same NaN and signed-zero rules —
// so -tags purego or another architecture changes speed, not results
// (results still differ across instruction sets: gemm's FMA kernel
// rounds differently, and Winograd runs only with AVX2).
package nn
