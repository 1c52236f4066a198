// Package trustedrec builds Arrow records from columns the caller made
// for the schema, without array.NewRecord's per-column type check.
//
// # Why
//
// arrow/go v17's array.NewRecord compares every column's type with the
// schema's through arrow.TypeEqual, which falls to reflect.DeepEqual for
// primitive types: 0.1-1 µs a column, so 10-100 µs for a one-row record
// of 100 float64 columns, more than scoring it. Hot paths that build a
// record from an input record's columns plus columns of types they chose
// (a model's Transform, a server's request decoder) know the types match.
//
// # Contract
//
// New checks only the column count and that no column is shorter than
// rows; types are the caller's promise. Extend makes a record of a
// parent record's columns plus a few more: it retains the parent once
// instead of each of its columns, so a pipeline stage appending one
// column to a 100-column batch does O(1) reference counting, not O(100). The record behaves as
// array.NewRecord's: it retains its columns, the caller owns one Release,
// and SetColumn and NewSlice return checked records.
package trustedrec
