package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	_ "github.com/eddyml/eddy/estimators/all"
	"github.com/eddyml/eddy/pipeline"
	_ "github.com/eddyml/eddy/transformers/all"
)

func TestParseExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParsePipeline(f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		p, err := s.Build(nil)
		if err != nil {
			t.Errorf("%s: build: %v", f, err)
			continue
		}
		if got := len(p.Children()); got != len(s.Stages) {
			t.Errorf("%s: %d stages built, want %d", f, got, len(s.Stages))
		}
	}
}

func TestParseValues(t *testing.T) {
	s, err := ParsePipeline("p.yaml", []byte(`
label_col: y
task: regression
split: {test: 0.1, seed: -3}
stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output_col: features}
  - kind: linear_regression
    params: {features_col: features, reg_param: 2}
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.LabelCol != "y" || s.Task != TaskRegression || s.Split != (Split{Test: 0.1, Seed: -3}) || len(s.Stages) != 2 {
		t.Fatalf("spec %+v", s)
	}
	p, err := s.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	lr := p.Children()[1]
	for name, want := range map[string]any{"label_col": "y", "features_col": "features", "reg_param": 2.0} {
		got, err := lr.Params().GetAny(name)
		if err != nil || got != want {
			t.Errorf("linear_regression %s = %v (%v), want %v", name, got, err, want)
		}
	}
	if pos := s.ParamPos(1, "reg_param"); pos != (Pos{9, 49}) {
		t.Errorf("reg_param at %v, want 9:49", pos)
	}
	if pos := s.ParamPos(1, "label_col"); pos != (Pos{2, 12}) {
		t.Errorf("inherited label_col at %v, want 2:12 (the top-level value)", pos)
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := ParsePipeline("p.yaml", []byte("stages:\n  - kind: vector_assembler\n    params:\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.LabelCol != DefaultLabelCol || s.Task != TaskAuto || s.Split != (Split{DefaultTestFraction, DefaultSeed}) {
		t.Errorf("defaults: %+v", s)
	}
}

// TestParseErrors checks that every problem of a file is reported in one
// run, each at the line and column of the node at fault.
func TestParseErrors(t *testing.T) {
	src := `label_col: label
tsak: auto
task: sometimes
split: {test: 1.5, seed: x, tset: 0.1}
stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output_col: features, outptu_col: f}
  - kind: standard_scalar
    params: {input_col: features}
  - kind: logistic_regression
    params: {features_col: 3, max_iter: -1, reg_param: "strong"}
  - kind: logistic_regression_model
  - params: {a: 1}
  - kind: standard_scaler
    nmae: x
    params: [1, 2]
  - just a string
`
	_, err := ParsePipeline("bad.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	want := []struct {
		pos  string
		text string
	}{
		{"bad.yaml:2:1:", `unknown key "tsak"; did you mean task?`},
		{"bad.yaml:3:7:", `task: want one of auto, binary, multiclass, regression, clustering, got str "sometimes"`},
		{"bad.yaml:4:15:", `split.test: want a fraction in [0, 1), got float "1.5"`},
		{"bad.yaml:4:26:", `split.seed: want an integer, got str "x"`},
		{"bad.yaml:4:29:", `split: unknown key "tset"`},
		{"bad.yaml:7:56:", `stage 1 (vector_assembler): unknown param "outptu_col"; did you mean output_col?; known params: handle_invalid, input_cols, input_sizes, output_col`},
		{"bad.yaml:8:11:", `stage 2 (standard_scalar): unknown kind "standard_scalar"; did you mean standard_scaler`},
		{"bad.yaml:11:28:", `stage 3 (logistic_regression): param "features_col": want string, got`},
		{"bad.yaml:11:41:", `stage 3 (logistic_regression): param "max_iter": must be > 0, got -1`},
		{"bad.yaml:11:56:", `stage 3 (logistic_regression): param "reg_param": want float64, got string "strong"`},
		{"bad.yaml:12:11:", `stage 4 (logistic_regression_model): kind "logistic_regression_model" is a fitted model, which has no data before training (use the estimator "logistic_regression")`},
		{"bad.yaml:13:5:", `stage 5: missing kind`},
		{"bad.yaml:15:5:", `stage 6 (standard_scaler): unknown key "nmae"; known keys: kind, params`},
		{"bad.yaml:16:13:", `stage 6 (standard_scaler): params: want a mapping of param values, got a list`},
		{"bad.yaml:17:5:", `stage 7: want a mapping {kind, params}, got str "just a string"`},
	}
	probs := Problems(err)
	got := make([]string, len(probs))
	for i, p := range probs {
		got[i] = p.Error()
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i].pos+" ") || !strings.Contains(got[i], want[i].text) {
			t.Errorf("problem %d:\n got %s\nwant %s %s...", i, got[i], want[i].pos, want[i].text)
		}
	}
	if !strings.Contains(err.Error(), "\n") {
		t.Errorf("problems not joined one per line: %v", err)
	}
}

func TestParseFileErrors(t *testing.T) {
	for i, tc := range []struct{ src, want string }{
		{"", "f.yaml:1:1: empty pipeline file"},
		{"# only a comment\n", "f.yaml:1:1: empty pipeline file"},
		{"[1, 2]", "f.yaml:1:1: pipeline file: want a mapping with stages, got a list"},
		{"task: auto\n", "f.yaml:1:1: missing stages"},
		{"stages: []\n", "f.yaml:1:1: stages: empty: a pipeline needs at least one stage"},
		{"stages: {kind: x}\n", "f.yaml:1:9: stages: want a list of {kind, params}, got a mapping"},
		{"stages:\n  - kind: vector_assembler\n    kind: tokenizer\n", `f.yaml:3:5: stage 1: duplicate key "kind" (first at line 2)`},
		{"stages:\n - kind: [a]\n", "f.yaml:2:10: stage 1: kind: want a stage kind name, got a list"},
		{"label_col: ''\nstages:\n - kind: tokenizer\n", `f.yaml:1:12: label_col: want a column name, got str ""`},
		{"stages:\n  - kind: a\n    params: {x: [1, 2}\n", "f.yaml:2: did not find expected ',' or ']'"},
	} {
		_, err := ParsePipeline("f.yaml", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%d: %q: got %v, want %s", i, tc.src, err, tc.want)
		}
	}
}

func TestCheckSchema(t *testing.T) {
	src := `label_col: y
stages:
  - kind: vector_assembler
    params: {input_cols: [a, bb, c], output_col: features}
  - kind: standard_scaler
    params: {input_col: feature, output_col: scaled}
  - kind: logistic_regression
    params: {features_col: scaled, weight_col: w}
`
	s, err := ParsePipeline("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f64 := arrow.PrimitiveTypes.Float64
	in := arrow.NewSchema([]arrow.Field{{Name: "a", Type: f64}, {Name: "b", Type: f64}, {Name: "c", Type: f64}, {Name: "label", Type: f64}}, nil)
	err = s.CheckSchema(nil, in)
	want := []string{
		`c.yaml:1:12: label column "y" is not in the input; input columns: a, b, c, label`,
		`c.yaml:4:30: stage 1 (vector_assembler): param "input_cols": column "bb" is not in the input and no earlier stage makes it; did you mean b?`,
		`c.yaml:6:25: stage 2 (standard_scaler): param "input_col": column "feature" is not in the input and no earlier stage makes it; did you mean features?`,
		`c.yaml:8:48: stage 3 (logistic_regression): param "weight_col": column "w" is not in the input and no earlier stage makes it`,
	}
	probs := Problems(err)
	if len(probs) != len(want) {
		t.Fatalf("got %d problems, want %d: %v", len(probs), len(want), err)
	}
	for i, p := range probs {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s", i, p, want[i])
		}
	}

	// The same pipeline on a schema that has everything passes, and a
	// transformer rejecting a column's type is reported at its kind.
	good := arrow.NewSchema([]arrow.Field{{Name: "a", Type: f64}, {Name: "bb", Type: f64}, {Name: "c", Type: f64}, {Name: "y", Type: f64},
		{Name: "feature", Type: f64}, {Name: "w", Type: f64}}, nil)
	if err := s.CheckSchema(nil, good); err != nil {
		t.Errorf("complete schema: %v", err)
	}
	bad := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}, {Name: "bb", Type: f64}, {Name: "c", Type: f64}, {Name: "y", Type: f64},
		{Name: "feature", Type: f64}, {Name: "w", Type: f64}}, nil)
	err = s.CheckSchema(nil, bad)
	if p := Problems(err); len(p) != 1 || p[0].Line != 3 || p[0].Column != 11 || !strings.Contains(p[0].Msg, "stage 1 (vector_assembler)") {
		t.Errorf("string input to vector_assembler: %v", err)
	}
}

func TestBuildMatchesPipeline(t *testing.T) {
	data, err := os.ReadFile("testdata/breast_cancer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParsePipeline("testdata/breast_cancer.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, st := range p.Children() {
		kinds = append(kinds, st.Kind())
	}
	if got := strings.Join(kinds, ","); got != "vector_assembler,standard_scaler,logistic_regression" {
		t.Errorf("kinds %s", got)
	}
	var _ pipeline.Estimator = p
}

func TestProblemsWalksWrapping(t *testing.T) {
	a := &Error{File: "f", Pos: Pos{1, 2}, Msg: "a"}
	b := &Error{File: "f", Pos: Pos{3, 4}, Msg: "b"}
	err := fmt.Errorf("wrapped: %w", errors.Join(a, errors.New("other"), fmt.Errorf("x: %w", b)))
	if got := Problems(err); len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("Problems = %v", got)
	}
}

func FuzzParsePipeline(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("stages:\n  - kind: vector_assembler\n    params: {input_cols: &a [x, *a]}\n"))
	f.Add([]byte("a: &x [*x]\nstages: *x\n"))
	f.Add([]byte("stages:\n - kind: logistic_regression\n   params: {max_iter: 1e400, class_weights: [1, .nan]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParsePipeline("fuzz.yaml", data)
		if (s == nil) == (err == nil) {
			t.Fatalf("spec %v and error %v", s, err)
		}
		if err != nil {
			for _, p := range Problems(err) {
				if p.File != "fuzz.yaml" || p.Msg == "" {
					t.Fatalf("bad problem %#v", p)
				}
			}
			return
		}
		if _, err := s.Build(nil); err != nil {
			t.Fatalf("parsed spec does not build: %v", err)
		}
	})
}
