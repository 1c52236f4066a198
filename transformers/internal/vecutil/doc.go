// Package vecutil holds the helpers shared by Eddy's feature transformers
// for reading and writing vector and numeric columns.
//
// # Reading
//
// NewVectors wraps a vector column of either kind (dense
// FixedSizeList<float64> or the sparse struct of table.SparseVectorType)
// as a zero-copy view; Vectors.Row scatters row i into a caller-owned
// dense []float64 without allocating, so a transformer loops over rows
// with one scratch slice. Float64Column converts any scalar numeric column
// (int8..uint64, float32, float64) into a reusable []float64; nulls are
// told apart with arrow.Array.IsNull.
//
// # Writing
//
// NewDenseOutput allocates the value buffer of a dense vector column of n
// rows from an allocator: the caller fills Values() in place (row i is
// Values()[i*dim:(i+1)*dim]), marks null rows with SetNull, and calls
// Finish to get the column, with no extra copy. DenseColumn wraps an
// existing flat []float64 by copying it once. AppendColumns returns a new
// record made of the input's columns plus new ones, matching the schema
// built with AppendFields.
//
// # Invalid values
//
// RowError formats the error of a bad value at a column and row, the way
// every transformer reports handle_invalid=error failures.
//
// The package is internal to transformers/: it is free to change, but the
// categorical and text transformers read it too, so keep signatures stable.
package vecutil
