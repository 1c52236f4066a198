package eval

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

type sklearnCase struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind"`
	Y        []float64      `json:"y"`
	Score    []float64      `json:"score"`
	Pred     []float64      `json:"pred"`
	Prob     []float64      `json:"prob"`
	K        int            `json:"k"`
	W        []float64      `json:"w"`
	X        []float64      `json:"x"`
	Dim      int            `json:"dim"`
	Centers  []float64      `json:"centers"`
	Expected map[string]any `json:"expected"`
}

func loadCases(t *testing.T) []sklearnCase {
	t.Helper()
	f, err := os.Open("testdata/expected.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var cases []sklearnCase
	if err := json.NewDecoder(zr).Decode(&cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, sklearn %.15g", what, got, want)
	}
}

func num(v any) float64 { return v.(float64) }

func matrix(v any) [][]float64 {
	var out [][]float64
	for _, row := range v.([]any) {
		var r []float64
		for _, x := range row.([]any) {
			r = append(r, x.(float64))
		}
		out = append(out, r)
	}
	return out
}

func nearMatrix(t *testing.T, what string, got [][]float64, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			near(t, what, got[i][j], want[i][j])
		}
	}
}

func TestAgainstSklearn(t *testing.T) {
	cases := loadCases(t)
	if len(cases) != 8 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			e := c.Expected
			switch c.Kind {
			case "binary":
				auc, err := ROCAUC(c.Y, c.Score, c.W)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "auc", auc, num(e["auc"]))
				ll, err := BinaryLogLoss(c.Y, c.Score, c.W)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "log loss", ll, num(e["log_loss"]))
				// Streaming in uneven batches gives the same metrics.
				var acc BinaryAccumulator
				for lo := 0; lo < len(c.Y); lo += 37 {
					hi := min(lo+37, len(c.Y))
					var w []float64
					if c.W != nil {
						w = c.W[lo:hi]
					}
					if err := acc.Add(c.Y[lo:hi], c.Score[lo:hi], w); err != nil {
						t.Fatal(err)
					}
				}
				m := acc.Metrics()
				near(t, "stream auc", m.AUC, num(e["auc"]))
				near(t, "stream log loss", m.LogLoss, num(e["log_loss"]))
				near(t, "accuracy", m.Accuracy, num(e["accuracy"]))
				near(t, "precision", m.Precision, num(e["precision"]))
				near(t, "recall", m.Recall, num(e["recall"]))
				near(t, "f1", m.F1, num(e["f1"]))
				nearMatrix(t, "confusion", [][]float64{m.Confusion[0][:], m.Confusion[1][:]}, matrix(e["confusion"]))
				pred := make([]float64, len(c.Y))
				for i, s := range c.Score {
					if s >= 0.5 {
						pred[i] = 1
					}
				}
				p, r, f, err := PrecisionRecallF1(c.Y, pred, c.W, Binary, 1)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "binary precision", p, num(e["precision"]))
				near(t, "binary recall", r, num(e["recall"]))
				near(t, "binary f1", f, num(e["f1"]))
			case "multiclass":
				a, err := Accuracy(c.Y, c.Pred, c.W)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "accuracy", a, num(e["accuracy"]))
				yi := make([]int, len(c.Y))
				for i, v := range c.Y {
					yi[i] = int(v)
				}
				ll, err := LogLoss(yi, c.Prob, c.K, c.W)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "log loss", ll, num(e["log_loss"]))
				for _, avg := range []struct {
					name string
					a    Average
				}{{"macro", Macro}, {"weighted", Weighted}} {
					p, r, f, err := PrecisionRecallF1(c.Y, c.Pred, c.W, avg.a, 0)
					if err != nil {
						t.Fatal(err)
					}
					want := e[avg.name].([]any)
					near(t, avg.name+" precision", p, num(want[0]))
					near(t, avg.name+" recall", r, num(want[1]))
					near(t, avg.name+" f1", f, num(want[2]))
				}
				labels, counts, err := ConfusionMatrix(c.Y, c.Pred, c.W)
				if err != nil {
					t.Fatal(err)
				}
				if len(labels) != 3 || labels[0] != 0 || labels[2] != 2 {
					t.Errorf("labels %v", labels)
				}
				nearMatrix(t, "confusion", counts, matrix(e["confusion"]))
				var acc MulticlassAccumulator
				for lo := 0; lo < len(c.Y); lo += 50 {
					hi := min(lo+50, len(c.Y))
					var w []float64
					if c.W != nil {
						w = c.W[lo:hi]
					}
					if err := acc.Add(c.Y[lo:hi], c.Pred[lo:hi], c.Prob[lo*3:hi*3], w); err != nil {
						t.Fatal(err)
					}
				}
				m := acc.Metrics()
				near(t, "stream log loss", m.LogLoss, num(e["log_loss"]))
				near(t, "stream macro f1", m.MacroF1, num(e["macro"].([]any)[2]))
			case "regression":
				var acc RegressionAccumulator
				for lo := 0; lo < len(c.Y); lo += 100 {
					hi := min(lo+100, len(c.Y))
					var w []float64
					if c.W != nil {
						w = c.W[lo:hi]
					}
					if err := acc.Add(c.Y[lo:hi], c.Pred[lo:hi], w); err != nil {
						t.Fatal(err)
					}
				}
				m := acc.Metrics()
				near(t, "mse", m.MSE, num(e["mse"]))
				near(t, "rmse", m.RMSE, num(e["rmse"]))
				near(t, "mae", m.MAE, num(e["mae"]))
				near(t, "r2", m.R2, num(e["r2"]))
				near(t, "explained variance", m.ExplainedVariance, num(e["explained_variance"]))
				for name, f := range map[string]func(y, p, w []float64) (float64, error){
					"rmse": RMSE, "mae": MAE, "r2": R2, "explained_variance": ExplainedVariance, "mse": MSE} {
					got, err := f(c.Y, c.Pred, c.W)
					if err != nil {
						t.Fatal(err)
					}
					near(t, name, got, num(e[name]))
				}
			case "inertia":
				got, err := Inertia(c.X, c.Dim, c.Centers, nil)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-num(e["inertia"])) > 1e-9*num(e["inertia"]) {
					t.Errorf("inertia %.15g, sklearn %.15g", got, num(e["inertia"]))
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

func TestHandChecked(t *testing.T) {
	// AUC: positives 0.8, 0.5; negatives 0.5, 0.2 -> pairs: (0.8>0.5)=1,
	// (0.8>0.2)=1, (0.5=0.5)=0.5, (0.5>0.2)=1 -> 3.5/4.
	auc, err := ROCAUC([]float64{1, 1, 0, 0}, []float64{0.8, 0.5, 0.5, 0.2}, nil)
	if err != nil || auc != 0.875 {
		t.Errorf("auc %v %v", auc, err)
	}
	if _, err := ROCAUC([]float64{1, 1}, []float64{0.1, 0.2}, nil); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: %v", err)
	}
	r2, _ := R2([]float64{3, 3}, []float64{3, 3}, nil)
	r2b, _ := R2([]float64{3, 3}, []float64{2, 3}, nil)
	if r2 != 1 || r2b != 0 {
		t.Errorf("constant target r2 %v %v", r2, r2b)
	}
	ll, _ := BinaryLogLoss([]float64{1, 0}, []float64{1, 0}, nil)
	if math.Abs(ll-(-math.Log(1-LogLossEps))) > 1e-18 {
		t.Errorf("clipped log loss %v", ll)
	}
	in, _ := Inertia([]float64{0, 0, 1, 1, 10, 10}, 2, []float64{0, 0, 10, 9}, []float64{1, 2, 3})
	if in != 2*2+3*1 {
		t.Errorf("inertia %v", in)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"length", func() error { _, err := Accuracy([]float64{1}, []float64{1, 2}, nil); return err }(), "predictions has 2 values, want 1"},
		{"weights", func() error { _, err := RMSE([]float64{1}, []float64{1}, []float64{-1}); return err }(), "weight 0 is -1"},
		{"label", func() error { _, err := ROCAUC([]float64{2}, []float64{1}, nil); return err }(), "row 0: label 2 is not 0 or 1"},
		{"nan score", func() error { _, err := ROCAUC([]float64{1}, []float64{math.NaN()}, nil); return err }(), "row 0: score is NaN"},
		{"class", func() error { _, err := LogLoss([]int{3}, []float64{0.5, 0.5}, 2, nil); return err }(), "class index 3 out of range"},
		{"inertia dim", func() error { _, err := Inertia([]float64{1, 2, 3}, 2, []float64{0, 0}, nil); return err }(), "not a multiple of dimension 2"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, c.err, c.want)
		}
	}
}

func TestTables(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.Col("label", []int64{1, 1, 0, 0}),
		table.Col("p", []float64{0.8, 0.5, 0.5, 0.2}),
		table.DenseCol("prob", 2, [][]float64{{0.2, 0.8}, {0.5, 0.5}, {0.5, 0.5}, {0.8, 0.2}}),
		table.Col("pred", []float64{1, 1, 1, 0}),
		table.Col("w", []float64{1, 1, 1, 1}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	for _, col := range []string{"p", "prob"} {
		r := tbl.Reader()
		m, err := BinaryClassification(r, "label", col, WithWeightCol("w"))
		r.Release()
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != 8 || m.AUC != 0.875 || m.Accuracy != 0.75 || m.Recall != 1 {
			t.Errorf("%s: %+v", col, m)
		}
		want := -(math.Log(0.8) + 2*math.Log(0.5) + math.Log(0.8)) / 4
		near(t, "log loss", m.LogLoss, want)
	}
	r := tbl.Reader()
	mm, err := MulticlassClassification(r, "label", "pred", WithProbabilityCol("prob"))
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	if mm.Accuracy != 0.75 || mm.Confusion[0][1] != 2 || math.IsNaN(mm.LogLoss) {
		t.Errorf("multiclass %+v", mm)
	}
	r = tbl.Reader()
	rm, err := Regression(r, "label", "p")
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	near(t, "table mse", rm.MSE, (0.04+0.25+0.25+0.04)/4)
	r = tbl.Reader()
	_, err = BinaryClassification(r, "label", "nope")
	r.Release()
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing column: %v", err)
	}
}

func TestNullLabelNamesRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.NullableCol("label", []float64{1, 0, 1}, []bool{true, true, false}),
		table.Col("p", []float64{0.1, 0.2, 0.3}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	_, err = BinaryClassification(r, "label", "p")
	if err == nil || !strings.Contains(err.Error(), `column "label" row 2 is null`) {
		t.Errorf("got %v", err)
	}
}
