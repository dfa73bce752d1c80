// Package contrastive implements SimCLR's NT-Xent loss (Chen et al. 2020,
// eq. 1): for 2N embeddings made of two views of N images, each anchor's
// positive is the other view of its image and its negatives are the other
// 2N−2 embeddings.
//
//	ℓ(i) = −log exp(sim(z_i, z_p(i))/τ) / Σ_{k≠i} exp(sim(z_i, z_k)/τ)
//	L    = (1/2N) Σ_i ℓ(i)
//
// with sim the cosine similarity. The positive is part of the denominator
// and the anchor itself is not. The log-sum-exp is computed stably (the row
// maximum is subtracted first), so any τ > 0 is safe.
//
// Layout: z is 2N×D row-major; rows 0..N−1 are the first views and rows
// N..2N−1 the second views, in the same image order, so p(i) = (i+N) mod 2N.
//
// A temperature ≤ 0, an odd or empty batch, or a z of the wrong length is an
// error. NTXent keeps workspaces between calls and is not safe for
// concurrent use.
package contrastive
