// Package trees holds what Eddy's tree estimators share: the tree format
// (struct of arrays, one entry per node), its Arrow model data codec, the
// exact CART builder of decision trees and random forests, scoring, mean
// decrease in impurity importances, and the classifier and regressor model
// types that the public packages decisiontree, randomforest and gbt embed.
package trees

import (
	"errors"
	"fmt"
	"math"
)

// Tree is one binary tree. Node 0 is the root. Internal nodes send a row
// left when x[Feature] <= Threshold; a leaf has Feature -1 and Left =
// Right = -1. Value holds Width values per node: class weights (summing
// to the node's weight) for classification trees, the mean target for
// regression trees, the (shrunk) leaf value for boosted trees. Gain is
// the weighted impurity decrease of a split (0 at leaves), Weight the
// node's weighted sample count (the hessian sum for boosted trees).
type Tree struct {
	Feature   []int32
	Threshold []float64
	Left      []int32
	Right     []int32
	Gain      []float64
	Weight    []float64
	Value     []float64
	Width     int
}

// Len is the number of nodes.
func (t *Tree) Len() int { return len(t.Feature) }

// add appends a node and returns its index.
func (t *Tree) add(weight float64, value []float64) int32 {
	t.Feature = append(t.Feature, -1)
	t.Threshold = append(t.Threshold, 0)
	t.Left = append(t.Left, -1)
	t.Right = append(t.Right, -1)
	t.Gain = append(t.Gain, 0)
	t.Weight = append(t.Weight, weight)
	t.Value = append(t.Value, value...)
	return int32(len(t.Feature) - 1)
}

// AddLeaf appends a leaf and returns its index.
func (t *Tree) AddLeaf(weight float64, value ...float64) int32 { return t.add(weight, value) }

// Split makes node an internal node.
func (t *Tree) Split(node, feature int32, threshold float64, left, right int32, gain float64) {
	t.Feature[node], t.Threshold[node], t.Left[node], t.Right[node], t.Gain[node] = feature, threshold, left, right, gain
}

// Leaf returns the leaf that row x falls in.
func (t *Tree) Leaf(x []float64) int32 {
	n := int32(0)
	for {
		f := t.Feature[n]
		if f < 0 {
			return n
		}
		if x[f] <= t.Threshold[n] {
			n = t.Left[n]
		} else {
			n = t.Right[n]
		}
	}
}

// LeafValue returns the values of the leaf that row x falls in.
func (t *Tree) LeafValue(x []float64) []float64 {
	l := int(t.Leaf(x))
	return t.Value[l*t.Width : (l+1)*t.Width]
}

// Depth is the length of the longest root-to-leaf path.
func (t *Tree) Depth() int {
	var depth func(n int32) int
	depth = func(n int32) int {
		if t.Feature[n] < 0 {
			return 0
		}
		return 1 + max(depth(t.Left[n]), depth(t.Right[n]))
	}
	if t.Len() == 0 {
		return 0
	}
	return depth(0)
}

// NumLeaves counts the leaves.
func (t *Tree) NumLeaves() int {
	c := 0
	for _, f := range t.Feature {
		if f < 0 {
			c++
		}
	}
	return c
}

// check validates a decoded tree: children in range and after their
// parent (so traversal ends), features in [0, dim), finite thresholds.
func (t *Tree) check(dim int) error {
	n := int32(t.Len())
	if n == 0 {
		return errors.New("tree without nodes")
	}
	for i := range n {
		f := t.Feature[i]
		if f < 0 {
			if t.Left[i] != -1 || t.Right[i] != -1 {
				return fmt.Errorf("node %d: leaf with children", i)
			}
			continue
		}
		if int(f) >= dim {
			return fmt.Errorf("node %d: feature %d, model has %d", i, f, dim)
		}
		if l, r := t.Left[i], t.Right[i]; l <= i || r <= i || l >= n || r >= n {
			return fmt.Errorf("node %d: children %d and %d out of order or range", i, l, r)
		}
		if math.IsNaN(t.Threshold[i]) {
			return fmt.Errorf("node %d: threshold is NaN", i)
		}
	}
	return nil
}

// Importances returns the mean decrease in impurity of each of dim
// features over trees: each tree's gains summed per feature and
// normalised to 1, averaged over trees, normalised again (as
// scikit-learn's feature_importances_). All zeros when no tree splits.
func Importances(ts []Tree, dim int) []float64 {
	out := make([]float64, dim)
	per := make([]float64, dim)
	for i := range ts {
		clear(per)
		var sum float64
		for n, f := range ts[i].Feature {
			if f >= 0 {
				per[f] += ts[i].Gain[n]
				sum += ts[i].Gain[n]
			}
		}
		if sum > 0 {
			for j := range per {
				out[j] += per[j] / sum
			}
		}
	}
	var sum float64
	for _, v := range out {
		sum += v
	}
	if sum > 0 {
		for j := range out {
			out[j] /= sum
		}
	}
	return out
}
