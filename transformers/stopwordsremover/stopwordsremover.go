package stopwordsremover

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/catutil"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind name.
const Kind = "stop_words_remover"

// EnglishStopWords returns a copy of Spark ML's default English stop word
// list.
func EnglishStopWords() []string { return slices.Clone(english) }

// Params of stop_words_remover.
var (
	StopWords     = param.New("stop_words", "the words to remove (default: Spark's English list)", english)
	CaseSensitive = param.New("case_sensitive", "whether matching is case sensitive", false)
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Removes stop words from token lists (Spark/Flink ML StopWordsRemover).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// StopWordsRemover drops the stop words of input_col.
type StopWordsRemover struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set
}

var _ pipeline.Transformer = (*StopWordsRemover)(nil)

// New builds a stop_words_remover from param values.
func New(values map[string]any) (*StopWordsRemover, error) {
	s := &StopWordsRemover{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, StopWords, CaseSensitive)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *StopWordsRemover) Kind() string       { return Kind }
func (s *StopWordsRemover) Params() *param.Set { return s.params }

// StopWords returns the stop words.
func (s *StopWordsRemover) StopWords() []string { return StopWords.Get(s.params) }

// SetStopWords sets the stop words.
func (s *StopWordsRemover) SetStopWords(words ...string) error { return StopWords.Set(s.params, words) }

// CaseSensitive tells whether matching is case sensitive.
func (s *StopWordsRemover) CaseSensitive() bool { return CaseSensitive.Get(s.params) }

// SetCaseSensitive sets case_sensitive.
func (s *StopWordsRemover) SetCaseSensitive(v bool) error { return CaseSensitive.Set(s.params, v) }

func (s *StopWordsRemover) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	i, err := table.FieldIndex(in, s.InputCol())
	if err != nil {
		return nil, err
	}
	if dt := in.Field(i).Type; !catutil.IsStringList(dt) {
		return nil, fmt.Errorf("column %q has type %s, want list<string>", s.InputCol(), dt)
	}
	return pipeline.AppendField(in, catutil.StringListField(s.OutputCol()))
}

func (s *StopWordsRemover) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	i, _ := table.FieldIndex(rec.Schema(), s.InputCol())
	lists, err := catutil.NewStringLists(rec.Column(i))
	if err != nil {
		return nil, err
	}
	caseSensitive := s.CaseSensitive()
	words := s.StopWords()
	stop := make(map[string]struct{}, len(words))
	for _, w := range words {
		if !caseSensitive {
			w = strings.ToLower(w)
		}
		stop[w] = struct{}{}
	}
	var out catutil.StringListOutput
	var lower []byte
	for r := 0; r < lists.Len(); r++ {
		if lists.IsNull(r) {
			out.AppendNull()
			continue
		}
		start, end := lists.Row(r)
		for k := start; k < end; k++ {
			if lists.IsNullToken(k) {
				continue
			}
			tok := lists.Token(k)
			var isStop bool
			if !caseSensitive && needsLower(tok) {
				lower = appendLower(lower[:0], tok)
				_, isStop = stop[string(lower)] // map lookup with string(bytes): no allocation
			} else {
				_, isStop = stop[tok]
			}
			if !isStop {
				out.AppendToken(tok)
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

func needsLower(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

func appendLower(dst []byte, s string) []byte {
	for _, c := range s {
		dst = utf8.AppendRune(dst, toLower(c))
	}
	return dst
}

func toLower(c rune) rune {
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	return unicode.ToLower(c)
}
