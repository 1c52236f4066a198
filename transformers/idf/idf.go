package idf

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind names.
const (
	Kind      = "idf"
	KindModel = "idf_model"
)

// MinDocFreq is the minimum number of documents a feature must appear in;
// rarer features get idf 0.
var MinDocFreq = param.New("min_doc_freq", "minimum number of documents in which a feature must be nonzero; rarer features get idf 0", 0, param.GtEq(0))

// Columns of the model data.
const (
	IDFField     = "idf"
	DocFreqField = "doc_freq"
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Learns inverse document frequencies ln((m+1)/(df+1)) of vector features (Spark/Flink ML IDF).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: KindModel,
		Doc: "Multiplies vector features by their inverse document frequency (Spark/Flink ML IDFModel).",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// IDF learns the document frequencies of input_col.
type IDF struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// New builds an idf estimator from param values.
func New(values map[string]any) (*IDF, error) {
	s := &IDF{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, MinDocFreq)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *IDF) Kind() string       { return Kind }
func (s *IDF) Params() *param.Set { return s.params }

// MinDocFreq returns min_doc_freq.
func (s *IDF) MinDocFreq() int { return MinDocFreq.Get(s.params) }

// SetMinDocFreq sets min_doc_freq.
func (s *IDF) SetMinDocFreq(v int) error { return MinDocFreq.Set(s.params, v) }

// Fit counts documents and document frequencies over r.
func (s *IDF) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	col, _, err := vecutil.VectorField(r.Schema(), s.InputCol())
	if err != nil {
		return nil, err
	}
	var df []int64
	dim, m := -1, int64(0)
	row := 0
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec := r.Record()
		v, err := vecutil.NewVectors(rec.Column(col))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", s.InputCol(), err)
		}
		for i := 0; i < v.Len(); i++ {
			if v.IsNull(i) {
				continue
			}
			d := v.RowDim(i)
			if dim < 0 {
				dim = d
				df = make([]int64, dim)
			} else if d != dim {
				return nil, vecutil.RowError(s.InputCol(), row+i, fmt.Sprintf("vector of dimension %d", d), fmt.Sprintf("want dimension %d", dim))
			}
			m++
			if _, idx, vals, ok := v.Sparse(i); ok {
				for k, j := range idx {
					if vals[k] != 0 {
						df[j]++
					}
				}
				continue
			}
			for j, x := range v.Dense(i) {
				if x != 0 {
					df[j]++
				}
			}
		}
		row += int(rec.NumRows())
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if dim < 0 {
		return nil, fmt.Errorf("column %q has no non-null vectors to fit", s.InputCol())
	}
	idf := make([]float64, dim)
	minDF := int64(s.MinDocFreq())
	for j, d := range df {
		if d >= minDF {
			idf[j] = math.Log(float64(m+1) / float64(d+1))
		}
	}
	model, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := model.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelData(pipeline.Allocator(ctx), idf, df)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return model, model.SetModelData(rec)
}

// ModelData returns an idf_model data record. The caller owns one Release.
func ModelData(mem memory.Allocator, idf []float64, docFreq []int64) (arrow.Record, error) {
	if len(idf) != len(docFreq) {
		return nil, fmt.Errorf("%d idf values for %d document frequencies", len(idf), len(docFreq))
	}
	return table.Build(mem, table.Col(IDFField, idf), table.Col(DocFreqField, docFreq))
}

type state struct {
	idf     []float64
	docFreq []int64
}

// Model multiplies the features of input_col by their idf.
type Model struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[state]
}

var (
	_ pipeline.Estimator = (*IDF)(nil)
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds an idf_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(KindModel, &m.HasInputCol, &m.HasOutputCol, MinDocFreq, &m.HasModelVersionCol)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return KindModel }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData sets the idf and document frequencies.
func (m *Model) SetModelData(recs ...arrow.Record) error {
	return m.state.Set(recs, func(data []arrow.Record) (state, error) {
		if len(data) != 1 || data[0].NumCols() != 2 || data[0].ColumnName(0) != IDFField || data[0].ColumnName(1) != DocFreqField {
			return state{}, fmt.Errorf("%s: want one record with columns %q (float64) and %q (int64)", KindModel, IDFField, DocFreqField)
		}
		idf, err := table.Float64s(data[0].Column(0))
		if err != nil {
			return state{}, fmt.Errorf("%s: column %q: %w", KindModel, IDFField, err)
		}
		df, err := table.Int64s(data[0].Column(1))
		if err != nil {
			return state{}, fmt.Errorf("%s: column %q: %w", KindModel, DocFreqField, err)
		}
		return state{idf: idf, docFreq: df}, nil
	})
}

// IDF returns the idf of every feature, or nil without model data.
func (m *Model) IDF() []float64 {
	if snap := m.state.Load(); snap != nil {
		return append([]float64(nil), snap.State.idf...)
	}
	return nil
}

// DocFreq returns the document frequency of every feature, or nil.
func (m *Model) DocFreq() []int64 {
	if snap := m.state.Load(); snap != nil {
		return append([]int64(nil), snap.State.docFreq...)
	}
	return nil
}

func (m *Model) outputField(in *arrow.Schema) (arrow.Field, error) {
	_, dim, err := vecutil.VectorField(in, m.InputCol())
	if err != nil {
		return arrow.Field{}, err
	}
	if dim < 0 {
		return catutil.SparseField(m.OutputCol()), nil
	}
	return vecutil.DenseField(m.OutputCol(), dim), nil
}

func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	f, err := m.outputField(in)
	if err != nil {
		return nil, err
	}
	fields := []arrow.Field{f}
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
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	col, _, _ := vecutil.VectorField(rec.Schema(), m.InputCol())
	v, err := vecutil.NewVectors(rec.Column(col))
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", m.InputCol(), err)
	}
	idf := snap.State.idf
	dim := len(idf)
	mem := pipeline.Allocator(ctx)
	n := v.Len()
	var out arrow.Array
	if v.IsSparse() {
		var o catutil.SparseOutput
		for i := 0; i < n; i++ {
			if v.IsNull(i) {
				o.AppendNull()
				continue
			}
			size, idx, vals, _ := v.Sparse(i)
			if size != dim {
				return nil, vecutil.RowError(m.InputCol(), i, fmt.Sprintf("vector of dimension %d", size), fmt.Sprintf("model has dimension %d", dim))
			}
			for k, j := range idx {
				o.AppendEntry(j, vals[k]*idf[j])
			}
			o.EndRow(size)
		}
		arr, err := o.NewArray(mem)
		if err != nil {
			return nil, err
		}
		out = arr
	} else {
		if v.Dim() != dim {
			return nil, fmt.Errorf("column %q has dimension %d, model has %d", m.InputCol(), v.Dim(), dim)
		}
		o := vecutil.NewDenseOutput(mem, n, dim)
		dst := o.Values()
		for i := 0; i < n; i++ {
			if v.IsNull(i) {
				o.SetNull(i)
				continue
			}
			row, d := v.Dense(i), dst[i*dim:(i+1)*dim]
			for j, x := range row {
				d[j] = x * idf[j]
			}
		}
		out = o.Finish()
	}
	defer out.Release()
	if vc := m.ModelVersionCol(); vc != "" {
		base, err := pipeline.AppendField(rec.Schema(), schema.Field(schema.NumFields()-2))
		if err != nil {
			return nil, err
		}
		tmp, err := vecutil.AppendColumns(base, rec, out)
		if err != nil {
			return nil, err
		}
		defer tmp.Release()
		return pipeline.AppendVersionColumn(mem, tmp, vc, snap.Version)
	}
	return vecutil.AppendColumns(schema, rec, out)
}
