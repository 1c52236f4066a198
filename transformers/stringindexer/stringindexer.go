package stringindexer

import (
	"context"
	"fmt"
	"runtime"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
	"golang.org/x/sync/errgroup"
)

// Kind names.
const (
	Kind      = "string_indexer"
	KindModel = "string_indexer_model"
)

// StringOrderType orders the labels (see the package doc).
var StringOrderType = param.New("string_order_type",
	"how labels are ordered: frequencyDesc, frequencyAsc (ties alphabetical), alphabetAsc or alphabetDesc",
	catutil.FrequencyDesc,
	param.OneOf(catutil.FrequencyDesc, catutil.FrequencyAsc, catutil.AlphabetAsc, catutil.AlphabetDesc))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Learns the labels of categorical columns, ordered by frequency or alphabet (Spark/Flink ML StringIndexer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: KindModel,
		Doc: "Maps categorical values to their label index as float64 (Spark/Flink ML StringIndexerModel).",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// StringIndexer learns the labels of input_cols.
type StringIndexer struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasHandleInvalid
	params *param.Set
}

// New builds a string_indexer from param values.
func New(values map[string]any) (*StringIndexer, error) {
	s := &StringIndexer{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCols, &s.HasHandleInvalid, StringOrderType)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *StringIndexer) Kind() string       { return Kind }
func (s *StringIndexer) Params() *param.Set { return s.params }

// StringOrderType returns the label order.
func (s *StringIndexer) StringOrderType() string { return StringOrderType.Get(s.params) }

// SetStringOrderType sets the label order.
func (s *StringIndexer) SetStringOrderType(v string) error { return StringOrderType.Set(s.params, v) }

// Fit counts the labels of every input column over r and orders them.
func (s *StringIndexer) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	in, out := s.InputCols(), s.OutputCols()
	if err := catutil.CheckCols(Kind, in, out); err != nil {
		return nil, err
	}
	idx, err := categoricalCols(r.Schema(), in)
	if err != nil {
		return nil, err
	}
	counters := make([]catutil.Counter, len(in))
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec := r.Record()
		for j, c := range idx {
			if err := counters[j].Add(rec.Column(c)); err != nil {
				return nil, fmt.Errorf("column %q: %w", in[j], err)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return s.model(ctx, counters)
}

// model returns the model of the labels counted.
func (s *StringIndexer) model(ctx context.Context, counters []catutil.Counter) (*Model, error) {
	labels := make([][]string, len(counters))
	for j := range counters {
		counts := counters[j].Counts()
		if err := catutil.SortLabels(counts, s.StringOrderType()); err != nil {
			return nil, err
		}
		labels[j] = make([]string, len(counts))
		for k, lc := range counts {
			labels[j][k] = lc.Label
		}
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec := catutil.LabelsRecord(pipeline.Allocator(ctx), labels)
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// FitTransform fits on tbl (borrowed) and returns the model with tbl
// transformed by it (the caller owns one Release), as
// pipeline.TransformTable(ctx, model, tbl) would. When every input column
// is a string column it looks each row's label up once: counting remembers
// where each row's string went, so the transform only renumbers them.
func (s *StringIndexer) FitTransform(ctx context.Context, tbl *table.Table) (pipeline.Model, *table.Table, error) {
	in, out := s.InputCols(), s.OutputCols()
	if err := catutil.CheckCols(Kind, in, out); err != nil {
		return nil, nil, err
	}
	idx, err := categoricalCols(tbl.Schema(), in)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range idx {
		if tbl.Schema().Field(c).Type.ID() != arrow.STRING {
			r := tbl.Reader()
			m, err := s.Fit(ctx, r)
			r.Release()
			if err != nil {
				return nil, nil, err
			}
			res, err := pipeline.TransformTable(ctx, m, tbl)
			if err != nil {
				return nil, nil, err
			}
			return m, res, nil
		}
	}
	counters := make([]catutil.Counter, len(in))
	ids := make([][][]int32, tbl.NumBatches()) // batch, column, row: string id
	for b := range ids {
		ids[b] = make([][]int32, len(idx))
	}
	// The columns are counted in parallel, each by one goroutine.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for j, c := range idx {
		g.Go(func() error {
			for b := range ids {
				if err := ctx.Err(); err != nil {
					return err
				}
				rec := tbl.Batch(b)
				ids[b][j] = make([]int32, rec.NumRows())
				if err := counters[j].AddStrings(ids[b][j], rec.Column(c).(*array.String)); err != nil {
					return fmt.Errorf("column %q: %w", in[j], err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	m, err := s.model(ctx, counters)
	if err != nil {
		return nil, nil, err
	}
	snap := m.state.Load()
	schema, err := m.OutputSchema(tbl.Schema())
	if err != nil {
		return nil, nil, err
	}
	// perm[j][id] is the index of column j's string id.
	perm := make([][]int32, len(idx))
	for j := range perm {
		perm[j] = make([]int32, counters[j].NumStrings())
		for id := range perm[j] {
			perm[j][id] = snap.State[j].Index(counters[j].StringLabel(int32(id)))
		}
	}
	outs := make([]arrow.Record, 0, len(ids))
	defer func() {
		for _, o := range outs {
			o.Release()
		}
	}()
	for b := range ids {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		o, err := m.transform(ctx, tbl.Batch(b), snap, func(j int, _ arrow.Array, codes []int32) error {
			p := perm[j]
			for i, id := range ids[b][j] {
				if id < 0 {
					codes[i] = catutil.Invalid
				} else {
					codes[i] = p[id]
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("batch %d: %w", b, err)
		}
		outs = append(outs, o)
		ids[b] = nil
	}
	res, err := table.New(schema, outs...)
	if err != nil {
		return nil, nil, err
	}
	return m, res, nil
}

// Model maps the values of input_cols to label indices.
type Model struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasHandleInvalid
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[[]*catutil.Dict]
}

var (
	_ pipeline.FitTransformer = (*StringIndexer)(nil)
	_ pipeline.Model          = (*Model)(nil)
	_ pipeline.Versioned      = (*Model)(nil)
)

// NewModel builds a string_indexer_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(KindModel, &m.HasInputCols, &m.HasOutputCols, &m.HasHandleInvalid, &m.HasModelVersionCol)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return KindModel }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData sets the labels from a labels record with one column per
// input column (see the package doc).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	return m.state.Set(recs, func(data []arrow.Record) ([]*catutil.Dict, error) {
		labels, err := catutil.ParseLabels(data, len(m.InputCols()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KindModel, err)
		}
		dicts := make([]*catutil.Dict, len(labels))
		for j, ls := range labels {
			if dicts[j], err = catutil.NewDict(ls); err != nil {
				return nil, fmt.Errorf("%s: column %d: %w", KindModel, j, err)
			}
		}
		return dicts, nil
	})
}

// Labels returns the labels of each input column in index order, or nil
// without model data.
func (m *Model) Labels() [][]string {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	out := make([][]string, len(snap.State))
	for j, d := range snap.State {
		out[j] = append([]string(nil), d.Labels()...)
	}
	return out
}

func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	ins, outs := m.InputCols(), m.OutputCols()
	if err := catutil.CheckCols(KindModel, ins, outs); err != nil {
		return nil, err
	}
	if _, err := categoricalCols(in, ins); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(outs))
	for j, o := range outs {
		fields[j] = vecutil.Float64Field(o)
	}
	if vc := m.ModelVersionCol(); vc != "" {
		fields = append(fields, pipeline.VersionField(vc))
	}
	return vecutil.AppendFields(in, fields...)
}

func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, pipeline.ErrNoModelData
	}
	return m.transform(ctx, rec, snap, func(j int, arr arrow.Array, codes []int32) error {
		return snap.State[j].Lookup(codes, arr)
	})
}

// transform appends the index columns of rec under snap: lookup writes
// the codes of input column j (column arr of rec) as Dict.Lookup does.
func (m *Model) transform(ctx context.Context, rec arrow.Record, snap *pipeline.Snapshot[[]*catutil.Dict],
	lookup func(j int, arr arrow.Array, codes []int32) error) (arrow.Record, error) {
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	ins := m.InputCols()
	if len(snap.State) != len(ins) {
		return nil, fmt.Errorf("%s: model data has %d columns, input_cols has %d", KindModel, len(snap.State), len(ins))
	}
	idx, _ := categoricalCols(rec.Schema(), ins)
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	policy := m.HandleInvalid()
	var keep []bool
	codes := make([]int32, n)
	cols := make([]arrow.Array, 0, len(ins)+1)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for j, c := range idx {
		dict := snap.State[j]
		arr := rec.Column(c)
		if err := lookup(j, arr, codes); err != nil {
			return nil, fmt.Errorf("column %q: %w", ins[j], err)
		}
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(n * arrow.Float64SizeBytes)
		vals := arrow.Float64Traits.CastFromBytes(buf.Bytes())
		unknown := float64(dict.Len())
		for i, code := range codes {
			if code >= 0 {
				vals[i] = float64(code)
				continue
			}
			switch policy {
			case param.HandleError:
				buf.Release()
				var v any
				reason := "unseen label"
				if code == catutil.Invalid {
					reason = "null or NaN value"
				} else {
					v, _ = catutil.Label(arr, i)
				}
				return nil, vecutil.RowError(ins[j], i, v, reason+" (handle_invalid=error)")
			case param.HandleSkip:
				if keep == nil {
					keep = make([]bool, n)
					for k := range keep {
						keep[k] = true
					}
				}
				keep[i] = false
			}
			vals[i] = unknown
		}
		data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		buf.Release()
		cols = append(cols, array.MakeFromData(data))
		data.Release()
	}
	if vc := m.ModelVersionCol(); vc != "" {
		b := array.NewInt64Builder(mem)
		for range n {
			b.Append(snap.Version)
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	out, err := vecutil.AppendColumns(schema, rec, cols...)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return vecutil.Filter(mem, out, keep)
}

func categoricalCols(s *arrow.Schema, names []string) ([]int, error) {
	idx, err := table.FieldIndices(s, names...)
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		if dt := s.Field(i).Type; !catutil.IsCategorical(dt) {
			return nil, fmt.Errorf("column %q has type %s, want string, bool, integer or float", names[j], dt)
		}
	}
	return idx, nil
}
