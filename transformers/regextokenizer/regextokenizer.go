package regextokenizer

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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
const Kind = "regex_tokenizer"

// Params of regex_tokenizer.
var (
	Pattern = param.New("pattern", "regular expression (Go RE2 syntax) matching the gaps between tokens, or the tokens when gaps is false",
		`\s+`, param.Func("a valid regular expression", func(v string) error {
			_, err := regexp.Compile(v)
			return err
		}))
	Gaps           = param.New("gaps", "whether pattern matches the gaps between tokens (true) or the tokens (false)", true)
	MinTokenLength = param.New("min_token_length", "minimum token length in code points; shorter tokens are dropped", 1, param.GtEq(0))
	ToLowercase    = param.New("to_lowercase", "whether to lowercase the text before tokenizing", true)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Splits a string column into tokens with a regular expression (Spark/Flink ML RegexTokenizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// RegexTokenizer splits input_col into the token list output_col.
type RegexTokenizer struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*RegexTokenizer)(nil)

// New builds a regex_tokenizer from param values.
func New(values map[string]any) (*RegexTokenizer, error) {
	s := &RegexTokenizer{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, Pattern, Gaps, MinTokenLength, ToLowercase)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *RegexTokenizer) Kind() string       { return Kind }
func (s *RegexTokenizer) Params() *param.Set { return s.params }

// Typed accessors.
func (s *RegexTokenizer) Pattern() string               { return Pattern.Get(s.params) }
func (s *RegexTokenizer) SetPattern(v string) error     { return Pattern.Set(s.params, v) }
func (s *RegexTokenizer) Gaps() bool                    { return Gaps.Get(s.params) }
func (s *RegexTokenizer) SetGaps(v bool) error          { return Gaps.Set(s.params, v) }
func (s *RegexTokenizer) MinTokenLength() int           { return MinTokenLength.Get(s.params) }
func (s *RegexTokenizer) SetMinTokenLength(v int) error { return MinTokenLength.Set(s.params, v) }
func (s *RegexTokenizer) ToLowercase() bool             { return ToLowercase.Get(s.params) }
func (s *RegexTokenizer) SetToLowercase(v bool) error   { return ToLowercase.Set(s.params, v) }

func (s *RegexTokenizer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	i, err := table.FieldIndex(in, s.InputCol())
	if err != nil {
		return nil, err
	}
	if dt := in.Field(i).Type; dt.ID() != arrow.STRING {
		return nil, fmt.Errorf("column %q has type %s, want string", s.InputCol(), dt)
	}
	return pipeline.AppendField(in, catutil.StringListField(s.OutputCol()))
}

func (s *RegexTokenizer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(s.Pattern())
	if err != nil {
		return nil, &param.Error{Kind: Kind, Param: Pattern.Name(), Err: err}
	}
	gaps, minLen, lower := s.Gaps(), s.MinTokenLength(), s.ToLowercase()
	// The default pattern splits on runs of RE2's (ASCII) \s without
	// the regexp engine.
	fast := gaps && s.Pattern() == `\s+`
	i, _ := table.FieldIndex(rec.Schema(), s.InputCol())
	arr := rec.Column(i).(*array.String)
	var out catutil.StringListOutput
	emit := func(tok string) {
		if tok != "" && (minLen <= 1 || utf8.RuneCountInString(tok) >= minLen) {
			out.AppendToken(tok)
		}
	}
	for r := 0; r < arr.Len(); r++ {
		if arr.IsNull(r) {
			out.AppendNull()
			continue
		}
		text := arr.Value(r)
		if lower {
			text = strings.ToLower(text)
		}
		if fast {
			start := -1
			for k := 0; k < len(text); k++ {
				if isSpace(text[k]) {
					if start >= 0 {
						emit(text[start:k])
						start = -1
					}
				} else if start < 0 {
					start = k
				}
			}
			if start >= 0 {
				emit(text[start:])
			}
			out.EndRow()
			continue
		}
		matches := re.FindAllStringIndex(text, -1)
		if gaps {
			prev := 0
			for _, m := range matches {
				emit(text[prev:m[0]])
				prev = m[1]
			}
			emit(text[prev:])
		} else {
			for _, m := range matches {
				emit(text[m[0]:m[1]])
			}
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

// isSpace reports whether c is in RE2's \s class: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
