package gbt

import (
	"container/heap"
	"math"
	"slices"
	"sync"

	"github.com/eddyml/eddy/estimators/internal/trees"
)

// minHessianToSplit is scikit-learn's min_hessian_to_split: a child needs
// at least this hessian sum.
const minHessianToSplit = 1e-3

// binThresholds returns the bin edges of one feature as scikit-learn's
// _BinMapper: with at most maxBins distinct values, the midpoints between
// consecutive ones; otherwise the distinct "midpoint" percentiles at
// 100*k/maxBins, k = 1..maxBins-1. Values v <= edges[b] fall in bins <= b.
func binThresholds(col []float64, maxBins int) []float64 {
	s := sortedCopy(col)
	distinct := slices.Compact(slices.Clone(s))
	if len(distinct) <= maxBins {
		out := make([]float64, 0, max(len(distinct)-1, 0))
		for i := 1; i < len(distinct); i++ {
			out = append(out, (distinct[i-1]+distinct[i])/2)
		}
		return out
	}
	out := make([]float64, 0, maxBins-1)
	n := float64(len(s) - 1)
	for k := 1; k < maxBins; k++ {
		// numpy linspace(0, 100, maxBins+1)[k], then index q/100*(n-1).
		q := 100 * float64(k) / float64(maxBins)
		pos := q / 100 * n
		lo, hi := math.Floor(pos), math.Ceil(pos)
		out = append(out, (s[int(lo)]+s[int(hi)])/2)
	}
	return slices.Compact(out)
}

// sortedCopy returns col sorted ascending (col holds no NaN): an LSD
// radix sort on the order-preserving uint64 image of the values, 8 bits
// per pass, skipping the passes where every key has the same byte; small
// inputs use slices.Sort.
func sortedCopy(col []float64) []float64 {
	if len(col) < 1<<12 {
		s := slices.Clone(col)
		slices.Sort(s)
		return s
	}
	keys := make([]uint64, len(col))
	for i, v := range col {
		b := math.Float64bits(v)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys[i] = b
	}
	tmp := make([]uint64, len(col))
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, k := range keys {
			count[byte(k>>shift)]++
		}
		if count[byte(keys[0]>>shift)] == len(keys) {
			continue
		}
		pos := 0
		for b, c := range count {
			count[b] = pos
			pos += c
		}
		for _, k := range keys {
			b := byte(k >> shift)
			tmp[count[b]] = k
			count[b]++
		}
		keys, tmp = tmp, keys
	}
	out := make([]float64, len(keys))
	for i, b := range keys {
		if b>>63 == 1 {
			b &^= 1 << 63
		} else {
			b = ^b
		}
		out[i] = math.Float64frombits(b)
	}
	return out
}

// binOf maps v to its bin: the number of edges below v.
func binOf(edges []float64, v float64) uint8 {
	lo, hi := 0, len(edges)
	for lo < hi {
		m := (lo + hi) / 2
		if v <= edges[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return uint8(lo)
}

// bin is one histogram bin.
type bin struct {
	g, h  float64
	count int32
}

// grower grows one tree leaf-wise on binned data (Ke et al. 2017,
// LightGBM; scikit-learn's TreeGrower): it keeps the splittable leaves in
// a max-heap by gain and splits the best until max_leaf_nodes leaves.
type grower struct {
	bins    []uint8 // column-major: bins[f*n+i]
	n, d    int
	nbins   []int // bins per feature
	edges   [][]float64
	g, h    []float64
	rows    []int32 // node segments
	tmp     []int32
	og, oh  []float64 // the node's gradients and hessians in row order
	cfg     growConfig
	pool    [][]bin
	workers int
	// identity is set when the trees are grown on every row in order
	// (no validation split), so that the root reads rows directly.
	identity bool
}

type growConfig struct {
	maxLeaves, maxDepth, minLeaf int
	l2, lr                       float64
}

type node struct {
	id         int32
	start, end int
	depth      int
	g, h       float64
	hist       []bin // d*256
	// best split
	gain       float64
	feature    int
	bin        int
	gl, hl     float64
	nl         int
	splittable bool
}

type nodeHeap []*node

func (q nodeHeap) Len() int           { return len(q) }
func (q nodeHeap) Less(i, j int) bool { return q[i].gain > q[j].gain }
func (q nodeHeap) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *nodeHeap) Push(x any)        { *q = append(*q, x.(*node)) }
func (q *nodeHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

const maxBinsPerFeature = 256

func (gr *grower) newHist() []bin {
	if k := len(gr.pool); k > 0 {
		h := gr.pool[k-1]
		gr.pool = gr.pool[:k-1]
		clear(h)
		return h
	}
	return make([]bin, gr.d*maxBinsPerFeature)
}

func (gr *grower) free(h []bin) {
	if h != nil {
		gr.pool = append(gr.pool, h)
	}
}

// build fills nd.hist from its rows, features split over the workers.
func (gr *grower) build(nd *node) {
	nd.hist = gr.newHist()
	rows := gr.rows[nd.start:nd.end]
	if gr.identity && len(rows) == gr.n {
		// The root on every row in order: read the columns and the
		// gradients directly.
		gr.byFeature(func(flo, fhi int) {
			g, h := gr.g[:gr.n], gr.h[:gr.n]
			for f := flo; f < fhi; f++ {
				hist := (*[maxBinsPerFeature]bin)(nd.hist[f*maxBinsPerFeature : (f+1)*maxBinsPerFeature])
				col := gr.bins[f*gr.n : (f+1)*gr.n]
				for i, c := range col {
					b := &hist[c]
					b.g += g[i]
					b.h += h[i]
					b.count++
				}
			}
		}, len(rows))
		return
	}
	// Gather the node's gradients once so every feature reads them in
	// order (scikit-learn's ordered_gradients).
	og, oh := gr.og[:len(rows)], gr.oh[:len(rows)]
	gr.halves(len(rows), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			r := rows[k]
			og[k], oh[k] = gr.g[r], gr.h[r]
		}
	})
	one := func(flo, fhi int) {
		for f := flo; f < fhi; f++ {
			// An array pointer: indexing by a uint8 needs no bounds check.
			hist := (*[maxBinsPerFeature]bin)(nd.hist[f*maxBinsPerFeature : (f+1)*maxBinsPerFeature])
			col := gr.bins[f*gr.n : (f+1)*gr.n]
			og, oh := og[:len(rows)], oh[:len(rows)]
			for k, r := range rows {
				b := &hist[col[r]]
				b.g += og[k]
				b.h += oh[k]
				b.count++
			}
		}
	}
	gr.byFeature(one, len(rows))
}

// byFeature runs one on ranges of features, over the workers when the
// node (of rows rows) is large enough.
func (gr *grower) byFeature(one func(flo, fhi int), rows int) {
	if gr.workers < 2 || rows*gr.d < 1<<14 || gr.d < 2 {
		one(0, gr.d)
		return
	}
	var wg sync.WaitGroup
	per := (gr.d + gr.workers - 1) / gr.workers
	for w := 1; w < gr.workers; w++ {
		lo, hi := w*per, min((w+1)*per, gr.d)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			one(lo, hi)
		}()
	}
	one(0, min(per, gr.d))
	wg.Wait()
}

// halves runs f on [0, n) in two concurrent halves when n is large.
func (gr *grower) halves(n int, f func(lo, hi int)) {
	if gr.workers < 2 || n < 1<<14 {
		f(0, n)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(n/2, n)
	}()
	f(0, n/2)
	<-done
}

// subtract sets child.hist = parent.hist - sibling.hist, reusing the
// parent's histogram.
func (gr *grower) subtract(child, parent, sibling *node) {
	child.hist = parent.hist
	parent.hist = nil
	for i := range child.hist {
		child.hist[i].g -= sibling.hist[i].g
		child.hist[i].h -= sibling.hist[i].h
		child.hist[i].count -= sibling.hist[i].count
	}
}

// value is the optimal leaf value -G/(H+λ) before shrinkage, with
// scikit-learn's 1e-15 guard.
func (gr *grower) value(g, h float64) float64 { return -g / (h + gr.cfg.l2 + 1e-15) }

// loss is the node's loss G*value(G, H) = -G²/(H+λ), computed as
// scikit-learn does so that near-ties between features resolve alike.
func (gr *grower) loss(g, h float64) float64 { return g * gr.value(g, h) }

// findSplit scans every feature's bins left to right for the split of
// largest gain G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ) (> 0) with at least
// min_samples_leaf rows and minHessianToSplit hessian on each side.
//
// The features are scanned in two halves concurrently for large nodes;
// the first half's split wins ties, so the result is the serial scan's.
func (gr *grower) findSplit(nd *node) {
	nd.splittable = false
	nd.gain = 0
	if gr.workers < 2 || gr.d < 4 || nd.end-nd.start < 1<<12 {
		gr.findSplitIn(nd, 0, gr.d)
		return
	}
	other := *nd
	mid := gr.d / 2
	done := make(chan struct{})
	go func() {
		defer close(done)
		gr.findSplitIn(&other, mid, gr.d)
	}()
	gr.findSplitIn(nd, 0, mid)
	<-done
	if other.splittable && other.gain > nd.gain {
		nd.gain, nd.feature, nd.bin, nd.gl, nd.hl, nd.nl = other.gain, other.feature, other.bin, other.gl, other.hl, other.nl
		nd.splittable = true
	}
}

// findSplitIn is findSplit over features [flo, fhi).
func (gr *grower) findSplitIn(nd *node, flo, fhi int) {
	n := nd.end - nd.start
	parent := gr.loss(nd.g, nd.h)
	for f := flo; f < fhi; f++ {
		hist := nd.hist[f*maxBinsPerFeature : f*maxBinsPerFeature+gr.nbins[f]]
		var gl, hl float64
		nl := 0
		for b := 0; b < len(hist)-1; b++ {
			gl += hist[b].g
			hl += hist[b].h
			nl += int(hist[b].count)
			nr := n - nl
			if nl < gr.cfg.minLeaf {
				continue
			}
			if nr < gr.cfg.minLeaf {
				break
			}
			hr := nd.h - hl
			if hl < minHessianToSplit {
				continue
			}
			if hr < minHessianToSplit {
				break
			}
			gain := parent
			gain -= gr.loss(gl, hl)
			gain -= gr.loss(nd.g-gl, hr)
			if gain > nd.gain {
				nd.gain, nd.feature, nd.bin, nd.gl, nd.hl, nd.nl = gain, f, b, gl, hl, nl
				nd.splittable = true
			}
		}
	}
}

func (gr *grower) leafValue(g, h float64) float64 { return gr.cfg.lr * gr.value(g, h) }

// grow grows a tree on rows (all with their gradients g, h) and returns it
// with, for each leaf, its rows (gr.rows segments) for the caller to
// update predictions.
func (gr *grower) grow(rows []int32) (trees.Tree, []*node) {
	gr.rows = rows
	if len(gr.tmp) < len(rows) {
		gr.tmp = make([]int32, len(rows))
		gr.og, gr.oh = make([]float64, len(rows)), make([]float64, len(rows))
	}
	t := trees.Tree{Width: 1}
	root := &node{start: 0, end: len(rows)}
	for _, r := range rows {
		root.g += gr.g[r]
		root.h += gr.h[r]
	}
	root.id = t.AddLeaf(root.h, gr.leafValue(root.g, root.h))
	var leaves []*node
	var q nodeHeap
	gr.consider(root, &q, &leaves, nil, nil)
	nLeaves := 1
	for q.Len() > 0 {
		if gr.cfg.maxLeaves > 0 && nLeaves >= gr.cfg.maxLeaves {
			break
		}
		nd := heap.Pop(&q).(*node)
		left, right := gr.split(nd)
		nLeaves++
		left.id = t.AddLeaf(left.h, gr.leafValue(left.g, left.h))
		right.id = t.AddLeaf(right.h, gr.leafValue(right.g, right.h))
		t.Split(nd.id, int32(nd.feature), gr.edges[nd.feature][nd.bin], left.id, right.id, nd.gain)
		// Histograms: build the smaller child, subtract for the other.
		// As scikit-learn: build the left child only when strictly smaller.
		small, large := right, left
		if left.end-left.start < right.end-right.start {
			small, large = left, right
		}
		gr.consider(small, &q, &leaves, nil, nil)
		gr.consider(large, &q, &leaves, nd, small)
		gr.free(nd.hist)
		if !small.splittable {
			gr.free(small.hist)
			small.hist = nil
		}
	}
	for _, nd := range q {
		leaves = append(leaves, nd)
		gr.free(nd.hist)
	}
	return t, leaves
}

// consider decides whether nd may be split; if so it builds its histogram
// (by subtraction from parent's when the sibling has one) and pushes nd
// when a split exists; otherwise nd becomes a leaf. Only the smaller
// child (parent nil) keeps a leaf's histogram, for its sibling; grow
// frees it.
func (gr *grower) consider(nd *node, q *nodeHeap, leaves *[]*node, parent, sibling *node) {
	n := nd.end - nd.start
	if (gr.cfg.maxDepth > 0 && nd.depth >= gr.cfg.maxDepth) || n < 2*gr.cfg.minLeaf {
		*leaves = append(*leaves, nd)
		return
	}
	if parent != nil && sibling.hist != nil && parent.hist != nil {
		gr.subtract(nd, parent, sibling)
	} else {
		gr.build(nd)
	}
	gr.findSplit(nd)
	if nd.splittable {
		heap.Push(q, nd)
		return
	}
	*leaves = append(*leaves, nd)
	if parent != nil {
		gr.free(nd.hist)
		nd.hist = nil
	}
}

// split partitions nd's rows by its best split and returns the children.
func (gr *grower) split(nd *node) (*node, *node) {
	col := gr.bins[nd.feature*gr.n : (nd.feature+1)*gr.n]
	seg := gr.rows[nd.start:nd.end]
	b := uint8(nd.bin)
	// Stable partition: left rows in order, then right rows in order. On
	// large nodes each half is partitioned concurrently (lefts in place,
	// rights into tmp) and the pieces joined in order.
	// Branch-free (the side of a row is unpredictable): each row is
	// written to both outputs and only one cursor advances; seg[l] is
	// never ahead of the row being read.
	part := func(seg, tmp []int32) (l, r int) {
		tmp = tmp[:len(seg)]
		for _, row := range seg {
			var g int
			if col[row] <= b {
				g = 1
			}
			seg[l] = row
			tmp[r] = row
			l += g
			r += 1 - g
		}
		return l, r
	}
	var l int
	if gr.workers < 2 || len(seg) < 1<<14 {
		var r int
		l, r = part(seg, gr.tmp)
		copy(seg[l:], gr.tmp[:r])
	} else {
		m := len(seg) / 2
		var l1, r1 int
		done := make(chan struct{})
		go func() {
			defer close(done)
			l1, r1 = part(seg[m:], gr.tmp[m:])
		}()
		l0, r0 := part(seg[:m], gr.tmp)
		<-done
		copy(seg[l0:], seg[m:m+l1])
		l = l0 + l1
		copy(seg[l:], gr.tmp[:r0])
		copy(seg[l+r0:], gr.tmp[m:m+r1])
	}
	left := &node{start: nd.start, end: nd.start + l, depth: nd.depth + 1, g: nd.gl, h: nd.hl}
	right := &node{start: nd.start + l, end: nd.end, depth: nd.depth + 1, g: nd.g - nd.gl, h: nd.h - nd.hl}
	return left, right
}
