package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/online/ftrl"
	"github.com/eddyml/eddy/online/sgd"
	"github.com/eddyml/eddy/pipeline/table"
)

// sparseSet is a prepared data set: rows of sorted sparse features and a
// 0/1 label, as written by scripts/accuracy_online.py prep ("EDDYSPR1",
// u32 rows, u32 dim, then per row: u8 label, u32 nnz, nnz x u32 indices,
// nnz x f64 values; little endian).
type sparseSet struct {
	name string
	dim  int
	y    []float64
	idx  [][]int32
	vals [][]float64
}

func readSet(path string) (*sparseSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	hdr := make([]byte, 16)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != "EDDYSPR1" {
		return nil, fmt.Errorf("%s: not an EDDYSPR1 file", path)
	}
	rows := int(binary.LittleEndian.Uint32(hdr[8:]))
	s := &sparseSet{name: path, dim: int(binary.LittleEndian.Uint32(hdr[12:]))}
	var b [8]byte
	for range rows {
		if _, err := io.ReadFull(r, b[:5]); err != nil {
			return nil, err
		}
		s.y = append(s.y, float64(b[0]))
		nnz := int(binary.LittleEndian.Uint32(b[1:5]))
		idx := make([]int32, nnz)
		vals := make([]float64, nnz)
		for k := range idx {
			if _, err := io.ReadFull(r, b[:4]); err != nil {
				return nil, err
			}
			idx[k] = int32(binary.LittleEndian.Uint32(b[:4]))
		}
		for k := range vals {
			if _, err := io.ReadFull(r, b[:8]); err != nil {
				return nil, err
			}
			vals[k] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		}
		s.idx = append(s.idx, idx)
		s.vals = append(s.vals, vals)
	}
	return s, nil
}

func (s *sparseSet) records(mem memory.Allocator, batch int) ([]arrow.Record, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "features", Type: table.SparseVectorType()},
		{Name: "label", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	var out []arrow.Record
	for r0 := 0; r0 < len(s.y); r0 += batch {
		r1 := min(len(s.y), r0+batch)
		sb := table.NewSparseVectorBuilder(mem)
		for r := r0; r < r1; r++ {
			if err := sb.Append(s.dim, s.idx[r], s.vals[r]); err != nil {
				sb.Release()
				return nil, fmt.Errorf("row %d: %w", r, err)
			}
		}
		fa := sb.NewArray()
		sb.Release()
		lb := array.NewFloat64Builder(mem)
		lb.AppendValues(s.y[r0:r1], nil)
		la := lb.NewArray()
		lb.Release()
		out = append(out, array.NewRecord(schema, []arrow.Array{fa, la}, int64(r1-r0)))
		fa.Release()
		la.Release()
	}
	return out, nil
}

type prequentialLearner interface {
	UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error)
}

// learners are the Eddy configurations compared, the same on every data
// set (no per-data-set tuning).
var learners = []struct {
	name   string
	params map[string]any
	make   func(map[string]any) (prequentialLearner, error)
}{
	{"eddy ftrl (alpha 0.2, beta 1, l1 1, l2 1)", map[string]any{},
		func(p map[string]any) (prequentialLearner, error) { return ftrl.New(p) }},
	{"eddy ftrl (alpha 0.2, l1 0, l2 0)", map[string]any{"l1": 0.0, "l2": 0.0},
		func(p map[string]any) (prequentialLearner, error) { return ftrl.New(p) }},
	{"eddy sgd logistic adagrad (lr 0.5)", map[string]any{},
		func(p map[string]any) (prequentialLearner, error) { return sgd.NewLogistic(p) }},
	{"eddy sgd logistic adam (lr 0.02)", map[string]any{"optimizer": sgd.Adam, "learning_rate": 0.02},
		func(p map[string]any) (prequentialLearner, error) { return sgd.NewLogistic(p) }},
	{"eddy sgd logistic constant rate (sgd, lr 0.5, power_t 0)", map[string]any{"optimizer": sgd.SGD, "learning_rate": 0.5, "power_t": 0.0},
		func(p map[string]any) (prequentialLearner, error) { return sgd.NewLogistic(p) }},
	{"eddy sgd logistic plain sgd (lr 0.2, power_t 0.25)", map[string]any{"optimizer": sgd.SGD, "learning_rate": 0.2},
		func(p map[string]any) (prequentialLearner, error) { return sgd.NewLogistic(p) }},
}

func accuracy(path, only, params string) error {
	if only != "" {
		var p map[string]any
		if err := json.Unmarshal([]byte(params), &p); err != nil {
			return fmt.Errorf("-params: %w", err)
		}
		for k, v := range p {
			if f, ok := v.(float64); ok && f == math.Trunc(f) && (k == "mini_batch_size" || k == "num_features") {
				p[k] = int(f)
			}
		}
		mk := learners[0].make
		if only == "logistic" {
			mk = learners[2].make
		}
		learners = append(learners[:0:0], struct {
			name   string
			params map[string]any
			make   func(map[string]any) (prequentialLearner, error)
		}{only + " " + params, p, mk})
	}
	s, err := readSet(path)
	if err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	recs, err := s.records(mem, 256)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	ctx := context.Background()
	for _, l := range learners {
		p := map[string]any{"num_features": s.dim}
		for k, v := range l.params {
			p[k] = v
		}
		lr, err := l.make(p)
		if err != nil {
			return err
		}
		pred := make([]float64, 0, len(s.y))
		var dst []float64
		t := time.Now()
		for _, r := range recs {
			if dst, err = lr.UpdatePredict(ctx, r, dst); err != nil {
				return err
			}
			pred = append(pred, dst...)
		}
		el := time.Since(t).Seconds()
		var acc eval.BinaryAccumulator
		if err := acc.Add(s.y, pred, nil); err != nil {
			return err
		}
		m := acc.Metrics()
		ll, err := logloss(s.y, pred)
		if err != nil {
			return err
		}
		emit(map[string]any{"bench": "eddy_prequential", "data": path, "learner": l.name, "rows": len(s.y), "dim": s.dim,
			"mode":    "test-then-train, per row (UpdatePredict on 256-row batches)",
			"logloss": ll, "accuracy": m.Accuracy, "auc": m.AUC, "seconds": el})
	}
	return nil
}
