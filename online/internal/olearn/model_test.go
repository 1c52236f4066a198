package olearn

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// fakeModel is a batch model whose data is one record of coefficient rows
// (the last value of each row is the intercept) and, when binary, labels.
type fakeModel struct {
	params map[string]any
	coefs  [][]float64
	b      []float64
	labels []float64
	set    int
}

func newFake(params map[string]any) (*fakeModel, error) {
	if params["features_col"] == "bad" {
		return nil, errors.New("bad params")
	}
	return &fakeModel{params: params}, nil
}

func (m *fakeModel) SetModelData(recs ...arrow.Record) error {
	if len(recs) != 1 {
		return errors.New("want one record")
	}
	m.set++
	vecs, dim, err := table.DenseVectors(recs[0].Column(0))
	if err != nil {
		return err
	}
	m.coefs, m.b, m.labels = nil, nil, nil
	for i := 0; i+dim <= len(vecs); i += dim {
		m.coefs = append(m.coefs, vecs[i:i+dim-1])
		m.b = append(m.b, vecs[i+dim-1])
		m.labels = append(m.labels, float64(len(m.labels)))
	}
	if len(m.coefs) == 1 {
		m.labels = append(m.labels, 1)
	}
	return nil
}

func (m *fakeModel) Coefficients() [][]float64 { return m.coefs }
func (m *fakeModel) Intercepts() []float64     { return m.b }
func (m *fakeModel) Labels() []float64         { return m.labels }

func fakeData(t *testing.T, mem memory.Allocator, rows ...[]float64) []arrow.Record {
	r, err := table.Build(mem, table.DenseCol("w", len(rows[0]), rows))
	if err != nil {
		t.Fatal(err)
	}
	return []arrow.Record{r}
}

func TestModelGlue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	recs, err := Stamp("k", 7, fakeData(t, mem, []float64{1, 2, 3}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := recs[0].Schema().Metadata().GetValue(pipeline.ModelVersionKey); !ok || v != strconv.Itoa(7) {
		t.Errorf("version %q %v", v, ok)
	}
	coef, b, labels, err := WarmBinary("k", newFake, recs, "2")
	if err != nil || len(coef) != 2 || coef[1] != 2 || b != 3 || labels != [2]float64{0, 1} {
		t.Errorf("WarmBinary: %v %v %v %v", coef, b, labels, err)
	}
	Release(recs)
	if _, err := Stamp("k", 1, nil, errors.New("boom")); err == nil || err.Error() != `learner "k": boom` {
		t.Errorf("Stamp error: %v", err)
	}

	three := fakeData(t, mem, []float64{1, 2}, []float64{3, 4}, []float64{5, 6})
	if _, _, _, err := WarmBinary("k", newFake, three, "a binomial model"); err == nil ||
		err.Error() != `learner "k": warm start: model has 3 classes, want a binomial model` {
		t.Errorf("3 classes: %v", err)
	}
	Release(three)
	if _, _, _, err := WarmBinary("k", newFake, nil, "2"); err == nil || err.Error() != `learner "k": warm start: want one record` {
		t.Errorf("no data: %v", err)
	}
	one := fakeData(t, mem, []float64{1, 2}, []float64{3, 4}, []float64{5, 6})
	if m, err := LoadModel("k", newFake, one); err != nil || m.set != 1 || len(m.coefs) != 3 {
		t.Errorf("LoadModel: %+v %v", m, err)
	}
	Release(one)
	if m, err := LoadModel("k", newFake, nil); m != nil || err == nil || err.Error() != `learner "k": warm start: want one record` {
		t.Errorf("LoadModel without data: %v %v", m, err)
	}

	data := func(mem memory.Allocator, v int64) ([]arrow.Record, error) {
		return Stamp("k", v, fakeData(t, mem, []float64{1, 2, 3}), nil)
	}
	m, err := NewModel(newFake, "f", "y", data, 3)
	if err != nil || m.set != 1 || m.params["features_col"] != "f" || m.params["label_col"] != "y" {
		t.Errorf("NewModel: %+v %v", m, err)
	}
	if m, err := NewModel(newFake, "bad", "y", data, 3); m != nil || err == nil {
		t.Errorf("bad params: %v %v", m, err)
	}
	noData := func(memory.Allocator, int64) ([]arrow.Record, error) { return nil, errors.New("no model yet") }
	if m, err := NewModel(newFake, "f", "y", noData, 3); m != nil || err == nil {
		t.Errorf("no data: %v %v", m, err)
	}
}

func TestOpenSnapshotAndRows(t *testing.T) {
	e := NewEnc("TESTSNAP", 2, 0)
	if _, err := OpenSnapshot("k", e.B, "TESTSNAP", 2); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		magic string
		want  string
	}{
		{"OTHERSNP", `learner "k": restore: not a OTHERSNP snapshot`},
		{"TESTSNAP", `learner "k": restore: snapshot format 2, want 1`},
	} {
		if _, err := OpenSnapshot("k", e.B, tc.magic, 1); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.magic, err, tc.want)
		}
	}
	for i, tc := range []struct {
		err  error
		want string
	}{
		{CheckSparseRow("k", []int32{0, 2}, []float64{1, 2}, 3), ""},
		{CheckSparseRow("k", []int32{0}, nil, 3), `learner "k": 1 indices for 0 values`},
		{CheckSparseRow("k", []int32{3}, []float64{1}, 3), `learner "k": index 3 outside [0, 3)`},
		{CheckSparseRow("k", []int32{1}, []float64{math.NaN()}, 3), `learner "k": feature 1 is NaN`},
		{CheckFinite("k", []float64{1, 2}), ""},
		{CheckFinite("k", []float64{1, math.Inf(-1)}), `learner "k": feature 1 is -Inf`},
	} {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%d: %q, want %q", i, got, tc.want)
		}
	}
}
