package naivebayes

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	enb "github.com/eddyml/eddy/estimators/naivebayes"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind names.
const (
	GaussianKind    = "online_gaussian_nb"
	MultinomialKind = "online_multinomial_nb"
)

// Params.
var (
	VarSmoothing = param.New("var_smoothing", "Gaussian: added to every variance, as a fraction of the largest feature variance", 1e-9, param.GtEq(0.0))
	Alpha        = param.New("alpha", "multinomial: additive smoothing of the feature counts", 1.0, param.GtEq(0.0))
	NumFeatures  = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxValues = 1 << 28

// NB is an incremental naive Bayes learner.
type NB struct {
	param.HasFeaturesCol
	param.HasLabelCol
	params   *param.Set
	kind     string
	gaussian bool

	dim    int
	labels []float64 // sorted
	counts []float64 // per class
	stat1  []float64 // Gaussian: means; multinomial: feature sums (classes x dim)
	stat2  []float64 // Gaussian: M2 (classes x dim)
	gn     float64   // Gaussian: all rows
	gmean  []float64
	gm2    []float64
	rows   int64

	ybuf, row, jll []float64
}

// NewGaussian builds an online_gaussian_nb learner.
func NewGaussian(values map[string]any) (*NB, error) { return newNB(GaussianKind, true, values) }

// NewMultinomial builds an online_multinomial_nb learner.
func NewMultinomial(values map[string]any) (*NB, error) { return newNB(MultinomialKind, false, values) }

func newNB(kind string, gaussian bool, values map[string]any) (*NB, error) {
	m := &NB{kind: kind, gaussian: gaussian}
	smooth := param.Declarer(Alpha)
	if gaussian {
		smooth = VarSmoothing
	}
	m.params = param.NewSet(kind, &m.HasFeaturesCol, &m.HasLabelCol, smooth, NumFeatures)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	if n := NumFeatures.Get(m.params); n > 0 {
		if err := m.init(n); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *NB) Kind() string       { return m.kind }
func (m *NB) Params() *param.Set { return m.params }

// Rows returns the number of rows learned.
func (m *NB) Rows() int64 { return m.rows }

// Classes returns the labels seen so far, sorted.
func (m *NB) Classes() []float64 { return slices.Clone(m.labels) }

func (m *NB) init(n int) error {
	if n > maxValues {
		return fmt.Errorf("learner %q: param \"num_features\": %d is too many", m.kind, n)
	}
	m.dim = n
	if m.gaussian {
		m.gmean, m.gm2 = make([]float64, n), make([]float64, n)
	}
	return nil
}

// class returns the index of label y, adding the class when new.
func (m *NB) class(y float64) int {
	c, ok := slices.BinarySearch(m.labels, y)
	if ok {
		return c
	}
	d := m.dim
	m.labels = slices.Insert(m.labels, c, y)
	m.counts = slices.Insert(m.counts, c, 0)
	m.stat1 = slices.Insert(m.stat1, c*d, make([]float64, d)...)
	if m.gaussian {
		m.stat2 = slices.Insert(m.stat2, c*d, make([]float64, d)...)
	}
	return c
}

// learn adds one dense row x of label y.
func (m *NB) learn(x []float64, y float64) {
	c := m.class(y)
	d := m.dim
	m.counts[c]++
	s1 := m.stat1[c*d : (c+1)*d]
	if !m.gaussian {
		for j, v := range x {
			s1[j] += v
		}
		return
	}
	n := m.counts[c]
	s2 := m.stat2[c*d : (c+1)*d]
	for j, v := range x {
		delta := v - s1[j]
		s1[j] += delta / n
		s2[j] += delta * (v - s1[j])
	}
	m.gn++
	for j, v := range x {
		delta := v - m.gmean[j]
		m.gmean[j] += delta / m.gn
		m.gm2[j] += delta * (v - m.gmean[j])
	}
}

// model computes the log priors, theta and variances.
func (m *NB) model() (logPrior []float64, theta, vars [][]float64) {
	k, d := len(m.labels), m.dim
	var n float64
	for _, c := range m.counts {
		n += c
	}
	logPrior = make([]float64, k)
	theta = make([][]float64, k)
	if m.gaussian {
		vars = make([][]float64, k)
	}
	var eps float64
	if m.gaussian && m.gn > 0 {
		for _, v := range m.gm2 {
			eps = max(eps, v/m.gn)
		}
		eps *= VarSmoothing.Get(m.params)
	}
	alpha := 0.0
	if !m.gaussian {
		alpha = max(Alpha.Get(m.params), 1e-10) // as scikit-learn (force_alpha=False)
	}
	for c := range k {
		logPrior[c] = math.Log(m.counts[c] / n)
		s1 := m.stat1[c*d : (c+1)*d]
		theta[c] = make([]float64, d)
		if m.gaussian {
			vars[c] = make([]float64, d)
			copy(theta[c], s1)
			for j, v := range m.stat2[c*d : (c+1)*d] {
				vars[c][j] = v/m.counts[c] + eps
			}
			continue
		}
		var denom float64
		for _, v := range s1 {
			denom += v + alpha
		}
		ld := math.Log(denom)
		for j, v := range s1 {
			theta[c][j] = math.Log(v+alpha) - ld
		}
	}
	return logPrior, theta, vars
}

// predict returns the most likely label of x under the current statistics
// (NaN with no class yet). It recomputes the model; Model is the fast path
// for scoring many rows.
func (m *NB) predictOne(x []float64, lp []float64, theta, vars [][]float64) float64 {
	if len(m.labels) == 0 {
		return math.NaN()
	}
	best, bj := 0, math.Inf(-1)
	for c := range m.labels {
		j := lp[c]
		for i, v := range x {
			if m.gaussian {
				dv := v - theta[c][i]
				j -= 0.5 * (math.Log(2*math.Pi*vars[c][i]) + dv*dv/vars[c][i])
			} else if v != 0 {
				j += v * theta[c][i]
			}
		}
		if j > bj {
			best, bj = c, j
		}
	}
	return m.labels[best]
}

func (m *NB) check(x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("feature %d is %v", i, v)
		}
		if !m.gaussian && v < 0 {
			return fmt.Errorf("feature %d is %v, multinomial naive Bayes needs values >= 0", i, v)
		}
	}
	return nil
}

// UpdateDense learns one row and returns the label predicted for it
// before (NaN before the first class).
func (m *NB) UpdateDense(x []float64, y float64) (float64, error) {
	if m.dim == 0 && m.labels == nil {
		if err := m.init(len(x)); err != nil {
			return 0, err
		}
	}
	if len(x) != m.dim {
		return 0, fmt.Errorf("learner %q: vector of size %d, want %d", m.kind, len(x), m.dim)
	}
	if err := m.check(x); err != nil {
		return 0, fmt.Errorf("learner %q: %w", m.kind, err)
	}
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return 0, fmt.Errorf("learner %q: label is %v", m.kind, y)
	}
	lp, theta, vars := m.model()
	p := m.predictOne(x, lp, theta, vars)
	m.learn(x, y)
	m.rows++
	return p, nil
}

// Update learns the rows of rec (borrowed) in order.
func (m *NB) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes into dst each row's label
// predicted before it was learned. The prediction uses the statistics as
// they were at the start of the batch (the model is rebuilt once per batch).
func (m *NB) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return m.update(ctx, rec, dst, true)
}

func (m *NB) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", m.kind, r)
		}
	}()
	feats, err := olearn.ReadFeatures(rec, m.FeaturesCol(), m.dim, m.rows)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", m.kind, err)
	}
	y, err := olearn.Labels(rec, m.LabelCol(), m.rows, m.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", m.kind, err)
	}
	m.ybuf = y
	n := feats.N
	if n == 0 {
		return olearn.Grow(dst, 0), nil
	}
	if m.dim == 0 {
		if err := m.init(feats.Dim); err != nil {
			return nil, err
		}
	}
	x := feats.Dense
	if feats.IsSparse {
		m.row = olearn.Grow(m.row, n*m.dim)
		clear(m.row)
		for i := range n {
			idx, vals := feats.SparseRow(i)
			r := m.row[i*m.dim : (i+1)*m.dim]
			for k, j := range idx {
				r[j] += vals[k]
			}
		}
		x = m.row
	}
	d := m.dim
	for i := range n {
		if err := m.check(x[i*d : (i+1)*d]); err != nil {
			return nil, fmt.Errorf("learner %q: column %q row %d: %w", m.kind, m.FeaturesCol(), m.rows+int64(i), err)
		}
	}
	if keep {
		dst = olearn.Grow(dst, n)
		lp, theta, vars := m.model()
		for i := range n {
			dst[i] = m.predictOne(x[i*d:(i+1)*d], lp, theta, vars)
		}
	}
	for i := range n {
		m.learn(x[i*d:(i+1)*d], y[i])
	}
	m.rows += int64(n)
	return dst, nil
}

func (m *NB) modelKind() string {
	if m.gaussian {
		return enb.GaussianModelKind
	}
	return enb.MultinomialModelKind
}

// ModelData returns the model as gaussian_nb_model or multinomial_nb_model
// data stamped with version; the caller owns one Release of each record.
func (m *NB) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if len(m.labels) == 0 {
		return nil, fmt.Errorf("learner %q: no model before the first row", m.kind)
	}
	lp, theta, vars := m.model()
	rec, err := enb.ModelDataRecord(mem, m.modelKind(), m.labels, lp, theta, vars)
	return olearn.Stamp(m.kind, version, []arrow.Record{rec}, err)
}

// Model returns an independent naive Bayes model with the given version.
func (m *NB) Model(version int64) (*enb.Model, error) {
	newModel := func(values map[string]any) (*enb.Model, error) { return enb.NewModel(m.modelKind(), values) }
	return olearn.NewModel(newModel, m.FeaturesCol(), m.LabelCol(), m.ModelData, version)
}

// Snapshot encodes the full learner state bit for bit.
func (m *NB) Snapshot() ([]byte, error) {
	e := olearn.NewEnc("EDDYONB1", 1, 8*(len(m.stat1)*2+len(m.gmean)*2)+128)
	e.Bool(m.gaussian)
	e.U64(uint64(m.dim))
	e.I64(m.rows)
	e.F64s(m.labels)
	e.F64s(m.counts)
	e.F64s(m.stat1)
	e.F64s(m.stat2)
	e.F64(m.gn)
	e.F64s(m.gmean)
	e.F64s(m.gm2)
	return e.B, nil
}

// Restore replaces the state with a Snapshot of a learner of the same
// kind; on error the learner is unchanged.
func (m *NB) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(m.kind, b, "EDDYONB1", 1)
	if err != nil {
		return err
	}
	if d.Bool() != m.gaussian {
		d.Fail(fmt.Errorf("snapshot is of another naive Bayes kind"))
	}
	dim, rows := d.U64(), d.I64()
	labels, counts, s1, s2 := d.F64s(maxValues), d.F64s(maxValues), d.F64s(maxValues), d.F64s(maxValues)
	gn := d.F64()
	gmean, gm2 := d.F64s(maxValues), d.F64s(maxValues)
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", m.kind, err)
	}
	k := uint64(len(labels))
	want2 := uint64(0)
	if m.gaussian {
		want2 = k * dim
	}
	if uint64(len(counts)) != k || uint64(len(s1)) != k*dim || uint64(len(s2)) != want2 || !slices.IsSorted(labels) ||
		m.gaussian && dim > 0 && (uint64(len(gmean)) != dim || uint64(len(gm2)) != dim) {
		return fmt.Errorf("learner %q: restore: vector sizes do not fit %d classes of %d features", m.kind, k, dim)
	}
	if n := NumFeatures.Get(m.params); n > 0 && uint64(n) != dim {
		return fmt.Errorf("learner %q: restore: snapshot has %d features, num_features is %d", m.kind, dim, n)
	}
	nilIfEmpty := func(v []float64) []float64 {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	m.dim, m.rows, m.labels, m.counts = int(dim), rows, nilIfEmpty(labels), nilIfEmpty(counts)
	m.stat1, m.stat2, m.gn, m.gmean, m.gm2 = nilIfEmpty(s1), nilIfEmpty(s2), gn, nilIfEmpty(gmean), nilIfEmpty(gm2)
	if m.gaussian && m.dim > 0 && m.gmean == nil {
		m.gmean, m.gm2 = make([]float64, m.dim), make([]float64, m.dim)
	}
	return nil
}
