package bisectingkmeans

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind names.
const (
	Kind      = "bisecting_kmeans"
	ModelKind = "bisecting_kmeans_model"
)

// Values of Init and BisectingStrategy.
const (
	InitRandom         = "random"
	InitKMeansPlusPlus = "k-means++"

	BiggestInertia = "biggest_inertia"
	LargestCluster = "largest_cluster"
)

// Params (besides features_col, prediction_col, model_version_col and
// seed).
var (
	K                 = param.New("k", "number of clusters (leaves)", 8, param.Gt(0))
	Init              = param.New("init", "initialisation of each 2-means split: random (2 distinct rows) or k-means++", InitRandom, param.OneOf(InitRandom, InitKMeansPlusPlus))
	NInit             = param.New("n_init", "k-means runs per split; the one with the smallest inertia wins", 1, param.Gt(0))
	MaxIter           = param.New("max_iter", "maximum number of Lloyd iterations per run", 300, param.Gt(0))
	Tol               = param.New("tol", "stop a run when the sum of squared center shifts is at most tol times the mean feature variance", 1e-4, param.GtEq(0.0))
	BisectingStrategy = param.New("bisecting_strategy", "which leaf to split next: biggest_inertia or largest_cluster", BiggestInertia, param.OneOf(BiggestInertia, LargestCluster))
)

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Bisecting k-means, as scikit-learn's BisectingKMeans.",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
	registry.MustRegister(registry.Spec{Kind: ModelKind, Doc: "Assigns each row a bisecting k-means leaf by walking the tree.",
		New: func(p map[string]any) (pipeline.Stage, error) { return NewModel(p) }})
}

// Report is what a fit reports.
type Report struct {
	Inertia float64 // sum of squared distances of the training rows to their leaf centers
}

// BisectingKMeans is the bisecting_kmeans estimator.
type BisectingKMeans struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	param.HasSeed
	params *param.Set
}

var _ pipeline.Estimator = (*BisectingKMeans)(nil)

// New builds a bisecting_kmeans estimator from param values.
func New(values map[string]any) (*BisectingKMeans, error) {
	s := &BisectingKMeans{}
	s.params = param.NewSet(Kind, &s.HasFeaturesCol, &s.HasPredictionCol, &s.HasModelVersionCol, &s.HasSeed,
		K, Init, NInit, MaxIter, Tol, BisectingStrategy)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *BisectingKMeans) Kind() string       { return Kind }
func (s *BisectingKMeans) Params() *param.Set { return s.params }

// SetK sets k.
func (s *BisectingKMeans) SetK(v int) error { return K.Set(s.params, v) }

// SetBisectingStrategy sets bisecting_strategy.
func (s *BisectingKMeans) SetBisectingStrategy(v string) error {
	return BisectingStrategy.Set(s.params, v)
}

// Fit reads r (borrowed) into memory and clusters it.
func (s *BisectingKMeans) Fit(ctx context.Context, r table.Reader) (pipeline.Model, error) {
	m, _, err := s.FitReport(ctx, r)
	return m, err
}

type node struct {
	center      []float64
	rows        []int
	score, size float64
	left, right int
	label       int
}

// FitReport is Fit that also reports the inertia.
func (s *BisectingKMeans) FitReport(ctx context.Context, r table.Reader) (*Model, Report, error) {
	fail := func(err error) (*Model, Report, error) {
		return nil, Report{}, fmt.Errorf("stage %q: fit: %w", Kind, err)
	}
	x, n, d, release, err := scoring.ReadFeatures(r, s.FeaturesCol())
	defer release()
	if err != nil {
		return fail(err)
	}
	k := K.Get(s.params)
	if k > n {
		return fail(fmt.Errorf("param %q is %d but there are only %d rows", K.Name(), k, n))
	}
	rng := rand.New(rand.NewPCG(uint64(s.Seed()), 0x9E3779B97F4A7C15))
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	dist := make([]float64, n) // squared distance of each row to its leaf center
	nodes := []node{{center: mean(x, d, all), rows: all, size: float64(n), left: -1, right: -1, label: -1}}
	if k == 1 {
		for i := range n {
			dist[i] = sqDist(x[i*d:(i+1)*d], nodes[0].center)
		}
	}
	for range k - 1 {
		// The first leaf (left to right) with the largest score, among
		// those with 2 rows or more.
		pick := -1
		walkLeaves(nodes, 0, func(i int) {
			if len(nodes[i].rows) >= 2 && (pick < 0 || nodes[i].score > nodes[pick].score) {
				pick = i
			}
		})
		if pick < 0 {
			return fail(fmt.Errorf("no cluster left with 2 rows or more to reach param %q = %d", K.Name(), k))
		}
		children, err := s.bisect(ctx, x, d, nodes[pick].rows, dist, rng)
		if err != nil {
			return fail(err)
		}
		nodes[pick].left, nodes[pick].right = len(nodes), len(nodes)+1
		nodes[pick].rows = nil
		nodes = append(nodes, children[0], children[1])
	}
	var inertia float64
	label := 0
	walkLeaves(nodes, 0, func(i int) {
		nodes[i].label = label
		label++
		for _, row := range nodes[i].rows {
			inertia += dist[row]
		}
	})
	model, err := NewModel(nil)
	if err != nil {
		return fail(err)
	}
	if err := model.params.CopyFrom(s.params); err != nil {
		return fail(err)
	}
	rec, err := treeRecord(pipeline.Allocator(ctx), nodes)
	if err != nil {
		return fail(err)
	}
	defer rec.Release()
	if err := model.SetModelData(rec); err != nil {
		return fail(err)
	}
	return model, Report{Inertia: inertia}, nil
}

// bisect splits rows with 2-means (kmeans.FitRows: on the rows in place,
// on both cores for large splits) and returns the two child nodes,
// recording each row's squared distance to its new center in dist.
func (s *BisectingKMeans) bisect(ctx context.Context, x []float64, d int, rows []int, dist []float64, rng *rand.Rand) ([2]node, error) {
	km, err := kmeans.New(map[string]any{"k": 2, "init": Init.Get(s.params), "n_init": NInit.Get(s.params),
		"max_iter": MaxIter.Get(s.params), "tol": Tol.Get(s.params), "seed": int64(rng.Uint64() >> 1)})
	if err != nil {
		return [2]node{}, err
	}
	centers, labels, rowDist, _, err := km.FitRows(ctx, x, d, rows)
	if err != nil {
		return [2]node{}, fmt.Errorf("split of %d rows: %w", len(rows), err)
	}
	var out [2]node
	var count [2]int
	for _, c := range labels {
		count[c]++
	}
	for c := range out {
		out[c] = node{center: centers[c*d : (c+1)*d], rows: make([]int, 0, count[c]), left: -1, right: -1, label: -1}
	}
	var inertia [2]float64
	for i, row := range rows {
		c := labels[i]
		out[c].rows = append(out[c].rows, row)
		dist[row] = rowDist[i]
		inertia[c] += rowDist[i]
	}
	for c := range out {
		out[c].size = float64(len(out[c].rows))
		out[c].score = inertia[c]
		if BisectingStrategy.Get(s.params) == LargestCluster {
			out[c].score = out[c].size
		}
	}
	return out, nil
}

func walkLeaves(nodes []node, i int, f func(int)) {
	if nodes[i].left < 0 {
		f(i)
		return
	}
	walkLeaves(nodes, nodes[i].left, f)
	walkLeaves(nodes, nodes[i].right, f)
}

func mean(x []float64, d int, rows []int) []float64 {
	m := make([]float64, d)
	for _, row := range rows {
		for j, v := range x[row*d : (row+1)*d] {
			m[j] += v
		}
	}
	for j := range m {
		m[j] /= float64(len(rows))
	}
	return m
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		t := v - b[j]
		s += t * t
	}
	return s
}
