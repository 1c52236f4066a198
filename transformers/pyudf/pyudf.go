package pyudf

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
)

// The registry kinds.
const (
	KindRow    = "py_row_udf"
	KindColumn = "py_column_udf"
)

// The params.
var (
	Code         = param.New("code", "python source defining the function (exclusive with file)", "")
	File         = param.New("file", "path of a .py file defining the function (exclusive with code)", "")
	Function     = param.New("function", "name of the python function to call", "f", param.NonEmpty())
	OutputSchema = param.New("output_schema", "output fields as name:type,... (int, float, bool, str, vector, vector[N]); empty infers them from a probe row of ones, or the first batch", "")
	Timeout      = param.New("timeout", "deadline of one batch, in seconds: a call still running then is abandoned and its worker replaced", 30.0, param.Gt(0.0))
	Workers      = param.New("workers", "python interpreters running batches concurrently; 0 means GOMAXPROCS", 0, param.GtEq(0))
)

func init() {
	registry.MustRegister(registry.Spec{Kind: KindRow,
		Doc: "Calls a python function (gpython) on every row: def f(row): return {name: value}; the outputs are added to the batch.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(KindRow, p) }})
	registry.MustRegister(registry.Spec{Kind: KindColumn,
		Doc: "Calls a python function (gpython) on whole batches as lists: def f(cols): return {name: [values]}; the outputs are added to the batch.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(KindColumn, p) }})
}

// UDF is a python user function as a transformer. It is safe for
// concurrent use: batches run on a pool of interpreters.
type UDF struct {
	param.HasInputCols
	kind   string
	params *param.Set
	pool   *pybridge.Pool
	fn     string

	mu  sync.Mutex
	out *arrow.Schema // declared, or inferred once
}

// New returns a UDF stage of the given kind (KindRow or KindColumn). It
// compiles the code and runs its top level once, so syntax and import
// errors show here.
func New(kind string, values map[string]any) (*UDF, error) {
	if kind != KindRow && kind != KindColumn {
		return nil, fmt.Errorf("pyudf: unknown kind %q", kind)
	}
	u := &UDF{kind: kind}
	u.params = param.NewSet(kind, &u.HasInputCols, Code, File, Function, OutputSchema, Timeout, Workers)
	if err := u.params.SetMap(values); err != nil {
		return nil, err
	}
	src, file := Code.Get(u.params), File.Get(u.params)
	switch {
	case src != "" && file != "":
		return nil, &param.Error{Kind: kind, Param: File.Name(), Err: fmt.Errorf("is set together with code: set one")}
	case src == "" && file == "":
		return u, nil // the registry builds every kind with defaults; using it fails (errNoCode)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, &param.Error{Kind: kind, Param: File.Name(), Err: err}
		}
		src = string(b)
	default:
		file = "<" + kind + ">"
	}
	if s := OutputSchema.Get(u.params); s != "" {
		out, err := pybridge.ParseSchema(s)
		if err != nil {
			return nil, &param.Error{Kind: kind, Param: OutputSchema.Name(), Err: err}
		}
		u.out = out
	}
	prog, err := pybridge.Compile(src, file)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", kind, err)
	}
	u.pool, err = pybridge.NewPool(prog, pybridge.Options{Workers: Workers.Get(u.params)})
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", kind, err)
	}
	u.fn = Function.Get(u.params)
	return u, nil
}

func (u *UDF) Kind() string       { return u.kind }
func (u *UDF) Params() *param.Set { return u.params }

// Close releases the interpreters. A UDF is usable until Close.
func (u *UDF) Close() error {
	if u.pool == nil {
		return nil
	}
	return u.pool.Close()
}

func (u *UDF) errNoCode() error {
	return &param.Error{Kind: u.kind, Param: Code.Name(), Err: fmt.Errorf("is empty: set code or file")}
}

func (u *UDF) call(ctx context.Context, rec arrow.Record, out *arrow.Schema, mem memory.Allocator) (arrow.Record, error) {
	if u.pool == nil {
		return nil, u.errNoCode()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(Timeout.Get(u.params)*float64(time.Second)))
	defer cancel()
	if u.kind == KindRow {
		return u.pool.MapRows(ctx, u.fn, rec, u.InputCols(), out, mem)
	}
	return u.pool.MapColumns(ctx, u.fn, rec, u.InputCols(), out, mem)
}

func (u *UDF) outSchema() *arrow.Schema {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.out
}

// fix records an inferred schema; the first one wins.
func (u *UDF) fix(s *arrow.Schema) *arrow.Schema {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.out == nil {
		u.out = s
	}
	return u.out
}

// OutputSchema returns in with the output fields: one of the same name
// replaces an input column in place, others are appended. Without a
// declared output_schema and before the first batch, the schema is
// inferred by calling the function on a probe row of ones; if that fails
// the error asks for output_schema.
func (u *UDF) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if u.pool == nil {
		return nil, u.errNoCode()
	}
	out := u.outSchema()
	if out == nil {
		mem := memory.NewGoAllocator()
		probe, err := pybridge.ProbeRecord(mem, in)
		if err != nil {
			return nil, fmt.Errorf("stage %q: %w", u.kind, err)
		}
		defer probe.Release()
		res, err := u.call(context.Background(), probe, nil, mem)
		if err != nil {
			return nil, fmt.Errorf("stage %q: inferring the output schema on a probe row of ones failed (declare output_schema): %w", u.kind, err)
		}
		out = u.fix(res.Schema())
		res.Release()
	}
	return merge(in, out)
}

func merge(in, out *arrow.Schema) (*arrow.Schema, error) {
	fields := append([]arrow.Field(nil), in.Fields()...)
	for _, f := range out.Fields() {
		if idx := in.FieldIndices(f.Name); len(idx) > 0 {
			fields[idx[0]] = f
		} else {
			fields = append(fields, f)
		}
	}
	md := in.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// Transform calls the function on rec and returns rec with the outputs.
// rec is borrowed.
func (u *UDF) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	mem := pipeline.Allocator(ctx)
	res, err := u.call(ctx, rec, u.outSchema(), mem)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", u.kind, err)
	}
	defer res.Release()
	out := u.fix(res.Schema())
	if !out.Equal(res.Schema()) {
		return nil, fmt.Errorf("stage %q: batch outputs %s differ from the inferred schema %s: declare output_schema",
			u.kind, pybridge.FormatSchema(res.Schema()), pybridge.FormatSchema(out))
	}
	schema, err := merge(rec.Schema(), out)
	if err != nil {
		return nil, err
	}
	cols := append([]arrow.Array(nil), rec.Columns()...)
	for k, f := range out.Fields() {
		if idx := rec.Schema().FieldIndices(f.Name); len(idx) > 0 {
			cols[idx[0]] = res.Column(k)
		} else {
			cols = append(cols, res.Column(k))
		}
	}
	return array.NewRecord(schema, cols, rec.NumRows()), nil
}
