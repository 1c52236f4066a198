package softmax

import "testing"

// FuzzRestore: Restore never panics, and a learner it accepts predicts and
// learns a row.
func FuzzRestore(f *testing.F) {
	s := mustNew(f, map[string]any{"labels": []float64{1, 2, 3}, "num_features": 3})
	s.UpdateRow([]int32{0, 2}, []float64{1, 2}, 2, nil)
	snap, _ := s.Snapshot()
	f.Add(snap)
	f.Fuzz(func(t *testing.T, b []byte) {
		s := mustNew(t, nil)
		if err := s.Restore(b); err != nil {
			return
		}
		if s.Dim() > 0 {
			if _, err := s.UpdateRow([]int32{0}, []float64{1}, s.Classes()[0], nil); err != nil {
				t.Fatalf("restored learner fails to learn: %v", err)
			}
		}
	})
}
