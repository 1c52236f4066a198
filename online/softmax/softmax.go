package softmax

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind is the learner's kind name.
const Kind = "online_softmax_regression"

// Params.
var (
	Labels = param.New("labels", "the class labels (at least 2, distinct); empty: take them from WarmStart",
		[]float64(nil), param.Distinct[float64]())
	Optimizer    = param.New("optimizer", "sgd or adagrad", "adagrad", param.OneOf("sgd", "adagrad"))
	LearningRate = param.New("learning_rate", "base learning rate η", 0.5, param.Gt(0.0))
	PowerT       = param.New("power_t", "sgd: the step is η / t^power_t", 0.25, param.GtEq(0.0))
	RegParam     = param.New("reg_param", "L2 penalty λ on the weights", 0.0, param.GtEq(0.0))
	NumFeatures  = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxValues = 1 << 30

// Softmax is an online softmax regression learner.
type Softmax struct {
	param.HasFeaturesCol
	param.HasLabelCol
	params *param.Set

	adagrad         bool
	lr, powerT, reg float64
	labels          []float64
	dim             int
	w, g2           []float64 // (dim+1)*K, feature-major; intercepts last
	rows            int64
	ybuf, z         []float64
	cls             []int
}

// New builds an online_softmax_regression learner.
func New(values map[string]any) (*Softmax, error) {
	s := &Softmax{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasLabelCol, Labels, Optimizer, LearningRate, PowerT, RegParam, NumFeatures)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	s.readHyper()
	if l := Labels.Get(s.params); len(l) > 0 {
		if len(l) < 2 {
			return nil, fmt.Errorf("learner %q: param \"labels\": %v has fewer than 2 classes", Kind, l)
		}
		s.labels = slices.Sorted(slices.Values(l))
	}
	if n := NumFeatures.Get(s.params); n > 0 && s.labels != nil {
		if err := s.init(n); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Softmax) Kind() string       { return Kind }
func (s *Softmax) Params() *param.Set { return s.params }

// Dim returns the feature vector size (0 while unknown).
func (s *Softmax) Dim() int { return s.dim }

// Rows returns the number of rows learned.
func (s *Softmax) Rows() int64 { return s.rows }

// Classes returns the class labels.
func (s *Softmax) Classes() []float64 { return slices.Clone(s.labels) }

func (s *Softmax) readHyper() {
	s.adagrad = Optimizer.Get(s.params) == "adagrad"
	s.lr, s.powerT, s.reg = LearningRate.Get(s.params), PowerT.Get(s.params), RegParam.Get(s.params)
}

func (s *Softmax) init(n int) error {
	k := len(s.labels)
	if (n+1)*k > maxValues {
		return fmt.Errorf("learner %q: %d features x %d classes is too many", Kind, n, k)
	}
	s.dim = n
	s.w = make([]float64, (n+1)*k)
	s.g2 = nil
	if s.adagrad {
		s.g2 = make([]float64, (n+1)*k)
	}
	s.z = make([]float64, k)
	return nil
}

func (s *Softmax) class(y float64) (int, bool) {
	i, ok := slices.BinarySearch(s.labels, y)
	return i, ok
}

// probs writes softmax(z) into z.
func probs(z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var sum float64
	for c, v := range z {
		z[c] = math.Exp(v - m)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
}

// score writes the class probabilities of a sparse row (idx nil: dense x)
// into s.z.
func (s *Softmax) score(idx []int32, vals, x []float64) {
	k := len(s.labels)
	z := s.z[:k]
	copy(z, s.w[s.dim*k:(s.dim+1)*k])
	if idx != nil {
		for j, i := range idx {
			v := vals[j]
			wi := s.w[int(i)*k : int(i)*k+k]
			for c := range z {
				z[c] += wi[c] * v
			}
		}
	} else {
		for i, v := range x {
			if v == 0 {
				continue
			}
			wi := s.w[i*k : i*k+k]
			for c := range z {
				z[c] += wi[c] * v
			}
		}
	}
	probs(z)
}

// learn applies the gradient of the row just scored (s.z holds p).
func (s *Softmax) learn(idx []int32, vals, x []float64, cls int) {
	k := len(s.labels)
	z := s.z[:k]
	z[cls] -= 1 // g_c = p_c - [c = cls]
	eta := s.lr
	if !s.adagrad && s.powerT != 0 {
		eta = s.lr / math.Pow(float64(s.rows+1), s.powerT)
	}
	upd := func(i int, v float64, reg float64) {
		wi := s.w[i*k : i*k+k]
		var gi []float64
		if s.adagrad {
			gi = s.g2[i*k : i*k+k]
		}
		for c := range wi {
			g := z[c]*v + reg*wi[c]
			if s.adagrad {
				gi[c] += g * g
				wi[c] -= eta * g / (math.Sqrt(gi[c]) + 1e-8)
			} else {
				wi[c] -= eta * g
			}
		}
	}
	if idx != nil {
		for j, i := range idx {
			if vals[j] != 0 {
				upd(int(i), vals[j], s.reg)
			}
		}
	} else {
		for i, v := range x {
			if v != 0 {
				upd(i, v, s.reg)
			}
		}
	}
	upd(s.dim, 1, 0)
}

func (s *Softmax) ready() error {
	if s.labels == nil {
		return fmt.Errorf("learner %q: no labels: set the labels param or warm start", Kind)
	}
	return nil
}

// UpdateRow learns one sparse row of label y and writes the K class
// probabilities predicted before learning it into dst.
func (s *Softmax) UpdateRow(indices []int32, values []float64, y float64, dst []float64) ([]float64, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	if s.w == nil {
		return nil, fmt.Errorf("learner %q: num_features is unknown: set it or learn a batch first", Kind)
	}
	c, ok := s.class(y)
	if !ok {
		return nil, fmt.Errorf("learner %q: label %v is not one of %v", Kind, y, s.labels)
	}
	if err := olearn.CheckSparseRow(Kind, indices, values, s.dim); err != nil {
		return nil, err
	}
	s.score(indices, values, nil)
	dst = append(dst[:0], s.z...)
	s.learn(indices, values, nil, c)
	s.rows++
	return dst, nil
}

// Update learns the rows of rec (borrowed) in order.
func (s *Softmax) Update(ctx context.Context, rec arrow.Record) error {
	_, err := s.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes into dst (grown to rows x K) the
// class probabilities predicted for each row before it was learned.
func (s *Softmax) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return s.update(ctx, rec, dst, true)
}

func (s *Softmax) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", Kind, r)
		}
	}()
	feats, err := olearn.ReadFeatures(rec, s.FeaturesCol(), s.dim, s.rows)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	y, err := olearn.Labels(rec, s.LabelCol(), s.rows, s.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	s.ybuf = y
	if cap(s.cls) < len(y) {
		s.cls = make([]int, len(y))
	}
	cls := s.cls[:len(y)]
	for i, v := range y {
		var ok bool
		if cls[i], ok = s.class(v); !ok {
			return nil, fmt.Errorf("learner %q: column %q row %d: label %v is not one of %v", Kind, s.LabelCol(), s.rows+int64(i), v, s.labels)
		}
	}
	k := len(s.labels)
	if keep {
		dst = olearn.Grow(dst, feats.N*k)
	}
	if feats.N == 0 {
		return dst, nil
	}
	s.readHyper()
	if s.w == nil {
		if err := s.init(feats.Dim); err != nil {
			return nil, err
		}
	}
	for r := range feats.N {
		var idx []int32
		var vals, x []float64
		if feats.IsSparse {
			idx, vals = feats.SparseRow(r)
			if idx == nil {
				idx = []int32{}
			}
		} else {
			x = feats.Row(r)
		}
		s.score(idx, vals, x)
		if keep {
			copy(dst[r*k:], s.z)
		}
		s.learn(idx, vals, x, cls[r])
		s.rows++
	}
	return dst, nil
}

// Predict writes the class probabilities of each row of rec (rows x K,
// row-major) into dst without learning.
func (s *Softmax) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	feats, err := olearn.ReadFeatures(rec, s.FeaturesCol(), s.dim, 0)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	k := len(s.labels)
	dst = olearn.Grow(dst, feats.N*k)
	if s.w == nil {
		for i := range dst {
			dst[i] = 1 / float64(k)
		}
		return dst, nil
	}
	for r := range feats.N {
		if feats.IsSparse {
			idx, vals := feats.SparseRow(r)
			if idx == nil {
				idx = []int32{}
			}
			s.score(idx, vals, nil)
		} else {
			s.score(nil, nil, feats.Row(r))
		}
		copy(dst[r*k:], s.z)
	}
	return dst, nil
}

// Weights returns the per-class coefficient vectors and intercepts.
func (s *Softmax) Weights() (coefs [][]float64, intercepts []float64) {
	k := len(s.labels)
	coefs = make([][]float64, k)
	intercepts = make([]float64, k)
	for c := range k {
		coefs[c] = make([]float64, s.dim)
		for i := range s.dim {
			coefs[c][i] = s.w[i*k+c]
		}
		if s.w != nil {
			intercepts[c] = s.w[s.dim*k+c]
		}
	}
	return coefs, intercepts
}

// ModelData returns the weights as multinomial logistic_regression_model
// data stamped with version; the caller owns one Release of each record.
func (s *Softmax) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if s.w == nil {
		return nil, fmt.Errorf("learner %q: no model yet", Kind)
	}
	coefs, b := s.Weights()
	recs, err := logreg.ModelDataRecords(mem, coefs, b, s.labels)
	return olearn.Stamp(Kind, version, recs, err)
}

// Model returns an independent logistic_regression_model of the current
// weights with the given version.
func (s *Softmax) Model(version int64) (*logreg.Model, error) {
	return olearn.NewModel(logreg.NewModel, s.FeaturesCol(), s.LabelCol(), s.ModelData, version)
}

// WarmStart starts from a logistic_regression_model's data (borrowed): a
// multinomial model's K vectors, or a binomial model's single vector w as
// the classes' vectors (0, w) (the same probabilities). The labels must
// equal the labels param when it is set.
func (s *Softmax) WarmStart(data ...arrow.Record) error {
	m, err := olearn.LoadModel(Kind, logreg.NewModel, data)
	if err != nil {
		return err
	}
	coefs, b, labels := m.Coefficients(), m.Intercepts(), m.Labels()
	if len(coefs) == 1 {
		coefs = [][]float64{make([]float64, len(coefs[0])), coefs[0]}
		b = []float64{0, b[0]}
	}
	if p := Labels.Get(s.params); len(p) > 0 && !slices.Equal(slices.Sorted(slices.Values(p)), labels) {
		return fmt.Errorf("learner %q: warm start: model labels %v differ from the labels param %v", Kind, labels, p)
	}
	if n := NumFeatures.Get(s.params); n > 0 && n != len(coefs[0]) {
		return fmt.Errorf("learner %q: warm start: model has %d features, num_features is %d", Kind, len(coefs[0]), n)
	}
	s.labels = labels
	s.readHyper()
	if err := s.init(len(coefs[0])); err != nil {
		return err
	}
	k := len(labels)
	for c := range k {
		for i, v := range coefs[c] {
			s.w[i*k+c] = v
		}
		s.w[s.dim*k+c] = b[c]
	}
	s.rows = 0
	return nil
}

const magic = "EDDYSMAX"

// Snapshot encodes the full learner state bit for bit.
func (s *Softmax) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(magic, 1, 16*len(s.w)+128)
	e.Bool(s.adagrad)
	e.F64(s.lr)
	e.F64(s.powerT)
	e.F64(s.reg)
	e.F64s(s.labels)
	e.I64(s.rows)
	e.U64(uint64(s.dim))
	e.F64s(s.w)
	e.F64s(s.g2)
	return e.B, nil
}

// Restore replaces the state with a Snapshot taken with the same params.
func (s *Softmax) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(Kind, b, magic, 1)
	if err != nil {
		return err
	}
	s.readHyper()
	if d.Bool() != s.adagrad {
		d.Fail(fmt.Errorf("snapshot has another optimizer"))
	}
	for _, p := range []struct {
		name string
		want float64
	}{{"learning_rate", s.lr}, {"power_t", s.powerT}, {"reg_param", s.reg}} {
		if got := d.F64(); math.Float64bits(got) != math.Float64bits(p.want) {
			d.Fail(fmt.Errorf("snapshot has %s=%v, the learner %v", p.name, got, p.want))
		}
	}
	labels := d.F64s(1 << 20)
	rows := d.I64()
	dim := d.U64()
	w := d.F64s(maxValues)
	g2 := d.F64s(maxValues)
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", Kind, err)
	}
	k := uint64(len(labels))
	switch {
	case len(w) > 0 && (k < 2 || uint64(len(w)) != (dim+1)*k):
		return fmt.Errorf("learner %q: restore: %d weights for %d features and %d classes", Kind, len(w), dim, k)
	case s.adagrad && len(g2) != len(w), !s.adagrad && len(g2) != 0:
		return fmt.Errorf("learner %q: restore: accumulators do not match the weights", Kind)
	case !increasing(labels):
		return fmt.Errorf("learner %q: restore: labels %v are not sorted", Kind, labels)
	}
	if p := Labels.Get(s.params); len(p) > 0 && !slices.Equal(slices.Sorted(slices.Values(p)), labels) {
		return fmt.Errorf("learner %q: restore: snapshot labels %v differ from the labels param %v", Kind, labels, p)
	}
	if len(labels) == 0 {
		labels = nil
	}
	if len(w) == 0 {
		w, g2, dim = nil, nil, 0
	}
	if len(g2) == 0 {
		g2 = nil
	}
	s.labels, s.rows, s.dim, s.w, s.g2 = labels, rows, int(dim), w, g2
	s.z = make([]float64, len(labels))
	return nil
}

// increasing reports whether v holds finite, strictly increasing numbers.
func increasing(v []float64) bool {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || i > 0 && !(v[i-1] < x) {
			return false
		}
	}
	return true
}
