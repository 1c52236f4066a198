package trees

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Params shared by decision trees and random forests.
var (
	ClassCriterion = param.New("criterion", "split quality: gini (Gini impurity) or entropy (information gain)", Gini,
		param.OneOf(Gini, Entropy))
	RegCriterion = param.New("criterion", "split quality: squared_error (variance reduction)", SquaredError,
		param.OneOf(SquaredError))
	MaxDepth            = param.New("max_depth", "maximum depth of a tree; 0 is unlimited", 0, param.GtEq(0))
	MinSamplesSplit     = param.New("min_samples_split", "a node with fewer rows is not split", 2, param.GtEq(2))
	MinSamplesLeaf      = param.New("min_samples_leaf", "each child of a split keeps at least this many rows", 1, param.GtEq(1))
	MinImpurityDecrease = param.New("min_impurity_decrease",
		"a split must decrease the impurity, weighted by the node's share of the total weight, by at least this much", 0.0,
		param.GtEq(0.0))
)

// MaxFeaturesParam builds the max_features param with default def.
func MaxFeaturesParam(def string) *param.Param[string] {
	return param.New("max_features",
		`features tried per split: "all", "sqrt", "log2", a fraction in (0, 1] ("0.5") or a count ("3")`, def,
		param.Func("all, sqrt, log2, a fraction in (0, 1] or a positive count", func(v string) error {
			_, err := ResolveMaxFeatures(v, 1)
			return err
		}))
}

// ResolveMaxFeatures turns a max_features value into a count in [1, d], as
// scikit-learn: sqrt and log2 round down, a fraction f gives int(f*d), at
// least 1; a count above d means d.
func ResolveMaxFeatures(v string, d int) (int, error) {
	switch v {
	case "all", "":
		return d, nil
	case "sqrt":
		return max(1, int(math.Sqrt(float64(d)))), nil
	case "log2":
		return max(1, int(math.Log2(float64(d)))), nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 1 {
			return 0, fmt.Errorf("max_features %q: want a count >= 1", v)
		}
		return min(n, d), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("max_features %q: want all, sqrt, log2, a fraction in (0, 1] or a count", v)
	}
	return min(d, max(1, int(f*float64(d)))), nil
}

// Training is a training set read from a table.
type Training struct {
	Data
	X      []float64 // row-major
	W      []float64 // nil: all 1
	Labels []float64 // sorted class labels (classification)
}

// Read reads features, label and optional weights from r (borrowed). For
// classification it maps labels to class indices and needs two classes.
func Read(r table.Reader, featuresCol, labelCol, weightCol string, classify bool) (*Training, error) {
	if err := design.CheckFeatures(r.Schema(), featuresCol); err != nil {
		return nil, err
	}
	dd, err := design.Read(r, featuresCol, labelCol, weightCol)
	if err != nil {
		return nil, err
	}
	t := &Training{X: dd.X, W: dd.W}
	t.N, t.D = dd.N, dd.D
	if t.D == 0 {
		return nil, fmt.Errorf("column %q: vectors of size 0", featuresCol)
	}
	if !classify {
		t.Y = dd.Y
		return t, nil
	}
	labels := slices.Clone(dd.Y)
	slices.Sort(labels)
	labels = slices.Compact(labels)
	if len(labels) < 2 {
		return nil, fmt.Errorf("label column %q has only one class (%v): need at least two", labelCol, labels[0])
	}
	t.Labels, t.K = labels, len(labels)
	t.Class = make([]int32, t.N)
	for i, y := range dd.Y {
		c, _ := slices.BinarySearch(labels, y)
		t.Class[i] = int32(c)
	}
	return t, nil
}
