package kmeans

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind is the learner's kind name.
const Kind = "online_kmeans"

// Params.
var (
	K           = param.New("k", "number of clusters", 2, param.Gt(0))
	DecayFactor = param.New("decay_factor", "forgetfulness a in [0, 1]: old weights are multiplied by a at each batch", 1.0, param.InRange(0.0, 1.0))
	NumFeatures = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxValues = 1 << 28

// KMeans is an online k-means learner.
type KMeans struct {
	param.HasFeaturesCol
	param.HasSeed
	params *param.Set

	k       int
	decay   float64
	dim     int
	centers []float64 // k*dim; nil until initialised
	weights []float64
	pending []float64 // buffered rows before initialisation, row-major
	rows    int64

	// scratch
	sums, counts, row []float64
	assign            []int
}

// New builds an online_kmeans learner.
func New(values map[string]any) (*KMeans, error) {
	m := &KMeans{}
	m.params = param.NewSet(Kind, &m.HasFeaturesCol, &m.HasSeed, K, DecayFactor, NumFeatures)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	m.readHyper()
	m.dim = NumFeatures.Get(m.params)
	if m.k*max(m.dim, 1) > maxValues {
		return nil, fmt.Errorf("learner %q: %d clusters of %d features is too many", Kind, m.k, m.dim)
	}
	return m, nil
}

func (m *KMeans) Kind() string       { return Kind }
func (m *KMeans) Params() *param.Set { return m.params }

func (m *KMeans) readHyper() { m.k, m.decay = K.Get(m.params), DecayFactor.Get(m.params) }

// Rows returns the number of rows learned (buffered rows included).
func (m *KMeans) Rows() int64 { return m.rows }

// Centers returns a copy of the centroids (nil before initialisation).
func (m *KMeans) Centers() [][]float64 {
	if m.centers == nil {
		return nil
	}
	out := make([][]float64, m.k)
	for c := range out {
		out[c] = append([]float64(nil), m.centers[c*m.dim:(c+1)*m.dim]...)
	}
	return out
}

// Weights returns a copy of the centroid weights.
func (m *KMeans) Weights() []float64 { return append([]float64(nil), m.weights...) }

func (m *KMeans) nearest(x []float64) int {
	best, bd := 0, math.Inf(1)
	for c := range m.k {
		ctr := m.centers[c*m.dim : (c+1)*m.dim]
		var d float64
		for j, v := range x {
			t := v - ctr[j]
			d += t * t
		}
		if d < bd {
			best, bd = c, d
		}
	}
	return best
}

// kmeansPP picks k initial centroids from the rows of x (n rows).
func (m *KMeans) kmeansPP(x []float64, n int) {
	rng := rand.New(rand.NewPCG(uint64(m.Seed()), 0x6f6e6c696e65))
	d := m.dim
	m.centers = make([]float64, m.k*d)
	m.weights = make([]float64, m.k)
	first := rng.IntN(n)
	copy(m.centers, x[first*d:(first+1)*d])
	dist := make([]float64, n)
	for i := range n {
		dist[i] = sq(x[i*d:(i+1)*d], m.centers[:d])
	}
	for c := 1; c < m.k; c++ {
		var total float64
		for _, v := range dist {
			total += v
		}
		pick := 0
		if total > 0 {
			u := rng.Float64() * total
			for i, v := range dist {
				u -= v
				if u < 0 {
					pick = i
					break
				}
				pick = i
			}
		} else {
			pick = rng.IntN(n)
		}
		ctr := m.centers[c*d : (c+1)*d]
		copy(ctr, x[pick*d:(pick+1)*d])
		for i := range n {
			dist[i] = min(dist[i], sq(x[i*d:(i+1)*d], ctr))
		}
	}
}

func sq(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		t := v - b[j]
		s += t * t
	}
	return s
}

// learn assigns the n dense rows of x to the current centroids (writing
// the clusters into assign) and applies the decayed batch update.
func (m *KMeans) learn(x []float64, n int, assign []int) {
	d := m.dim
	m.sums = olearn.Grow(m.sums, m.k*d)
	m.counts = olearn.Grow(m.counts, m.k)
	clear(m.sums)
	clear(m.counts)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		c := m.nearest(xi)
		assign[i] = c
		m.counts[c]++
		s := m.sums[c*d : (c+1)*d]
		for j, v := range xi {
			s[j] += v
		}
	}
	for c := range m.k {
		old := m.decay * m.weights[c]
		nw := old + m.counts[c]
		if m.counts[c] > 0 {
			ctr := m.centers[c*d : (c+1)*d]
			s := m.sums[c*d : (c+1)*d]
			for j := range ctr {
				ctr[j] = (old*ctr[j] + s[j]) / nw
			}
		}
		m.weights[c] = nw
	}
}

// batch learns n dense rows; assign gets each row's cluster or -1 while
// buffering.
func (m *KMeans) batch(x []float64, n int, assign []int) {
	m.rows += int64(n)
	if m.centers != nil {
		m.learn(x, n, assign)
		return
	}
	for i := range assign[:n] {
		assign[i] = -1
	}
	m.pending = append(m.pending, x[:n*m.dim]...)
	np := len(m.pending) / max(m.dim, 1)
	if np < m.k {
		return
	}
	m.kmeansPP(m.pending, np)
	tmp := make([]int, np)
	m.learn(m.pending, np, tmp)
	m.pending = nil
}

// UpdateDense learns one row as a batch of one and returns its cluster
// before learning it (-1 while buffering the first k rows).
func (m *KMeans) UpdateDense(x []float64) (int, error) {
	if m.dim == 0 {
		m.dim = len(x)
	}
	if len(x) != m.dim {
		return 0, fmt.Errorf("learner %q: vector of size %d, want %d", Kind, len(x), m.dim)
	}
	if err := olearn.CheckFinite(Kind, x); err != nil {
		return 0, err
	}
	var a [1]int
	m.batch(x, 1, a[:])
	return a[0], nil
}

// Update learns the rows of rec (borrowed) as one mini-batch.
func (m *KMeans) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.UpdatePredict(ctx, rec, nil)
	return err
}

// UpdatePredict is Update that also writes into dst (grown to the row
// count) each row's cluster under the centroids before the batch, -1 for
// rows buffered before initialisation.
func (m *KMeans) UpdatePredict(ctx context.Context, rec arrow.Record, dst []int) (out []int, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", Kind, r)
		}
	}()
	x, n, err := m.dense(rec, m.rows)
	if err != nil {
		return nil, err
	}
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst, nil
	}
	m.readHyper()
	m.batch(x, n, dst)
	return dst, nil
}

// dense returns the batch's features as dense row-major values (a sparse
// column densified into scratch memory).
func (m *KMeans) dense(rec arrow.Record, start int64) ([]float64, int, error) {
	feats, err := olearn.ReadFeatures(rec, m.FeaturesCol(), m.dim, start)
	if err != nil {
		return nil, 0, fmt.Errorf("learner %q: %w", Kind, err)
	}
	if feats.N > 0 && m.dim == 0 {
		m.dim = feats.Dim
	}
	if m.k*max(m.dim, 1) > maxValues {
		return nil, 0, fmt.Errorf("learner %q: %d clusters of %d features is too many", Kind, m.k, m.dim)
	}
	if !feats.IsSparse {
		return feats.Dense, feats.N, nil
	}
	m.row = olearn.Grow(m.row, feats.N*m.dim)
	clear(m.row)
	for i := range feats.N {
		idx, vals := feats.SparseRow(i)
		r := m.row[i*m.dim : (i+1)*m.dim]
		for k, j := range idx {
			r[j] += vals[k]
		}
	}
	return m.row, feats.N, nil
}

// Predict writes each row's nearest centroid into dst (-1 before
// initialisation) without learning.
func (m *KMeans) Predict(rec arrow.Record, dst []int) ([]int, error) {
	x, n, err := m.dense(rec, 0)
	if err != nil {
		return nil, err
	}
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	for i := range n {
		dst[i] = -1
		if m.centers != nil {
			dst[i] = m.nearest(x[i*m.dim : (i+1)*m.dim])
		}
	}
	return dst, nil
}

// ModelData returns the centroids as kmeans_model data stamped with
// version; the caller owns one Release of each record.
func (m *KMeans) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if m.centers == nil {
		return nil, fmt.Errorf("learner %q: no model before %d rows are seen", Kind, m.k)
	}
	rec, err := kmeans.ModelDataRecord(mem, m.centers, m.weights, m.dim)
	return olearn.Stamp(Kind, version, []arrow.Record{rec}, err)
}

// Model returns an independent kmeans_model with the given version.
func (m *KMeans) Model(version int64) (*kmeans.Model, error) {
	km, err := kmeans.NewModel(map[string]any{"features_col": m.FeaturesCol()})
	if err != nil {
		return nil, err
	}
	recs, err := m.ModelData(memory.DefaultAllocator, version)
	if err != nil {
		return nil, err
	}
	defer recs[0].Release()
	return km, km.SetModelData(recs...)
}

// WarmStart starts from a kmeans_model's data (borrowed): its centers and
// weights; the model must have k centers.
func (m *KMeans) WarmStart(data ...arrow.Record) error {
	km, err := olearn.LoadModel(Kind, kmeans.NewModel, data)
	if err != nil {
		return err
	}
	centers, weights := km.Centers(), km.Weights()
	m.readHyper()
	if len(centers) != m.k {
		return fmt.Errorf("learner %q: warm start: model has %d centers, k is %d", Kind, len(centers), m.k)
	}
	if n := NumFeatures.Get(m.params); n > 0 && n != len(centers[0]) {
		return fmt.Errorf("learner %q: warm start: model has %d features, num_features is %d", Kind, len(centers[0]), n)
	}
	m.dim = len(centers[0])
	m.centers = m.centers[:0]
	for _, c := range centers {
		m.centers = append(m.centers, c...)
	}
	m.weights, m.pending, m.rows = weights, nil, 0
	return nil
}

const magic = "EDDYOKMS"

// Snapshot encodes the full learner state bit for bit.
func (m *KMeans) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(magic, 1, 8*(len(m.centers)+len(m.pending)+m.k)+96)
	e.U64(uint64(m.k))
	e.F64(m.decay)
	e.I64(m.Seed())
	e.U64(uint64(m.dim))
	e.I64(m.rows)
	e.F64s(m.centers)
	e.F64s(m.weights)
	e.F64s(m.pending)
	return e.B, nil
}

// Restore replaces the state with a Snapshot taken with the same params;
// on error the learner is unchanged.
func (m *KMeans) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(Kind, b, magic, 1)
	if err != nil {
		return err
	}
	m.readHyper()
	if k, a, seed := d.U64(), d.F64(), d.I64(); k != uint64(m.k) || math.Float64bits(a) != math.Float64bits(m.decay) || seed != m.Seed() {
		d.Fail(fmt.Errorf("snapshot has k=%d decay_factor=%v seed=%d, the learner %d, %v, %d", k, a, seed, m.k, m.decay, m.Seed()))
	}
	dim := d.U64()
	rows := d.I64()
	centers, weights, pending := d.F64s(maxValues), d.F64s(maxValues), d.F64s(maxValues)
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", Kind, err)
	}
	if n := NumFeatures.Get(m.params); n > 0 && uint64(n) != dim {
		return fmt.Errorf("learner %q: restore: snapshot has %d features, num_features is %d", Kind, dim, n)
	}
	if len(centers) > 0 && (uint64(len(centers)) != uint64(m.k)*dim || len(weights) != m.k) ||
		len(centers) == 0 && len(weights) != 0 || dim > 0 && uint64(len(pending))%dim != 0 {
		return fmt.Errorf("learner %q: restore: vector sizes do not fit k=%d and %d features", Kind, m.k, dim)
	}
	if len(centers) == 0 {
		centers, weights = nil, nil
	}
	if len(pending) == 0 {
		pending = nil
	}
	m.dim, m.rows, m.centers, m.weights, m.pending = int(dim), rows, centers, weights, pending
	return nil
}
