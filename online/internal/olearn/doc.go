// Package olearn holds what the online learners share: reading a batch's
// feature vectors (dense or sparse) and labels without copying, checking
// them once per batch so that the learners' hot loops need no checks, and
// the binary codec of learner snapshots.
//
// # Features
//
// ReadFeatures returns a zero-copy view of a dense (fixed_size_list<float64>)
// or sparse (struct{size, indices, values}) vector column. It rejects null
// vectors, NaN or infinite values, indices outside [0, size) and, when the
// learner knows its dimension, vectors of another size: the error names the
// column and the row.
//
// # Snapshots
//
// Enc and Dec write and read little-endian fixed-width values; float64s
// travel as their IEEE bits, so a restored learner continues bit for bit.
// Every snapshot starts with an 8-byte magic naming the learner and a
// format version, and Dec reports truncated or trailing bytes.
package olearn
