package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

// arrowBody is an IPC stream of rows rows of features f0..f{d-1}, the
// batch split in two, row i holding vals(i) in every column.
func arrowBody(t testing.TB, mem memory.Allocator, d, rows int, vals func(i int) float64, extra ...table.Column) []byte {
	t.Helper()
	cols := make([]table.Column, 0, d+len(extra))
	for j := range d {
		v := make([]float64, rows)
		for i := range v {
			v[i] = vals(i)
		}
		cols = append(cols, table.Col(fmt.Sprintf("f%d", j), v))
	}
	cols = append(cols, extra...)
	rec, err := table.Build(mem, cols...)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var b bytes.Buffer
	w := ipc.NewWriter(&b, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	half := rec.NumRows() / 2
	for _, s := range [][2]int64{{0, half}, {half, rec.NumRows()}} {
		sl := rec.NewSlice(s[0], s[1])
		if err := w.Write(sl); err != nil {
			t.Fatal(err)
		}
		sl.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPredictArrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m, in := trainModel(t, 3, 200)
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putVersions(t, st, "ctr", m, in, 1, true)
	if _, err := st.SetStage(context.Background(), "ctr", 1, modelstore.StageDeployed, nil); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, st, Config{Allocator: mem})
	post := func(body []byte) *http.Response {
		resp, err := http.Post(e.url+"/v1/models/ctr:predict", ContentTypeArrowStream+"; charset=binary", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// Rows alternate 2 (class 1) and -2 (class 0); an extra column is ignored.
	sign := func(i int) float64 { return float64(2 - 4*(i%2)) }
	resp := post(arrowBody(t, mem, 3, 6, sign, table.Col("note", []string{"a", "b", "c", "d", "e", "f"})))
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentTypeArrowStream || resp.Header.Get("Eddy-Model-Version") != "1" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	rd, err := ipc.NewReader(resp.Body, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if v, _ := rd.Schema().Metadata().GetValue("model_version"); v != "1" || rd.Schema().NumFields() != 2 ||
		rd.Schema().Field(0).Name != "prediction" || rd.Schema().Field(1).Name != "probability" {
		t.Fatalf("schema %v", rd.Schema())
	}
	var preds []float64
	for rd.Next() {
		preds = append(preds, rd.Record().Column(0).(*array.Float64).Float64Values()...)
	}
	if fmt.Sprint(preds) != "[1 0 1 0 1 0]" {
		t.Errorf("predictions %v", preds)
	}

	for _, tc := range []struct {
		name string
		body []byte
		code Code
	}{
		{"not arrow", []byte(`{"instances":[]}`), CodeBadJSON},
		{"missing feature", arrowBody(t, mem, 2, 2, sign), CodeMissingFeature},
		{"wrong type", func() []byte {
			rec, _ := table.Build(mem, table.Col("f0", []float64{1}), table.Col("f1", []float64{1}), table.Col("f2", []int64{1}))
			defer rec.Release()
			var b bytes.Buffer
			w := ipc.NewWriter(&b, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
			w.Write(rec)
			w.Close()
			return b.Bytes()
		}(), CodeWrongType},
	} {
		resp := post(tc.body)
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !bytes.Contains(buf.Bytes(), []byte(fmt.Sprintf(`"code":%d`, tc.code))) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, buf.Bytes())
		}
	}
	// More rows than MaxRows.
	e2 := startServer(t, st, Config{Allocator: mem, MaxRows: 3})
	resp2, err := http.Post(e2.url+"/v1/models/ctr:predict", ContentTypeArrowStream, bytes.NewReader(arrowBody(t, mem, 3, 8, sign)))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 400 {
		t.Errorf("too many rows: %d", resp2.StatusCode)
	}
}

// TestPooledColumnsKeptByModel: a model that keeps (Retains) its input
// columns past the request keeps them intact; later requests never write
// into them.
func TestPooledColumnsKeptByModel(t *testing.T) {
	p, err := newPlan(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}, {Name: "y", Type: arrow.PrimitiveTypes.Float64}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	decode := func(v int) arrow.Record {
		rec, e := decodeInstances([]byte(fmt.Sprintf(`{"instances":[{"x":%d,"y":%d},{"x":%d,"y":%d}]}`, v, v, v, v)), p, 10, mem)
		if e != nil {
			t.Fatal(e)
		}
		return rec
	}
	kept := decode(1)
	x := kept.Column(0)
	x.Retain()
	kept.Release()
	for v := 2; v < 50; v++ {
		rec := decode(v)
		if got := rec.Column(1).(*array.Float64).Value(1); got != float64(v) {
			t.Fatalf("request %d: y = %v", v, got)
		}
		rec.Release()
	}
	if got := x.(*array.Float64).Float64Values(); got[0] != 1 || got[1] != 1 {
		t.Errorf("kept column overwritten: %v", got)
	}
	x.Release()
}

// TestPredictArrowInvalidFeatureVector: a model served on its feature
// vector column directly (no assembler in front) rejects a NaN, a null
// vector or a vector of the wrong size in an Arrow request as the client's
// error (400, invalid value, naming the column and row), not as a model
// failure.
func TestPredictArrowInvalidFeatureVector(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m, _ := trainModel(t, 3, 200)
	lr := m.Stages()[1]
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putVersions(t, st, "bare", lr, nil, 1, false)
	if _, err := st.SetStage(context.Background(), "bare", 1, modelstore.StageDeployed, nil); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, st, Config{Allocator: mem})
	body := func(vecs [][]float64) []byte {
		rec, err := table.Build(mem, table.DenseCol("features", len(vecs[0]), vecs))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		var b bytes.Buffer
		w := ipc.NewWriter(&b, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"valid", body([][]float64{{1, 1, 1}, {-1, -1, -1}}), 200, ""},
		{"nan", body([][]float64{{1, 1, 1}, {1, nan, 1}}), 400, `column \"features\" row 1: feature 1 is NaN`},
		{"infinity", body([][]float64{{math.Inf(1), 1, 1}}), 400, `column \"features\" row 0: feature 0 is +Inf`},
		{"wrong size", body([][]float64{{1, 1}}), 400, `column \"features\" row 0: vector of size 2, want 3`},
	} {
		resp, err := http.Post(e.url+"/v1/models/bare:predict", ContentTypeArrowStream, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d: %s", tc.name, resp.StatusCode, buf.Bytes())
			continue
		}
		if tc.status != 200 && (!bytes.Contains(buf.Bytes(), []byte(fmt.Sprintf(`"code":%d`, CodeInvalidValue))) ||
			!bytes.Contains(buf.Bytes(), []byte(tc.want))) {
			t.Errorf("%s: %s, want code %d and %q", tc.name, buf.Bytes(), CodeInvalidValue, tc.want)
		}
	}
}
