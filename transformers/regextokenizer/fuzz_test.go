package regextokenizer

import (
	"context"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// FuzzDefaultPattern checks that the fast path of the default pattern
// `\s+` tokenizes like the regexp engine running the same class.
func FuzzDefaultPattern(f *testing.F) {
	for _, s := range []string{"", " a  b ", "\tX\vY\fz\r\n", "héllo wörld", "\xff\xfe a", "a\u00a0b"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, text string, minLen int) {
		if minLen < 0 || minLen > 8 {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		ctx := pipeline.WithAllocator(context.Background(), mem)
		rec, err := table.Build(mem, table.Col("text", []string{text}))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		fast, _ := New(map[string]any{"input_col": "text", "output_col": "tok", "min_token_length": minLen})
		slow, _ := New(map[string]any{"input_col": "text", "output_col": "tok", "min_token_length": minLen, "pattern": `[\t\n\f\r ]+`})
		a, err := fast.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Release()
		b, err := slow.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Release()
		if got, want := table.Value(a.Column(1), 0), table.Value(b.Column(1), 0); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: fast path %q, regexp %q", text, got, want)
		}
	})
}
