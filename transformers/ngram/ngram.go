package ngram

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind name.
const Kind = "ngram"

// N is the number of tokens per n-gram.
var N = param.New("n", "number of tokens per n-gram", 2, param.GtEq(1))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Turns token lists into lists of space-joined n-grams (Spark/Flink ML NGram).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// NGram writes the n-grams of input_col to output_col.
type NGram struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*NGram)(nil)

// New builds an ngram stage from param values.
func New(values map[string]any) (*NGram, error) {
	s := &NGram{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, N)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *NGram) Kind() string       { return Kind }
func (s *NGram) Params() *param.Set { return s.params }

// N returns n.
func (s *NGram) N() int { return N.Get(s.params) }

// SetN sets n.
func (s *NGram) SetN(n int) error { return N.Set(s.params, n) }

func (s *NGram) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	i, err := table.FieldIndex(in, s.InputCol())
	if err != nil {
		return nil, err
	}
	if dt := in.Field(i).Type; !catutil.IsStringList(dt) {
		return nil, fmt.Errorf("column %q has type %s, want list<string>", s.InputCol(), dt)
	}
	return pipeline.AppendField(in, catutil.StringListField(s.OutputCol()))
}

func (s *NGram) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	i, _ := table.FieldIndex(rec.Schema(), s.InputCol())
	lists, err := catutil.NewStringLists(rec.Column(i))
	if err != nil {
		return nil, err
	}
	n := s.N()
	var out catutil.StringListOutput
	var toks []string
	var gram []byte
	for r := 0; r < lists.Len(); r++ {
		if lists.IsNull(r) {
			out.AppendNull()
			continue
		}
		start, end := lists.Row(r)
		toks = toks[:0]
		for k := start; k < end; k++ {
			if !lists.IsNullToken(k) {
				toks = append(toks, lists.Token(k))
			}
		}
		for k := 0; k+n <= len(toks); k++ {
			gram = append(gram[:0], toks[k]...)
			for _, t := range toks[k+1 : k+n] {
				gram = append(append(gram, ' '), t...)
			}
			out.AppendTokenBytes(gram)
		}
		out.EndRow()
	}
	col, err := out.NewArray(pipeline.Allocator(ctx))
	if err != nil {
		return nil, err
	}
	defer col.Release()
	return vecutil.AppendColumns(schema, rec, col)
}
