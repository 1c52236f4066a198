package hoeffding

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FuzzRestore: Restore never panics on arbitrary bytes, and a tree it
// accepts snapshots and learns without failing.
func FuzzRestore(f *testing.F) {
	recs := concept(f, memory.NewGoAllocator(), 1500, 500)
	params := map[string]any{"nominal_features": []int{2, 3}, "grace_period": 100}
	tr := mustNew(f, params)
	for _, r := range recs {
		tr.Update(context.Background(), r)
		snap, _ := tr.Snapshot()
		f.Add(snap)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := mustNew(t, params)
		if err := tr.Restore(b); err != nil {
			return
		}
		if _, err := tr.Snapshot(); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.UpdateDense([]float64{0.5, 0.5, 1, 2}, 10); err != nil && tr.dim == 4 {
			t.Fatalf("restored tree fails to learn: %v", err)
		}
	})
}
