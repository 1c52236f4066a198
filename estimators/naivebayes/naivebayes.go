package naivebayes

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	GaussianKind         = "gaussian_nb"
	GaussianModelKind    = "gaussian_nb_model"
	MultinomialKind      = "multinomial_nb"
	MultinomialModelKind = "multinomial_nb_model"
	BernoulliKind        = "bernoulli_nb"
	BernoulliModelKind   = "bernoulli_nb_model"
)

// Params (besides the shared column params).
var (
	VarSmoothing = param.New("var_smoothing", "added to every variance, as a fraction of the largest feature variance", 1e-9, param.GtEq(0.0))
	Alpha        = param.New("alpha", "additive (Laplace/Lidstone) smoothing of the feature counts", 1.0, param.GtEq(0.0))
	FitPrior     = param.New("fit_prior", "learn class priors from the class frequencies; false: uniform priors", true)
	ClassPrior   = param.New("class_prior", "prior probability of each class in sorted label order; overrides fit_prior", []float64(nil), param.Each(param.GtEq(0.0)))
	Binarize     = param.New("binarize", "a feature is 1 when greater than this threshold, else 0", 0.0)
)

func modelKind(kind string) string { return kind + "_model" }

func kindParams(kind string) []param.Declarer {
	switch kind {
	case GaussianKind, GaussianModelKind:
		return []param.Declarer{VarSmoothing, ClassPrior}
	case MultinomialKind, MultinomialModelKind:
		return []param.Declarer{Alpha, FitPrior, ClassPrior}
	}
	return []param.Declarer{Alpha, FitPrior, ClassPrior, Binarize}
}

func init() {
	for _, k := range []struct{ kind, doc string }{
		{GaussianKind, "Gaussian naive Bayes, as scikit-learn's GaussianNB."},
		{MultinomialKind, "Multinomial naive Bayes for counts, as scikit-learn's MultinomialNB."},
		{BernoulliKind, "Bernoulli naive Bayes for binary features, as scikit-learn's BernoulliNB."},
	} {
		registry.MustRegister(registry.Spec{Kind: k.kind, Doc: k.doc,
			New: func(p map[string]any) (pipeline.Stage, error) { return newEstimator(k.kind, p) }})
		registry.MustRegister(registry.Spec{Kind: modelKind(k.kind), Doc: "Predicts the class, joint log likelihoods and probabilities of a fitted " + k.kind + ".",
			New: func(p map[string]any) (pipeline.Stage, error) { return newModel(modelKind(k.kind), p) }})
	}
}

// NaiveBayes is the gaussian_nb, multinomial_nb or bernoulli_nb estimator.
type NaiveBayes struct {
	param.HasFeaturesCol
	param.HasLabelCol
	param.HasWeightCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	kind   string
	params *param.Set
}

var _ pipeline.Estimator = (*NaiveBayes)(nil)

// NewGaussian builds a gaussian_nb from param values.
func NewGaussian(values map[string]any) (*NaiveBayes, error) {
	return newEstimator(GaussianKind, values)
}

// NewMultinomial builds a multinomial_nb from param values.
func NewMultinomial(values map[string]any) (*NaiveBayes, error) {
	return newEstimator(MultinomialKind, values)
}

// NewBernoulli builds a bernoulli_nb from param values.
func NewBernoulli(values map[string]any) (*NaiveBayes, error) {
	return newEstimator(BernoulliKind, values)
}

func newEstimator(kind string, values map[string]any) (*NaiveBayes, error) {
	s := &NaiveBayes{kind: kind}
	decls := []param.Declarer{&s.HasFeaturesCol, &s.HasLabelCol, &s.HasWeightCol, &s.HasPredictionCol,
		&s.HasRawPredictionCol, &s.HasProbabilityCol, &s.HasModelVersionCol}
	s.params = param.NewSet(kind, append(decls, kindParams(kind)...)...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *NaiveBayes) Kind() string       { return s.kind }
func (s *NaiveBayes) Params() *param.Set { return s.params }

// Fit reads r (borrowed) into memory and fits the model in one pass over
// the rows.
func (s *NaiveBayes) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, err := s.fit(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("stage %q: fit: %w", s.kind, err)
	}
	return m, nil
}

func (s *NaiveBayes) fit(ctx context.Context, r table.Reader) (*Model, error) {
	if err := design.CheckFeatures(r.Schema(), s.FeaturesCol()); err != nil {
		return nil, err
	}
	d, err := design.Read(r, s.FeaturesCol(), s.LabelCol(), s.WeightCol())
	if err != nil {
		return nil, err
	}
	labels := slices.Clone(d.Y)
	slices.Sort(labels)
	labels = slices.Compact(labels)
	k, dim := len(labels), d.D
	cls := make([]int, d.N)
	counts := make([]float64, k)
	for i, y := range d.Y {
		c, _ := slices.BinarySearch(labels, y)
		cls[i] = c
		counts[c] += weight(d.W, i)
	}
	var total float64
	for c, v := range counts {
		if v == 0 {
			return nil, fmt.Errorf("class %v has zero total weight", labels[c])
		}
		total += v
	}
	logPrior := make([]float64, k)
	if cp := ClassPrior.Get(s.params); cp != nil {
		if len(cp) != k {
			return nil, fmt.Errorf("param %q has %d priors for %d classes", ClassPrior.Name(), len(cp), k)
		}
		var sum float64
		for _, p := range cp {
			sum += p
		}
		if math.Abs(sum-1) > 1e-6 {
			return nil, fmt.Errorf("param %q sums to %v, want 1", ClassPrior.Name(), sum)
		}
		for c, p := range cp {
			logPrior[c] = math.Log(p)
		}
	} else if s.kind != GaussianKind && !FitPrior.Get(s.params) {
		for c := range logPrior {
			logPrior[c] = -math.Log(float64(k))
		}
	} else {
		for c, v := range counts {
			logPrior[c] = math.Log(v) - math.Log(total)
		}
	}
	st := state{kind: modelKind(s.kind), labels: labels, logPrior: logPrior, dim: dim}
	switch s.kind {
	case GaussianKind:
		st.theta, st.vars = gaussian(d.X, d.W, cls, counts, dim, VarSmoothing.Get(s.params))
	default:
		bern := s.kind == BernoulliKind
		thr := 0.0
		if bern {
			thr = Binarize.Get(s.params)
		}
		fc := make([]float64, k*dim)
		for i, c := range cls {
			xi := d.X[i*dim : (i+1)*dim]
			row := fc[c*dim : (c+1)*dim]
			w := weight(d.W, i)
			for j, v := range xi {
				if bern {
					if v > thr {
						row[j] += w
					}
					continue
				}
				if v < 0 {
					return nil, fmt.Errorf("column %q row %d: feature %d is %v, multinomial naive Bayes needs values >= 0", s.FeaturesCol(), i, j, v)
				}
				row[j] += w * v
			}
		}
		alpha := Alpha.Get(s.params)
		if alpha < 1e-10 { // scikit-learn clips alpha to 1e-10 (force_alpha=False)
			alpha = 1e-10
		}
		st.theta = make([]float64, k*dim)
		for c := range k {
			row := fc[c*dim : (c+1)*dim]
			denom := counts[c] + 2*alpha
			if !bern {
				denom = 0
				for _, v := range row {
					denom += v + alpha
				}
			}
			ld := math.Log(denom)
			for j, v := range row {
				st.theta[c*dim+j] = math.Log(v+alpha) - ld
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := newModel(modelKind(s.kind), nil)
	if err != nil {
		return nil, err
	}
	if err := m.params.CopyFrom(s.params); err != nil {
		return nil, err
	}
	rec, err := st.record(pipeline.Allocator(ctx))
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	if err := m.SetModelData(rec); err != nil {
		return nil, err
	}
	return m, nil
}

// gaussian returns the per-class weighted means and variances (plus
// varSmoothing times the largest feature variance), two-pass.
func gaussian(x, w []float64, cls []int, counts []float64, dim int, varSmoothing float64) (theta, vars []float64) {
	k := len(counts)
	theta = make([]float64, k*dim)
	vars = make([]float64, k*dim)
	mean := make([]float64, dim)
	var total float64
	for i, c := range cls {
		wi := weight(w, i)
		total += wi
		for j, v := range x[i*dim : (i+1)*dim] {
			theta[c*dim+j] += wi * v
			mean[j] += wi * v
		}
	}
	for j := range mean {
		mean[j] /= total
	}
	for c := range k {
		for j := range dim {
			theta[c*dim+j] /= counts[c]
		}
	}
	all := make([]float64, dim)
	for i, c := range cls {
		wi := weight(w, i)
		for j, v := range x[i*dim : (i+1)*dim] {
			dv := v - theta[c*dim+j]
			vars[c*dim+j] += wi * dv * dv
			da := v - mean[j]
			all[j] += wi * da * da
		}
	}
	// scikit-learn: epsilon = var_smoothing * max(np.var(X, axis=0)), unweighted.
	if w != nil {
		clear(all)
		clear(mean)
		for i := range cls {
			for j, v := range x[i*dim : (i+1)*dim] {
				mean[j] += v
			}
		}
		n := float64(len(cls))
		for j := range mean {
			mean[j] /= n
		}
		for i := range cls {
			for j, v := range x[i*dim : (i+1)*dim] {
				all[j] += (v - mean[j]) * (v - mean[j])
			}
		}
		total = n
	}
	eps := 0.0
	for _, v := range all {
		eps = math.Max(eps, v/total)
	}
	eps *= varSmoothing
	for c := range k {
		for j := range dim {
			vars[c*dim+j] = vars[c*dim+j]/counts[c] + eps
		}
	}
	return theta, vars
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
