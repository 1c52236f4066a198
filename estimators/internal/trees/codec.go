package trees

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// Ensemble is a fitted model: its trees and how they combine.
//
// Without Baseline (decision trees, forests) the model averages its
// trees: class probabilities (each tree's leaf class weights normalised)
// or regression values. With Baseline (boosting) the raw score of output
// k is Baseline[k] plus the leaf value of every tree t with t % len(Baseline)
// == k; a classifier has one output (binary, sigmoid) or one per class
// (softmax).
type Ensemble struct {
	Trees    []Tree
	Labels   []float64 // sorted class labels; nil for regression
	Baseline []float64 // boosting only
	Dim      int       // number of features
}

// Boosted reports whether the trees are summed onto a baseline.
func (e *Ensemble) Boosted() bool { return e.Baseline != nil }

// Records encodes e as model data: "meta" (one row: int32 num_features),
// "nodes" (one row per node: int32 tree, node, feature, left, right,
// float64 threshold, gain, weight, dense vector value), then "labels"
// (float64 label) for a classifier and "baseline" (float64 baseline) for a
// boosted model. The caller owns one Release of each record.
func (e *Ensemble) Records(mem memory.Allocator) (recs []arrow.Record, err error) {
	defer func() {
		if err != nil {
			for _, r := range recs {
				r.Release()
			}
			recs = nil
		}
	}()
	if len(e.Trees) == 0 {
		return nil, errors.New("no trees")
	}
	meta, err := table.Build(mem, table.Col("num_features", []int32{int32(e.Dim)}))
	if err != nil {
		return nil, err
	}
	recs = append(recs, meta)
	width := e.Trees[0].Width
	total := 0
	for ti := range e.Trees {
		total += e.Trees[ti].Len()
	}
	tree, node, feat := make([]int32, 0, total), make([]int32, 0, total), make([]int32, 0, total)
	left, right := make([]int32, 0, total), make([]int32, 0, total)
	thr, gain, weight := make([]float64, 0, total), make([]float64, 0, total), make([]float64, 0, total)
	vals := make([][]float64, 0, total)
	for ti := range e.Trees {
		t := &e.Trees[ti]
		if t.Width != width {
			return recs, fmt.Errorf("tree %d has value width %d, tree 0 %d", ti, t.Width, width)
		}
		for n := range t.Len() {
			tree = append(tree, int32(ti))
			node = append(node, int32(n))
			vals = append(vals, t.Value[n*width:(n+1)*width])
		}
		feat = append(feat, t.Feature...)
		left = append(left, t.Left...)
		right = append(right, t.Right...)
		thr = append(thr, t.Threshold...)
		gain = append(gain, t.Gain...)
		weight = append(weight, t.Weight...)
	}
	nodes, err := table.Build(mem, table.Col("tree", tree), table.Col("node", node), table.Col("feature", feat),
		table.Col("threshold", thr), table.Col("left", left), table.Col("right", right), table.Col("gain", gain),
		table.Col("weight", weight), table.DenseCol("value", width, vals))
	if err != nil {
		return recs, err
	}
	recs = append(recs, nodes)
	if e.Labels != nil {
		l, err := table.Build(mem, table.Col("label", e.Labels))
		if err != nil {
			return recs, err
		}
		recs = append(recs, l)
	}
	if e.Baseline != nil {
		b, err := table.Build(mem, table.Col("baseline", e.Baseline))
		if err != nil {
			return recs, err
		}
		recs = append(recs, b)
	}
	return recs, nil
}

func column[T any](rec arrow.Record, name string, get func(arrow.Array) ([]T, error)) ([]T, error) {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		return nil, err
	}
	v, err := get(rec.Column(i))
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", name, err)
	}
	return v, nil
}

// Decode reads model data written by Records, for a classifier or not,
// boosted or not, and checks it.
func Decode(data []arrow.Record, classifier, boosted bool) (*Ensemble, error) {
	want := 2
	if classifier {
		want++
	}
	if boosted {
		want++
	}
	if len(data) != want {
		return nil, fmt.Errorf("want %d model data records, got %d", want, len(data))
	}
	dims, err := column(data[0], "num_features", table.Int32s)
	if err != nil {
		return nil, err
	}
	if len(dims) != 1 || dims[0] < 0 {
		return nil, fmt.Errorf("meta record: want one num_features >= 0, got %v", dims)
	}
	e := &Ensemble{Dim: int(dims[0])}
	nodes := data[1]
	ints := map[string][]int32{}
	for _, name := range []string{"tree", "node", "feature", "left", "right"} {
		if ints[name], err = column(nodes, name, table.Int32s); err != nil {
			return nil, err
		}
	}
	floats := map[string][]float64{}
	for _, name := range []string{"threshold", "gain", "weight"} {
		if floats[name], err = column(nodes, name, table.Float64s); err != nil {
			return nil, err
		}
	}
	vi, err := table.FieldIndex(nodes.Schema(), "value")
	if err != nil {
		return nil, err
	}
	vals, width, err := table.DenseVectors(nodes.Column(vi))
	if err != nil {
		return nil, fmt.Errorf("column \"value\": %w", err)
	}
	if width < 1 {
		return nil, fmt.Errorf("column \"value\": vectors of size %d", width)
	}
	tree, node := ints["tree"], ints["node"]
	for start := 0; start < len(tree); {
		end := start
		for end < len(tree) && tree[end] == tree[start] {
			if node[end] != int32(end-start) {
				return nil, fmt.Errorf("row %d: tree %d node %d, want node %d", end, tree[end], node[end], end-start)
			}
			end++
		}
		if tree[start] != int32(len(e.Trees)) {
			return nil, fmt.Errorf("row %d: tree %d, want %d", start, tree[start], len(e.Trees))
		}
		t := Tree{Width: width,
			Feature: ints["feature"][start:end], Left: ints["left"][start:end], Right: ints["right"][start:end],
			Threshold: floats["threshold"][start:end], Gain: floats["gain"][start:end], Weight: floats["weight"][start:end],
			Value: vals[start*width : end*width]}
		if err := t.check(e.Dim); err != nil {
			return nil, fmt.Errorf("tree %d: %w", len(e.Trees), err)
		}
		e.Trees = append(e.Trees, t)
		start = end
	}
	if len(e.Trees) == 0 {
		return nil, errors.New("no trees")
	}
	next := 2
	if classifier {
		if e.Labels, err = column(data[next], "label", table.Float64s); err != nil {
			return nil, err
		}
		next++
		if len(e.Labels) < 2 || !slices.IsSorted(e.Labels) || len(slices.Compact(slices.Clone(e.Labels))) != len(e.Labels) {
			return nil, fmt.Errorf("labels %v: want at least 2, sorted and distinct", e.Labels)
		}
	}
	if boosted {
		if e.Baseline, err = column(data[next], "baseline", table.Float64s); err != nil {
			return nil, err
		}
		nout := len(e.Baseline)
		switch {
		case classifier && len(e.Labels) == 2 && nout != 1, classifier && len(e.Labels) > 2 && nout != len(e.Labels),
			!classifier && nout != 1:
			return nil, fmt.Errorf("%d baselines for %d labels", nout, len(e.Labels))
		case len(e.Trees)%nout != 0:
			return nil, fmt.Errorf("%d trees for %d outputs", len(e.Trees), nout)
		case width != 1:
			return nil, fmt.Errorf("boosted trees with value size %d, want 1", width)
		}
	} else if classifier && width != len(e.Labels) {
		return nil, fmt.Errorf("value size %d for %d labels", width, len(e.Labels))
	} else if !classifier && width != 1 {
		return nil, fmt.Errorf("regression trees with value size %d, want 1", width)
	}
	for _, v := range vals {
		if math.IsNaN(v) {
			return nil, errors.New("column \"value\" holds NaN")
		}
	}
	return e, nil
}
