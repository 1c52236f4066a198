package kmeans

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
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

func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	j := 0
	for ; j+1 < len(a); j += 2 {
		d0, d1 := a[j]-b[j], a[j+1]-b[j+1]
		s0 += d0 * d0
		s1 += d1 * d1
	}
	if j < len(a) {
		d := a[j] - b[j]
		s0 += d * d
	}
	return s0 + s1
}

// sqDist4 is sqDist of a to each of b0..b3 in one pass over a, with the
// same sums per pair (so the same values): eight independent accumulator
// chains instead of two.
func sqDist4(a, b0, b1, b2, b3 []float64) (float64, float64, float64, float64) {
	n := len(a)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var p0, q0, p1, q1, p2, q2, p3, q3 float64
	j := 0
	for ; j+1 < n; j += 2 {
		x0, x1 := a[j], a[j+1]
		d := x0 - b0[j]
		e := x1 - b0[j+1]
		p0 += d * d
		q0 += e * e
		d = x0 - b1[j]
		e = x1 - b1[j+1]
		p1 += d * d
		q1 += e * e
		d = x0 - b2[j]
		e = x1 - b2[j+1]
		p2 += d * d
		q2 += e * e
		d = x0 - b3[j]
		e = x1 - b3[j+1]
		p3 += d * d
		q3 += e * e
	}
	if j < n {
		x := a[j]
		d := x - b0[j]
		p0 += d * d
		d = x - b1[j]
		p1 += d * d
		d = x - b2[j]
		p2 += d * d
		d = x - b3[j]
		p3 += d * d
	}
	return p0 + q0, p1 + q1, p2 + q2, p3 + q3
}

// nearest returns the index of the center nearest to xi and the squared
// distance; half holds ||c||²/2 per center, so that the nearest center
// maximises x·c - ||c||²/2. The distance is computed exactly afterwards.
func nearest(xi, centers, half []float64, d int) (int, float64) {
	if len(half) == 2 {
		return nearest2(xi, centers, half, d)
	}
	best, bestScore := 0, math.Inf(-1)
	c := 0
	// Centers two at a time (xi read once, eight accumulator chains), each
	// center's dot product summed as in the single-center loop below, and
	// the scores compared in center order: the same choice.
	for ; c+1 < len(half); c += 2 {
		s0, s1 := dot2(xi, centers[c*d:(c+1)*d], centers[(c+1)*d:(c+2)*d])
		if s := s0 - half[c]; s > bestScore {
			best, bestScore = c, s
		}
		if s := s1 - half[c+1]; s > bestScore {
			best, bestScore = c+1, s
		}
	}
	for ; c < len(half); c++ {
		cc := centers[c*d : (c+1)*d]
		cc = cc[:len(xi)]
		var s0, s1, s2, s3 float64
		j := 0
		for ; j+3 < len(xi); j += 4 {
			s0 += xi[j] * cc[j]
			s1 += xi[j+1] * cc[j+1]
			s2 += xi[j+2] * cc[j+2]
			s3 += xi[j+3] * cc[j+3]
		}
		for ; j < len(xi); j++ {
			s0 += xi[j] * cc[j]
		}
		if s := (s0 + s1) + (s2 + s3) - half[c]; s > bestScore {
			best, bestScore = c, s
		}
	}
	return best, sqDist(xi, centers[best*d:(best+1)*d])
}

// dot2 returns xi·c0 and xi·c1, each summed with four accumulators
// combined as (a0+a1)+(a2+a3).
func dot2(xi, c0, c1 []float64) (float64, float64) {
	c0, c1 = c0[:len(xi)], c1[:len(xi)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+3 < len(xi); j += 4 {
		x0, x1, x2, x3 := xi[j], xi[j+1], xi[j+2], xi[j+3]
		a0 += x0 * c0[j]
		a1 += x1 * c0[j+1]
		a2 += x2 * c0[j+2]
		a3 += x3 * c0[j+3]
		b0 += x0 * c1[j]
		b1 += x1 * c1[j+1]
		b2 += x2 * c1[j+2]
		b3 += x3 * c1[j+3]
	}
	for ; j < len(xi); j++ {
		a0 += xi[j] * c0[j]
		b0 += xi[j] * c1[j]
	}
	return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)
}

// nearest2 is nearest for two centers (the splits of bisecting k-means):
// both dot products in one pass over xi, with the same sums (per center,
// four accumulators combined alike) and so the same choice.
func nearest2(xi, centers, half []float64, d int) (int, float64) {
	c0, c1 := centers[:d], centers[d:2*d]
	c0, c1 = c0[:len(xi)], c1[:len(xi)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+3 < len(xi); j += 4 {
		x0, x1, x2, x3 := xi[j], xi[j+1], xi[j+2], xi[j+3]
		a0 += x0 * c0[j]
		a1 += x1 * c0[j+1]
		a2 += x2 * c0[j+2]
		a3 += x3 * c0[j+3]
		b0 += x0 * c1[j]
		b1 += x1 * c1[j+1]
		b2 += x2 * c1[j+2]
		b3 += x3 * c1[j+3]
	}
	for ; j < len(xi); j++ {
		a0 += xi[j] * c0[j]
		b0 += xi[j] * c1[j]
	}
	s0 := (a0 + a1) + (a2 + a3) - half[0]
	s1 := (b0 + b1) + (b2 + b3) - half[1]
	// As nearest: center 1 wins only with a strictly larger score (a NaN
	// score never wins; center 0 is the default).
	if s1 > s0 || (s0 != s0 && s1 > math.Inf(-1)) {
		return 1, sqDist(xi, c1)
	}
	return 0, sqDist(xi, c0)
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
	sums := make([]float64, 2*nparts*d)
	parallel(m.n, nparts, func(p, lo, hi int) {
		s1, s2 := sums[2*p*d:(2*p+1)*d], sums[(2*p+1)*d:(2*p+2)*d]
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
			s1 += sums[2*p*d+j]
			s2 += sums[(2*p+1)*d+j]
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
		clear(partPot)
		for t, ci := range cand {
			copy(candX[t*d:(t+1)*d], at(ci))
		}
		// One pass over the rows for all candidates (memory traffic, not
		// arithmetic, bounds this on large inputs).
		parallel(n, nparts, func(p, lo, hi int) {
			ps := partPot[p*trials : (p+1)*trials]
			for i := lo; i < hi; i++ {
				xi := at(i)
				ci := closest[i]
				t := 0
				for ; t+3 < trials; t += 4 {
					v0, v1, v2, v3 := sqDist4(xi, candX[t*d:(t+1)*d], candX[(t+1)*d:(t+2)*d],
						candX[(t+2)*d:(t+3)*d], candX[(t+3)*d:(t+4)*d])
					v0, v1, v2, v3 = min(ci, v0), min(ci, v1), min(ci, v2), min(ci, v3)
					candDist[t][i], candDist[t+1][i], candDist[t+2][i], candDist[t+3][i] = v0, v1, v2, v3
					ps[t] += v0
					ps[t+1] += v1
					ps[t+2] += v2
					ps[t+3] += v3
				}
				for ; t < trials; t++ {
					v := min(ci, sqDist(xi, candX[t*d:(t+1)*d]))
					candDist[t][i] = v
					ps[t] += v
				}
			}
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
		parts[p] = lloydPart{sums: make([]float64, k*d), counts: make([]float64, k)}
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
			pt.inertia, pt.changed = 0, 0
			for i := lo; i < hi; i++ {
				xi := m.row(i)
				c, dd := nearest(xi, centers, half, d)
				if int32(c) != labels[i] {
					pt.changed++
					labels[i] = int32(c)
				}
				dist[i] = dd
				pt.inertia += dd
				if update {
					s := pt.sums[c*d : (c+1)*d]
					for j, v := range xi {
						s[j] += v
					}
					pt.counts[c]++
				}
			}
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
	d := m.d
	batch := data{x: make([]float64, batchSize*d), n: batchSize, d: d}
	labels := make([]int32, batchSize)
	half := make([]float64, k)
	counts := make([]float64, k)
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
		if reassign > 0 && (step+1)%(10+int(slices.Min(counts))) == 0 {
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
	counts := make([]float64, nparts*k)
	parallel(m.n, nparts, func(p, lo, hi int) {
		var s float64
		cnt := counts[p*k : (p+1)*k]
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
			total[c] += counts[p*k+c]
		}
	}
	return sum(inertia), total
}
