package catutil

import (
	"math"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// FuzzLabelLookup checks that a value's label, fitted into a Dict, is found
// again by Lookup on float64, int64 and string columns holding the value,
// and that AppendLabel agrees with Label.
func FuzzLabelLookup(f *testing.F) {
	for _, v := range []float64{0, -0.0, 1, 3, -7, 0.5, 1e300, 1 << 53, 1<<53 + 2, math.Inf(1), math.NaN(), 2.5e-324} {
		f.Add(v, int64(v))
	}
	f.Fuzz(func(t *testing.T, v float64, n int64) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, err := table.Build(mem, table.Col("f", []float64{v}), table.Col("i", []int64{n}),
			table.Col("s", []string{FormatFloat(v)}))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		for c := 0; c < 3; c++ {
			label, ok := Label(rec.Column(c), 0)
			b, ok2 := AppendLabel([]byte("x="), rec.Column(c), 0)
			if ok != ok2 || (ok && string(b) != "x="+label) {
				t.Fatalf("column %d: Label %q %v, AppendLabel %q %v", c, label, ok, b, ok2)
			}
			if !ok {
				if c != 0 || !math.IsNaN(v) {
					t.Fatalf("column %d: no label for %v", c, table.Value(rec.Column(c), 0))
				}
				continue
			}
			d, err := NewDict([]string{"other", label})
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]int32, 1)
			if err := d.Lookup(dst, rec.Column(c)); err != nil {
				t.Fatal(err)
			}
			if dst[0] != 1 {
				t.Fatalf("column %d: label %q of %v not found (got %d)", c, label, table.Value(rec.Column(c), 0), dst[0])
			}
			if c == 0 {
				if p, err := strconv.ParseFloat(label, 64); err != nil || (p != v && !math.IsNaN(v)) {
					t.Fatalf("label %q does not read back as %v", label, v)
				}
			}
		}
	})
}
