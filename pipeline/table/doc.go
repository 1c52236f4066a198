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
package table
