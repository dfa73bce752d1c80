// Package safetensors writes and reads the safetensors format
// (huggingface/safetensors): an 8-byte little-endian header length N, N
// bytes of JSON naming each tensor's dtype, shape and byte range, then the
// tensors' bytes. Only F32 tensors, which is all simclr-go stores.
//
// Write is deterministic: tensors in the order given, metadata keys
// sorted (encoding/json), no padding beyond the header's. Read checks
// every offset, shape and dtype against the file and returns an error
// naming the tensor, never panics, and reads at most MaxHeader bytes of
// header.
package safetensors
