// Package streamtest holds what the online packages' engine tests share: a
// replayable, seekable source of in-memory batches paced in time, so that
// checkpoints fall between batches, and a reader of a stream.FileSink's
// committed output.
package streamtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// PacedSource replays Recs in subtask 0 (other subtasks read nothing),
// waiting Pause before each batch (Pauses[i] before batch i when set). Its
// readers are table.Seekers, so the engine can restore them.
type PacedSource struct {
	Recs   []arrow.Record
	Pause  time.Duration
	Pauses []time.Duration
}

// Open implements stream.Source.
func (s *PacedSource) Open(ctx context.Context, sub, _ int) (table.Reader, error) {
	r := &pacedReader{src: s, ctx: ctx}
	if sub != 0 {
		r.i = len(s.Recs)
	}
	return r, nil
}

type pacedReader struct {
	src    *PacedSource
	ctx    context.Context
	i      int
	offset int64
	cur    arrow.Record
	err    error
}

func (r *pacedReader) Schema() *arrow.Schema { return r.src.Recs[0].Schema() }

func (r *pacedReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.i >= len(r.src.Recs) {
		return false
	}
	d := r.src.Pause
	if r.i < len(r.src.Pauses) {
		d = r.src.Pauses[r.i]
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
		return false
	}
	r.cur = r.src.Recs[r.i]
	r.cur.Retain()
	r.i++
	r.offset += r.cur.NumRows()
	return true
}

func (r *pacedReader) Record() arrow.Record { return r.cur }
func (r *pacedReader) Err() error           { return r.err }

func (r *pacedReader) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *pacedReader) Offset() int64 { return r.offset }

func (r *pacedReader) SeekRow(off int64) error {
	r.i, r.offset = 0, 0
	for r.i < len(r.src.Recs) && r.offset+r.src.Recs[r.i].NumRows() <= off {
		r.offset += r.src.Recs[r.i].NumRows()
		r.i++
	}
	if r.offset != off && r.i < len(r.src.Recs) {
		return fmt.Errorf("seek to row %d inside a batch", off)
	}
	return nil
}

// ReadParts reads every committed part file (part-*.arrows) a
// stream.FileSink wrote into dir; the caller releases the records.
func ReadParts(t testing.TB, mem memory.Allocator, dir string) []arrow.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "part-*.arrows"))
	if err != nil {
		t.Fatal(err)
	}
	var out []arrow.Record
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewReader(f, ipc.WithAllocator(mem))
		if err != nil {
			f.Close()
			t.Fatalf("%s: %v", p, err)
		}
		for r.Next() {
			r.Record().Retain()
			out = append(out, r.Record())
		}
		err = r.Err()
		r.Release()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	return out
}
