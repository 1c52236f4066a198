package pyscript

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/drift"
)

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"Delta": "delta", "MinInstances": "min_instances", "MinWindowLength": "min_window_length",
		"WarningLevel": "warning_level", "AUCBins": "auc_bins", "X": "x",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSetConfig(t *testing.T) {
	var c drift.ADWINConfig
	if err := setConfig(&c, map[string]any{"delta": 0.01, "grace_period": int64(5), "min_window_length": int64(3)}); err != nil {
		t.Fatal(err)
	}
	if c.Delta != 0.01 || c.GracePeriod != 5 || c.MinWindowLength != 3 {
		t.Errorf("got %+v", c)
	}
	for _, tc := range []struct {
		kw   map[string]any
		want string
	}{
		{map[string]any{"delat": 0.1}, `unexpected keyword argument "delat" (want delta, clock, max_buckets, min_window_length, grace_period)`},
		{map[string]any{"clock": 1.5}, "clock must be int, not float"},
		{map[string]any{"delta": "x"}, "delta must be a number, not str"},
	} {
		var c drift.ADWINConfig
		err := setConfig(&c, tc.kw)
		if err == nil || err.Error() != tc.want {
			t.Errorf("setConfig(%v) = %v, want %q", tc.kw, err, tc.want)
		}
	}
}

// TestLearnerErrors checks the errors of the online API's functions and
// methods, raised at the script line that called them.
func TestLearnerErrors(t *testing.T) {
	setup := `import eddy
t = eddy.generate(rows=200, seed=1, num_numeric=2)
v = eddy.stage("vector_assembler", input_cols=["x0", "x1"], output_col="features").transform(t)
`
	for _, tc := range []struct{ call, want string }{
		{`eddy.learner("ftrl", {"alpah": 0.1})`, `eddy.learner: stage "ftrl": param "alpah": unknown param; known params: alpha, beta,`},
		{`eddy.learner("ftrl", 3)`, "eddy.learner: params must be a dict, not int"},
		{`eddy.learner("ftrl", {"alpha": 0.1}, alpha=0.2)`, `eddy.learner: param "alpha" given twice`},
		{`eddy.learner("ftrl").update(v.select("x0", "label"))`, `Learner.update: batch 0: learner "ftrl": column "features" not found; available columns: x0, label`},
		{`eddy.learner("online_standard_scaler", input_col="features", output_col="s").update_predict(v)`, `Learner.update_predict: learner "online_standard_scaler" does not predict (task transform): use update`},
		{`eddy.learner("online_gaussian_nb").warm_start(eddy.stage("logistic_regression").fit(v))`, `Learner.warm_start: learner "online_gaussian_nb" cannot warm start`},
		{`eddy.learner("ftrl").warm_start(eddy.stage("linear_regression").fit(v))`, `Learner.warm_start: learner "ftrl" starts from a logistic_regression_model, not a linear_regression_model`},
		{`eddy.learner("ftrl").model(version=0)`, "Learner.model: version must be positive, got 0"},
		{`eddy.prequential("ranking")`, `eddy.prequential: prequential: task "ranking", want binary, multiclass or regression`},
		{`eddy.prequential("binary", window=0)`, "eddy.prequential: window must be in [1, 16777216], got 0"},
		{`eddy.prequential("binary").update(v)`, `Prequential.update: prequential: column "probability" not found`},
		{`eddy.drift("cusum")`, `eddy.drift: drift: unknown detector kind "cusum" (known: [adwin ddm page_hinkley])`},
		{`eddy.drift("ddm", warning_level=-1)`, "eddy.drift: drift: ddm warning level -1, want finite > 0"},
		{`eddy.drift("adwin").update("x")`, "Drift.update: x must be a number, not str"},
	} {
		t.Run(tc.call, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			_, err := RunSource(context.Background(), setup+tc.call+"\n", "e.py", &Options{Allocator: mem})
			if err == nil || !strings.Contains(err.Error(), "e.py:4: RuntimeError: "+tc.want) {
				t.Errorf("got %v, want e.py:4 and %q", err, tc.want)
			}
		})
	}
}
