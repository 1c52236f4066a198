// Package interaction writes the products of all combinations of
// values of several numeric and vector columns: the transformer
// interaction, like Flink ML's (and Spark's) Interaction. For inputs
// x (dimension p), y (q), z (r) the output has p·q·r entries,
//
//	out[(i·q + j)·r + k] = x_i · y_j · z_k
//
// the first input varying slowest (numpy.kron(numpy.kron(x, y), z), which
// is also the order of the multiplications).
//
// # Params
//
// input_cols (at least one; scalar numeric columns count as dimension 1,
// dense or sparse vectors) and output_col (dense vector).
//
// # Shapes and nulls
//
// A sparse input's dimension is known only from the data, so OutputSchema
// needs scalar and dense inputs; Transform accepts sparse ones (densified
// per row; every row of a sparse column must have the same dimension). A
// row where any input is null gives a null output, as Flink ML. NaN
// propagates through the products.
package interaction
