package tokenizer

import (
	"context"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind name.
const Kind = "tokenizer"

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Lowercases a string column and splits it on white space into a list of tokens (Spark/Flink ML Tokenizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// Tokenizer splits input_col into the token list output_col.
type Tokenizer struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*Tokenizer)(nil)

// New builds a tokenizer from param values.
func New(values map[string]any) (*Tokenizer, error) {
	s := &Tokenizer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Tokenizer) Kind() string       { return Kind }
func (s *Tokenizer) Params() *param.Set { return s.params }

func (s *Tokenizer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := stringCol(in, s.InputCol()); err != nil {
		return nil, err
	}
	return pipeline.AppendField(in, catutil.StringListField(s.OutputCol()))
}

func (s *Tokenizer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	i, _ := stringCol(rec.Schema(), s.InputCol())
	arr := rec.Column(i).(*array.String)
	var out catutil.StringListOutput
	var tok []byte
	for r := 0; r < arr.Len(); r++ {
		if arr.IsNull(r) {
			out.AppendNull()
			continue
		}
		tok = tok[:0]
		for _, c := range arr.Value(r) {
			if unicode.IsSpace(c) {
				if len(tok) > 0 {
					out.AppendTokenBytes(tok)
					tok = tok[:0]
				}
				continue
			}
			if c < utf8.RuneSelf {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				tok = append(tok, byte(c))
			} else {
				tok = utf8.AppendRune(tok, unicode.ToLower(c))
			}
		}
		if len(tok) > 0 {
			out.AppendTokenBytes(tok)
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

func stringCol(s *arrow.Schema, name string) (int, error) {
	i, err := table.FieldIndex(s, name)
	if err != nil {
		return -1, err
	}
	if dt := s.Field(i).Type; dt.ID() != arrow.STRING {
		return -1, fmt.Errorf("column %q has type %s, want string", name, dt)
	}
	return i, nil
}
