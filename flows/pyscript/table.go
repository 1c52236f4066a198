package pyscript

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/randomsplitter"
	"go.yaml.in/yaml/v3"

	_ "github.com/eddyml/eddy/connectors/all" // every file format for read and write
)

func tableOf(o *pybridge.Object) *table.Table { return o.Value.(*table.Table) }

// tableClass is built in init: its methods refer to it.
var tableClass *pybridge.Class

func init() {
	tableClass = pybridge.NewClass("Table", "a bounded table (Arrow record batches)", map[string]pybridge.Method{
		"num_rows": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			return tableOf(self).NumRows(), nil
		},
		"columns": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			s := tableOf(self).Schema()
			names := make([]string, s.NumFields())
			for i, f := range s.Fields() {
				names[i] = f.Name
			}
			return names, nil
		},
		"schema": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			s := tableOf(self).Schema()
			out := make([]any, s.NumFields())
			for i, f := range s.Fields() {
				out[i] = []any{f.Name, table.TypeName(f.Type)}
			}
			return out, nil
		},
		"head":   tableHead,
		"column": tableColumn,
		"rows":   tableRows,
		"select": tableSelect,
		"slice":  tableSlice,
		"split":  tableSplit,
	}, func(o *pybridge.Object) string {
		t := tableOf(o)
		return fmt.Sprintf("<eddy.Table %d rows x %d columns>", t.NumRows(), t.Schema().NumFields())
	})
}

func tableHead(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"n"}, 0)
	if err != nil {
		return nil, err
	}
	n, err := b.int("n", 5)
	if err != nil || n < 0 {
		return nil, errors.Join(err, fmt.Errorf("n must be a non-negative int"))
	}
	var sb strings.Builder
	if err := tableOf(self).FormatHead(&sb, int(n)); err != nil {
		return nil, err
	}
	return strings.TrimRight(sb.String(), "\n"), nil
}

func tableColumn(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"name"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := b.str("name", "")
	if err != nil {
		return nil, err
	}
	t := tableOf(self)
	j, err := table.FieldIndex(t.Schema(), name)
	if err != nil {
		return nil, err
	}
	if f := t.Schema().Field(j); f.Type.ID() == arrow.FLOAT64 {
		if vals, ok := float64Column(t, j); ok {
			return vals, nil // no boxing: pybridge turns []float64 into a list directly
		}
	}
	out := make([]any, 0, t.NumRows())
	for i := 0; i < t.NumBatches(); i++ {
		col := t.Batch(i).Column(j)
		for r := 0; r < col.Len(); r++ {
			out = append(out, plain(table.Value(col, r)))
		}
	}
	return out, nil
}

func tableRows(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"n"}, 0)
	if err != nil {
		return nil, err
	}
	t := tableOf(self)
	n, err := b.int("n", t.NumRows())
	if err != nil || n < 0 {
		return nil, errors.Join(err, fmt.Errorf("n must be a non-negative int"))
	}
	out := make([]any, 0, min(n, t.NumRows()))
	for i := 0; i < t.NumBatches() && int64(len(out)) < n; i++ {
		rec := t.Batch(i)
		for r := 0; r < int(rec.NumRows()) && int64(len(out)) < n; r++ {
			m := make(map[string]any, rec.NumCols())
			for j, c := range rec.Columns() {
				m[rec.ColumnName(j)] = plain(table.Value(c, r))
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func tableSelect(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	// select(["a", "b"]) or select("a", "b")
	var names []string
	if len(a) == 1 {
		if _, isList := a[0].([]any); isList {
			b, err := bind(a, kw, []string{"names"}, 1)
			if err != nil {
				return nil, err
			}
			if names, err = b.strs("names"); err != nil {
				return nil, err
			}
		}
	}
	if names == nil {
		if len(kw) > 0 {
			return nil, fmt.Errorf("takes column names, not keywords")
		}
		for i, v := range a {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("column %d must be str, not %s", i, typeName(v))
			}
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no column names")
	}
	t, err := tableOf(self).Select(names...)
	if err != nil {
		return nil, err
	}
	return sessionOf(ctx).keep(t), nil
}

func tableSlice(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"offset", "n"}, 1)
	if err != nil {
		return nil, err
	}
	t := tableOf(self)
	off, err := b.int("offset", 0)
	if err != nil {
		return nil, err
	}
	n, err := b.int("n", t.NumRows())
	if err != nil {
		return nil, err
	}
	return sessionOf(ctx).keep(t.Slice(off, n)), nil
}

func tableSplit(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"weights", "seed"}, 1)
	if err != nil {
		return nil, err
	}
	w, err := b.floats("weights")
	if err != nil {
		return nil, err
	}
	seed, err := b.int("seed", 1)
	if err != nil {
		return nil, err
	}
	s := sessionOf(ctx)
	r := tableOf(self).Reader()
	defer r.Release()
	parts, err := randomsplitter.Split(s.stageCtx(ctx), r, w, seed)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = s.keep(p)
	}
	return out, nil
}

func init() {
	pybridge.MustRegisterModuleFunc("read_csv", "read_csv(path, batch_size=, schema=, on_error=): the whole file as a Table (csv, jsonl, parquet, arrow; .gz too)", readFile)
	pybridge.MustRegisterModuleFunc("read", "read(path, batch_size=, schema=, on_error=): the whole file as a Table, in any format connectors read", readFile)
	pybridge.MustRegisterModuleFunc("write", "write(table, path): write a Table in the format of the path's extension (csv, jsonl, parquet, arrow; .gz too); returns the row count", writeFile)
	pybridge.MustRegisterModuleFunc("generate", "generate(kind='classification', rows=1000, seed=1, num_numeric=, num_categorical=, cardinality=, skew=, noise=, k=, drift=, batch_size=...): a synthetic Table (connectors/generate Config fields as keywords)", generateTable)
}

func readFile(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path", "batch_size", "schema", "on_error"}, 1)
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	s := sessionOf(ctx)
	opts := connectors.ReadOptions{Allocator: s.mem}
	bs, err := b.int("batch_size", 0)
	if err != nil {
		return nil, err
	}
	opts.BatchSize = int(bs)
	if spec, err := b.str("schema", ""); err != nil {
		return nil, err
	} else if spec != "" {
		if opts.Schema, err = connectors.ParseSchemaSpec(spec); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
	}
	if pol, err := b.str("on_error", "fail"); err != nil {
		return nil, err
	} else if opts.OnError, err = connectors.ParseErrorPolicy(pol); err != nil {
		return nil, fmt.Errorf("on_error: %w", err)
	}
	src, err := connectors.Open(ctx, s.path(path), opts)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	tbl, err := table.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return s.keep(tbl), nil
}

func writeFile(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table", "path"}, 2)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	s := sessionOf(ctx)
	w, err := connectors.Create(s.path(path), t.Schema(), connectors.WriteOptions{Allocator: s.mem})
	if err != nil {
		return nil, err
	}
	for i := 0; i < t.NumBatches(); i++ {
		if err := w.Write(t.Batch(i)); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return t.NumRows(), nil
}

// generateTable builds a generate.Config from keywords named like its
// YAML fields, through YAML so that names, types and unknown fields are
// checked as in flow files.
func generateTable(ctx context.Context, a []any, kw map[string]any) (any, error) {
	if len(a) > 0 {
		return nil, fmt.Errorf("takes keyword arguments only (kind=, rows=, seed=, ...)")
	}
	fields := map[string]any{"kind": "classification", "rows": int64(1000), "seed": int64(1)}
	known := generateKeywords()
	for k, v := range kw {
		if !contains(known, k) {
			return nil, fmt.Errorf("unexpected keyword argument %q (want %s)", k, strings.Join(known, ", "))
		}
		fields[k] = v
	}
	if n, ok := fields["rows"].(int64); ok && n <= 0 {
		return nil, fmt.Errorf("rows must be positive (an endless stream cannot be read into a table), got %d", n)
	}
	y, err := yaml.Marshal(fields)
	if err != nil {
		return nil, err
	}
	var cfg generate.Config
	dec := yaml.NewDecoder(strings.NewReader(string(y)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n")
		return nil, fmt.Errorf("bad keyword value: %s", strings.TrimSpace(msg))
	}
	s := sessionOf(ctx)
	cfg.Allocator = s.mem
	src, err := generate.New(cfg)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	tbl, err := table.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return s.keep(tbl), nil
}

// generateKeywords lists the YAML names of generate.Config's fields, the
// keywords of eddy.generate.
func generateKeywords() []string {
	t := reflect.TypeOf(generate.Config{})
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}

// float64Column returns column j of t as one slice, or false when it has
// nulls (they must become None).
func float64Column(t *table.Table, j int) ([]float64, bool) {
	out := make([]float64, 0, t.NumRows())
	for i := 0; i < t.NumBatches(); i++ {
		col, ok := t.Batch(i).Column(j).(*array.Float64)
		if !ok || col.NullN() > 0 {
			return nil, false
		}
		out = append(out, col.Float64Values()...)
	}
	return out, true
}
