package modelstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/all"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedNow() time.Time { return epoch }

func TestCodecRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := logisticTable(t, mem, 1, 200, 200)
	defer tbl.Release()
	l, err := online.New("ftrl", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := tbl.Reader()
	defer r.Release()
	for r.Next() {
		if err := l.Update(context.Background(), r.Record()); err != nil {
			t.Fatal(err)
		}
	}
	data, err := l.ModelData(mem, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, d := range data {
			d.Release()
		}
	}()
	rec, err := modelstream.Encode(mem, 3, l.Rows(), "ftrl", "logistic_regression_model", epoch, data)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if !rec.Schema().Equal(modelstream.Schema) || rec.NumRows() != 1 {
		t.Fatalf("encoded %d rows of %v", rec.NumRows(), rec.Schema())
	}
	vs, err := modelstream.Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer vs[0].Release()
	v := vs[0]
	if v.Version != 3 || v.Rows != 200 || v.Learner != "ftrl" || v.ModelKind != "logistic_regression_model" || !v.Time.Equal(epoch) {
		t.Fatalf("decoded %+v", v)
	}
	if len(v.Data) != len(data) {
		t.Fatalf("decoded %d model data records, want %d", len(v.Data), len(data))
	}
	for i := range data {
		if !array.RecordEqual(v.Data[i], data[i]) || !v.Data[i].Schema().Equal(data[i].Schema()) {
			t.Fatalf("model data record %d differs", i)
		}
	}
	if got, err := pipeline.ModelVersionOf(v.Data); err != nil || got != 3 {
		t.Fatalf("decoded model version %d, %v", got, err)
	}
	// Truncations are errors, never panics.
	b, _ := modelstream.EncodeData(data)
	for _, n := range []int{1, 7, 8, 20, len(b) - 1} {
		if recs, err := modelstream.DecodeData(b[:n]); err == nil {
			for _, r := range recs {
				r.Release()
			}
			t.Errorf("DecodeData of %d/%d bytes succeeded", n, len(b))
		}
	}
}

func FuzzDecodeData(f *testing.F) {
	mem := memory.NewGoAllocator()
	rec, _ := modelstream.Encode(mem, 1, 1, "x", "y", epoch, nil)
	l, _ := online.New("online_linear_regression", map[string]any{"num_features": 2})
	data, _ := l.ModelData(mem, 1)
	b, _ := modelstream.EncodeData(data)
	f.Add(b)
	f.Add([]byte{})
	_ = rec
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := modelstream.DecodeData(b)
		if err == nil {
			for _, r := range recs {
				// Every value of an accepted record can be read.
				if !array.RecordEqual(r, r) {
					t.Fatal("a decoded record differs from itself")
				}
				r.Release()
			}
		}
	})
}

type learnRun struct {
	scored, models []arrow.Record
	stats          *modelstream.LearnStats
	release        func()
}

// runLearner runs source -> learner and collects the scored rows and the
// model stream.
func runLearner(t *testing.T, mem memory.Allocator, tbl *table.Table, cfg modelstream.LearnConfig, opts ...stream.Option) learnRun {
	t.Helper()
	cfg.Stats = &modelstream.LearnStats{}
	job := stream.NewJob("learn", append([]stream.Option{stream.WithAllocator(mem)}, opts...)...)
	src := stream.FromSource(job, "rows", tableSource{tbl}, 1)
	scored, models, err := modelstream.AddLearner(src, "learner", cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc, mc := scored.Collect(), models.Collect()
	if err := job.Run(context.Background()); err != nil {
		sc.Release()
		mc.Release()
		t.Fatal(err)
	}
	return learnRun{scored: sc.Records(), models: mc.Records(), stats: cfg.Stats, release: func() { sc.Release(); mc.Release() }}
}

// versions decodes a model stream into version -> data bytes, failing on
// a version seen twice with different bytes.
func versions(t *testing.T, recs []arrow.Record) ([]int64, map[int64][]byte, map[int64]int64) {
	t.Helper()
	data := map[int64][]byte{}
	rows := map[int64]int64{}
	var order []int64
	for _, rec := range recs {
		col := rec.Column(rec.Schema().FieldIndices(modelstream.ColData)[0]).(*array.Binary)
		ver := rec.Column(0).(*array.Int64)
		rc := rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			v := ver.Value(i)
			b := bytes.Clone(col.Value(i))
			if old, ok := data[v]; ok {
				if !bytes.Equal(old, b) {
					t.Fatalf("version %d published twice with different model bytes", v)
				}
				continue
			}
			data[v], rows[v] = b, rc.Value(i)
			order = append(order, v)
		}
	}
	return order, data, rows
}

func TestLearnFTRL(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := logisticTable(t, mem, 1, 20_000, 500)
	defer tbl.Release()
	cfg := modelstream.LearnConfig{Learner: "ftrl", Params: map[string]any{"alpha": 0.1}, EveryRows: 3000, Now: fixedNow}
	a := runLearner(t, mem, tbl, cfg)
	defer a.release()

	// Scored rows: the input plus prediction and probability, in order.
	y, p := column(t, a.scored, "label"), column(t, a.scored, "probability")
	pred := column(t, a.scored, "prediction")
	if len(y) != 20_000 || len(p) != 20_000 || len(pred) != 20_000 {
		t.Fatalf("scored %d labels, %d probabilities, %d predictions", len(y), len(p), len(pred))
	}
	// Documented metric: the prequential AUC of the second half >= 0.85
	// (the hidden model's own AUC is about 0.9).
	auc, err := eval.ROCAUC(y[10_000:], p[10_000:], nil)
	if err != nil {
		t.Fatal(err)
	}
	if auc < 0.85 {
		t.Errorf("prequential AUC %.4f < 0.85", auc)
	}
	for i := range p {
		if (p[i] > 0.5) != (pred[i] == 1) {
			t.Fatalf("row %d: prediction %v for probability %v", i, pred[i], p[i])
		}
	}
	// Versions every 3000 rows, plus the final one at 20000.
	order, data, rows := versions(t, a.models)
	if !slices.Equal(order, []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("versions %v", order)
	}
	for v := int64(1); v <= 6; v++ {
		if rows[v] != 3000*v {
			t.Errorf("version %d at %d rows, want %d", v, rows[v], 3000*v)
		}
	}
	if rows[7] != 20_000 || a.stats.Rows() != 20_000 || a.stats.Version() != 7 {
		t.Errorf("final version at %d rows; stats %d rows, version %d", rows[7], a.stats.Rows(), a.stats.Version())
	}

	// Reproducible: a second run, and a run cut into other batches, publish
	// the same versions with the same bytes.
	b := runLearner(t, mem, tbl, cfg)
	defer b.release()
	tbl2 := logisticTable(t, mem, 1, 20_000, 777)
	defer tbl2.Release()
	c := runLearner(t, mem, tbl2, cfg)
	defer c.release()
	for name, run := range map[string]learnRun{"second run": b, "batches of 777": c} {
		o, d, _ := versions(t, run.models)
		if !slices.Equal(o, order) {
			t.Fatalf("%s: versions %v, want %v", name, o, order)
		}
		for _, v := range order {
			if !bytes.Equal(d[v], data[v]) {
				t.Errorf("%s: version %d has other model bytes", name, v)
			}
		}
		if !bytes.Equal(run.stats.Final(), a.stats.Final()) {
			t.Errorf("%s: final learner snapshot differs", name)
		}
	}
}

func TestLearnPassThroughAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := blobsTable(t, mem, 1, 3000, 300)
	defer tbl.Release()
	// A non-Scorer passes rows through; a scaler version at the end only.
	run := runLearner(t, mem, tbl, modelstream.LearnConfig{Learner: "online_standard_scaler",
		Params: map[string]any{"input_col": "features"}, Now: fixedNow})
	defer run.release()
	n := 0
	for _, r := range run.scored {
		n += int(r.NumRows())
		if r.NumCols() != 1 {
			t.Fatalf("scaler output has %d columns, want the input's 1", r.NumCols())
		}
	}
	order, _, rows := versions(t, run.models)
	if n != 3000 || !slices.Equal(order, []int64{1}) || rows[1] != 3000 {
		t.Fatalf("%d rows, versions %v at %v", n, order, rows)
	}

	for _, tc := range []struct {
		name string
		cfg  modelstream.LearnConfig
	}{
		{"unknown kind", modelstream.LearnConfig{Learner: "nope"}},
		{"bad param", modelstream.LearnConfig{Learner: "ftrl", Params: map[string]any{"alpha": -1}}},
		{"negative every_rows", modelstream.LearnConfig{Learner: "ftrl", EveryRows: -1}},
		{"warm start unsupported", modelstream.LearnConfig{Learner: "online_hoeffding_tree", WarmStart: run.models}},
	} {
		if _, err := modelstream.Learn(tc.cfg); err == nil {
			t.Errorf("%s: Learn succeeded", tc.name)
		}
	}
	// Parallelism 2 fails at Open.
	f, err := modelstream.Learn(modelstream.LearnConfig{Learner: "ftrl"})
	if err != nil {
		t.Fatal(err)
	}
	job := stream.NewJob("p2", stream.WithAllocator(mem))
	stream.FromSource(job, "rows", tableSource{tbl}, 1).Process("learner", f, 2).Collect()
	if err := job.Run(context.Background()); err == nil {
		t.Fatal("a learner with parallelism 2 ran")
	}
}

func TestLearnKMeansAndInterval(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := blobsTable(t, mem, 2, 6000, 200)
	defer tbl.Release()
	// A clock that advances one second per call: EveryInterval of 5s
	// publishes after every few batches.
	now := epoch
	clock := func() time.Time { now = now.Add(time.Second); return now }
	run := runLearner(t, mem, tbl, modelstream.LearnConfig{Learner: "online_kmeans",
		Params: map[string]any{"k": 3, "seed": 1}, EveryInterval: 5 * time.Second, Now: clock})
	defer run.release()
	order, _, rows := versions(t, run.models)
	if len(order) < 5 {
		t.Fatalf("only %d versions with EveryInterval", len(order))
	}
	for i := 1; i < len(order); i++ {
		if order[i] != order[i-1]+1 || rows[order[i]] <= rows[order[i-1]] {
			t.Fatalf("versions %v at rows %v are not monotonic", order, rows)
		}
	}
	// Documented metric: each blob is one cluster: the clusters of the
	// last 3000 rows split the points by centre (purity 1 on well separated
	// blobs, checked as: every cluster's points lie within 5 of its mean).
	cl := column(t, run.scored, "prediction")
	if len(cl) != 6000 {
		t.Fatalf("%d predictions", len(cl))
	}
	seen := map[float64]int{}
	for _, c := range cl[3000:] {
		seen[c]++
	}
	if len(seen) != 3 {
		t.Fatalf("last 3000 rows in clusters %v, want 3 clusters", seen)
	}
	for c, n := range seen {
		if n < 700 {
			t.Errorf("cluster %v has %d of 3000 rows", c, n)
		}
	}
}

func TestPredict(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	train := logisticTable(t, mem, 1, 12_000, 400)
	defer train.Release()
	score := logisticTable(t, mem, 9, 8000, 400)
	defer score.Release()

	publish := modelstream.LearnConfig{Learner: "ftrl", EveryRows: 2000, Now: fixedNow}
	// silent never publishes a version: the policies before the first
	// model then act whatever the timing.
	silent := modelstream.LearnConfig{Learner: "ftrl", SkipFinal: true}
	run := func(pcfg modelstream.PredictConfig, lcfg modelstream.LearnConfig) ([]arrow.Record, *modelstream.PredictStats, func(), error) {
		pcfg.Stats = &modelstream.PredictStats{}
		job := stream.NewJob("predict", stream.WithAllocator(mem))
		_, models, err := modelstream.AddLearner(stream.FromSource(job, "train", tableSource{train}, 1), "learner", lcfg)
		if err != nil {
			t.Fatal(err)
		}
		f, err := modelstream.Predict(pcfg)
		if err != nil {
			t.Fatal(err)
		}
		data := stream.FromSource(job, "score", tableSource{score}, 1)
		out := stream.Connect(data, models).Process("predict", f, 1).Collect()
		err = job.Run(context.Background())
		return out.Records(), pcfg.Stats, out.Release, err
	}

	recs, st, release, err := run(modelstream.PredictConfig{}, publish)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ver := column(t, recs, "model_version")
	if len(ver) != 8000 || st.Scored() != 8000 {
		t.Fatalf("%d rows tagged, %d scored, want 8000", len(ver), st.Scored())
	}
	if ver[0] < 1 {
		t.Fatalf("first row scored by version %v", ver[0])
	}
	for i := 1; i < len(ver); i++ {
		if ver[i] < ver[i-1] {
			t.Fatalf("row %d: version %v after %v", i, ver[i], ver[i-1])
		}
	}
	if st.Swaps() < 1 || st.Swaps() > 7 {
		t.Fatalf("%d model swaps", st.Swaps())
	}
	// The scores are the logistic_regression_model's: a useful model.
	y, p := column(t, recs, "label"), column(t, recs, "prediction")
	acc, _ := eval.Accuracy(y, p, nil)
	if acc < 0.75 {
		t.Errorf("accuracy of the served versions %.3f < 0.75", acc)
	}

	// Policies before the first model.
	if _, _, rel, err := run(modelstream.PredictConfig{BeforeModel: modelstream.BeforeModelError}, silent); !errors.Is(err, modelstream.ErrNoModel) {
		rel()
		t.Fatalf("before_model error: %v", err)
	} else {
		rel()
	}
	recs, st, rel, err := run(modelstream.PredictConfig{BeforeModel: modelstream.BeforeModelDrop}, publish)
	defer rel()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(column(t, recs, "model_version")); int64(n)+st.Dropped() != 8000 || n != int(st.Scored()) {
		t.Fatalf("drop: %d scored + %d dropped != 8000", n, st.Dropped())
	}
	if _, _, rel, err := run(modelstream.PredictConfig{MaxBuffered: 1}, silent); !errors.Is(err, modelstream.ErrNoModel) {
		rel()
		t.Fatalf("max_buffered 1: %v", err)
	} else {
		rel()
	}
	if _, err := modelstream.Predict(modelstream.PredictConfig{BeforeModel: "wait"}); err == nil {
		t.Fatal("unknown before_model accepted")
	}
}

func TestQualityGate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := logisticTable(t, mem, 3, 12_000, 500)
	defer tbl.Release()
	run := func(g modelstream.GateConfig) (passed, rejected []int64, metrics []float64) {
		g.Stats = &modelstream.GateStats{}
		job := stream.NewJob("gate", stream.WithAllocator(mem))
		scored, models, err := modelstream.AddLearner(stream.FromSource(job, "rows", tableSource{tbl}, 1), "learner",
			modelstream.LearnConfig{Learner: "ftrl", EveryRows: 1000, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		pass, rej, err := modelstream.AddQualityGate(scored, models, "gate", g)
		if err != nil {
			t.Fatal(err)
		}
		pc, rc := pass.Collect(), rej.Collect()
		defer pc.Release()
		defer rc.Release()
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		passed, _, _ = versions(t, pc.Records())
		rejected, _, _ = versions(t, rc.Records())
		metrics = column(t, rc.Records(), modelstream.ColMetric)
		if int64(len(passed)) != g.Stats.Passed() || int64(len(rejected)) != g.Stats.Rejected() {
			t.Fatalf("stats %d/%d, outputs %d/%d", g.Stats.Passed(), g.Stats.Rejected(), len(passed), len(rejected))
		}
		return passed, rejected, metrics
	}
	all := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	// Reference: the AUC of each window (R-2000, R] of the test-then-train
	// probabilities, from a plain learner run; the threshold is their
	// median, so some versions pass and some do not.
	ref := runLearner(t, mem, tbl, modelstream.LearnConfig{Learner: "ftrl", EveryRows: 1000, Now: fixedNow})
	y, prob := column(t, ref.scored, "label"), column(t, ref.scored, "probability")
	ref.release()
	aucs := make([]float64, 12)
	for v := range 12 {
		r := (v + 1) * 1000
		a, err := eval.ROCAUC(y[max(0, r-2000):r], prob[max(0, r-2000):r], nil)
		if err != nil {
			t.Fatal(err)
		}
		aucs[v] = a
	}
	sorted := slices.Sorted(slices.Values(aucs))
	thr := sorted[6]
	var wantP, wantR []int64
	for v, a := range aucs {
		if a >= thr {
			wantP = append(wantP, int64(v+1))
		} else {
			wantR = append(wantR, int64(v+1))
		}
	}
	p, r, m := run(modelstream.GateConfig{Metric: modelstream.MetricAUC, Threshold: thr, Window: 2000})
	if !slices.Equal(p, wantP) || !slices.Equal(r, wantR) {
		t.Fatalf("AUC >= %v: passed %v rejected %v, want %v %v (AUCs %v)", thr, p, r, wantP, wantR, aucs)
	}
	for i, v := range r {
		if m[i] != aucs[v-1] {
			t.Fatalf("version %d rejected with metric %v, want %v", v, m[i], aucs[v-1])
		}
	}
	// Decisions are reproducible.
	p2, r2, _ := run(modelstream.GateConfig{Metric: modelstream.MetricAUC, Threshold: thr, Window: 2000})
	if !slices.Equal(p, p2) || !slices.Equal(r, r2) {
		t.Fatalf("second run: passed %v rejected %v, first %v %v", p2, r2, p, r)
	}
	// Impossible thresholds block everything; trivial ones pass everything.
	if p, r, _ := run(modelstream.GateConfig{Metric: modelstream.MetricLogLoss, Threshold: 0.01}); len(p) != 0 || !slices.Equal(r, all) {
		t.Fatalf("log loss <= 0.01: passed %v rejected %v", p, r)
	}
	if p, r, _ := run(modelstream.GateConfig{Metric: modelstream.MetricAccuracy, Threshold: 0}); len(r) != 0 || !slices.Equal(p, all) {
		t.Fatalf("accuracy >= 0: passed %v rejected %v", p, r)
	}
	if _, err := modelstream.QualityGate(modelstream.GateConfig{Metric: "f2"}); err == nil {
		t.Fatal("unknown metric accepted")
	}
}

// TestPredictPipelineModel serves a caller's PipelineModel (an assembler
// of scalar columns, then the logistic_regression_model the versions
// replace): the last stage is the model updated.
func TestPredictPipelineModel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	train := logisticTable(t, mem, 1, 6000, 500)
	defer train.Release()
	// The scoring rows hold the 8 features as scalar columns x0..x7.
	var recs []arrow.Record
	r := train.Reader()
	for r.Next() {
		rec := r.Record()
		vals, dim, err := table.DenseVectors(rec.Column(0))
		if err != nil {
			t.Fatal(err)
		}
		var cols []table.Column
		for j := range dim {
			x := make([]float64, rec.NumRows())
			for i := range x {
				x[i] = vals[i*dim+j]
			}
			cols = append(cols, table.Col(fmt.Sprintf("x%d", j), x))
		}
		out, err := table.Build(mem, cols...)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, out)
	}
	r.Release()
	score := newTable(t, recs)
	defer score.Release()

	lr, err := registry.Global().New("logistic_regression_model", nil)
	if err != nil {
		t.Fatal(err)
	}
	va, err := vectorassembler.New(map[string]any{"input_cols": []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"}, "output_col": "features"})
	if err != nil {
		t.Fatal(err)
	}
	pm, err := pipeline.NewPipelineModel(va, lr.(pipeline.Transformer))
	if err != nil {
		t.Fatal(err)
	}
	stats := &modelstream.PredictStats{}
	f, err := modelstream.Predict(modelstream.PredictConfig{Model: pm, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	job := stream.NewJob("pm", stream.WithAllocator(mem))
	_, models, err := modelstream.AddLearner(stream.FromSource(job, "train", tableSource{train}, 1), "learner",
		modelstream.LearnConfig{Learner: "ftrl", EveryRows: 2000, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	out := stream.Connect(stream.FromSource(job, "score", tableSource{score}, 1), models).Process("predict", f, 1).Collect()
	defer out.Release()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(column(t, out.Records(), "model_version")); n != 6000 || stats.Swaps() < 1 {
		t.Fatalf("%d rows tagged, %d swaps", n, stats.Swaps())
	}
	md := lr.(pipeline.Model).ModelData()
	v, err := pipeline.ModelVersionOf(md)
	for _, r := range md {
		r.Release()
	}
	if err != nil || v != 3 {
		t.Fatalf("the pipeline's last stage holds version %d (%v), want 3", v, err)
	}
	// A transformer without model data cannot be the target.
	if _, err := modelstream.Predict(modelstream.PredictConfig{Model: va}); err == nil {
		t.Fatal("a vector assembler was accepted as the model to update")
	}
}

// TestLearnIntervalWhileInputPauses: an EveryInterval version is published
// while the input pauses (the operator is ticked), not only when the next
// batch arrives.
func TestLearnIntervalWhileInputPauses(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := logisticTable(t, mem, 1, 2000, 500)
	defer tbl.Release()
	stats := &modelstream.LearnStats{}
	job := stream.NewJob("learn", stream.WithAllocator(mem))
	// After its rows the source holds until a version is out (or 10s).
	src := stream.FromSource(job, "rows", pausingSource{tbl: tbl, until: func() bool { return stats.Version() >= 1 }}, 1)
	scored, models, err := modelstream.AddLearner(src, "learner", modelstream.LearnConfig{Learner: "ftrl",
		EveryInterval: 50 * time.Millisecond, SkipFinal: true, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	sc, mc := scored.Collect(), models.Collect()
	defer sc.Release()
	defer mc.Release()
	start := time.Now()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	order, _, rows := versions(t, mc.Records())
	if len(order) == 0 || time.Since(start) > 5*time.Second {
		t.Fatalf("no version while the input paused (%v)", time.Since(start))
	}
	if last := order[len(order)-1]; rows[last] != 2000 {
		t.Errorf("last version %d at %d rows, want 2000", last, rows[last])
	}
}

// pausingSource reads tbl, then holds the stream open until until()
// reports true (polled) or 10 seconds pass.
type pausingSource struct {
	tbl   *table.Table
	until func() bool
}

func (s pausingSource) Open(ctx context.Context, subtask, parallelism int) (table.Reader, error) {
	return &pausingReader{Reader: s.tbl.Reader(), ctx: ctx, until: s.until}, nil
}

type pausingReader struct {
	table.Reader
	ctx   context.Context
	until func() bool
}

func (r *pausingReader) Next() bool {
	if r.Reader.Next() {
		return true
	}
	deadline := time.Now().Add(10 * time.Second)
	for !r.until() && time.Now().Before(deadline) && r.ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
