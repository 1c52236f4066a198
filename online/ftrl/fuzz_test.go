package ftrl

import (
	"testing"
)

// FuzzRestore: Restore never panics on arbitrary bytes, and a learner it
// accepts learns a row.
func FuzzRestore(f *testing.F) {
	l := mustNew(f, map[string]any{"num_features": 4})
	l.UpdateRow([]int32{1, 3}, []float64{1, 2}, 1)
	snap, _ := l.Snapshot()
	f.Add(snap)
	empty, _ := mustNew(f, nil).Snapshot()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, b []byte) {
		l := mustNew(t, nil)
		if err := l.Restore(b); err != nil {
			return
		}
		if l.Dim() > 0 {
			if _, err := l.UpdateRow([]int32{0}, []float64{1}, l.Labels()[1]); err != nil {
				t.Fatalf("restored learner fails to learn: %v", err)
			}
		}
	})
}
