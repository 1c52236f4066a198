package csv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/connectors"
)

// Reader reads a CSV file as Arrow record batches. It implements
// connectors.Source and, when it reads a file, table.Seeker. A Reader is
// used from one goroutine; it parses in the background on its own.
type Reader struct {
	cfg    *config
	opts   Options
	open   func() (io.ReadCloser, error) // nil: not seekable
	parent context.Context
	schema *arrow.Schema

	// The running pipeline.
	rc      io.ReadCloser
	cancel  context.CancelFunc
	order   chan *job
	wg      sync.WaitGroup
	running bool

	// progress is the open file's byte counter, read by a progress bar
	// from another goroutine.
	progress atomic.Pointer[connectors.Progresser]

	cur      arrow.Record
	offset   int64
	skipped  int64
	discard  int64 // rows still to drop after a SeekRow under Skip
	pending  error // reported after the current record
	err      error
	done     bool
	released bool
}

var (
	_ connectors.Source     = (*Reader)(nil)
	_ connectors.Progresser = (*Reader)(nil)
)

// Progress reports the bytes of the file read so far and its size
// (compressed sizes for a gzip file); both are 0 for a stream.
// It is safe to call from any goroutine.
func (r *Reader) Progress() (read, total int64) {
	if p := r.progress.Load(); p != nil {
		return (*p).Progress()
	}
	return 0, 0
}

type job struct {
	c   *chunk
	res chan result
}

// Open opens a CSV file (gzip-compressed when its name ends in ".gz") and
// reads its header and, to infer the column types, its first rows. The
// reader parses in the background until Release; cancelling ctx stops it
// too.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	opts, err := opts.withDefaults(path)
	if err != nil {
		return nil, err
	}
	open := func() (io.ReadCloser, error) { return connectors.OpenFile(path) }
	rc, err := open()
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	r, err := newReader(ctx, rc, opts, open)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads CSV from rd. The result cannot seek. opts.Name names the
// input in errors.
func NewReader(ctx context.Context, rd io.Reader, opts Options) (*Reader, error) {
	opts, err := opts.withDefaults("")
	if err != nil {
		return nil, err
	}
	return newReader(ctx, io.NopCloser(rd), opts, nil)
}

func newReader(ctx context.Context, rc io.ReadCloser, opts Options, open func() (io.ReadCloser, error)) (*Reader, error) {
	name := opts.Name
	prefix := "csv: "
	if name != "" {
		prefix = "csv: " + name + ": "
	}
	sp, names, err := readHeader(rc, opts)
	if err != nil {
		return nil, err
	}
	cols := make([]column, len(names))
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if n == "" {
			n = fmt.Sprintf("column_%d", i+1)
		}
		if j, dup := seen[n]; dup {
			return nil, fmt.Errorf("%sline 1: columns %d and %d are both named %q", prefix, j+1, i+1, n)
		}
		seen[n] = i
		cols[i] = column{name: n, nullable: true, inferred: true}
	}
	fields := make([]arrow.Field, len(cols))
	if opts.Schema != nil {
		for _, f := range opts.Schema.Fields() {
			i, ok := seen[f.Name]
			if !ok {
				return nil, fmt.Errorf("%sschema column %q is not in the header", prefix, f.Name)
			}
			k, size, err := kindOf(f)
			if err != nil {
				return nil, fmt.Errorf("%s%w", prefix, err)
			}
			cols[i] = column{name: f.Name, kind: k, size: size, nullable: f.Nullable}
			if ts, ok := f.Type.(*arrow.TimestampType); ok {
				cols[i].ts = ts
			}
			fields[i] = f
		}
	}
	cfg := &config{
		name:      name,
		sep:       opts.Comma,
		mem:       opts.Allocator,
		skip:      opts.OnError == connectors.Skip,
		inferRows: opts.InferRows,
	}
	cfg.fastNumbers = true
	for _, n := range opts.NullValues {
		cfg.nulls = append(cfg.nulls, []byte(n))
		cfg.maxNull = max(cfg.maxNull, len(n))
		if _, err := parseFloat([]byte(n)); err == nil {
			cfg.fastNumbers = false
		}
	}
	isNull := func(b []byte) bool { return cfg.isNull(b) }

	var held []*chunk
	needInfer := false
	for _, c := range cols {
		needInfer = needInfer || c.inferred
	}
	if needInfer {
		var ins []inference
		if opts.InferRows < 0 && open != nil {
			ins, err = inferFile(open, opts, len(cols), isNull)
			if err != nil {
				return nil, err
			}
		} else {
			rows := 0
			for opts.InferRows < 0 || rows < opts.InferRows {
				c := sp.next()
				if c == nil {
					break
				}
				held = append(held, c)
				rows += c.rows
			}
			if sp.err != nil {
				return nil, fmt.Errorf("%s%w", prefix, sp.err)
			}
			ins = make([]inference, len(cols))
			infer(ins, held, opts.InferRows, opts.Comma, isNull)
		}
		for i := range cols {
			if cols[i].inferred {
				cols[i].kind = ins[i].kind()
			}
		}
	}
	for i, c := range cols {
		if c.inferred {
			fields[i] = arrow.Field{Name: c.name, Type: c.arrowType(), Nullable: true}
		}
	}
	cfg.cols = cols
	cfg.schema = arrow.NewSchema(fields, nil)
	r := &Reader{cfg: cfg, opts: opts, open: open, parent: ctx, schema: cfg.schema}
	r.start(rc, sp, held)
	return r, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// readHeader reads the header row and returns a splitter positioned after it.
func readHeader(rc io.Reader, opts Options) (*splitter, []string, error) {
	prefix := "csv: "
	if opts.Name != "" {
		prefix = "csv: " + opts.Name + ": "
	}
	sp := newSplitter(rc, opts.Comma, 1, 1, nil)
	for len(sp.buf) < len(bom) && !sp.eof {
		sp.fill()
	}
	if bytes.HasPrefix(sp.buf, bom) {
		sp.start, sp.pos = len(bom), len(bom)
	}
	hdr := sp.next()
	if sp.err != nil {
		return nil, nil, fmt.Errorf("%s%w", prefix, sp.err)
	}
	if hdr == nil {
		return nil, nil, fmt.Errorf("%sempty input: no header row", prefix)
	}
	var names []string
	d := hdr.data
	i := 0
	for {
		if n, blank := isBlank(d, i); blank && len(names) == 0 {
			i = n
			continue
		}
		f, n, eol, err := scanField(d, i, opts.Comma)
		if err != nil {
			return nil, nil, &connectors.RowError{File: opts.Name, Line: hdr.line, Column: "", Index: len(names), Value: string(d[f.start:f.end]), Err: fmt.Errorf("header: %w", err)}
		}
		var scratch []byte
		names = append(names, string(fieldBytes(d, f, &scratch)))
		i = n
		if eol {
			break
		}
	}
	sp.batch = opts.BatchSize
	return sp, names, nil
}

// inferFile infers the column types from a whole file in a separate pass.
func inferFile(open func() (io.ReadCloser, error), opts Options, ncol int, isNull func([]byte) bool) ([]inference, error) {
	rc, err := open()
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	defer rc.Close()
	sp, _, err := readHeader(rc, opts)
	if err != nil {
		return nil, err
	}
	ins := make([]inference, ncol)
	for c := sp.next(); c != nil; c = sp.next() {
		infer(ins, []*chunk{c}, -1, opts.Comma, isNull)
	}
	if sp.err != nil {
		return nil, fmt.Errorf("csv: %s: %w", opts.Name, sp.err)
	}
	return ins, nil
}

// start runs the splitter and the parsing workers. Results come back in
// input order through r.order: the splitter hands each chunk to a worker
// and then queues it, so every queued job gets a result.
func (r *Reader) start(rc io.ReadCloser, sp *splitter, held []*chunk) {
	ctx, cancel := context.WithCancel(r.parent)
	r.rc, r.cancel, r.running = rc, cancel, true
	if p, ok := rc.(connectors.Progresser); ok {
		r.progress.Store(&p)
	}
	workers := r.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	order := make(chan *job, workers+1)
	work := make(chan *job, workers)
	r.order = order
	cfg := r.cfg
	r.wg.Add(1 + workers)
	go func() {
		defer r.wg.Done()
		defer close(order)
		defer close(work)
		emit := func(c *chunk) bool {
			j := &job{c: c, res: make(chan result, 1)}
			select {
			case work <- j:
			case <-ctx.Done():
				return false
			}
			select {
			case order <- j:
				return true
			case <-ctx.Done():
				res := <-j.res
				res.release()
				return false
			}
		}
		for k, c := range held {
			held[k] = nil
			if !emit(c) {
				return
			}
		}
		for {
			c := sp.next()
			if c == nil {
				break
			}
			if !emit(c) {
				return
			}
		}
		if sp.err != nil {
			j := &job{res: make(chan result, 1)}
			j.res <- result{err: fmt.Errorf("csv: %s: %w", cfg.name, sp.err)}
			select {
			case order <- j:
			case <-ctx.Done():
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			defer r.wg.Done()
			p := newParser(cfg)
			for j := range work {
				if err := ctx.Err(); err != nil {
					j.res <- result{err: err}
					continue
				}
				j.res <- p.safeParse(j.c)
			}
		}()
	}
}

// safeParse turns a panic of the parser (a bug) into an error.
func (p *parser) safeParse(c *chunk) (res result) {
	defer func() {
		if v := recover(); v != nil {
			p.free()
			res = result{err: fmt.Errorf("csv: %s: line %d: internal error: %v", p.cfg.name, c.line, v)}
		}
	}()
	return p.parse(c)
}

// stop ends the pipeline and waits for its goroutines.
func (r *Reader) stop() {
	if !r.running {
		return
	}
	r.running = false
	r.cancel()
	r.wg.Wait()
	for j := range r.order {
		res := <-j.res
		res.release()
	}
	r.rc.Close()
}

// wrap prefixes an error with "csv: " and the file name.
func (r *Reader) wrap(err error) error {
	if r.cfg.name == "" {
		return fmt.Errorf("csv: %w", err)
	}
	return fmt.Errorf("csv: %s: %w", r.cfg.name, err)
}

// Schema is the schema of every batch.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Record is the current batch, valid until the next call to Next.
func (r *Reader) Record() arrow.Record { return r.cur }

// Err is the error that ended the reader, if any. Bad rows are
// *connectors.RowError.
func (r *Reader) Err() error { return r.err }

// Skipped is the number of rows dropped under the Skip policy.
func (r *Reader) Skipped() int64 { return r.skipped }

// Offset is the number of rows delivered from the start of the input.
func (r *Reader) Offset() int64 { return r.offset }

// Next advances to the next batch.
func (r *Reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for {
		if r.released || r.err != nil || r.done {
			return false
		}
		if r.pending != nil {
			r.err, r.pending = r.pending, nil
			r.stop()
			return false
		}
		j, ok := <-r.order
		if !ok {
			r.done = true
			if err := r.parent.Err(); err != nil {
				r.err = r.wrap(err)
			}
			r.stop()
			return false
		}
		res := <-j.res
		r.account(&res)
		if res.err != nil {
			r.pending = res.err
			if errors.Is(res.err, context.Canceled) || errors.Is(res.err, context.DeadlineExceeded) {
				r.pending = r.wrap(res.err)
			}
		}
		rec := res.rec
		if rec == nil {
			continue
		}
		n := rec.NumRows()
		if r.discard > 0 {
			if n <= r.discard {
				r.discard -= n
				rec.Release()
				continue
			}
			s := rec.NewSlice(r.discard, n)
			rec.Release()
			rec = s
			r.discard = 0
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		r.cur = rec
		r.offset += rec.NumRows()
		return true
	}
}

// account counts the skipped rows of res and writes them to the dead
// letter writer, leaving out the rows before a SeekRow target, which were
// accounted for the first time round.
func (r *Reader) account(res *result) {
	if len(res.ends) == 0 {
		return
	}
	var rows int64
	if res.rec != nil {
		rows = res.rec.NumRows()
	}
	prev := 0
	for k, end := range res.ends {
		text := res.dead[prev:end]
		prev = end
		if r.discard > 0 && (rows <= r.discard || int64(res.at[k]) < r.discard) {
			continue
		}
		r.skipped++
		if r.opts.DeadLetter != nil && r.pending == nil {
			if _, err := r.opts.DeadLetter.Write(text); err != nil {
				r.pending = r.wrap(fmt.Errorf("dead letter: %w", err))
			}
		}
	}
}

// SeekRow restarts the reader at data row offset (0 is the first row after
// the header), counted as Offset counts: rows delivered. Under Fail it
// skips rows by scanning for row ends without parsing them (a bad row
// counts as a row there, but a Fail reader never delivers rows past one, so
// every Offset it reports seeks exactly); under Skip it parses and drops
// them so that skipped bad rows do not shift the count.
// The schema stays the one found at Open.
func (r *Reader) SeekRow(offset int64) error {
	if r.open == nil {
		return r.wrap(errors.New("cannot seek: not reading a file"))
	}
	if offset < 0 {
		return r.wrap(fmt.Errorf("cannot seek to row %d", offset))
	}
	if r.released {
		return r.wrap(errors.New("seek after release"))
	}
	r.stop()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.err, r.pending, r.done, r.discard = nil, nil, false, 0
	rc, err := r.open()
	if err != nil {
		r.err = fmt.Errorf("csv: %w", err)
		return r.err
	}
	sp, _, err := readHeader(rc, r.opts)
	if err != nil {
		rc.Close()
		r.err = err
		return err
	}
	if r.cfg.skip {
		r.discard = offset
	} else {
		sp.skip = offset
	}
	r.offset = offset
	r.start(rc, sp, nil)
	return nil
}

// Release stops the reader and frees the current batch. It is safe to call
// more than once. It waits for the background read in progress, so over a
// stream (NewReader) that blocks it returns when that read does.
func (r *Reader) Release() {
	if r.released {
		return
	}
	r.released = true
	r.stop()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
