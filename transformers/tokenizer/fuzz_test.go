package tokenizer

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// FuzzTokenizer checks the tokens against strings.Fields(strings.ToLower).
func FuzzTokenizer(f *testing.F) {
	for _, s := range []string{"", "Hello  World", "\u00a0Ünï\u2003X", "\xff\xfeA b", "ǅ ß İ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		ctx := pipeline.WithAllocator(context.Background(), mem)
		rec, err := table.Build(mem, table.Col("text", []string{text}))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		s, _ := New(map[string]any{"input_col": "text", "output_col": "tok"})
		out, err := s.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		want := []any{}
		for _, w := range strings.Fields(strings.ToLower(text)) {
			want = append(want, w)
		}
		if got := table.Value(out.Column(1), 0); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	})
}
