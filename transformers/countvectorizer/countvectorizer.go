package countvectorizer

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
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
	Kind      = "count_vectorizer"
	KindModel = "count_vectorizer_model"
)

// TermField is the column of the model data.
const TermField = "term"

// Params of count_vectorizer.
var (
	VocabSize = param.New("vocab_size", "maximum size of the vocabulary (the most frequent terms are kept)", 1<<18, param.Gt(0))
	MinDF     = param.New("min_df", "minimum number of documents (>= 1) or fraction of documents (< 1) a term must appear in", 1.0, param.GtEq(0.0))
	MaxDF     = param.New("max_df", "maximum number of documents (>= 1) or fraction of documents (< 1) a term may appear in", float64(math.MaxInt64), param.GtEq(0.0))
	MinTF     = param.New("min_tf", "minimum count (>= 1) or fraction of the row's tokens (< 1) for a term of a row to be counted", 1.0, param.GtEq(0.0))
	Binary    = param.New("binary", "whether to write 1.0 for every counted term instead of its count", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Learns a vocabulary of the most frequent terms of token lists (Spark/Flink ML CountVectorizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: KindModel,
		Doc: "Maps token lists to sparse term counts over a vocabulary (Spark/Flink ML CountVectorizerModel).",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// CountVectorizer learns the vocabulary of input_col.
type CountVectorizer struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

// New builds a count_vectorizer from param values.
func New(values map[string]any) (*CountVectorizer, error) {
	s := &CountVectorizer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, VocabSize, MinDF, MaxDF, MinTF, Binary)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *CountVectorizer) Kind() string       { return Kind }
func (s *CountVectorizer) Params() *param.Set { return s.params }

type termStat struct {
	term       string
	count, df  int64
	lastDocRow int64
}

// Fit counts terms and document frequencies over r and picks the
// vocabulary.
func (s *CountVectorizer) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	col, err := listCol(r.Schema(), s.InputCol())
	if err != nil {
		return nil, err
	}
	stats := map[string]*termStat{}
	var docs int64
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lists, err := catutil.NewStringLists(r.Record().Column(col))
		if err != nil {
			return nil, err
		}
		for i := 0; i < lists.Len(); i++ {
			if lists.IsNull(i) {
				continue
			}
			docs++
			start, end := lists.Row(i)
			for k := start; k < end; k++ {
				if lists.IsNullToken(k) {
					continue
				}
				tok := lists.Token(k)
				st, ok := stats[tok]
				if !ok {
					st = &termStat{term: strings.Clone(tok)}
					stats[st.term] = st
				}
				st.count++
				if st.lastDocRow != docs {
					st.lastDocRow = docs
					st.df++
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	bound := func(v float64) float64 {
		if v >= 1 {
			return v
		}
		return v * float64(docs)
	}
	minDF, maxDF := bound(MinDF.Get(s.params)), bound(MaxDF.Get(s.params))
	kept := make([]*termStat, 0, len(stats))
	for _, st := range stats {
		if float64(st.df) >= minDF && float64(st.df) <= maxDF {
			kept = append(kept, st)
		}
	}
	slices.SortFunc(kept, func(a, b *termStat) int {
		return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.term, b.term))
	})
	if n := VocabSize.Get(s.params); len(kept) > n {
		kept = kept[:n]
	}
	vocab := make([]string, len(kept))
	for i, st := range kept {
		vocab[i] = st.term
	}
	m, err := NewModel(nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := ModelData(pipeline.Allocator(ctx), vocab)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return m, m.SetModelData(rec)
}

// ModelData returns a count_vectorizer_model data record holding vocab.
// The caller owns one Release.
func ModelData(mem memory.Allocator, vocab []string) (arrow.Record, error) {
	return table.Build(mem, table.Col(TermField, vocab))
}

// Model counts the vocabulary terms of input_col.
type Model struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[*catutil.Dict]
}

var (
	_ pipeline.Estimator = (*CountVectorizer)(nil)
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a count_vectorizer_model (without data) from param
// values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(KindModel, &m.HasInputCol, &m.HasOutputCol, MinTF, Binary, &m.HasModelVersionCol)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return KindModel }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData sets the vocabulary.
func (m *Model) SetModelData(recs ...arrow.Record) error {
	return m.state.Set(recs, func(data []arrow.Record) (*catutil.Dict, error) {
		if len(data) != 1 || data[0].NumCols() != 1 || data[0].ColumnName(0) != TermField {
			return nil, fmt.Errorf("%s: want one record with one string column %q", KindModel, TermField)
		}
		terms, ok := data[0].Column(0).(*array.String)
		if !ok || terms.NullN() > 0 {
			return nil, fmt.Errorf("%s: column %q must be non-null strings", KindModel, TermField)
		}
		vocab := make([]string, terms.Len())
		for i := range vocab {
			vocab[i] = strings.Clone(terms.Value(i))
		}
		d, err := catutil.NewDict(vocab)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KindModel, err)
		}
		return d, nil
	})
}

// Vocabulary returns the terms in index order, or nil without model data.
func (m *Model) Vocabulary() []string {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.Labels())
	}
	return nil
}

func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := listCol(in, m.InputCol()); err != nil {
		return nil, err
	}
	fields := []arrow.Field{catutil.SparseField(m.OutputCol())}
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
	col, _ := listCol(rec.Schema(), m.InputCol())
	lists, err := catutil.NewStringLists(rec.Column(col))
	if err != nil {
		return nil, err
	}
	dict := snap.State
	size := dict.Len()
	minTF, binary := MinTF.Get(m.params), Binary.Get(m.params)
	var out catutil.SparseOutput
	for i := 0; i < lists.Len(); i++ {
		if lists.IsNull(i) {
			out.AppendNull()
			continue
		}
		start, end := lists.Row(i)
		tokens := 0
		for k := start; k < end; k++ {
			if lists.IsNullToken(k) {
				continue
			}
			tokens++
			if j := dict.Index(lists.Token(k)); j >= 0 {
				out.AppendEntry(j, 1)
			}
		}
		idx, vals := out.Pending()
		slices.Sort(idx)
		n := catutil.MergeSorted(idx, vals)
		threshold := minTF
		if minTF < 1 {
			threshold = minTF * float64(tokens)
		}
		kept := 0
		for k := 0; k < n; k++ {
			if vals[k] >= threshold {
				idx[kept], vals[kept] = idx[k], vals[k]
				if binary {
					vals[kept] = 1
				}
				kept++
			}
		}
		out.Truncate(kept)
		out.EndRow(size)
	}
	mem := pipeline.Allocator(ctx)
	arr, err := out.NewArray(mem)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	if vc := m.ModelVersionCol(); vc != "" {
		base, err := pipeline.AppendField(rec.Schema(), schema.Field(schema.NumFields()-2))
		if err != nil {
			return nil, err
		}
		tmp, err := vecutil.AppendColumns(base, rec, arr)
		if err != nil {
			return nil, err
		}
		defer tmp.Release()
		return pipeline.AppendVersionColumn(mem, tmp, vc, snap.Version)
	}
	return vecutil.AppendColumns(schema, rec, arr)
}

func listCol(s *arrow.Schema, name string) (int, error) {
	i, err := table.FieldIndex(s, name)
	if err != nil {
		return -1, err
	}
	if dt := s.Field(i).Type; !catutil.IsStringList(dt) {
		return -1, fmt.Errorf("column %q has type %s, want list<string>", name, dt)
	}
	return i, nil
}
