package pybridge

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/go-python/gpython/py"
)

// Program is Python source compiled once; its code is shared, read-only,
// by every worker of the pools that run it.
type Program struct {
	code *py.Code
	file string
	src  sources
}

// Compile compiles src, named file in tracebacks. A syntax error is an
// *Error naming the file and line.
func Compile(src, file string) (prog *Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("compile %s: %v", file, r)
		}
	}()
	code, err := py.Compile(src, file, py.ExecMode, 0, true)
	if err != nil {
		return nil, convertErr(err, nil)
	}
	return &Program{code: code, file: file, src: sources{file: strings.Split(src, "\n")}}, nil
}

// File returns the program's file name.
func (p *Program) File() string { return p.file }

// Options configure a Pool.
type Options struct {
	// Workers is the number of interpreters (one py.Context each), and so
	// of concurrent calls; 0 means GOMAXPROCS.
	Workers int
	// MaxAbandoned bounds the abandoned workers still running (gpython
	// cannot stop them): while that many run, calls fail with
	// ErrTooManyRunaways. 0 means Workers.
	MaxAbandoned int
	// Stdout receives what the code prints; nil discards it.
	Stdout io.Writer
}

// Pool runs a Program's functions on a bounded set of workers, each with
// its own interpreter context, created on first use. It is safe for
// concurrent use.
type Pool struct {
	prog      *Program
	opts      Options
	stdout    io.Writer
	slots     chan struct{}
	idle      chan *worker
	abandoned atomic.Int64
	closed    atomic.Bool
	wg        sync.WaitGroup // abandoned workers still running
}

type worker struct {
	pctx py.Context
	mod  *py.Module
	row  atomic.Int64 // row being processed, -1 outside row loops
}

// NewPool returns a pool running prog. It builds one worker at once, so
// that an error in the module's top-level code is reported here.
func NewPool(prog *Program, opts Options) (*Pool, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxAbandoned <= 0 {
		opts.MaxAbandoned = opts.Workers
	}
	p := &Pool{prog: prog, opts: opts, stdout: newLockedWriter(opts.Stdout),
		slots: make(chan struct{}, opts.Workers), idle: make(chan *worker, opts.Workers)}
	w, err := p.newWorker()
	if err != nil {
		return nil, err
	}
	p.idle <- w
	return p, nil
}

func (p *Pool) newWorker() (w *worker, err error) {
	pctx := newContext(p.stdout)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("python %s: internal error: %v", p.prog.file, r)
		}
		if err != nil {
			go pctx.Close()
		}
	}()
	mod, err := py.RunCode(pctx, p.prog.code, p.prog.file, nil)
	if err != nil {
		return nil, fmt.Errorf("python %s: %w", p.prog.file, convertErr(err, p.prog.src))
	}
	return &worker{pctx: pctx, mod: mod}, nil
}

// Abandoned returns the number of abandoned workers still running.
func (p *Pool) Abandoned() int { return int(p.abandoned.Load()) }

// Close releases the idle workers. Calls after Close fail with ErrClosed;
// abandoned workers end when their code does.
func (p *Pool) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	for {
		select {
		case w := <-p.idle:
			w.pctx.Close()
		default:
			return nil
		}
	}
}

func (p *Pool) acquire(ctx context.Context) (*worker, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	if n := p.abandoned.Load(); n >= int64(p.opts.MaxAbandoned) {
		return nil, fmt.Errorf("python %s: %w (%d)", p.prog.file, ErrTooManyRunaways, n)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("python %s: waiting for a worker: %w", p.prog.file, ctx.Err())
	}
	select {
	case w := <-p.idle:
		return w, nil
	default:
	}
	w, err := p.newWorker()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return w, nil
}

func (p *Pool) release(w *worker) {
	if p.closed.Load() {
		w.pctx.Close()
	} else {
		p.idle <- w
	}
	<-p.slots
}

// run runs job on a worker under ctx. When ctx ends first the worker is
// abandoned: its slot is freed (a new worker replaces it on demand) and
// its context is closed in the background once the code ends.
func (p *Pool) run(ctx context.Context, fn string, job func(w *worker) error) error {
	w, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	w.row.Store(-1)
	if ctx.Done() == nil {
		err := safe(w, job)
		p.release(w)
		return err
	}
	done := make(chan error, 1)
	go func() { done <- safe(w, job) }()
	select {
	case err := <-done:
		p.release(w)
		return err
	case <-ctx.Done():
		p.abandoned.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			<-done
			w.pctx.Close()
			p.abandoned.Add(-1)
		}()
		<-p.slots
		at := ""
		if r := w.row.Load(); r >= 0 {
			at = fmt.Sprintf(" at row %d", r)
		}
		return fmt.Errorf("python %s: %s()%s: %w (worker replaced; the runaway code keeps a CPU busy until it ends): %w",
			p.prog.file, fn, at, ErrDeadline, ctx.Err())
	}
}

func safe(w *worker, job func(w *worker) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("python interpreter panic: %v", r)
		}
	}()
	return job(w)
}

func (p *Pool) lookup(w *worker, fn string) (py.Object, error) {
	f, ok := w.mod.Globals[fn]
	if !ok {
		return nil, fmt.Errorf("python %s: function %q is not defined", p.prog.file, fn)
	}
	if _, ok := f.(py.I__call__); !ok {
		return nil, fmt.Errorf("python %s: %q is a %s, not a function", p.prog.file, fn, f.Type().Name)
	}
	return f, nil
}

// Call calls the Python function fn with args converted from plain Go
// values (nil, bool, ints, floats, strings, []float64, []string, []any,
// map[string]any, *Object) and returns its result converted back (None
// is nil, int is int64, float float64, str string, lists []any, dicts
// map[string]any).
func (p *Pool) Call(ctx context.Context, fn string, args ...any) (any, error) {
	var out any
	err := p.run(ctx, fn, func(w *worker) error {
		f, err := p.lookup(w, fn)
		if err != nil {
			return err
		}
		pargs := make(py.Tuple, len(args))
		for i, a := range args {
			if pargs[i], err = toPy(a, w.pctx); err != nil {
				return fmt.Errorf("python %s: %s() argument %d: %w", p.prog.file, fn, i, err)
			}
		}
		res, err := py.Call(f, pargs, nil)
		if err != nil {
			return convertErr(err, p.prog.src)
		}
		if out, err = fromPy(res); err != nil {
			return fmt.Errorf("python %s: %s() result: %w", p.prog.file, fn, err)
		}
		return nil
	})
	return out, err
}

// inputs returns the readers of the named columns of rec (every column
// when names is empty).
func inputs(rec arrow.Record, names []string) ([]string, []colReader, error) {
	if len(names) == 0 {
		names = make([]string, rec.NumCols())
		for i := range names {
			names[i] = rec.ColumnName(i)
		}
	}
	readers := make([]colReader, len(names))
	for k, name := range names {
		idx := rec.Schema().FieldIndices(name)
		if len(idx) == 0 {
			return nil, nil, fmt.Errorf("input column %q not found", name)
		}
		r, err := newColReader(name, rec.Column(idx[0]))
		if err != nil {
			return nil, nil, err
		}
		readers[k] = r
	}
	return names, readers, nil
}

// MapRows calls fn(row) for every row of rec, row being a dict from the
// names of cols (all columns when empty) to the row's values, and builds
// a record of schema out from the dicts fn returns: each must hold every
// field of out and no other key, with a value of the field's type or
// None (an int is accepted for a float). A nil out infers the schema from
// this batch: fields in name order, typed by their first value that is
// not None. The caller owns one Release of the result. A Python error is
// an *Error with the traceback and the row (index and values); a value of
// the wrong type names the field and the row.
func (p *Pool) MapRows(ctx context.Context, fn string, rec arrow.Record, cols []string, out *arrow.Schema, mem memory.Allocator) (arrow.Record, error) {
	names, readers, err := inputs(rec, cols)
	if err != nil {
		return nil, fmt.Errorf("python %s: %s(): %w", p.prog.file, fn, err)
	}
	n := int(rec.NumRows())
	var result arrow.Record
	err = p.run(ctx, fn, func(w *worker) error {
		f, err := p.lookup(w, fn)
		if err != nil {
			return err
		}
		var ws *writers
		if out != nil {
			if ws, err = newWriters(mem, out); err != nil {
				return err
			}
			defer ws.release()
		}
		var kept []py.StringDict
		args := make(py.Tuple, 1)
		for i := 0; i < n; i++ {
			w.row.Store(int64(i))
			row := py.NewStringDictSized(len(names))
			for k, name := range names {
				row[name] = readers[k](i)
			}
			args[0] = row
			res, err := py.Call(f, args, nil)
			if err != nil {
				e := convertErr(err, p.prog.src)
				if pe, ok := e.(*Error); ok {
					pe.Row, pe.RowValues = i, reprOf(row)
				}
				return e
			}
			d, ok := res.(py.StringDict)
			if !ok {
				return fmt.Errorf("python %s: %s() returned %s %s at row %d, want a dict", p.prog.file, fn, res.Type().Name, reprOf(res), i)
			}
			if ws == nil {
				kept = append(kept, d)
				continue
			}
			if err := ws.appendRow(d); err != nil {
				return fmt.Errorf("python %s: %s() row %d %s: %w", p.prog.file, fn, i, reprOf(row), err)
			}
		}
		w.row.Store(-1)
		if ws == nil {
			schema, err := inferRows(kept)
			if err != nil {
				return fmt.Errorf("python %s: %s(): %w", p.prog.file, fn, err)
			}
			if ws, err = newWriters(mem, schema); err != nil {
				return err
			}
			defer ws.release()
			for i, d := range kept {
				if err := ws.appendRow(d); err != nil {
					return fmt.Errorf("python %s: %s() row %d: %w", p.prog.file, fn, i, err)
				}
			}
		}
		result = ws.record(int64(n))
		return nil
	})
	return result, err
}

// MapColumns calls fn(cols) once for rec, cols being a dict from the
// names of the selected columns (all when empty) to lists of their
// values, and builds a record of schema out from the dict of lists fn
// returns, each list as long as rec. A nil out infers the schema as
// MapRows does. The caller owns one Release of the result.
func (p *Pool) MapColumns(ctx context.Context, fn string, rec arrow.Record, cols []string, out *arrow.Schema, mem memory.Allocator) (arrow.Record, error) {
	names, readers, err := inputs(rec, cols)
	if err != nil {
		return nil, fmt.Errorf("python %s: %s(): %w", p.prog.file, fn, err)
	}
	n := int(rec.NumRows())
	var result arrow.Record
	err = p.run(ctx, fn, func(w *worker) error {
		f, err := p.lookup(w, fn)
		if err != nil {
			return err
		}
		arg := py.NewStringDictSized(len(names))
		for k, name := range names {
			items := make([]py.Object, n)
			for i := range items {
				items[i] = readers[k](i)
			}
			arg[name] = py.NewListFromItems(items)
		}
		res, err := py.Call(f, py.Tuple{arg}, nil)
		if err != nil {
			return convertErr(err, p.prog.src)
		}
		d, ok := res.(py.StringDict)
		if !ok {
			return fmt.Errorf("python %s: %s() returned %s, want a dict of lists", p.prog.file, fn, res.Type().Name)
		}
		lists := make(map[string][]py.Object, len(d))
		for k, v := range d {
			items, ok := listItems(v)
			if !ok {
				return fmt.Errorf("python %s: %s() output field %q is a %s, want a list", p.prog.file, fn, k, v.Type().Name)
			}
			if len(items) != n {
				return fmt.Errorf("python %s: %s() output field %q has %d values for %d rows", p.prog.file, fn, k, len(items), n)
			}
			lists[k] = items
		}
		schema := out
		if schema == nil {
			if schema, err = inferColumns(lists); err != nil {
				return fmt.Errorf("python %s: %s(): %w", p.prog.file, fn, err)
			}
		}
		ws, err := newWriters(mem, schema)
		if err != nil {
			return err
		}
		defer ws.release()
		if err := ws.checkKeys(d); err != nil {
			return fmt.Errorf("python %s: %s(): %w", p.prog.file, fn, err)
		}
		for k, cw := range ws.cols {
			items := lists[cw.field.Name]
			for i, v := range items {
				if err := cw.append(v); err != nil {
					return fmt.Errorf("python %s: %s() output field %q row %d: %w", p.prog.file, fn, ws.schema.Field(k).Name, i, err)
				}
			}
		}
		result = ws.record(int64(n))
		return nil
	})
	return result, err
}

type writers struct {
	schema *arrow.Schema
	cols   []*colWriter
}

func newWriters(mem memory.Allocator, schema *arrow.Schema) (*writers, error) {
	ws := &writers{schema: schema}
	for _, f := range schema.Fields() {
		cw, err := newColWriter(mem, f)
		if err != nil {
			ws.release()
			return nil, err
		}
		ws.cols = append(ws.cols, cw)
	}
	return ws, nil
}

func (ws *writers) release() {
	for _, c := range ws.cols {
		c.b.Release()
	}
}

func (ws *writers) checkKeys(d py.StringDict) error {
	if len(d) == len(ws.cols) {
		ok := true
		for _, c := range ws.cols {
			if _, found := d[c.field.Name]; !found {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
	}
	for _, c := range ws.cols {
		if _, found := d[c.field.Name]; !found {
			return fmt.Errorf("output field %q is missing from the returned dict", c.field.Name)
		}
	}
	for k := range d {
		if ws.schema.FieldIndices(k) == nil {
			return fmt.Errorf("returned key %q is not in the output schema %s", k, FormatSchema(ws.schema))
		}
	}
	return nil
}

func (ws *writers) appendRow(d py.StringDict) error {
	if err := ws.checkKeys(d); err != nil {
		return err
	}
	for _, c := range ws.cols {
		if err := c.append(d[c.field.Name]); err != nil {
			return fmt.Errorf("output field %q: %w", c.field.Name, err)
		}
	}
	return nil
}

func (ws *writers) record(n int64) arrow.Record {
	arrs := make([]arrow.Array, len(ws.cols))
	for k, c := range ws.cols {
		arrs[k] = c.b.NewArray()
	}
	rec := array.NewRecord(ws.schema, arrs, n)
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

func inferRows(rows []py.StringDict) (*arrow.Schema, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("cannot infer the output schema from an empty batch: declare it")
	}
	lists := map[string][]py.Object{}
	for k := range rows[0] {
		items := make([]py.Object, len(rows))
		for i, r := range rows {
			items[i] = r[k]
		}
		lists[k] = items
	}
	return inferColumns(lists)
}

func inferColumns(lists map[string][]py.Object) (*arrow.Schema, error) {
	names := make([]string, 0, len(lists))
	for k := range lists {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("the function returned an empty dict: no output field")
	}
	fields := make([]arrow.Field, 0, len(names))
	for _, name := range names {
		var dt arrow.DataType
		for i, v := range lists[name] {
			t, ok, err := inferType(v)
			if err != nil {
				return nil, fmt.Errorf("output field %q row %d: %w", name, i, err)
			}
			if ok {
				dt = t
				break
			}
		}
		if dt == nil {
			return nil, fmt.Errorf("output field %q is None in every row of the first batch: declare the output schema", name)
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: true})
	}
	return arrow.NewSchema(fields, nil), nil
}
