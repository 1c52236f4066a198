// Package vectorslicer selects entries of a vector column: the
// transformer vector_slicer writes
//
//	y = (x[indices[0]], x[indices[1]], ...)
//
// as a dense vector, like Flink ML's (and Spark's) VectorSlicer and
// numpy's X[:, indices].
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), indices
// (non-empty, distinct, non-negative; the output keeps their order).
//
// # Errors and nulls
//
// An index at or beyond a dense column's dimension is an error of
// OutputSchema and Transform; for a sparse column, of Transform, naming
// the row. Sparse rows are read without densifying them. Null vectors
// give nulls.
package vectorslicer
