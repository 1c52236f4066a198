package isotonicregression

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind      = "isotonic_regression"
	ModelKind = "isotonic_regression_model"
)

// Values of Increasing and OutOfBounds.
const (
	IncreasingTrue  = "true"
	IncreasingFalse = "false"
	IncreasingAuto  = "auto"

	OutNaN   = "nan"
	OutClip  = "clip"
	OutRaise = "raise"
)

// Params (besides features_col, label_col, weight_col, prediction_col and
// model_version_col).
var (
	FeatureIndex = param.New("feature_index", "index of the feature used when features_col is a vector column", 0, param.GtEq(0))
	Increasing   = param.New("increasing", "fit an increasing (true) or decreasing (false) function, or choose by the sign of Spearman's correlation (auto)",
		IncreasingTrue, param.OneOf(IncreasingTrue, IncreasingFalse, IncreasingAuto))
	YMin        = param.New("y_min", "lower bound of the fitted values (default: none)", -math.MaxFloat64, param.Func("a number", finite))
	YMax        = param.New("y_max", "upper bound of the fitted values (default: none)", math.MaxFloat64, param.Func("a number", finite))
	OutOfBounds = param.New("out_of_bounds", "prediction for a feature outside the training range: nan, clip (the end value) or raise (an error)",
		OutNaN, param.OneOf(OutNaN, OutClip, OutRaise))
)

func finite(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("want a finite number")
	}
	return nil
}

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Isotonic regression by pool adjacent violators, as scikit-learn's IsotonicRegression.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Predicts by linear interpolation of an isotonic regression fit.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// boolToString lets increasing be given as a bool (YAML/JSON true/false).
func boolToString(values map[string]any) map[string]any {
	v, ok := values[Increasing.Name()].(bool)
	if !ok {
		return values
	}
	out := make(map[string]any, len(values))
	for k, x := range values {
		out[k] = x
	}
	out[Increasing.Name()] = fmt.Sprint(v)
	return out
}

// Report is what a fit reports.
type Report struct {
	Increasing bool // the direction fitted (the one chosen with auto)
	Boundaries int  // number of model boundaries
	Points     int  // distinct feature values with positive weight
}

// IsotonicRegression is the isotonic_regression estimator.
type IsotonicRegression struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasModelVersionCol
	params *param.Set
}

var _ pipeline.Estimator = (*IsotonicRegression)(nil)

// New builds an isotonic_regression estimator from param values.
func New(values map[string]any) (*IsotonicRegression, error) {
	s := &IsotonicRegression{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol, &s.HasModelVersionCol,
		FeatureIndex, Increasing, YMin, YMax, OutOfBounds)
	if err := s.params.SetMap(boolToString(values)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *IsotonicRegression) Kind() string       { return Kind }
func (s *IsotonicRegression) Params() *param.Set { return s.params }

// SetIncreasing sets increasing (true, false or auto).
func (s *IsotonicRegression) SetIncreasing(v string) error { return Increasing.Set(s.params, v) }

// SetBounds sets y_min and y_max.
func (s *IsotonicRegression) SetBounds(lo, hi float64) error {
	if err := YMin.Set(s.params, lo); err != nil {
		return err
	}
	return YMax.Set(s.params, hi)
}

// SetOutOfBounds sets out_of_bounds (nan, clip or raise).
func (s *IsotonicRegression) SetOutOfBounds(v string) error { return OutOfBounds.Set(s.params, v) }

// Fit reads r (borrowed) into memory and fits the isotonic function.
func (s *IsotonicRegression) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

// FitReport is Fit that also reports the direction and sizes.
func (s *IsotonicRegression) FitReport(ctx context.Context, r table.Reader) (*Model, Report, error) {
	fail := func(err error) (*Model, Report, error) {
		return nil, Report{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	lo, hi := YMin.Get(s.params), YMax.Get(s.params)
	if lo > hi {
		return fail(fmt.Errorf("param %q (%v) is greater than param %q (%v)", YMin.Name(), lo, YMax.Name(), hi))
	}
	x, y, w, err := readData(r, s.FeaturesCol(), FeatureIndex.Get(s.params), s.LabelCol(), s.WeightCol())
	if err != nil {
		return fail(err)
	}
	inc := true
	switch Increasing.Get(s.params) {
	case IncreasingFalse:
		inc = false
	case IncreasingAuto:
		inc = spearman(x, y) >= 0
	}
	bx, by, points, err := fitPoints(x, y, w, inc, lo, hi)
	if err != nil {
		return fail(err)
	}
	model, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := model.params.CopyFrom(s.params); err != nil {
		return fail(err)
	}
	rec, err := ModelDataRecord(pipeline.Allocator(ctx), bx, by)
	if err != nil {
		return fail(err)
	}
	defer rec.Release()
	if err := model.SetModelData(rec); err != nil {
		return fail(err)
	}
	return model, Report{Increasing: inc, Boundaries: len(bx), Points: points}, nil
}

// fitPoints is scikit-learn's IsotonicRegression._build_y: it returns
// the trimmed boundaries and values and the number of distinct points.
func fitPoints(x, y, w []float64, increasing bool, lo, hi float64) (bx, by []float64, points int, err error) {
	type point struct{ x, y, w float64 }
	pts := make([]point, 0, len(x))
	for i := range x {
		if w == nil {
			pts = append(pts, point{x[i], y[i], 1})
		} else if w[i] > 0 {
			pts = append(pts, point{x[i], y[i], w[i]})
		}
	}
	if len(pts) == 0 {
		return nil, nil, 0, errors.New("no rows with a positive weight")
	}
	// np.lexsort((y, X)) is a stable sort by x then y.
	slices.SortStableFunc(pts, func(a, b point) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		return cmp.Compare(a.y, b.y)
	})
	// _make_unique: merge runs of x closer than float64's resolution.
	const eps = 1e-15
	var ux, uy, uw []float64
	cx, cy, cw := pts[0].x, 0.0, 0.0
	for _, p := range pts {
		if p.x-cx >= eps {
			ux, uy, uw = append(ux, cx), append(uy, cy/cw), append(uw, cw)
			cx, cw, cy = p.x, p.w, p.y*p.w
		} else {
			cw += p.w
			cy += p.y * p.w
		}
	}
	ux, uy, uw = append(ux, cx), append(uy, cy/cw), append(uw, cw)
	if !increasing {
		slices.Reverse(uy)
		slices.Reverse(uw)
	}
	pava(uy, uw)
	if !increasing {
		slices.Reverse(uy)
	}
	for i, v := range uy {
		uy[i] = min(max(v, lo), hi)
	}
	n := len(ux)
	for i := range n {
		if i == 0 || i == n-1 || uy[i] != uy[i-1] || uy[i] != uy[i+1] {
			bx, by = append(bx, ux[i]), append(by, uy[i])
		}
	}
	return bx, by, n, nil
}

// pava is scikit-learn's _inplace_contiguous_isotonic_regression: it
// replaces y by its weighted least squares non-decreasing fit (w is
// overwritten).
func pava(y, w []float64) {
	n := len(y)
	target := make([]int, n)
	for i := range target {
		target[i] = i
	}
	// If [i..j] is a block, target[i] = j and target[j] = i; y[i] and w[i]
	// are the block's weighted mean and weight.
	i := 0
	for i < n {
		k := target[i] + 1
		if k == n {
			break
		}
		if y[i] < y[k] {
			i = k
			continue
		}
		sumWY, sumW := w[i]*y[i], w[i]
		for {
			prev := y[k]
			sumWY += w[k] * y[k]
			sumW += w[k]
			k = target[k] + 1
			if k == n || prev < y[k] {
				y[i] = sumWY / sumW
				w[i] = sumW
				target[i] = k - 1
				target[k-1] = i
				if i > 0 {
					i = target[i-1]
				}
				break
			}
		}
	}
	for i := 0; i < n; {
		k := target[i] + 1
		for j := i + 1; j < k; j++ {
			y[j] = y[i]
		}
		i = k
	}
}

// spearman is Spearman's rank correlation (average ranks for ties).
func spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	n := float64(len(x))
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
