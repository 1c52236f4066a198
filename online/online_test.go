package online_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/all"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// batch builds n rows of 3 non-negative dense features and a 0/1 label from a
// hidden linear rule, seeded.
func batch(t *testing.T, mem memory.Allocator, seed uint64, n int) arrow.Record {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	vecs := make([][]float64, n)
	labels := make([]float64, n)
	for i := range n {
		x := []float64{rng.Float64() * 2, rng.Float64() * 2, rng.Float64()}
		vecs[i] = x
		if x[0]-x[1]+0.3*rng.NormFloat64() > 0 {
			labels[i] = 1
		}
	}
	rec, err := table.Build(mem, table.DenseCol("features", 3, vecs), table.Col("label", labels))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// params gives the kinds that need more than defaults on batch's columns.
var params = map[string]map[string]any{
	"online_softmax_regression": {"labels": []any{0.0, 1.0}},
	"online_standard_scaler":    {"input_col": "features"},
	"online_kmeans":             {"k": 2, "seed": 3},
	"online_hoeffding_tree":     {"grace_period": 50, "split_confidence": 0.01},
}

func TestRegisteredKinds(t *testing.T) {
	want := []string{"ftrl", "online_gaussian_nb", "online_hoeffding_tree", "online_kmeans",
		"online_linear_regression", "online_logistic_regression", "online_multinomial_nb",
		"online_pa_classifier", "online_pa_regressor", "online_softmax_regression", "online_standard_scaler"}
	if got := online.Kinds(); !slices.Equal(got, want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	if _, err := online.New("nope", nil); !errors.Is(err, online.ErrUnknownKind) {
		t.Fatalf("New(nope) error = %v, want ErrUnknownKind", err)
	}
	if err := online.Register(online.Spec{Kind: "ftrl", ModelKind: "x", Task: online.TaskBinary,
		New: func(map[string]any) (online.Learner, error) { return nil, nil }}); err == nil {
		t.Fatal("duplicate Register succeeded")
	}
	if err := online.Register(online.Spec{Kind: "Bad-Kind", ModelKind: "x", Task: online.TaskBinary,
		New: func(map[string]any) (online.Learner, error) { return nil, nil }}); err == nil {
		t.Fatal("Register accepted an invalid kind")
	}
	if err := online.Register(online.Spec{Kind: "fine_kind", ModelKind: "x", Task: "guessing",
		New: func(map[string]any) (online.Learner, error) { return nil, nil }}); err == nil {
		t.Fatal("Register accepted an unknown task")
	}
}

// TestLearners runs every registered kind: New with defaults, learn a batch,
// snapshot, restore into a fresh learner, and check that both make the same
// next predictions, the same model data and the same snapshot bytes.
func TestLearners(t *testing.T) {
	for _, spec := range online.Specs() {
		t.Run(spec.Kind, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := context.Background()
			b1, b2 := batch(t, mem, 1, 300), batch(t, mem, 2, 200)
			defer b1.Release()
			defer b2.Release()

			a, err := online.New(spec.Kind, params[spec.Kind])
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := a.Update(ctx, b1); err != nil {
				t.Fatalf("Update: %v", err)
			}
			if a.Rows() != 300 {
				t.Fatalf("Rows() = %d, want 300", a.Rows())
			}
			snap, err := a.Snapshot()
			if err != nil {
				t.Fatalf("Snapshot: %v", err)
			}
			b, err := online.New(spec.Kind, params[spec.Kind])
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Restore(snap); err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if b.Rows() != 300 {
				t.Fatalf("restored Rows() = %d, want 300", b.Rows())
			}
			pa, pb := next(t, spec, a, b2), next(t, spec, b, b2)
			if len(pa) != len(pb) {
				t.Fatalf("prediction lengths differ: %d and %d", len(pa), len(pb))
			}
			for i := range pa {
				if math.Float64bits(pa[i]) != math.Float64bits(pb[i]) {
					t.Fatalf("row %d: prediction %v after restore, %v without", i, pb[i], pa[i])
				}
			}
			sa, _ := a.Snapshot()
			sb, _ := b.Snapshot()
			if !bytes.Equal(sa, sb) {
				t.Fatal("snapshots differ after the same batch")
			}
			ma, err := a.ModelData(mem, 7)
			if err != nil {
				t.Fatalf("ModelData: %v", err)
			}
			mb, err := b.ModelData(mem, 7)
			if err != nil {
				t.Fatal(err)
			}
			defer releaseAll(ma)
			defer releaseAll(mb)
			if v, err := pipeline.ModelVersionOf(ma); err != nil || v != 7 {
				t.Fatalf("model version %d, %v; want 7", v, err)
			}
			if len(ma) != len(mb) {
				t.Fatalf("model data: %d and %d records", len(ma), len(mb))
			}
			for i := range ma {
				if !array.RecordEqual(ma[i], mb[i]) {
					t.Fatalf("model data record %d differs after restore", i)
				}
			}
		})
	}
}

// next learns rec and returns the predictions (Scorers) or the learner's
// model data values flattened (the others).
func next(t *testing.T, spec online.Spec, l online.Learner, rec arrow.Record) []float64 {
	t.Helper()
	ctx := context.Background()
	s, ok := l.(online.Scorer)
	if !ok {
		if spec.Task != online.TaskTransform {
			t.Fatalf("kind %q of task %q is not a Scorer", spec.Kind, spec.Task)
		}
		if err := l.Update(ctx, rec); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	raw, err := s.UpdatePredict(ctx, rec, nil)
	if err != nil {
		t.Fatalf("UpdatePredict: %v", err)
	}
	n := int(rec.NumRows())
	pred, prob := spec.ScoreOutputs()(l, raw, n, nil, nil)
	if len(pred) != n {
		t.Fatalf("%d predictions for %d rows", len(pred), n)
	}
	if (spec.Kind == "ftrl" || spec.Kind == "online_logistic_regression") != (prob != nil) {
		t.Fatalf("kind %q: probability column present = %v", spec.Kind, prob != nil)
	}
	// The predictions of a classifier are labels, and learning 300 rows of
	// a nearly separable rule must beat chance.
	if spec.Task == online.TaskBinary || spec.Task == online.TaskMulticlass {
		y, _ := table.Float64s(rec.Column(1))
		right := 0
		for i := range n {
			if pred[i] == y[i] {
				right++
			}
		}
		if acc := float64(right) / float64(n); acc < 0.7 {
			t.Errorf("kind %q: test-then-train accuracy %.3f < 0.7", spec.Kind, acc)
		}
	}
	return append(pred, prob...)
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}
