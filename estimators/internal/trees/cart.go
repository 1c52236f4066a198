package trees

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Criteria.
const (
	Gini         = "gini"
	Entropy      = "entropy"
	SquaredError = "squared_error"
)

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: values closer than
// this are not split apart.
const featureThreshold = 1e-7

// epsilon is scikit-learn's EPSILON (machine epsilon).
const epsilon = 2.220446049250313e-16

// Data is a training set for the CART builder, shared read-only by the
// trees of a forest.
type Data struct {
	XT    []float64 // column-major: feature j of row i at XT[j*N+i]
	N, D  int
	Y     []float64 // regression targets
	Class []int32   // class index per row (classification)
	K     int       // number of classes; 0 for regression
	// Order holds, for each feature j, the rows sorted by value:
	// Order[j*N:(j+1)*N] (see Presort).
	Order []int32
}

// Presort fills d.Order.
func (d *Data) Presort() {
	d.Order = make([]int32, d.D*d.N)
	for j := range d.D {
		o := d.Order[j*d.N : (j+1)*d.N]
		col := d.XT[j*d.N : (j+1)*d.N]
		for i := range o {
			o[i] = int32(i)
		}
		slices.SortStableFunc(o, func(a, b int32) int { return cmp.Compare(col[a], col[b]) })
	}
}

// Transpose returns the column-major copy of row-major x (n×d).
func Transpose(x []float64, n, d int) []float64 {
	xt := make([]float64, n*d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			xt[j*n+i] = v
		}
	}
	return xt
}

// Config holds the CART stopping rules.
type Config struct {
	Criterion           string  // Gini, Entropy or SquaredError
	MaxDepth            int     // 0: unlimited
	MinSamplesSplit     int     // at least 2
	MinSamplesLeaf      int     // at least 1
	MinImpurityDecrease float64 // weighted, as scikit-learn
	MaxFeatures         int     // features tried per split, in [1, D]
}

type builder struct {
	d      *Data
	cfg    Config
	w      []float64
	rng    *rand.Rand
	wTotal float64
	k      int // value width

	m       int     // rows taking part
	idx     []int32 // per feature, the node segments sorted by value: idx[j*m+p]
	tmp     []int32
	left    []uint8 // per row: 1 when it goes left at the split being applied
	samples []int32
	feats   []int
	cl, cr  []float64 // class weights left/right
	cn      []float64 // node class weights
	t       Tree
}

// Build grows one tree (d.Order must be set, see Presort) depth first the way scikit-learn's
// DepthFirstTreeBuilder with the "best" splitter does (Breiman et al.
// 1984): at each node it tries max_features features drawn at random
// without replacement (continuing past constant ones), sorts the node's
// rows by each and scans every threshold halfway between consecutive
// distinct values, keeping the split of largest impurity decrease (the
// first found on ties). Each feature's rows are kept sorted within every
// node by stable partitioning at each split (as SLIQ), so nothing is
// sorted after Presort. w holds sample weights (nil: all 1); rows of
// weight 0 take no part, as bootstrap rows that were not drawn.
func Build(d *Data, w []float64, cfg Config, rng *rand.Rand) Tree {
	b := &builder{d: d, cfg: cfg, w: w, rng: rng, k: max(d.K, 1)}
	b.feats = make([]int, d.D)
	for j := range b.feats {
		b.feats[j] = j
	}
	b.cl, b.cr, b.cn = make([]float64, b.k), make([]float64, b.k), make([]float64, b.k)
	for i := range d.N {
		if wi := b.weight(i); wi > 0 {
			b.m++
			b.wTotal += wi
		}
	}
	b.idx = make([]int32, 0, b.m*d.D)
	for j := range d.D {
		for _, r := range d.Order[j*d.N : (j+1)*d.N] {
			if b.weight(int(r)) > 0 {
				b.idx = append(b.idx, r)
			}
		}
	}
	b.tmp = make([]int32, b.m)
	b.left = make([]uint8, d.N)
	b.samples = b.idx[:b.m]
	b.t.Width = b.k
	if len(b.samples) == 0 {
		b.t.AddLeaf(0, make([]float64, b.k)...)
		return b.t
	}
	type job struct {
		start, end, depth int
		node              int32
	}
	wn, imp := b.stats(0, len(b.samples), b.cn)
	b.t.AddLeaf(wn, b.value(b.cn, wn)...)
	stack := []job{{0, len(b.samples), 0, 0}}
	imps := []float64{imp}
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		imp := imps[len(imps)-1]
		stack, imps = stack[:len(stack)-1], imps[:len(imps)-1]
		n := j.end - j.start
		wn := b.t.Weight[j.node]
		if (cfg.MaxDepth > 0 && j.depth >= cfg.MaxDepth) || n < cfg.MinSamplesSplit || n < 2*cfg.MinSamplesLeaf || imp <= epsilon {
			continue
		}
		s, ok := b.split(j.start, j.end, j.node, wn)
		if !ok {
			continue
		}
		wl, il := b.stats(j.start, s.pos, b.cl)
		wr, ir := b.stats(s.pos, j.end, b.cr)
		improvement := wn / b.wTotal * (imp - wl/wn*il - wr/wn*ir)
		if improvement+epsilon < cfg.MinImpurityDecrease {
			continue
		}
		l := b.t.AddLeaf(wl, b.value(b.cl, wl)...)
		r := b.t.AddLeaf(wr, b.value(b.cr, wr)...)
		b.t.Split(j.node, int32(s.feature), s.threshold, l, r, wn*imp-wl*il-wr*ir)
		// Right first so the left child is grown next, as scikit-learn.
		stack = append(stack, job{s.pos, j.end, j.depth + 1, r}, job{j.start, s.pos, j.depth + 1, l})
		imps = append(imps, ir, il)
	}
	return b.t
}

func (b *builder) weight(i int) float64 {
	if b.w == nil {
		return 1
	}
	return b.w[i]
}

// stats returns the weight and impurity of samples[lo:hi], leaving class
// weights (or sum, sum of squares) in acc.
func (b *builder) stats(lo, hi int, acc []float64) (w, imp float64) {
	clear(acc)
	if b.d.K > 0 {
		for _, s := range b.samples[lo:hi] {
			wi := b.weight(int(s))
			acc[b.d.Class[s]] += wi
			w += wi
		}
		return w, b.classImpurity(acc, w)
	}
	var sum, sq float64
	for _, s := range b.samples[lo:hi] {
		wi, y := b.weight(int(s)), b.d.Y[s]
		w += wi
		sum += wi * y
		sq += wi * y * y
	}
	acc[0] = sum
	if w == 0 {
		return 0, 0
	}
	m := sum / w
	return w, max(sq/w-m*m, 0)
}

func (b *builder) classImpurity(c []float64, w float64) float64 {
	if w <= 0 {
		return 0
	}
	if b.cfg.Criterion == Entropy {
		var h float64
		for _, v := range c {
			if v > 0 {
				p := v / w
				h -= p * math.Log2(p)
			}
		}
		return h
	}
	var s float64
	for _, v := range c {
		s += v * v
	}
	return 1 - s/(w*w)
}

// value is a node's value: class weights, or the mean target.
func (b *builder) value(acc []float64, w float64) []float64 {
	if b.d.K > 0 {
		return acc
	}
	if w == 0 {
		return []float64{0}
	}
	return []float64{acc[0] / w}
}

type split struct {
	feature   int
	pos       int
	threshold float64
}

// split finds the best split of samples[start:end] (tree node node) and
// reorders them so that its left rows come first.
func (b *builder) split(start, end int, node int32, wn float64) (split, bool) {
	d := b.d
	n := end - start
	best := split{pos: -1}
	bestProxy := math.Inf(-1)
	msl := b.cfg.MinSamplesLeaf
	visited := 0
	// Totals of the node for the proxy: its value, the class weights that
	// stats summed over these same rows in this same order when the node
	// was added (a node's segment is not reordered until it is split).
	var tot []float64
	if d.K > 0 {
		tot = b.cn
		copy(tot, b.t.Value[int(node)*b.k:(int(node)+1)*b.k])
	}
	var sumAll float64
	if d.K == 0 {
		for _, s := range b.samples[start:end] {
			sumAll += b.weight(int(s)) * d.Y[s]
		}
	}
	for f := len(b.feats); f > 0 && visited < b.cfg.MaxFeatures; f-- {
		// Fisher–Yates draw among the features not yet tried.
		r := b.rng.IntN(f)
		b.feats[r], b.feats[f-1] = b.feats[f-1], b.feats[r]
		j := b.feats[f-1]
		col := d.XT[j*d.N : (j+1)*d.N]
		seg := b.idx[j*b.m+start : j*b.m+end]
		if col[seg[n-1]] <= col[seg[0]]+featureThreshold {
			continue // constant: does not count
		}
		visited++
		if d.K > 0 {
			clear(b.cl)
			copy(b.cr, tot)
		}
		var wl, sl float64
		prev := col[seg[0]]
		for p := 1; p < n; p++ {
			s := seg[p-1]
			cur := col[seg[p]]
			wi := b.weight(int(s))
			wl += wi
			if d.K > 0 {
				c := d.Class[s]
				b.cl[c] += wi
				b.cr[c] -= wi
			} else {
				sl += wi * d.Y[s]
			}
			lo := prev
			prev = cur
			if cur <= lo+featureThreshold || p < msl || n-p < msl {
				continue
			}
			wr := wn - wl
			if wl <= 0 || wr <= 0 {
				continue
			}
			var proxy float64
			if d.K > 0 {
				proxy = -b.weightedImpurity(b.cl, wl) - b.weightedImpurity(b.cr, wr)
			} else {
				sr := sumAll - sl
				proxy = sl*sl/wl + sr*sr/wr
			}
			if proxy > bestProxy {
				bestProxy = proxy
				thr := lo/2 + cur/2
				if thr == cur || math.IsInf(thr, 0) {
					thr = lo
				}
				best = split{feature: j, pos: start + p, threshold: thr}
			}
		}
	}
	if best.pos < 0 {
		return best, false
	}
	// Partition every feature's segment stably so the left rows come first.
	col := d.XT[best.feature*d.N : (best.feature+1)*d.N]
	nl := 0
	left := b.left
	for _, r := range b.idx[start:end] {
		var g uint8
		if col[r] <= best.threshold {
			g = 1
		}
		left[r] = g
		nl += int(g)
	}
	// Branch-free stable partition (the side of a row is unpredictable):
	// each row is written to both outputs and only one cursor advances;
	// seg[l] is never ahead of the row being read.
	tmp := b.tmp[:n]
	for j := range d.D {
		seg := b.idx[j*b.m+start : j*b.m+end]
		l, r := 0, 0
		for _, row := range seg {
			g := int(left[row])
			seg[l] = row
			tmp[r] = row
			l += g
			r += 1 - g
		}
		copy(seg[l:], tmp[:r])
	}
	best.pos = start + nl
	return best, true
}

// weightedImpurity is w times the impurity of class weights c.
func (b *builder) weightedImpurity(c []float64, w float64) float64 {
	if b.cfg.Criterion == Entropy {
		var h float64
		for _, v := range c {
			if v > 0 {
				h -= v * math.Log2(v/w)
			}
		}
		return h
	}
	var s float64
	for _, v := range c {
		s += v * v
	}
	return w - s/w
}
