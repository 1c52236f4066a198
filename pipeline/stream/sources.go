package stream

import (
	"context"
	"errors"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/pipeline/table"
)

// FromRecords returns a bounded, replayable source over in-memory batches.
// Batch i is read by subtask i mod parallelism. The caller keeps ownership
// of recs and must not release them before Run returns. Each subtask's
// reader is a table.Seeker counting the rows of its share.
func FromRecords(recs ...arrow.Record) Source {
	return &recordsSource{recs: recs}
}

type recordsSource struct{ recs []arrow.Record }

func (s *recordsSource) Open(_ context.Context, subtask, parallelism int) (table.Reader, error) {
	var mine []arrow.Record
	for i := subtask; i < len(s.recs); i += parallelism {
		mine = append(mine, s.recs[i])
	}
	var schema *arrow.Schema
	if len(s.recs) > 0 {
		schema = s.recs[0].Schema()
	}
	for _, r := range mine {
		r.Retain()
	}
	return &sliceReader{schema: schema, recs: mine, pos: -1}, nil
}

// sliceReader reads batches from a slice. It is a table.Seeker.
type sliceReader struct {
	schema *arrow.Schema
	recs   []arrow.Record
	pos    int          // index of the current batch
	skip   int64        // rows to drop from the next batch (SeekRow)
	cur    arrow.Record // current record (a slice when skip applied)
	owned  bool         // cur was created by NewSlice
	offset int64
}

func (r *sliceReader) Schema() *arrow.Schema { return r.schema }

func (r *sliceReader) Next() bool {
	r.dropCur()
	for {
		r.pos++
		if r.pos >= len(r.recs) {
			return false
		}
		rec := r.recs[r.pos]
		n := rec.NumRows()
		if r.skip >= n {
			r.skip -= n
			continue
		}
		if r.skip > 0 {
			r.cur, r.owned = rec.NewSlice(r.skip, n), true
			r.skip = 0
		} else {
			r.cur = rec
		}
		r.offset += r.cur.NumRows()
		return true
	}
}

func (r *sliceReader) dropCur() {
	if r.owned {
		r.cur.Release()
	}
	r.cur, r.owned = nil, false
}

func (r *sliceReader) Record() arrow.Record { return r.cur }
func (r *sliceReader) Err() error           { return nil }

func (r *sliceReader) Release() {
	r.dropCur()
	releaseAll(r.recs)
}

// Offset implements table.Seeker.
func (r *sliceReader) Offset() int64 { return r.offset }

// SeekRow implements table.Seeker: the next batch starts at row offset of
// this reader's share.
func (r *sliceReader) SeekRow(offset int64) error {
	if offset < 0 {
		return errors.New("seek: negative row offset")
	}
	r.dropCur()
	r.pos, r.skip, r.offset = -1, offset, offset
	return nil
}

// FromReader returns a source reading r in subtask 0; the other subtasks
// read nothing. It can be opened once; the engine releases r.
func FromReader(r table.Reader) Source {
	return &readerSource{r: r}
}

type readerSource struct {
	mu   sync.Mutex
	r    table.Reader
	used bool
}

func (s *readerSource) Open(_ context.Context, subtask, _ int) (table.Reader, error) {
	if subtask > 0 {
		return &sliceReader{schema: s.r.Schema(), pos: -1}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used {
		return nil, errors.New("reader source opened twice: a table.Reader can be read once")
	}
	s.used = true
	return s.r, nil
}
