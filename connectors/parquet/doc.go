// Package parquet reads and writes Apache Parquet files (kind "parquet",
// extension ".parquet") through arrow/go's pqarrow. Importing it registers
// the format with connectors.
//
// # Writing
//
// Create writes atomically (temporary file, fsync, rename on Close).
// Rows are buffered into row groups of WriterOptions.RowGroupRows
// (DefaultRowGroupRows, 128Ki rows). Pages are Snappy-compressed by
// default (cheap on both sides and read by every Parquet implementation;
// Zstd and Uncompressed are options). Float and double columns are
// written without dictionary encoding, which made writing 10-20x faster
// here; other columns keep Parquet's dictionary default. The Arrow schema
// is stored in the file, so field metadata (such as "eddy.role") and
// FixedSizeList vector types read back unchanged.
//
// pqarrow v17 cannot write a null entry of a FixedSizeList column and
// reads a non-nullable one back as nulls, so a FixedSizeList column is
// stored as a List (null entries empty), marked with the field metadata
// key "eddy.parquet.fixed_size", and turned back into a FixedSizeList on
// read; the vector values are copied once each way. Other readers see a
// list column.
//
// # Reading
//
// Batches have exactly ReadOptions.BatchSize rows (the last may be
// shorter), concatenated across row-group boundaries. SeekRow skips whole
// row groups using the footer metadata, then decodes and drops the rows
// before the target inside its row group. Every row group must yield the
// row count its metadata states: pqarrow v17 silently moves to the next
// row group on a page error, and this check turns that into an error
// naming the row group and column instead of lost rows. Panics inside the
// parquet library on malformed input are recovered into errors.
//
// # Limits
//
// Parquet v17 pages carry no checksum here, so a flipped byte inside an
// uncompressed page reads as a wrong value; compressed pages usually fail
// to decode. A ".parquet.gz" file is decompressed into memory first.
//
// Corrupt files are read without panics, but one parquet-go v17 flaw is
// out of reach: a dictionary-encoded page whose index data names a huge
// dictionary index makes the decoder allocate that many entries (up to
// 2^31) before it fails. Only read untrusted Parquet files in a process
// that can afford to die, or write them with NoDictionary. The stored Arrow
// schema is verified before pqarrow decodes it, so a corrupt one gives an
// error rather than a huge allocation.
package parquet
