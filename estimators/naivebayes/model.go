package naivebayes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// state is a fitted model: per class c (sorted labels) the log prior and
// a dim-vector theta (Gaussian: means; multinomial and Bernoulli: log
// feature probabilities), plus the Gaussian variances. The rest is
// precomputed for scoring.
type state struct {
	kind     string
	labels   []float64
	logPrior []float64
	theta    []float64
	vars     []float64
	dim      int

	// The sufficient statistics a warm start adds to (nil in data made by
	// ModelDataRecord or saved before warm start): the weighted class
	// counts; multinomial and Bernoulli: the weighted feature counts,
	// class-major; Gaussian: the weighted variances without epsilon and,
	// for epsilon's variance over all rows (unweighted, as
	// scikit-learn's), each class's unweighted row count, means and
	// variances.
	classCount   []float64
	featureCount []float64
	rawVar       []float64
	rowCount     []float64
	rowMean      []float64
	rowVar       []float64

	bias   []float64 // per class constant of the joint log likelihood
	coef   []float64 // Gaussian: 1/var; Bernoulli: log p - log(1-p); multinomial: log p
	thresh float64   // Bernoulli binarize threshold
}

func (s *state) record(mem memory.Allocator) (arrow.Record, error) {
	k := len(s.labels)
	rows := func(v []float64) [][]float64 {
		out := make([][]float64, k)
		for c := range out {
			out[c] = v[c*s.dim : (c+1)*s.dim]
		}
		return out
	}
	cols := []table.Column{table.Col("label", s.labels), table.Col("log_prior", s.logPrior), table.DenseCol("theta", s.dim, rows(s.theta))}
	if s.kind == GaussianModelKind {
		cols = append(cols, table.DenseCol("var", s.dim, rows(s.vars)))
	}
	if s.classCount != nil {
		cols = append(cols, table.Col("class_count", s.classCount))
		if s.kind == GaussianModelKind {
			cols = append(cols, table.DenseCol("raw_var", s.dim, rows(s.rawVar)), table.Col("row_count", s.rowCount),
				table.DenseCol("row_mean", s.dim, rows(s.rowMean)), table.DenseCol("row_var", s.dim, rows(s.rowVar)))
		} else {
			cols = append(cols, table.DenseCol("feature_count", s.dim, rows(s.featureCount)))
		}
	}
	return table.Build(mem, cols...)
}

// ModelDataRecord builds naive Bayes model data for kind (a model kind):
// one row per class with float64 "label" (sorted, distinct), float64
// "log_prior" and dense vector "theta" (Gaussian: the class means;
// multinomial and Bernoulli: the log feature probabilities), and for
// gaussian_nb_model dense vector "var" (the smoothed variances). The
// caller owns one Release. Such data scores rows but cannot start a warm
// fit, which needs the counts a fitted model's data also holds (see the
// package documentation).
func ModelDataRecord(mem memory.Allocator, kind string, labels, logPrior []float64, theta, vars [][]float64) (arrow.Record, error) {
	if len(theta) == 0 || len(labels) != len(theta) || len(logPrior) != len(theta) {
		return nil, fmt.Errorf("%d labels, %d priors and %d theta vectors", len(labels), len(logPrior), len(theta))
	}
	s := state{kind: kind, labels: labels, logPrior: logPrior, dim: len(theta[0])}
	for _, t := range theta {
		s.theta = append(s.theta, t...)
	}
	if kind == GaussianModelKind {
		if len(vars) != len(theta) {
			return nil, fmt.Errorf("%d variance vectors for %d classes", len(vars), len(theta))
		}
		for _, v := range vars {
			s.vars = append(s.vars, v...)
		}
	}
	return s.record(mem)
}

func decoder(kind string, thresh float64) func([]arrow.Record) (state, error) {
	return func(data []arrow.Record) (state, error) {
		if len(data) != 1 {
			return state{}, fmt.Errorf("want 1 model data record, got %d", len(data))
		}
		rec := data[0]
		get := func(name string) (arrow.Array, error) {
			i, err := table.FieldIndex(rec.Schema(), name)
			if err != nil {
				return nil, err
			}
			return rec.Column(i), nil
		}
		s := state{kind: kind, thresh: thresh}
		var err error
		for _, c := range []struct {
			name string
			dst  *[]float64
		}{{"label", &s.labels}, {"log_prior", &s.logPrior}} {
			a, err := get(c.name)
			if err != nil {
				return state{}, err
			}
			if *c.dst, err = table.Float64s(a); err != nil {
				return state{}, fmt.Errorf("column %q: %w", c.name, err)
			}
		}
		k := len(s.labels)
		if k == 0 {
			return state{}, errors.New("no classes")
		}
		if !slices.IsSorted(s.labels) || len(slices.Compact(slices.Clone(s.labels))) != k {
			return state{}, errors.New("labels are not sorted and distinct")
		}
		a, err := get("theta")
		if err != nil {
			return state{}, err
		}
		if s.theta, s.dim, err = table.DenseVectors(a); err != nil {
			return state{}, fmt.Errorf("column \"theta\": %w", err)
		}
		if err := s.decodeStats(rec, get); err != nil {
			return state{}, err
		}
		s.bias = slices.Clone(s.logPrior)
		switch kind {
		case GaussianModelKind:
			a, err := get("var")
			if err != nil {
				return state{}, err
			}
			var d int
			if s.vars, d, err = table.DenseVectors(a); err != nil || d != s.dim {
				return state{}, fmt.Errorf("column \"var\": size %d (want %d): %v", d, s.dim, err)
			}
			s.coef = make([]float64, len(s.vars))
			for i, v := range s.vars {
				if !(v > 0) {
					return state{}, fmt.Errorf("column \"var\": variance %v, want > 0", v)
				}
				s.coef[i] = 1 / v
				s.bias[i/s.dim] -= 0.5 * math.Log(2*math.Pi*v)
			}
		case MultinomialModelKind:
			s.coef = s.theta
		case BernoulliModelKind:
			s.coef = make([]float64, len(s.theta))
			for i, lp := range s.theta {
				neg := math.Log1p(-math.Exp(lp))
				s.coef[i] = lp - neg
				s.bias[i/s.dim] += neg
			}
		}
		return s, nil
	}
}

// checkStats reports whether s holds the statistics a warm start needs.
func (s *state) checkStats() error {
	if s.classCount == nil {
		return errors.New(`no column "class_count": only the data of a fitted model can start a warm fit (not ModelDataRecord's, nor data saved before warm start)`)
	}
	return nil
}

// clone copies what a warm start reads (decoded slices alias the
// records' buffers).
func (s state) clone() state {
	return state{kind: s.kind, labels: slices.Clone(s.labels), logPrior: slices.Clone(s.logPrior), theta: slices.Clone(s.theta),
		vars: slices.Clone(s.vars), dim: s.dim, classCount: slices.Clone(s.classCount), featureCount: slices.Clone(s.featureCount),
		rawVar: slices.Clone(s.rawVar), rowCount: slices.Clone(s.rowCount), rowMean: slices.Clone(s.rowMean), rowVar: slices.Clone(s.rowVar)}
}

// decodeStats reads the optional sufficient statistics: all of the
// kind's or none.
func (s *state) decodeStats(rec arrow.Record, get func(string) (arrow.Array, error)) error {
	if !rec.Schema().HasField("class_count") {
		return nil
	}
	k := len(s.labels)
	a, err := get("class_count")
	if err != nil {
		return err
	}
	if s.classCount, err = table.Float64s(a); err != nil {
		return fmt.Errorf("column \"class_count\": %w", err)
	}
	for c, v := range s.classCount {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("column \"class_count\": class %v has count %v, want > 0", s.labels[c], v)
		}
	}
	vectors := []struct {
		name string
		dst  *[]float64
	}{{"feature_count", &s.featureCount}}
	if s.kind == GaussianModelKind {
		a, err := get("row_count")
		if err != nil {
			return err
		}
		if s.rowCount, err = table.Float64s(a); err != nil {
			return fmt.Errorf("column \"row_count\": %w", err)
		}
		vectors = []struct {
			name string
			dst  *[]float64
		}{{"raw_var", &s.rawVar}, {"row_mean", &s.rowMean}, {"row_var", &s.rowVar}}
	}
	for _, v := range vectors {
		a, err := get(v.name)
		if err != nil {
			return err
		}
		var d int
		if *v.dst, d, err = table.DenseVectors(a); err != nil {
			return fmt.Errorf("column %q: %w", v.name, err)
		}
		if d != s.dim || len(*v.dst) != k*d {
			return fmt.Errorf("column %q: size %d, want %d", v.name, d, s.dim)
		}
	}
	return nil
}

// jll writes the joint log likelihoods log P(c) + log P(x|c) of xi.
func (s *state) jll(xi, out []float64) {
	d := s.dim
	for c := range out {
		z := s.bias[c]
		w := s.coef[c*d : (c+1)*d]
		switch s.kind {
		case GaussianModelKind:
			th := s.theta[c*d : (c+1)*d]
			var q float64
			for j, v := range xi {
				dv := v - th[j]
				q += dv * dv * w[j]
			}
			z -= 0.5 * q
		case MultinomialModelKind:
			for j, v := range xi {
				z += v * w[j]
			}
		default:
			for j, v := range xi {
				if v > s.thresh {
					z += w[j]
				}
			}
		}
		out[c] = z
	}
}

// Model is a fitted gaussian_nb_model, multinomial_nb_model or
// bernoulli_nb_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	kind   string
	params *param.Set
	state  pipeline.ModelState[state]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a model of kind (gaussian_nb_model, multinomial_nb_model
// or bernoulli_nb_model) without data from param values.
func NewModel(kind string, values map[string]any) (*Model, error) {
	switch kind {
	case GaussianModelKind, MultinomialModelKind, BernoulliModelKind:
		return newModel(kind, values)
	}
	return nil, fmt.Errorf("unknown naive Bayes model kind %q", kind)
}

func newModel(kind string, values map[string]any) (*Model, error) {
	m := &Model{kind: kind}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	decls := []param.Declarer{&m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasRawPredictionCol,
		&m.HasProbabilityCol, &m.HasModelVersionCol}
	m.params = param.NewSet(kind, append(decls, kindParams(kind)...)...)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return m.kind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the model data (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	thresh := 0.0
	if m.kind == BernoulliModelKind {
		thresh = Binarize.Get(m.params)
	}
	if err := m.state.Set(recs, decoder(m.kind, thresh)); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", m.kind, err)
	}
	return nil
}

// Labels returns a copy of the class labels.
func (m *Model) Labels() []float64 { return m.get(func(s state) []float64 { return s.labels }) }

// LogPriors returns a copy of the class log priors.
func (m *Model) LogPriors() []float64 { return m.get(func(s state) []float64 { return s.logPrior }) }

// Theta returns a copy of the class means (Gaussian) or log feature
// probabilities (multinomial, Bernoulli), class-major.
func (m *Model) Theta() []float64 { return m.get(func(s state) []float64 { return s.theta }) }

// Vars returns a copy of the Gaussian class variances, class-major.
func (m *Model) Vars() []float64 { return m.get(func(s state) []float64 { return s.vars }) }

// ClassCounts returns a copy of the weighted class counts (scikit-learn's
// class_count_), nil when the model data lacks them.
func (m *Model) ClassCounts() []float64 {
	return m.get(func(s state) []float64 { return s.classCount })
}

func (m *Model) get(f func(state) []float64) []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(f(snap.State))
	}
	return nil
}

func (m *Model) fields(k int) []arrow.Field {
	return []arrow.Field{scoring.Field(m.PredictionCol(), 0), scoring.Field(m.RawPredictionCol(), k), scoring.Field(m.ProbabilityCol(), k)}
}

// OutputSchema appends prediction, raw prediction (joint log likelihoods)
// and probability columns (and the model version column). It needs model
// data to know the class count.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, pipeline.ErrNoModelData)
	}
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), m.fields(len(snap.State.labels)), m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, err)
	}
	return out, nil
}

// Transform scores rec (borrowed).
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, pipeline.ErrNoModelData)
	}
	s := snap.State
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := scoring.Features(rec, m.FeaturesCol(), s.dim)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, err)
	}
	mem := pipeline.Allocator(ctx)
	n, k := int(rec.NumRows()), len(s.labels)
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	raw := scoring.NewColumn(mem, m.RawPredictionCol(), k, n)
	prob := scoring.NewColumn(mem, m.ProbabilityCol(), k, n)
	for i := range n {
		r := raw.Values[i*k : (i+1)*k]
		s.jll(x[i*s.dim:(i+1)*s.dim], r)
		best := 0
		for c := range r {
			if r[c] > r[best] {
				best = c
			}
		}
		p := prob.Values[i*k : (i+1)*k]
		var sum float64
		for c := range r {
			p[c] = math.Exp(r[c] - r[best])
			sum += p[c]
		}
		for c := range p {
			p[c] /= sum
		}
		pred.Values[i] = s.labels[best]
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred, raw, prob}, m.ModelVersionCol(), snap.Version)
}
