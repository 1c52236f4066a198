package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/internal/toystage"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

func newMem(t *testing.T) (*memory.CheckedAllocator, context.Context) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	return mem, pipeline.WithAllocator(context.Background(), mem)
}

// xTable returns a table with column x split in batches of the given sizes,
// x[i] = i*i/7 - 3, with a null at row 4 when withNull.
func xTable(t *testing.T, mem memory.Allocator, withNull bool, sizes ...int) (*table.Table, []float64) {
	t.Helper()
	var recs []arrow.Record
	var all []float64
	row := 0
	for _, n := range sizes {
		vals := make([]float64, n)
		valid := make([]bool, n)
		for i := range vals {
			vals[i] = float64(row*row)/7 - 3
			valid[i] = !(withNull && row == 4)
			if valid[i] {
				all = append(all, vals[i])
			} else {
				all = append(all, math.NaN())
			}
			row++
		}
		rec, err := table.Build(mem, table.NullableCol("x", vals, valid))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return tbl, all
}

func mean(xs []float64) float64 {
	var s float64
	var n int
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			n++
		}
	}
	return s / float64(n)
}

func must[S any](s S, err error) S {
	if err != nil {
		panic(err)
	}
	return s
}

// column returns the values of column name over the whole table, NaN for
// nulls.
func column(t *testing.T, tbl *table.Table, name string) []float64 {
	t.Helper()
	i, err := table.FieldIndex(tbl.Schema(), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for b := 0; b < tbl.NumBatches(); b++ {
		arr := tbl.Batch(b).Column(i).(*array.Float64)
		for k := 0; k < arr.Len(); k++ {
			if arr.IsNull(k) {
				out = append(out, math.NaN())
			} else {
				out = append(out, arr.Value(k))
			}
		}
	}
	return out
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) || !math.IsNaN(a[i]) && math.Abs(a[i]-b[i]) > 1e-12*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

func TestPipelineFitTransform(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, x := xTable(t, mem, true, 3, 5, 4)
	defer tbl.Release()

	// y = x + 10; c1 = y - mean(y); c2 = c1 + 5; c3 = c2 - mean(c2) = c1.
	// The first estimator is followed by another: its input is materialized.
	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 10})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "c1"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "c1", "output_col": "c2", "value": 5})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "c2", "output_col": "c3"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "c3", "output_col": "c4", "value": -1})),
	))
	r := tbl.Reader()
	m, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	pm := m.(*pipeline.PipelineModel)
	if got := len(pm.Stages()); got != 5 {
		t.Fatalf("pipeline model has %d stages, want 5", got)
	}
	m1 := pm.Stages()[1].(*toystage.MeanCenterModel)
	m2 := pm.Stages()[3].(*toystage.MeanCenterModel)
	if got := modelMean(t, m1); math.Abs(got-(mean(x)+10)) > 1e-12 {
		t.Fatalf("first mean %v, want %v", got, mean(x)+10)
	}
	if got := modelMean(t, m2); math.Abs(got-5) > 1e-12 {
		t.Fatalf("second mean %v, want 5", got)
	}
	if m1.Params().Values()["output_col"] != "c1" {
		t.Fatal("the model did not inherit the estimator's params")
	}

	out, err := pipeline.TransformTable(ctx, pm, tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.NumBatches() != 3 || out.NumRows() != 12 {
		t.Fatalf("output has %d batches, %d rows", out.NumBatches(), out.NumRows())
	}
	wantSchema, err := pm.OutputSchema(tbl.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if !out.Schema().Equal(wantSchema) || out.Schema().NumFields() != 6 {
		t.Fatalf("schema %s, want %s", out.Schema(), wantSchema)
	}
	my := mean(x) + 10
	for i, xi := range x {
		c1 := xi + 10 - my
		want := map[string]float64{"y": xi + 10, "c1": c1, "c2": c1 + 5, "c3": c1, "c4": c1 - 1}
		for name, w := range want {
			got := column(t, out, name)[i]
			if !sameFloats([]float64{got}, []float64{w}) {
				t.Errorf("row %d: %s = %v, want %v", i, name, got, w)
			}
		}
	}

	// Batch by batch through a reader gives the same values.
	rr, err := pipeline.TransformReader(ctx, pm, tbl.Reader())
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := table.ReadAll(rr)
	rr.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Release()
	for _, name := range []string{"y", "c1", "c2", "c3", "c4"} {
		if !sameFloats(column(t, lazy, name), column(t, out, name)) {
			t.Errorf("column %s differs between TransformReader and TransformTable", name)
		}
	}
}

func modelMean(t *testing.T, m pipeline.Model) float64 {
	t.Helper()
	data := m.ModelData()
	defer func() {
		for _, r := range data {
			r.Release()
		}
	}()
	if len(data) != 1 {
		t.Fatalf("%d model data records", len(data))
	}
	v, err := table.Float64s(data[0].Column(0))
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

// countingReader counts the batches read through it.
type countingReader struct {
	table.Reader
	n *atomic.Int64
}

func (c countingReader) Next() bool {
	ok := c.Reader.Next()
	if ok {
		c.n.Add(1)
	}
	return ok
}

func TestPipelineFitReadsOnceAndOnlyWhatIsNeeded(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 2, 2, 2)
	defer tbl.Release()
	for i, tc := range []struct {
		stages []pipeline.Stage
		reads  int64
	}{
		0: {[]pipeline.Stage{must(toystage.NewAddConstant(map[string]any{"input_col": "x"}))}, 0},
		1: {[]pipeline.Stage{
			must(toystage.NewMeanCenter(map[string]any{"input_col": "x", "output_col": "a"})),
			must(toystage.NewMeanCenter(map[string]any{"input_col": "a", "output_col": "b"})),
		}, 3},
		2: {[]pipeline.Stage{
			must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "a"})),
			must(toystage.NewMeanCenter(map[string]any{"input_col": "a", "output_col": "b"})),
			must(toystage.NewAddConstant(map[string]any{"input_col": "b", "output_col": "c"})),
		}, 3},
		3: {nil, 0},
	} {
		p := must(pipeline.NewPipeline(tc.stages...))
		var n atomic.Int64
		r := tbl.Reader()
		m, err := p.Fit(ctx, countingReader{r, &n})
		r.Release()
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if n.Load() != tc.reads {
			t.Errorf("%d: fit read %d batches, want %d", i, n.Load(), tc.reads)
		}
		out, err := pipeline.TransformTable(ctx, m.(pipeline.Transformer), tbl)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		out.Release()
	}
}

func TestPipelineErrorsNameTheStage(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 4)
	defer tbl.Release()

	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "nope", "output_col": "z"})),
	))
	r := tbl.Reader()
	_, err := p.Fit(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `stage 1 (mean_center): fit: column "nope" not found; available columns: x, y`) {
		t.Fatalf("fit error = %v", err)
	}

	p = must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "z"})),
	))
	r = tbl.Reader()
	_, err = p.Fit(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `stage 1 (add_constant): transform: transform reader: stage "add_constant": output column "y" already exists in the input`) {
		t.Fatalf("fit error = %v", err)
	}

	pm := must(pipeline.NewPipelineModel(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "q", "output_col": "z"})),
	))
	if _, err := pm.OutputSchema(tbl.Schema()); err == nil || !strings.Contains(err.Error(), `stage 1 (add_constant): output schema: column "q" not found`) {
		t.Fatalf("output schema error = %v", err)
	}
	if _, err := pipeline.TransformTable(ctx, pm, tbl); err == nil {
		t.Fatal("transform table of an invalid pipeline succeeded")
	}
	if _, err := pm.Transform(ctx, tbl.Batch(0)); err == nil || !strings.Contains(err.Error(), "stage 1 (add_constant)") {
		t.Fatalf("transform error = %v", err)
	}

	if _, err := pipeline.NewPipeline(notAStage{}); err == nil {
		t.Fatal("a stage that is neither transformer nor estimator was accepted")
	}
	untrained := must(toystage.NewMeanCenterModel(nil))
	if _, err := untrained.Transform(ctx, tbl.Batch(0)); !errors.Is(err, pipeline.ErrNoModelData) {
		t.Fatalf("untrained model: %v", err)
	}
	if err := pm.SetModelData(tbl.Batch(0)); err == nil {
		t.Fatal("pipeline model accepted model data")
	}
}

type notAStage struct{}

func (notAStage) Kind() string       { return "not_a_stage" }
func (notAStage) Params() *param.Set { return param.NewSet("not_a_stage") }

// panicky panics in Transform.
type panicky struct{ notAStage }

func (panicky) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }
func (panicky) Transform(context.Context, arrow.Record) (arrow.Record, error) {
	var s []int
	_ = s[3]
	return nil, nil
}

func TestPanicBecomesError(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 4)
	defer tbl.Release()
	pm := must(pipeline.NewPipelineModel(panicky{}))
	_, err := pm.Transform(ctx, tbl.Batch(0))
	if err == nil || !strings.Contains(err.Error(), `stage "not_a_stage" panicked: runtime error: index out of range`) {
		t.Fatalf("error = %v", err)
	}
	_, err = pipeline.TransformTable(ctx, panicky{}, tbl)
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("error = %v", err)
	}
}

func TestTransformReaderCancel(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 2, 2, 2)
	defer tbl.Release()
	ctx, cancel := context.WithCancel(ctx)
	add := must(toystage.NewAddConstant(map[string]any{"input_col": "x"}))
	r, err := pipeline.TransformReader(ctx, add, tbl.Reader())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatal(r.Err())
	}
	cancel()
	if r.Next() {
		t.Fatal("Next after cancel succeeded")
	}
	if !errors.Is(r.Err(), context.Canceled) {
		t.Fatalf("Err() = %v", r.Err())
	}
	bad := must(toystage.NewAddConstant(map[string]any{"input_col": "missing"}))
	if _, err := pipeline.TransformReader(ctx, bad, tbl.Reader()); err == nil {
		t.Fatal("TransformReader accepted an incompatible stage")
	}
}

func TestModelVersionColumn(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, x := xTable(t, mem, false, 5)
	defer tbl.Release()
	m := must(toystage.NewMeanCenterModel(map[string]any{"input_col": "x", "output_col": "y", "model_version_col": "version"}))
	data, err := toystage.MeanData(mem, 2, 41)
	if err != nil {
		t.Fatal(err)
	}
	err = m.SetModelData(data)
	data.Release()
	if err != nil {
		t.Fatal(err)
	}
	if m.ModelVersion() != 41 {
		t.Fatalf("version %d", m.ModelVersion())
	}
	out, err := m.Transform(ctx, tbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	vi, err := table.FieldIndex(out.Schema(), "version")
	if err != nil {
		t.Fatal(err)
	}
	if table.RoleOf(out.Schema().Field(vi)) != table.RoleModelVersion {
		t.Fatal("version column lacks the model_version role")
	}
	vs, err := table.Int64s(out.Column(vi))
	if err != nil {
		t.Fatal(err)
	}
	ys, _ := table.Float64s(out.Column(1))
	for i := range vs {
		if vs[i] != 41 || ys[i] != x[i]-2 {
			t.Fatalf("row %d: version %d y %v", i, vs[i], ys[i])
		}
	}
	want, err := m.OutputSchema(tbl.Schema())
	if err != nil || !want.Equal(out.Schema()) {
		t.Fatalf("OutputSchema %v (%v) != batch schema %v", want, err, out.Schema())
	}
}

// TestSetModelDataWhileTransforming swaps model versions while
// transformers run. Version v has mean v, so every output row must satisfy
// y + version == x: a row scored with one version's mean and another's
// version number would break it.
func TestSetModelDataWhileTransforming(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 64)
	defer tbl.Release()
	m := must(toystage.NewMeanCenterModel(map[string]any{"input_col": "x", "output_col": "y", "model_version_col": "v"}))
	setVersion := func(v int64) error {
		rec, err := toystage.MeanData(mem, float64(v), v)
		if err != nil {
			return err
		}
		defer rec.Release()
		return m.SetModelData(rec)
	}
	if err := setVersion(0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	var seen sync.Map
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				out, err := m.Transform(ctx, tbl.Batch(0))
				if err != nil {
					errs <- err
					return
				}
				x, _ := table.Float64s(out.Column(0))
				y, _ := table.Float64s(out.Column(1))
				v, _ := table.Int64s(out.Column(2))
				for k := range x {
					if math.Abs(y[k]+float64(v[k])-x[k]) > 1e-9 || v[k] != v[0] {
						errs <- fmt.Errorf("row %d: x=%v y=%v version=%d (batch version %d)", k, x[k], y[k], v[k], v[0])
						out.Release()
						return
					}
				}
				seen.Store(v[0], true)
				out.Release()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	last := int64(0)
loop:
	for {
		select {
		case <-done:
			break loop
		default:
		}
		last++
		if err := setVersion(last); err != nil {
			t.Fatal(err)
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if m.ModelVersion() != last {
		t.Fatalf("final version %d, want %d", m.ModelVersion(), last)
	}
	n := 0
	seen.Range(func(any, any) bool { n++; return true })
	t.Logf("%d model versions set, %d seen by transformers", last, n)
}

func TestModelVersionMetadata(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a, _ := toystage.MeanData(mem, 1, 7)
	defer a.Release()
	b, _ := toystage.MeanData(mem, 1, 8)
	defer b.Release()
	if v, err := pipeline.ModelVersionOf([]arrow.Record{a, a}); err != nil || v != 7 {
		t.Fatalf("ModelVersionOf = %d, %v", v, err)
	}
	if _, err := pipeline.ModelVersionOf([]arrow.Record{a, b}); err == nil {
		t.Fatal("disagreeing versions accepted")
	}
	c := pipeline.WithModelVersion(a, 9) // replaces, keeps one key
	defer c.Release()
	if v, _ := pipeline.ModelVersionOf([]arrow.Record{c}); v != 9 || c.Schema().Metadata().Len() != 1 {
		t.Fatalf("WithModelVersion: %v", c.Schema().Metadata())
	}
	m := must(toystage.NewMeanCenterModel(nil))
	if err := m.SetModelData(a, b); err == nil {
		t.Fatal("SetModelData accepted disagreeing versions")
	}
	if m.ModelData() != nil || m.ModelVersion() != 0 {
		t.Fatal("a failed SetModelData changed the model")
	}
}

func TestFitChecksTheStagesAfterTheLastEstimator(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, false, 4)
	defer tbl.Release()
	p := must(pipeline.NewPipeline(
		must(toystage.NewMeanCenter(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewAddConstant(map[string]any{"input_col": "typo", "output_col": "z"})),
	))
	r := tbl.Reader()
	_, err := p.Fit(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `fit pipeline: stage 1 (add_constant): output schema: column "typo" not found`) {
		t.Fatalf("fit error = %v", err)
	}
}

// TestPipelineFitTransformMethod checks that FitTransform gives the model
// Fit gives and the table TransformTable gives with it, reading the input
// once, and that its errors name the stage.
func TestPipelineFitTransformMethod(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, _ := xTable(t, mem, true, 3, 5, 4)
	defer tbl.Release()
	stages := func() []pipeline.Stage {
		return []pipeline.Stage{
			must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 10})),
			must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "c1"})),
			must(toystage.NewAddConstant(map[string]any{"input_col": "c1", "output_col": "c2", "value": 5})),
			must(toystage.NewMeanCenter(map[string]any{"input_col": "c2", "output_col": "c3"})),
			must(toystage.NewAddConstant(map[string]any{"input_col": "c3", "output_col": "c4", "value": -1})),
		}
	}
	for i, tc := range []struct {
		stages []pipeline.Stage
		reads  int64
	}{
		0: {stages(), 3},
		1: {stages()[:2], 3},
		2: {stages()[:1], 3},
		3: {nil, 3},
	} {
		p := must(pipeline.NewPipeline(tc.stages...))
		var n atomic.Int64
		r := tbl.Reader()
		pm, got, err := p.FitTransform(ctx, countingReader{r, &n})
		r.Release()
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if n.Load() != tc.reads {
			t.Errorf("%d: fit transform read %d batches, want %d", i, n.Load(), tc.reads)
		}
		if len(pm.Stages()) != len(tc.stages) {
			t.Errorf("%d: model has %d stages, want %d", i, len(pm.Stages()), len(tc.stages))
		}
		r = tbl.Reader()
		m, err := p.Fit(ctx, r)
		r.Release()
		if err != nil {
			got.Release()
			t.Fatalf("%d: %v", i, err)
		}
		want, err := pipeline.TransformTable(ctx, m.(pipeline.Transformer), tbl)
		if err != nil {
			got.Release()
			t.Fatalf("%d: %v", i, err)
		}
		again, err := pipeline.TransformTable(ctx, pm, tbl)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if !got.Schema().Equal(want.Schema()) || got.NumRows() != 12 || got.NumBatches() != 3 {
			t.Errorf("%d: fit transform gave %d rows in %d batches, schema %s; want 12 rows in 3, %s",
				i, got.NumRows(), got.NumBatches(), got.Schema(), want.Schema())
		} else {
			for _, f := range want.Schema().Fields() {
				if a, b, c := column(t, got, f.Name), column(t, want, f.Name), column(t, again, f.Name); !sameFloats(a, b) || !sameFloats(c, b) {
					t.Errorf("%d: column %s: fit transform %v, its model %v, fit then transform %v", i, f.Name, a, c, b)
				}
			}
		}
		got.Release()
		want.Release()
		again.Release()
	}

	// Errors name the stage, also when a transformer fails in a later read.
	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y"})),
		must(toystage.NewMeanCenter(map[string]any{"input_col": "nope", "output_col": "z"})),
	))
	r := tbl.Reader()
	_, _, err := p.FitTransform(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `stage 1 (mean_center): fit: column "nope" not found`) {
		t.Fatalf("fit transform error = %v", err)
	}
	p = must(pipeline.NewPipeline(
		must(toystage.NewMeanCenter(map[string]any{"input_col": "x", "output_col": "y"})),
		panicky{},
	))
	r = tbl.Reader()
	_, _, err = p.FitTransform(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), "batch 0: stage 1 (not_a_stage): transform: stage \"not_a_stage\" panicked") {
		t.Fatalf("fit transform error = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	r = tbl.Reader()
	_, _, err = must(pipeline.NewPipeline(stages()...)).FitTransform(cctx, r)
	r.Release()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled fit transform error = %v", err)
	}
}

// fitTransformer is a MeanCenter that fits and transforms in one go,
// counting its calls; with panics set its FitTransform panics.
type fitTransformer struct {
	*toystage.MeanCenter
	calls  *atomic.Int64
	panics bool
}

func (f fitTransformer) FitTransform(ctx context.Context, tbl *table.Table) (pipeline.Model, *table.Table, error) {
	f.calls.Add(1)
	if f.panics {
		panic("boom")
	}
	r := tbl.Reader()
	m, err := f.Fit(ctx, r)
	r.Release()
	if err != nil {
		return nil, nil, err
	}
	out, err := pipeline.TransformTable(ctx, m, tbl)
	return m, out, err
}

func TestPipelineFitTransformUsesFitTransformer(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	tbl, x := xTable(t, mem, false, 3, 5, 4)
	defer tbl.Release()
	var calls atomic.Int64
	p := must(pipeline.NewPipeline(
		must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 10})),
		fitTransformer{must(toystage.NewMeanCenter(map[string]any{"input_col": "y", "output_col": "c"})), &calls, false},
		must(toystage.NewAddConstant(map[string]any{"input_col": "c", "output_col": "d", "value": 1})),
	))
	r := tbl.Reader()
	pm, out, err := p.FitTransform(ctx, r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if calls.Load() != 1 {
		t.Fatalf("FitTransform of the stage called %d times, want 1", calls.Load())
	}
	if _, ok := pm.Stages()[1].(*toystage.MeanCenterModel); !ok {
		t.Fatalf("stage 1 is %T", pm.Stages()[1])
	}
	m := mean(x)
	for i, xi := range x {
		if got, want := column(t, out, "d")[i], xi-m+1; math.Abs(got-want) > 1e-12 {
			t.Fatalf("row %d: d = %v, want %v", i, got, want)
		}
	}
	p = must(pipeline.NewPipeline(
		fitTransformer{must(toystage.NewMeanCenter(map[string]any{"input_col": "x", "output_col": "c"})), &calls, true},
	))
	r = tbl.Reader()
	_, _, err = p.FitTransform(ctx, r)
	r.Release()
	if err == nil || !strings.Contains(err.Error(), `stage 0 (mean_center): fit: stage "mean_center" panicked: boom`) {
		t.Fatalf("panicking fit transform: %v", err)
	}
}

// failAt fails on the batches whose first x is at least limit.
type failAt struct {
	notAStage
	limit float64
}

func (failAt) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }
func (f failAt) Transform(_ context.Context, rec arrow.Record) (arrow.Record, error) {
	if v := rec.Column(0).(*array.Float64).Value(0); v >= f.limit {
		return nil, fmt.Errorf("x = %v", v)
	}
	rec.Retain()
	return rec, nil
}

// TestTransformTableOrder checks that TransformTable, which transforms
// batches in parallel, keeps the batch order and reports the first
// failing batch, as a sequential run would.
func TestTransformTableOrder(t *testing.T) {
	mem, ctx := newMem(t)
	defer mem.AssertSize(t, 0)
	sizes := make([]int, 40)
	for i := range sizes {
		sizes[i] = 1 + i%3
	}
	tbl, x := xTable(t, mem, false, sizes...)
	defer tbl.Release()
	add := must(toystage.NewAddConstant(map[string]any{"input_col": "x", "output_col": "y", "value": 2}))
	for range 5 {
		out, err := pipeline.TransformTable(ctx, add, tbl)
		if err != nil {
			t.Fatal(err)
		}
		if out.NumBatches() != tbl.NumBatches() {
			t.Fatalf("%d batches, want %d", out.NumBatches(), tbl.NumBatches())
		}
		for b := range out.NumBatches() {
			if out.Batch(b).NumRows() != tbl.Batch(b).NumRows() {
				t.Fatalf("batch %d has %d rows, want %d", b, out.Batch(b).NumRows(), tbl.Batch(b).NumRows())
			}
		}
		y := column(t, out, "y")
		for i, xi := range x {
			if y[i] != xi+2 {
				t.Fatalf("row %d: y = %v, want %v", i, y[i], xi+2)
			}
		}
		out.Release()
	}
	// x grows with the row: batches 10 and later fail.
	start := 0
	for _, n := range sizes[:10] {
		start += n
	}
	limit := x[start]
	for range 5 {
		_, err := pipeline.TransformTable(ctx, failAt{limit: limit}, tbl)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("batch 10: x = %v", limit)) {
			t.Fatalf("error = %v, want batch 10's", err)
		}
	}
}
