package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline/table"
)

// TransformTable applies t to every batch of tbl and returns the results
// as a new table, batch i of the result coming from batch i of tbl; tbl
// is borrowed. The caller owns one Release.
//
// Batches are transformed in parallel on up to GOMAXPROCS goroutines
// (Transform is safe for concurrent use). On failure the error is the
// one of the first failing batch, as a sequential run would give: batches
// are handed out in order and none is started after a failure.
func TransformTable(ctx context.Context, t Transformer, tbl *table.Table) (*table.Table, error) {
	schema, err := t.OutputSchema(tbl.Schema())
	if err != nil {
		return nil, fmt.Errorf("transform table: stage %q: %w", t.Kind(), err)
	}
	n := tbl.NumBatches()
	outs := make([]arrow.Record, n)
	errs := make([]error, n)
	defer func() {
		for _, r := range outs {
			if r != nil {
				r.Release()
			}
		}
	}()
	var next atomic.Int64
	var failed atomic.Bool
	work := func() {
		for !failed.Load() {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			err := ctx.Err()
			if err == nil {
				outs[i], err = safeTransform(ctx, t, tbl.Batch(i))
				if err == nil {
					err = checkSchema(t, outs[i].Schema(), schema)
				}
			}
			if err != nil {
				errs[i] = err
				failed.Store(true)
			}
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), n); workers > 1 {
		var wg sync.WaitGroup
		for range workers - 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work()
			}()
		}
		work()
		wg.Wait()
	} else {
		work()
	}
	for i, err := range errs {
		if err != nil {
			if errors.Is(err, ctx.Err()) {
				return nil, fmt.Errorf("transform table: %w", err)
			}
			return nil, fmt.Errorf("transform table: batch %d: %w", i, err)
		}
	}
	res, err := table.New(schema, outs...)
	if err != nil {
		return nil, fmt.Errorf("transform table: stage %q: %w", t.Kind(), err)
	}
	return res, nil
}

func checkSchema(t Transformer, got, want *arrow.Schema) error {
	if got == want || got.Equal(want) {
		return nil
	}
	return fmt.Errorf("stage %q: batch schema differs from its OutputSchema: got %s; want %s", t.Kind(), got, want)
}

// TransformReader returns a Reader that applies t to the batches of r as
// they are read. It takes r over: its Release releases r. The output
// schema is checked up front with OutputSchema, so an incompatible stage
// fails here rather than at the first batch; on error r is released.
// Each batch is transformed under ctx.
func TransformReader(ctx context.Context, t Transformer, r table.Reader) (table.Reader, error) {
	schema, err := t.OutputSchema(r.Schema())
	if err != nil {
		r.Release()
		return nil, fmt.Errorf("transform reader: stage %q: %w", t.Kind(), err)
	}
	return &transformReader{ctx: ctx, t: t, in: r, schema: schema}, nil
}

type transformReader struct {
	ctx    context.Context
	t      Transformer
	in     table.Reader
	schema *arrow.Schema
	cur    arrow.Record
	err    error
	batch  int
}

func (r *transformReader) Schema() *arrow.Schema { return r.schema }

func (r *transformReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	if !r.in.Next() {
		r.err = r.in.Err()
		return false
	}
	out, err := safeTransform(r.ctx, r.t, r.in.Record())
	if err == nil {
		if err = checkSchema(r.t, out.Schema(), r.schema); err != nil {
			out.Release()
		}
	}
	if err != nil {
		r.err = fmt.Errorf("batch %d: %w", r.batch, err)
		return false
	}
	r.batch++
	r.cur = out
	return true
}

func (r *transformReader) Record() arrow.Record { return r.cur }

func (r *transformReader) Err() error { return r.err }

func (r *transformReader) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.in != nil {
		r.in.Release()
		r.in = nil
	}
}
