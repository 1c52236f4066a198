package scaler

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/standardscaler"
)

// data is the seed-1 regression stream's 4 numeric features, shifted and
// scaled per feature, as a dense "input" vector column.
func data(t testing.TB, mem memory.Allocator, rows, batch int) []arrow.Record {
	src, err := generate.New(generate.Config{Kind: generate.Regression, Seed: 1, Rows: int64(rows), BatchSize: batch, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	var out []arrow.Record
	for src.Next() {
		r := src.Record()
		vecs := make([][]float64, r.NumRows())
		cols := make([][]float64, 4)
		for j := range cols {
			cols[j], _ = table.Float64s(r.Column(j))
		}
		for i := range vecs {
			vecs[i] = []float64{1e6 + 3*cols[0][i], cols[1][i] / 1000, -50 + cols[2][i], 7 * cols[3][i]}
		}
		rec, err := table.Build(mem, table.DenseCol("input", 4, vecs))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// TestEqualsBatchFit: the running statistics equal the standard_scaler's
// fit on all rows (1e-9 relative) and its model transforms alike.
func TestEqualsBatchFit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	recs := data(t, mem, 5000, 300)
	defer release(recs)
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := s.Update(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	est, _ := standardscaler.New(nil)
	tbl, _ := table.New(recs[0].Schema(), recs...)
	rd := tbl.Reader()
	bm, err := est.Fit(ctx, rd)
	rd.Release()
	tbl.Release()
	if err != nil {
		t.Fatal(err)
	}
	b := bm.(*standardscaler.Model)
	m, err := s.Model(3)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]float64{"mean": {m.Mean(), b.Mean()}, "std": {m.Std(), b.Std()}} {
		for j := range pair[1] {
			if math.Abs(pair[0][j]-pair[1][j]) > 1e-9*max(1, math.Abs(pair[1][j])) {
				t.Errorf("%s[%d] = %v, batch fit %v", name, j, pair[0][j], pair[1][j])
			}
		}
	}
	out, err := m.Transform(ctx, recs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	z, _, _ := table.DenseVectors(out.Column(out.Schema().FieldIndices("output")[0]))
	x, _, _ := table.DenseVectors(recs[0].Column(0))
	mean, std := s.Mean(), s.Std()
	for i, v := range z {
		if want := (x[i] - mean[i%4]) / std[i%4]; math.Abs(v-want) > 1e-9 {
			t.Fatalf("value %d = %v, want %v", i, v, want)
		}
	}
}

func TestSnapshotSparseAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	recs := data(t, mem, 1000, 100)
	defer release(recs)
	full, _ := New(nil)
	for _, r := range recs {
		full.Update(ctx, r)
	}
	want, _ := full.Snapshot()
	a, _ := New(nil)
	for _, r := range recs[:4] {
		a.Update(ctx, r)
	}
	snap, _ := a.Snapshot()
	b, _ := New(nil)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[4:] {
		b.Update(ctx, r)
	}
	if got, _ := b.Snapshot(); !bytes.Equal(got, want) {
		t.Error("restored run differs from the uninterrupted run")
	}
	sp, _ := table.Build(mem, table.SparseCol("input", []table.SparseVector{{Size: 3, Indices: []int32{1}, Values: []float64{4}}, {Size: 3}}))
	defer sp.Release()
	s, _ := New(nil)
	if err := s.Update(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if m, sd := s.Mean(), s.Std(); m[1] != 2 || sd[1] != 2 || m[0] != 0 || sd[2] != 0 {
		t.Errorf("sparse: mean %v std %v, want [0 2 0] [0 2 0]", m, sd)
	}
	if err := s.Update(ctx, recs[0]); err == nil || !strings.Contains(err.Error(), "size 4, want 3") {
		t.Errorf("size change: %v", err)
	}
	if err := s.UpdateDense([]float64{1, math.NaN(), 0}); err == nil {
		t.Error("NaN: want an error")
	}
	if err := s.Restore(snap[:9]); err == nil {
		t.Error("truncated snapshot: want an error")
	}
	if _, err := New(map[string]any{"with_mean": "yes"}); err == nil || !strings.Contains(err.Error(), Kind) {
		t.Errorf("bad with_mean: %v", err)
	}
}
