// Package jsonl reads and writes JSON lines (kind "jsonl", extensions
// ".jsonl" and ".ndjson", optionally gzip-compressed as ".jsonl.gz"): one
// JSON object per line, each a row. Importing it registers the format with
// connectors.
//
// # Schema
//
// With ReadOptions.Schema set, keys are matched to columns by name.
// Otherwise the schema is inferred from the first Options.InferRows lines
// (1000), columns in order of first appearance, all nullable:
//
//   - numbers: int64 when every value is integral and fits, else float64
//   - strings: utf8; booleans: bool
//   - arrays of numbers (nulls allowed inside): FixedSizeList<float64> when
//     every array has the same non-zero length (a dense vector), else
//     List<float64>
//   - objects, and arrays of anything else: utf8 holding the raw JSON text
//   - a key seen only as null: utf8
//
// A key whose values have different shapes in the window (a number here,
// a string there) fails Open with an error naming both lines: give an
// explicit schema. Explicit schemas may also use int8-int64, uint8-uint64,
// float32, large_utf8 and lists of float32/float64/int32/int64.
//
// # Bad rows
//
// A missing key is null. A line that is not one JSON object, a value of
// the wrong type, a number that does not fit its column (300 in int8, 1.5
// in an integer column, 1e400), a vector of the wrong length, a duplicate
// key, a null in a non-nullable column, or a key that is not a column gives
// a *connectors.RowError naming the file, the 1-based line, the column and
// the value. Keys outside the schema are errors, not silently dropped,
// unless Options.IgnoreUnknown is set. Under the Skip policy the row is
// counted (Skipped) and its raw line written to ReadOptions.DeadLetter.
// Blank lines are ignored; lines longer than Options.MaxLineBytes (64 MiB)
// are bad rows (their dead-letter copy is cut to 256 bytes).
//
// # Seeking
//
// Offset counts good rows delivered. SeekRow moves forward by decoding and
// dropping rows, and backward by reopening the file (or seeking an
// io.Seeker to its start); bad rows met again are not counted twice.
//
// # Writing
//
// Create writes atomically (temporary file, fsync, rename on Close), gzip
// for ".gz" names. Each row is an object with keys in schema order; nulls
// are null, list and fixed-size-list columns are arrays, structs are
// objects, floats use the shortest form that reads back exactly, with a
// ".0" kept on integral values so that inference reads them back as
// floats. JSON cannot hold NaN or ±Inf: writing one is an error naming the
// row and column, and the file is discarded.
package jsonl
