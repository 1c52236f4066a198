// Package table is Eddy's columnar data layer on Apache Arrow
// (arrow/go/v17): schemas with column roles, dense and sparse vector
// columns, the bounded in-memory Table, the Reader idiom for streams of
// batches, and Eddy's own typed kernels (take, filter, hash partition,
// aggregate) over value slices.
//
// # Memory
//
// Whoever calls New* or Retain owns one Release. Sending a record on a
// channel hands it over; a component that keeps a record calls Retain.
// Every constructor takes a memory.Allocator; tests use
// memory.NewCheckedAllocator and assert that nothing is left.
//
// # Roles
//
// A column's meaning (feature, label, weight, timestamp, key, id,
// prediction, raw_prediction, probability, model_version) is a Role stored
// in its field metadata under "eddy.role": WithRole, RoleOf,
// ColumnsWithRole. FieldIndex resolves a name with an error that lists the
// available columns.
//
// # Vectors
//
// A dense vector column is FixedSizeList<float64>[n] (DenseVectorType); a
// sparse one is struct{size int32, indices list<int32>, values
// list<float64>} (SparseVectorType). DenseVectorBuilder and
// SparseVectorBuilder append whole vectors with bulk copies; DenseVectors
// and NewSparseVectors read them back as zero-copy slices.
//
// # Building and reading
//
// Build makes a record from Go slices (Col, NullableCol, TimestampCol,
// DenseCol, SparseCol), for tests and generators. Float64s, Int64s and
// friends return a column's values without copying. Value, Row and Rows
// turn rows into Go values for tests; FormatHead prints a schema and the
// first rows like pandas' head.
//
// # Tables
//
// A Table is a bounded sequence of batches with one schema: New, ReadAll,
// Slice (zero-copy across batches), Concat, Select, Combine, and Reader,
// whose TableReader is a Seeker.
//
// # Kernels
//
// Take, Filter, PartitionByHash and Aggregate loop over typed value slices
// with Go generics and allocate nothing per row; arrow/compute is not used
// (its v17 record filter is far slower here). Partitions and groups use
// HashKeys: 64-bit FNV-1a over the documented key bytes, stable across runs
// and machines.
package table
