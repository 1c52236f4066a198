package table

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// Reader streams record batches that share one schema, in the arrow
// RecordReader idiom:
//
//	for r.Next() {
//		rec := r.Record() // owned by r: valid until the next call to Next
//		...
//	}
//	if err := r.Err(); err != nil { ... }
//	r.Release()
//
// A caller that keeps a record past the next call to Next calls Retain on it
// and later Release. Every array.RecordReader is a Reader.
type Reader interface {
	Schema() *arrow.Schema
	Next() bool
	Record() arrow.Record
	Err() error
	Release()
}

// Seeker is the optional ability of a Reader whose input can be replayed:
// it reports how many rows it has delivered and can restart at a row
// offset. The stream engine stores Offset in a checkpoint and calls SeekRow on
// recovery, so a source resumes in place instead of from its start.
type Seeker interface {
	// Offset is the number of rows delivered by Next so far, counting from
	// the start of the input (not from the last SeekRow).
	Offset() int64
	// SeekRow makes the next batch start at row offset. Seeking past the end
	// is not an error: the reader then ends.
	SeekRow(offset int64) error
}
