package hoeffding

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/decisiontree"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind is the learner's kind name.
const Kind = "online_hoeffding_tree"

// Params.
var (
	GracePeriod     = param.New("grace_period", "rows a leaf sees between split attempts", 200, param.Gt(0))
	SplitConfidence = param.New("split_confidence", "δ of the Hoeffding bound: the probability of choosing a wrong split", 1e-7, param.InRange(1e-300, 1.0))
	TieThreshold    = param.New("tie_threshold", "split anyway when the bound falls below this (near ties)", 0.05, param.GtEq(0.0))
	MaxDepth        = param.New("max_depth", "maximum depth of the tree", 20, param.Gt(0))
	NumBins         = param.New("num_bins", "candidate thresholds per numeric feature", 10, param.Gt(0))
	NominalFeatures = param.New("nominal_features", "indices of the nominal (categorical) features", []int(nil), param.Each(param.GtEq(0)))
	NumFeatures     = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxFeatures = 1 << 20

// gauss is one class's Gaussian estimator of a numeric feature.
type gauss struct{ n, mean, m2 float64 }

func (g *gauss) add(x float64) {
	g.n++
	d := x - g.mean
	g.mean += d / g.n
	g.m2 += d * (x - g.mean)
}

// below estimates how many of the g.n values are <= t.
func (g *gauss) below(t float64) float64 {
	if g.n == 0 {
		return 0
	}
	sd := 0.0
	if g.n > 1 {
		sd = math.Sqrt(g.m2 / (g.n - 1))
	}
	if sd == 0 {
		if g.mean <= t {
			return g.n
		}
		return 0
	}
	return g.n * 0.5 * math.Erfc(-(t-g.mean)/(sd*math.Sqrt2))
}

type numStat struct {
	lo, hi float64
	cls    []gauss // per class
}

type nomStat struct {
	vals []float64   // sorted
	cnt  [][]float64 // per value, per class
}

type node struct {
	feature   int // -1: leaf
	nominal   bool
	threshold float64
	left      int
	right     int
	depth     int
	// leaf statistics
	counts   []float64 // per class (arrival order)
	seen     float64
	lastEval float64
	num      []numStat // per feature (numeric features only)
	nom      []nomStat // per feature (nominal features only)
}

// Tree is a Hoeffding tree classifier.
type Tree struct {
	param.HasFeaturesCol
	param.HasLabelCol
	params *param.Set

	grace                   float64
	delta, tau              float64
	maxDepth, bins          int
	nominal                 []bool
	dim                     int
	labels                  []float64 // arrival order
	index                   map[float64]int
	nodes                   []node
	rows                    int64
	ybuf, row               []float64
	left, right, lbuf, rbuf []float64
}

// New builds an online_hoeffding_tree learner.
func New(values map[string]any) (*Tree, error) {
	t := &Tree{index: map[float64]int{}}
	t.params = param.NewSet(Kind, &t.HasFeaturesCol, &t.HasLabelCol, GracePeriod, SplitConfidence, TieThreshold, MaxDepth,
		NumBins, NominalFeatures, NumFeatures)
	if err := t.params.SetMap(values); err != nil {
		return nil, err
	}
	t.readHyper()
	if n := NumFeatures.Get(t.params); n > 0 {
		if err := t.init(n); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Tree) Kind() string       { return Kind }
func (t *Tree) Params() *param.Set { return t.params }

// Rows returns the number of rows learned.
func (t *Tree) Rows() int64 { return t.rows }

// NumLeaves returns the number of leaves (0 before the first row).
func (t *Tree) NumLeaves() int {
	n := 0
	for i := range t.nodes {
		if t.nodes[i].feature < 0 {
			n++
		}
	}
	return n
}

// Depth returns the depth of the deepest leaf.
func (t *Tree) Depth() int {
	d := 0
	for i := range t.nodes {
		d = max(d, t.nodes[i].depth)
	}
	return d
}

func (t *Tree) readHyper() {
	t.grace = float64(GracePeriod.Get(t.params))
	t.delta, t.tau = SplitConfidence.Get(t.params), TieThreshold.Get(t.params)
	t.maxDepth, t.bins = MaxDepth.Get(t.params), NumBins.Get(t.params)
}

func (t *Tree) init(n int) error {
	if n > maxFeatures {
		return fmt.Errorf("learner %q: %d features is too many", Kind, n)
	}
	t.dim = n
	t.nominal = make([]bool, n)
	for _, j := range NominalFeatures.Get(t.params) {
		if j >= n {
			return fmt.Errorf("learner %q: param \"nominal_features\": feature %d of %d", Kind, j, n)
		}
		t.nominal[j] = true
	}
	t.nodes = []node{t.newLeaf(0, nil)}
	return nil
}

func (t *Tree) newLeaf(depth int, counts []float64) node {
	return node{feature: -1, left: -1, right: -1, depth: depth, counts: counts,
		num: make([]numStat, t.dim), nom: make([]nomStat, t.dim)}
}

func (t *Tree) class(y float64) int {
	if c, ok := t.index[y]; ok {
		return c
	}
	t.index[y] = len(t.labels)
	t.labels = append(t.labels, y)
	return len(t.labels) - 1
}

func (t *Tree) leaf(x []float64) int {
	n := 0
	for {
		nd := &t.nodes[n]
		if nd.feature < 0 {
			return n
		}
		v := x[nd.feature]
		if nd.nominal && v == nd.threshold || !nd.nominal && v <= nd.threshold {
			n = nd.left
		} else {
			n = nd.right
		}
	}
}

func grow(v []float64, n int) []float64 {
	for len(v) < n {
		v = append(v, 0)
	}
	return v
}

// predict returns the majority class index of x's leaf, -1 without counts.
func (t *Tree) predict(x []float64) int {
	if t.nodes == nil {
		return -1
	}
	c := t.nodes[t.leaf(x)].counts
	best := -1
	for i, v := range c {
		if v > 0 && (best < 0 || v > c[best]) {
			best = i
		}
	}
	return best
}

func (t *Tree) learn(x []float64, y float64) {
	c := t.class(y)
	k := len(t.labels)
	li := t.leaf(x)
	nd := &t.nodes[li]
	nd.counts = grow(nd.counts, k)
	nd.counts[c]++
	nd.seen++
	for j, v := range x {
		if t.nominal[j] {
			s := &nd.nom[j]
			i, ok := slices.BinarySearch(s.vals, v)
			if !ok {
				s.vals = slices.Insert(s.vals, i, v)
				s.cnt = slices.Insert(s.cnt, i, []float64(nil))
			}
			s.cnt[i] = grow(s.cnt[i], k)
			s.cnt[i][c]++
			continue
		}
		s := &nd.num[j]
		if len(s.cls) == 0 || v < s.lo {
			s.lo = v
		}
		if len(s.cls) == 0 || v > s.hi {
			s.hi = v
		}
		for len(s.cls) < k {
			s.cls = append(s.cls, gauss{})
		}
		s.cls[c].add(x[j])
	}
	if nd.seen-nd.lastEval >= t.grace {
		nd.lastEval = nd.seen
		t.trySplit(li)
	}
}

func entropy(c []float64) (h, total float64) {
	for _, v := range c {
		total += v
	}
	if total <= 0 {
		return 0, 0
	}
	for _, v := range c {
		if v > 0 {
			p := v / total
			h -= p * math.Log2(p)
		}
	}
	return h, total
}

// gain is the information gain of splitting counts into left and the rest.
func gain(hParent, total float64, left, right []float64) float64 {
	hl, nl := entropy(left)
	hr, nr := entropy(right)
	if nl <= 0 || nr <= 0 {
		return 0
	}
	return hParent - (nl*hl+nr*hr)/(nl+nr)
}

type split struct {
	feature   int
	nominal   bool
	threshold float64
	merit     float64
	left      []float64
	right     []float64
}

func (t *Tree) trySplit(li int) {
	nd := &t.nodes[li]
	k := len(t.labels)
	if nd.depth >= t.maxDepth || k < 2 {
		return
	}
	hp, total := entropy(nd.counts)
	if hp == 0 {
		return
	}
	best, second := split{feature: -1}, 0.0
	t.lbuf, t.rbuf = olearn.Grow(t.lbuf, k), olearn.Grow(t.rbuf, k)
	l, r := t.lbuf, t.rbuf
	for j := range t.dim {
		fb := split{feature: -1}
		if t.nominal[j] {
			s := &nd.nom[j]
			for i, v := range s.vals {
				clear(l)
				copy(l, s.cnt[i])
				for c := range k {
					r[c] = nd.counts[c] - l[c]
				}
				if g := gain(hp, total, l, r); g > fb.merit {
					fb = split{feature: j, nominal: true, threshold: v, merit: g, left: slices.Clone(l), right: slices.Clone(r)}
				}
			}
		} else {
			s := &nd.num[j]
			if len(s.cls) == 0 || !(s.hi > s.lo) {
				continue
			}
			for b := 1; b <= t.bins; b++ {
				thr := s.lo + (s.hi-s.lo)*float64(b)/float64(t.bins+1)
				clear(l)
				clear(r)
				for c := range s.cls {
					l[c] = min(s.cls[c].below(thr), s.cls[c].n)
					r[c] = s.cls[c].n - l[c]
				}
				if g := gain(hp, total, l, r); g > fb.merit {
					fb = split{feature: j, threshold: thr, merit: g, left: slices.Clone(l), right: slices.Clone(r)}
				}
			}
		}
		switch {
		case fb.feature >= 0 && fb.merit > best.merit:
			second = max(second, best.merit)
			best = fb
		case fb.merit > second:
			second = fb.merit
		}
	}
	if best.feature < 0 || best.merit <= 0 {
		return
	}
	rng := math.Log2(float64(k))
	eps := math.Sqrt(rng * rng * math.Log(1/t.delta) / (2 * nd.seen))
	if best.merit-second <= eps && eps >= t.tau {
		return
	}
	d := nd.depth + 1
	nl, nr := len(t.nodes), len(t.nodes)+1
	t.nodes = append(t.nodes, t.newLeaf(d, best.left), t.newLeaf(d, best.right))
	nd = &t.nodes[li]
	*nd = node{feature: best.feature, nominal: best.nominal, threshold: best.threshold, left: nl, right: nr, depth: nd.depth,
		counts: nd.counts, seen: nd.seen}
}

// UpdateDense learns one row and returns the label predicted for it before
// (NaN before the first label).
func (t *Tree) UpdateDense(x []float64, y float64) (float64, error) {
	if t.nodes == nil {
		if err := t.init(len(x)); err != nil {
			return 0, err
		}
	}
	if len(x) != t.dim {
		return 0, fmt.Errorf("learner %q: vector of size %d, want %d", Kind, len(x), t.dim)
	}
	if err := olearn.CheckFinite(Kind, x); err != nil {
		return 0, err
	}
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return 0, fmt.Errorf("learner %q: label is %v", Kind, y)
	}
	p := t.label(t.predict(x))
	t.learn(x, y)
	t.rows++
	return p, nil
}

func (t *Tree) label(c int) float64 {
	if c < 0 {
		return math.NaN()
	}
	return t.labels[c]
}

// Update learns the rows of rec (borrowed) in order.
func (t *Tree) Update(ctx context.Context, rec arrow.Record) error {
	_, err := t.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes each row's label predicted
// before it was learned into dst.
func (t *Tree) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return t.update(ctx, rec, dst, true)
}

func (t *Tree) dense(rec arrow.Record, start int64) ([]float64, int, error) {
	feats, err := olearn.ReadFeatures(rec, t.FeaturesCol(), t.dim, start)
	if err != nil {
		return nil, 0, fmt.Errorf("learner %q: %w", Kind, err)
	}
	if feats.N > 0 && t.nodes == nil {
		if err := t.init(feats.Dim); err != nil {
			return nil, 0, err
		}
	}
	if !feats.IsSparse {
		return feats.Dense, feats.N, nil
	}
	t.row = olearn.Grow(t.row, feats.N*t.dim)
	clear(t.row)
	for i := range feats.N {
		idx, vals := feats.SparseRow(i)
		r := t.row[i*t.dim : (i+1)*t.dim]
		for k, j := range idx {
			r[j] += vals[k]
		}
	}
	return t.row, feats.N, nil
}

func (t *Tree) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", Kind, r)
		}
	}()
	y, err := olearn.Labels(rec, t.LabelCol(), t.rows, t.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	t.ybuf = y
	x, n, err := t.dense(rec, t.rows)
	if err != nil {
		return nil, err
	}
	if keep {
		dst = olearn.Grow(dst, n)
	}
	t.readHyper()
	for i := range n {
		xi := x[i*t.dim : (i+1)*t.dim]
		if keep {
			dst[i] = t.label(t.predict(xi))
		}
		t.learn(xi, y[i])
	}
	t.rows += int64(n)
	return dst, nil
}

// Predict writes each row's predicted label into dst (NaN before the first
// label) without learning.
func (t *Tree) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	x, n, err := t.dense(rec, 0)
	if err != nil {
		return nil, err
	}
	dst = olearn.Grow(dst, n)
	for i := range n {
		dst[i] = t.label(t.predict(x[i*t.dim : (i+1)*t.dim]))
	}
	return dst, nil
}

// ModelData returns the tree as decision_tree_classifier_model data
// stamped with version (at least two classes must have been seen); the
// caller owns one Release of each record.
func (t *Tree) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if len(t.labels) < 2 {
		return nil, fmt.Errorf("learner %q: no model before two classes are seen", Kind)
	}
	sorted := slices.Sorted(slices.Values(t.labels))
	perm := make([]int, len(t.labels)) // arrival index -> sorted index
	for i, l := range t.labels {
		perm[i], _ = slices.BinarySearch(sorted, l)
	}
	k := len(sorted)
	var feat, left, right []int32
	var thr, gainv, weight []float64
	var vals [][]float64
	add := func(f int32, th float64, w float64, v []float64) int {
		feat = append(feat, f)
		thr = append(thr, th)
		left = append(left, -1)
		right = append(right, -1)
		gainv = append(gainv, 0)
		weight = append(weight, w)
		vals = append(vals, v)
		return len(feat) - 1
	}
	value := func(nd *node) ([]float64, float64) {
		v := make([]float64, k)
		var w float64
		for c, n := range nd.counts {
			v[perm[c]] = n
			w += n
		}
		return v, w
	}
	var emit func(i int) int
	emit = func(i int) int {
		nd := &t.nodes[i]
		v, w := value(nd)
		if nd.feature < 0 {
			return add(-1, 0, w, v)
		}
		if !nd.nominal {
			me := add(int32(nd.feature), nd.threshold, w, v)
			l := emit(nd.left)
			r := emit(nd.right)
			left[me], right[me] = int32(l), int32(r)
			return me
		}
		a := add(int32(nd.feature), math.Nextafter(nd.threshold, math.Inf(-1)), w, v)
		b := add(int32(nd.feature), nd.threshold, w, v)
		eq := emit(nd.left)
		other := emit(nd.right)
		left[a], right[a] = int32(other), int32(b)
		left[b], right[b] = int32(eq), int32(other)
		return a
	}
	emit(0)
	tree := make([]int32, len(feat))
	node := make([]int32, len(feat))
	for i := range node {
		node[i] = int32(i)
	}
	meta, err := table.Build(mem, table.Col("num_features", []int32{int32(t.dim)}))
	if err != nil {
		return nil, err
	}
	nodes, err := table.Build(mem, table.Col("tree", tree), table.Col("node", node), table.Col("feature", feat),
		table.Col("threshold", thr), table.Col("left", left), table.Col("right", right), table.Col("gain", gainv),
		table.Col("weight", weight), table.DenseCol("value", k, vals))
	if err != nil {
		meta.Release()
		return nil, err
	}
	lab, err := table.Build(mem, table.Col("label", sorted))
	if err != nil {
		meta.Release()
		nodes.Release()
		return nil, err
	}
	return olearn.Stamp(Kind, version, []arrow.Record{meta, nodes, lab}, nil)
}

// Model returns an independent decision_tree_classifier_model of the
// current tree with the given version.
func (t *Tree) Model(version int64) (*decisiontree.ClassifierModel, error) {
	return olearn.NewModel(decisiontree.NewClassifierModel, t.FeaturesCol(), t.LabelCol(), t.ModelData, version)
}
