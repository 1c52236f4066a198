package kmeans

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"github.com/eddyml/eddy/estimators/internal/vecmath"
)

// data is a row-major training matrix, or the rows idx of one (then n is
// len(idx) and row i is the matrix row idx[i]).
type data struct {
	x    []float64
	n, d int
	idx  []int
}

func (m data) row(i int) []float64 {
	if m.idx != nil {
		i = m.idx[i]
	}
	return m.x[i*m.d : (i+1)*m.d]
}

// parallelMin is the number of matrix values above which rows are split
// over two goroutines.
const parallelMin = 1 << 15

// nparts is the number of row ranges (fixed, so that results do not depend
// on the number of cores).
func (m data) nparts() int {
	if m.n*m.d >= parallelMin {
		return 2
	}
	return 1
}

// linePad is a cache line of float64s: per-goroutine accumulators written
// on every row are kept this far apart, since two cores writing one line
// take turns owning it.
const linePad = 8

// parallel runs f on each of nparts row ranges concurrently.
func parallel(n, nparts int, f func(part, lo, hi int)) {
	if nparts == 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range nparts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p, n*p/nparts, n*(p+1)/nparts)
		}()
	}
	wg.Wait()
}

// sqDist is ||a - b||², summed as (a_j - b_j)² (no cancellation).
func sqDist(a, b []float64) float64 {
	return vecmath.SqDist(a, b[:len(a)])
}

// nearest returns the index of the center nearest to xi and the squared
// distance; half holds ||c||²/2 per center, so that the nearest center
// maximises x·c - ||c||²/2. The distance is computed exactly afterwards.
// Every center's dot product is computed by the same arithmetic whatever
// its group of vecmath.Dots, and the scores are compared in center order,
// so the choice does not depend on the grouping; a NaN score never wins
// (center 0 is the default).
func nearest(xi, centers, half []float64, d int) (int, float64) {
	var buf [16]float64
	best, bestScore := 0, math.Inf(-1)
	for lo := 0; lo < len(half); lo += len(buf) {
		hi := min(lo+len(buf), len(half))
		dots := buf[:hi-lo]
		vecmath.Dots(dots, xi, centers[lo*d:hi*d])
		for j, v := range dots {
			if s := v - half[lo+j]; s > bestScore {
				best, bestScore = lo+j, s
			}
		}
	}
	return best, sqDist(xi, centers[best*d:(best+1)*d])
}

func halfNorms(dst, centers []float64, d int) {
	for c := range dst {
		var s float64
		for _, v := range centers[c*d : (c+1)*d] {
			s += v * v
		}
		dst[c] = s / 2
	}
}

// tolerance is scikit-learn's: tol times the mean of the per-feature
// variances.
func tolerance(m data, tol float64) float64 {
	if tol == 0 {
		return 0
	}
	// One pass of shifted sums over the row ranges of parallel (per-range
	// partials added in order): with K the first row, per feature
	// S1 = Σ(x-K) and S2 = Σ(x-K)², and n·variance = S2 - S1²/n; the shift
	// keeps the subtraction from cancelling when a mean is far from 0.
	nparts := m.nparts()
	d := m.d
	shift := slices.Clone(m.row(0))
	stride := 2*d + linePad // padded: no cache line written by both goroutines
	sums := make([]float64, nparts*stride)
	parallel(m.n, nparts, func(p, lo, hi int) {
		s1, s2 := sums[p*stride:p*stride+d], sums[p*stride+d:p*stride+2*d]
		for i := lo; i < hi; i++ {
			for j, v := range m.row(i) {
				t := v - shift[j]
				s1[j] += t
				s2[j] += t * t
			}
		}
	})
	var s float64
	for j := range d {
		var s1, s2 float64
		for p := range nparts {
			s1 += sums[p*stride+j]
			s2 += sums[p*stride+d+j]
		}
		s += max(s2-s1*s1/float64(m.n), 0)
	}
	return s / float64(m.n) / float64(m.d) * tol
}

// plusPlus chooses k initial centers from the rows listed in idx (all rows
// when nil) by greedy k-means++ (Arthur and Vassilvitskii 2007, with
// 2 + ln k local trials per center as scikit-learn's _kmeans_plusplus):
// each new center is the candidate, drawn with probability proportional
// to the squared distance to the nearest chosen center, that most reduces
// the potential.
func plusPlus(m data, idx []int, k int, rng *rand.Rand) []float64 {
	n := m.n
	if idx != nil {
		n = len(idx)
	}
	at := func(i int) []float64 {
		if idx != nil {
			return m.row(idx[i])
		}
		return m.row(i)
	}
	d := m.d
	centers := make([]float64, k*d)
	trials := 2 + int(math.Log(float64(k)))
	first := rng.IntN(n)
	copy(centers, at(first))
	closest := make([]float64, n)
	nparts := m.nparts()
	parallel(n, nparts, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			closest[i] = sqDist(at(i), centers[:d])
		}
	})
	pot := sum(closest)
	cum := make([]float64, n)
	cand := make([]int, trials)
	candDist := make([][]float64, trials)
	for t := range candDist {
		candDist[t] = make([]float64, n)
	}
	candPot := make([]float64, trials)
	partPot := make([]float64, nparts*trials)
	candX := make([]float64, trials*d)
	for c := 1; c < k; c++ {
		var s float64
		for i, v := range closest {
			s += v
			cum[i] = s
		}
		for t := range cand {
			r := rng.Float64() * pot
			j := sort.SearchFloat64s(cum, r)
			cand[t] = min(j, n-1)
		}
		for t, ci := range cand {
			copy(candX[t*d:(t+1)*d], at(ci))
		}
		// One pass over the rows for all candidates (with the SIMD
		// kernels, memory traffic bounds this on large inputs); per-range
		// potentials in a goroutine's own stack.
		parallel(n, nparts, func(p, lo, hi int) {
			var stack [16]float64
			buf := stack[:]
			if 2*trials > len(buf) {
				buf = make([]float64, 2*trials)
			}
			dist, ps := buf[:trials], buf[trials:2*trials]
			for i := lo; i < hi; i++ {
				vecmath.SqDists(dist, at(i), candX)
				ci := closest[i]
				for t, v := range dist {
					v = min(ci, v)
					candDist[t][i] = v
					ps[t] += v
				}
			}
			copy(partPot[p*trials:(p+1)*trials], ps)
		})
		best := 0
		for t := range cand {
			candPot[t] = 0
			for p := range nparts {
				candPot[t] += partPot[p*trials+t]
			}
			if candPot[t] < candPot[best] {
				best = t
			}
		}
		pot = candPot[best]
		copy(closest, candDist[best])
		copy(centers[c*d:(c+1)*d], at(cand[best]))
	}
	return centers
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// lloydPart is one goroutine's share of an iteration.
type lloydPart struct {
	sums    []float64
	counts  []float64
	inertia float64
	changed int
}

// lloydResult is one Lloyd run.
type lloydResult struct {
	centers []float64
	counts  []float64
	labels  []int32
	dist    []float64 // squared distance of each row to its center
	inertia float64
	iter    int
}

// lloyd runs Lloyd's algorithm (Lloyd 1982) from centers (modified) as
// scikit-learn's _kmeans_single_lloyd: assign each row to its nearest
// center, move each center to the mean of its rows (an empty cluster takes
// the row farthest from its center), stop when no label changed or the
// sum of squared center shifts is at most tol; then assign once more so
// that labels and inertia agree with the final centers.
func lloyd(ctx context.Context, m data, centers []float64, k, maxIter int, tol float64) (lloydResult, error) {
	d := m.d
	nparts := m.nparts()
	parts := make([]lloydPart, nparts)
	for p := range parts {
		// One block per goroutine, padded at both ends so that no two
		// goroutines write the same cache line.
		buf := make([]float64, linePad+k*d+k+linePad)
		parts[p] = lloydPart{sums: buf[linePad : linePad+k*d], counts: buf[linePad+k*d : linePad+k*d+k]}
	}
	labels := make([]int32, m.n)
	for i := range labels {
		labels[i] = -1
	}
	dist := make([]float64, m.n)
	half := make([]float64, k)
	next := make([]float64, k*d)
	counts := make([]float64, k)
	assign := func(update bool) {
		halfNorms(half, centers, d)
		parallel(m.n, nparts, func(p, lo, hi int) {
			pt := &parts[p]
			clear(pt.sums)
			clear(pt.counts)
			var inertia float64
			changed := 0
			for i := lo; i < hi; i++ {
				xi := m.row(i)
				c, dd := nearest(xi, centers, half, d)
				if int32(c) != labels[i] {
					changed++
					labels[i] = int32(c)
				}
				dist[i] = dd
				inertia += dd
				if update {
					vecmath.Add(pt.sums[c*d:(c+1)*d], xi)
					pt.counts[c]++
				}
			}
			pt.inertia, pt.changed = inertia, changed
		})
	}
	strict := false
	iter := 0
	for iter < maxIter {
		if err := ctx.Err(); err != nil {
			return lloydResult{}, err
		}
		assign(true)
		iter++
		clear(next)
		clear(counts)
		changed := 0
		for p := range parts {
			for j, v := range parts[p].sums {
				next[j] += v
			}
			for c, v := range parts[p].counts {
				counts[c] += v
			}
			changed += parts[p].changed
		}
		relocateEmpty(m, next, counts, labels, dist)
		for c := range k {
			if counts[c] > 0 {
				for j := range d {
					next[c*d+j] /= counts[c]
				}
			} else {
				copy(next[c*d:(c+1)*d], centers[c*d:(c+1)*d])
			}
		}
		var shift float64
		for j, v := range next {
			shift += (v - centers[j]) * (v - centers[j])
		}
		centers, next = next, centers
		if changed == 0 {
			strict = true
			break
		}
		if shift <= tol {
			break
		}
	}
	if !strict {
		assign(false)
	}
	var inertia float64
	for p := range parts {
		inertia += parts[p].inertia
	}
	clear(counts)
	for _, c := range labels {
		counts[c]++
	}
	return lloydResult{centers: centers, counts: counts, labels: labels, dist: dist, inertia: inertia, iter: iter}, nil
}

// relocateEmpty gives each empty cluster one of the rows farthest from
// their center (scikit-learn's _relocate_empty_clusters), moving the row's
// sum and count from its old cluster. sums are unnormalised.
func relocateEmpty(m data, sums, counts []float64, labels []int32, dist []float64) {
	var empty []int
	for c, v := range counts {
		if v == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return
	}
	far := make([]int, m.n)
	for i := range far {
		far[i] = i
	}
	slices.SortStableFunc(far, func(a, b int) int {
		switch {
		case dist[a] > dist[b]:
			return -1
		case dist[a] < dist[b]:
			return 1
		}
		return 0
	})
	d := m.d
	for e, c := range empty {
		if e >= len(far) {
			break
		}
		i := far[e]
		old := int(labels[i])
		xi := m.row(i)
		for j, v := range xi {
			sums[old*d+j] -= v
			sums[c*d+j] = v
		}
		counts[old]--
		counts[c] = 1
	}
}

// miniBatch runs scikit-learn's MiniBatchKMeans updates (Sculley 2010)
// from centers (modified): steps batches of batchSize rows drawn with
// replacement; each center moves to the running mean of every row ever
// assigned to it (per-center counts); every 10 + min(count) steps the
// centers whose count is below reassign*max(count) jump to random rows of
// the batch. It stops early when the exponentially weighted average of the
// batch inertia has not improved for maxNoImprovement steps, or when tol >
// 0 and the squared center shift is at most tol. It returns the number of
// steps run.
func miniBatch(ctx context.Context, m data, centers []float64, k, batchSize, steps int, tol, reassign float64, maxNoImprovement int, rng *rand.Rand) (int, error) {
	return miniBatchFrom(ctx, m, centers, make([]float64, k), k, batchSize, steps, tol, reassign, maxNoImprovement, rng)
}

// miniBatchFrom is miniBatch continuing from centers and their counts
// (both modified) instead of counts of zero, as scikit-learn's
// partial_fit keeps its _counts: a center with count n_c moves to
// (n_c c + sum of its batch rows) / (n_c + rows), so the counts weigh the
// previous fit against the new rows. miniBatch is this from zero counts.
func miniBatchFrom(ctx context.Context, m data, centers, counts []float64, k, batchSize, steps int, tol, reassign float64, maxNoImprovement int, rng *rand.Rand) (int, error) {
	d := m.d
	batch := data{x: make([]float64, batchSize*d), n: batchSize, d: d}
	labels := make([]int32, batchSize)
	half := make([]float64, k)
	wsum := make([]float64, k)
	old := make([]float64, k*d)
	nparts := batch.nparts()
	partInertia := make([]float64, nparts)
	var ewa, ewaMin float64
	haveEWA, haveMin := false, false
	noImprove := 0
	alpha := math.Min(float64(batchSize)*2/float64(m.n+1), 1)
	step := 0
	for step < steps {
		if step%64 == 0 {
			if err := ctx.Err(); err != nil {
				return step, err
			}
		}
		for b := range batchSize {
			copy(batch.row(b), m.row(rng.IntN(m.n)))
		}
		halfNorms(half, centers, d)
		parallel(batchSize, nparts, func(p, lo, hi int) {
			var s float64
			for i := lo; i < hi; i++ {
				c, dd := nearest(batch.row(i), centers, half, d)
				labels[i] = int32(c)
				s += dd
			}
			partInertia[p] = s
		})
		inertia := sum(partInertia) / float64(batchSize)
		copy(old, centers)
		clear(wsum)
		for _, c := range labels {
			wsum[c]++
		}
		for c := range k {
			if wsum[c] == 0 {
				continue
			}
			cc := centers[c*d : (c+1)*d]
			for j := range cc {
				cc[j] *= counts[c]
			}
		}
		for i, c := range labels {
			cc := centers[int(c)*d : (int(c)+1)*d]
			for j, v := range batch.row(i) {
				cc[j] += v
			}
		}
		for c := range k {
			if wsum[c] == 0 {
				continue
			}
			counts[c] += wsum[c]
			cc := centers[c*d : (c+1)*d]
			inv := 1 / counts[c]
			for j := range cc {
				cc[j] *= inv
			}
		}
		// Given counts may exceed an int; no sane run gets near 2^40 steps.
		if reassign > 0 && (step+1)%(10+int(min(slices.Min(counts), 1<<40))) == 0 {
			reassignSmall(batch, centers, counts, reassign, rng)
		}
		step++
		if step == 1 {
			continue
		}
		if !haveEWA {
			ewa, haveEWA = inertia, true
		} else {
			ewa = ewa*(1-alpha) + inertia*alpha
		}
		if tol > 0 {
			var shift float64
			for j, v := range centers {
				shift += (v - old[j]) * (v - old[j])
			}
			if shift <= tol {
				break
			}
		}
		if !haveMin || ewa < ewaMin {
			noImprove, ewaMin, haveMin = 0, ewa, true
		} else {
			noImprove++
		}
		if maxNoImprovement > 0 && noImprove >= maxNoImprovement {
			break
		}
	}
	return step, nil
}

// reassignSmall moves the centers whose count is below ratio times the
// largest count to distinct random rows of batch and gives them the
// smallest remaining count, as scikit-learn's random reassignment.
func reassignSmall(batch data, centers, counts []float64, ratio float64, rng *rand.Rand) {
	limit := ratio * slices.Max(counts)
	var small []int
	minKept := math.Inf(1)
	for c, v := range counts {
		if v < limit {
			small = append(small, c)
		} else {
			minKept = math.Min(minKept, v)
		}
	}
	if len(small) == 0 || len(small) > batch.n/2 {
		return
	}
	perm := rng.Perm(batch.n)
	d := batch.d
	for i, c := range small {
		copy(centers[c*d:(c+1)*d], batch.row(perm[i]))
		counts[c] = minKept
	}
}

// assignAll labels every row with its nearest center and returns the
// inertia and the per-center counts.
func assignAll(m data, centers []float64, k int) (float64, []float64) {
	half := make([]float64, k)
	halfNorms(half, centers, m.d)
	nparts := m.nparts()
	inertia := make([]float64, nparts)
	stride := k + linePad
	counts := make([]float64, nparts*stride)
	parallel(m.n, nparts, func(p, lo, hi int) {
		var s float64
		cnt := counts[p*stride : p*stride+k]
		for i := lo; i < hi; i++ {
			c, dd := nearest(m.row(i), centers, half, m.d)
			s += dd
			cnt[c]++
		}
		inertia[p] = s
	})
	total := make([]float64, k)
	for p := range nparts {
		for c := range k {
			total[c] += counts[p*stride+c]
		}
	}
	return sum(inertia), total
}
