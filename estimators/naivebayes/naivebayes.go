package naivebayes

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

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
	WarmStart    = param.New("warm_start", "add the rows' counts and moments to those of the previous Fit or of SetInitialModel (scikit-learn's partial_fit)", false)
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

	// warm holds the statistics the next Fit adds to when warm_start is
	// set: the last fitted model's or SetInitialModel's.
	mu   sync.Mutex
	warm *warmStart
}

// warmStart is a fitted model's statistics, with its model kind and
// Bernoulli threshold when they are known (a model's params tell them,
// model data alone does not: see SetInitialModelData).
type warmStart struct {
	st       state
	kind     string   // model kind; "" for multinomial or Bernoulli data
	binarize *float64 // Bernoulli models only
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
	s.params = param.NewSet(kind, append(append(decls, kindParams(kind)...), WarmStart)...)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *NaiveBayes) Kind() string       { return s.kind }
func (s *NaiveBayes) Params() *param.Set { return s.params }

// SetWarmStart sets warm_start.
func (s *NaiveBayes) SetWarmStart(v bool) error { return WarmStart.Set(s.params, v) }

// SetInitialModel makes the next Fit with warm_start add its rows to m's
// statistics (nil forgets them). m must be of the estimator's model kind
// and hold the counts a fit stores (not data made by ModelDataRecord).
func (s *NaiveBayes) SetInitialModel(m *Model) error {
	if m == nil {
		s.setWarm(nil)
		return nil
	}
	snap := m.state.Load()
	if snap == nil {
		return fmt.Errorf("stage %q: initial model: %w", s.kind, pipeline.ErrNoModelData)
	}
	w := &warmStart{st: snap.State.clone(), kind: m.kind}
	if err := w.st.checkStats(); err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", s.kind, err)
	}
	if m.kind == BernoulliModelKind {
		b := Binarize.Get(m.params)
		w.binarize = &b
	}
	s.setWarm(w)
	return nil
}

// SetInitialModelData is SetInitialModel from model data (borrowed) that
// a fitted model returned. Data with a "var" column is Gaussian; without
// the model's params multinomial and Bernoulli data look alike, and
// Bernoulli data does not tell its binarize threshold: both are the
// caller's to match.
func (s *NaiveBayes) SetInitialModelData(data ...arrow.Record) error {
	kind := MultinomialModelKind
	if len(data) == 1 && data[0].Schema().HasField("var") {
		kind = GaussianModelKind
	}
	st, err := decoder(kind, 0)(data)
	if err == nil {
		err = st.checkStats()
	}
	if err != nil {
		return fmt.Errorf("stage %q: initial model data: %w", s.kind, err)
	}
	w := &warmStart{st: st.clone()}
	if kind == GaussianModelKind {
		w.kind = kind
	}
	s.setWarm(w)
	return nil
}

func (s *NaiveBayes) setWarm(w *warmStart) {
	s.mu.Lock()
	s.warm = w
	s.mu.Unlock()
}

// start returns the statistics to add to when warm_start is set and
// there are some, after checking that they suit this estimator and the
// data's labels and dim features.
func (s *NaiveBayes) start(labels []float64, dim int) (*warmStart, error) {
	if !WarmStart.Get(s.params) {
		return nil, nil
	}
	s.mu.Lock()
	w := s.warm
	s.mu.Unlock()
	if w == nil {
		return nil, nil
	}
	want := modelKind(s.kind)
	switch {
	case w.kind != want && (w.kind != "" || s.kind == GaussianKind):
		got := w.kind
		if got == "" {
			got = MultinomialModelKind + " or " + BernoulliModelKind
		}
		return nil, fmt.Errorf("warm start: the initial model is a %s, the estimator fits a %s", got, want)
	case w.st.dim != dim:
		return nil, fmt.Errorf("warm start: the initial model has %d features, the data %d", w.st.dim, dim)
	case w.binarize != nil && *w.binarize != Binarize.Get(s.params):
		return nil, fmt.Errorf("warm start: the initial model has binarize %v, param %q is %v", *w.binarize, Binarize.Name(), Binarize.Get(s.params))
	}
	var extra []float64
	for _, y := range labels {
		if _, ok := slices.BinarySearch(w.st.labels, y); !ok {
			extra = append(extra, y)
		}
	}
	if extra != nil {
		return nil, fmt.Errorf("warm start: the data has labels %v that the initial model has not (it has %v)", extra, w.st.labels)
	}
	return w, nil
}

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
	w, err := s.start(labels, d.D)
	if err != nil {
		return nil, err
	}
	var prev *state
	if w != nil {
		// The initial model's classes, a superset of the data's.
		prev = &w.st
		labels = prev.labels
	}
	k, dim := len(labels), d.D
	cls := make([]int, d.N)
	counts := make([]float64, k)
	for i, y := range d.Y {
		c, _ := slices.BinarySearch(labels, y)
		cls[i] = c
		counts[c] += weight(d.W, i)
	}
	if prev != nil {
		for c, v := range prev.classCount {
			counts[c] += v
		}
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
	st := state{kind: modelKind(s.kind), labels: labels, logPrior: logPrior, dim: dim, classCount: counts}
	switch s.kind {
	case GaussianKind:
		gaussian(&st, d.X, d.W, cls, prev, VarSmoothing.Get(s.params))
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
		if prev != nil {
			for i, v := range prev.featureCount {
				fc[i] += v
			}
		}
		st.featureCount = fc
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
	if WarmStart.Get(s.params) {
		// st is not shared: the model decoded its own copy.
		next := &warmStart{st: st, kind: modelKind(s.kind)}
		if s.kind == BernoulliKind {
			b := Binarize.Get(s.params)
			next.binarize = &b
		}
		s.setWarm(next)
	}
	return m, nil
}

// moments are per-class sufficient statistics of Gaussian features: the
// total weight n_c and per feature the weighted mean and sum of squared
// deviations (n_c times the variance), class-major.
type moments struct {
	n, mean, m2 []float64
}

// newMoments computes the moments of the rows (weights w, nil for 1) in
// two passes; classes without rows have n 0.
func newMoments(x, w []float64, cls []int, k, dim int) moments {
	m := moments{n: make([]float64, k), mean: make([]float64, k*dim), m2: make([]float64, k*dim)}
	for i, c := range cls {
		wi := weight(w, i)
		m.n[c] += wi
		for j, v := range x[i*dim : (i+1)*dim] {
			m.mean[c*dim+j] += wi * v
		}
	}
	for c, n := range m.n {
		if n > 0 {
			for j := range dim {
				m.mean[c*dim+j] /= n
			}
		}
	}
	for i, c := range cls {
		wi := weight(w, i)
		for j, v := range x[i*dim : (i+1)*dim] {
			dv := v - m.mean[c*dim+j]
			m.m2[c*dim+j] += wi * dv * dv
		}
	}
	return m
}

// merge adds b's rows to m, class by class, by the pairwise update of
// Chan, Golub and LeVeque (1979, "Updating formulae and a pairwise
// algorithm for computing sample variances"), as scikit-learn's
// GaussianNB._update_mean_variance: with n = n_a + n_b,
// mean = (n_a mean_a + n_b mean_b)/n and
// m2 = m2_a + m2_b + n_a n_b/n (mean_a - mean_b)².
func (m moments) merge(b moments, dim int) {
	for c, nb := range b.n {
		na := m.n[c]
		switch {
		case nb == 0:
			continue
		case na == 0:
			m.n[c] = nb
			copy(m.mean[c*dim:(c+1)*dim], b.mean[c*dim:(c+1)*dim])
			copy(m.m2[c*dim:(c+1)*dim], b.m2[c*dim:(c+1)*dim])
			continue
		}
		n := na + nb
		f := na * nb / n
		for j := c * dim; j < (c+1)*dim; j++ {
			delta := m.mean[j] - b.mean[j]
			m.mean[j] = (na*m.mean[j] + nb*b.mean[j]) / n
			m.m2[j] += b.m2[j] + f*delta*delta
		}
		m.n[c] = n
	}
}

// pooledMaxVar is the largest per-feature variance of all classes' rows
// together (the classes merged as one).
func (m moments) pooledMaxVar(dim int) float64 {
	all := moments{n: []float64{0}, mean: make([]float64, dim), m2: make([]float64, dim)}
	for c := range m.n {
		all.merge(moments{n: m.n[c : c+1], mean: m.mean[c*dim : (c+1)*dim], m2: m.m2[c*dim : (c+1)*dim]}, dim)
	}
	var v float64
	if all.n[0] > 0 {
		for _, s := range all.m2 {
			v = math.Max(v, s/all.n[0])
		}
	}
	return v
}

// fromVar is the moments of counts n, means and variances (n_c times the
// variance is m2).
func fromVar(n, mean, vars []float64, dim int) moments {
	m := moments{n: slices.Clone(n), mean: slices.Clone(mean), m2: slices.Clone(vars)}
	for i := range m.m2 {
		m.m2[i] *= n[i/dim]
	}
	return m
}

// gaussian writes st's class means, variances and their statistics: the
// weighted moments of the rows, added to prev's when not nil, and every
// variance plus epsilon = varSmoothing times the largest feature variance
// over all rows. epsilon's variances are unweighted, as scikit-learn's;
// its partial_fit takes them from the latest batch alone, Eddy from every
// row seen, so that a warm fit equals the cold one on all rows.
func gaussian(st *state, x, w []float64, cls []int, prev *state, varSmoothing float64) {
	k, dim := len(st.labels), st.dim
	mw := newMoments(x, w, cls, k, dim)
	mu := mw
	if w != nil {
		mu = newMoments(x, nil, cls, k, dim)
	}
	if prev != nil {
		pw := fromVar(prev.classCount, prev.theta, prev.rawVar, dim)
		pw.merge(mw, dim)
		pu := fromVar(prev.rowCount, prev.rowMean, prev.rowVar, dim)
		pu.merge(mu, dim) // merge reads its argument only: mu may be mw
		mw, mu = pw, pu
	}
	eps := varSmoothing * mu.pooledMaxVar(dim)
	st.theta = mw.mean
	st.rawVar = make([]float64, k*dim)
	st.vars = make([]float64, k*dim)
	st.rowCount, st.rowMean, st.rowVar = mu.n, mu.mean, make([]float64, k*dim)
	for i := range st.vars {
		st.rawVar[i] = mw.m2[i] / mw.n[i/dim]
		st.vars[i] = st.rawVar[i] + eps
		st.rowVar[i] = mu.m2[i] / mu.n[i/dim]
	}
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
