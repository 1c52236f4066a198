// Package vectorassembler implements the vector_assembler transformer: it
// concatenates numeric columns (any integer or float type, one value each)
// and vector columns (dense or sparse) into one dense vector column, in
// input_cols order, like Flink ML's VectorAssembler and Spark's.
//
// # Params
//
// input_cols (required), output_col, input_sizes (the dimension of each
// input column, 1 for a scalar; optional when every vector input is dense,
// required for sparse inputs, whose dimension the schema does not tell),
// handle_invalid.
//
// # Invalid values
//
// A null scalar, a null vector or a NaN anywhere is invalid. With
// handle_invalid=error (default) Transform fails naming the column and
// the row; keep writes the value (NaN for nulls, a null vector as all NaN);
// skip drops the row. A vector of the wrong dimension is always an error.
//
// # Rows
//
// VectorAssembler is a pipeline.RowTransformer over float64 and dense
// vector inputs: RowFunc copies one row's inputs into the new vector
// without Arrow arrays, for servers scoring single rows. A NaN fails the
// row under handle_invalid=error or skip, so that the caller's Transform
// reports or drops it.
package vectorassembler
