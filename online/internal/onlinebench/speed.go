package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/online/ftrl"
	"github.com/eddyml/eddy/online/internal/ctrdata"
)

func writeCTR(path string, rows int) error {
	t := time.Now()
	d := ctrdata.Generate(ctrdata.Seed, rows)
	sum := ctrdata.SHA256(d)
	if rows == ctrdata.Rows && sum != ctrdata.ManifestSHA256 {
		return fmt.Errorf("generated CTR stream has sha256 %s, the peers' manifest %s", sum, ctrdata.ManifestSHA256)
	}
	if err := ctrdata.WriteFile(path, d); err != nil {
		return err
	}
	emit(map[string]any{"bench": "ctrdata", "rows": rows, "path": path, "seconds": time.Since(t).Seconds(), "sha256": sum,
		"matches_peers_manifest": sum == ctrdata.ManifestSHA256})
	return nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func speed(path string, reps, batch int) error {
	t0 := time.Now()
	d, err := ctrdata.ReadFile(path)
	if err != nil {
		return err
	}
	recs, err := ctrdata.Records(memory.NewGoAllocator(), d, batch)
	if err != nil {
		return err
	}
	emit(map[string]any{"bench": "eddy_ftrl_load", "rows": d.Rows, "batch": batch, "seconds": time.Since(t0).Seconds()})
	ctx := context.Background()
	y := make([]float64, d.Rows)
	for i, v := range d.Y {
		y[i] = float64(v)
	}
	pred := make([]float64, d.Rows)
	var rates []float64
	var last *ftrl.FTRL
	for range reps {
		f, err := ftrl.New(map[string]any{"alpha": 0.2, "beta": 1.0, "l1": 1.0, "l2": 1.0, "num_features": 1 << d.HashBits})
		if err != nil {
			return err
		}
		runtime.GC()
		t := time.Now()
		off := 0
		var dst []float64
		for _, r := range recs {
			if dst, err = f.UpdatePredict(ctx, r, dst); err != nil {
				return err
			}
			copy(pred[off:], dst)
			off += len(dst)
		}
		rates = append(rates, float64(d.Rows)/time.Since(t).Seconds())
		last = f
	}
	for _, r := range recs {
		r.Release()
	}
	var acc eval.BinaryAccumulator
	if err := acc.Add(y, pred, nil); err != nil {
		return err
	}
	ll, err := logloss(y, pred)
	if err != nil {
		return err
	}
	emit(map[string]any{
		"bench": "eddy_ftrl_train", "mode": "test-then-train (UpdatePredict), sparse Arrow batches, 1 goroutine",
		"rows": d.Rows, "batch": batch, "hash_bits": d.HashBits, "alpha": 0.2, "beta": 1, "l1": 1, "l2": 1, "reps": reps,
		"samples_per_s_median": median(rates), "samples_per_s_all": rates, "ns_per_sample_median": 1e9 / median(rates),
		"progressive_logloss": ll, "progressive_auc": acc.AUC(), "rows_learned": last.Rows(),
	})
	return nil
}

func logloss(y, p []float64) (float64, error) {
	c := make([]float64, len(p))
	for i, v := range p {
		c[i] = math.Min(math.Max(v, 1e-15), 1-1e-15)
	}
	return eval.BinaryLogLoss(y, c, nil)
}
