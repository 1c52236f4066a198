package logreg

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
)

// Learning-rate schedules of the sgd solver.
const (
	LearningRateOptimal    = "optimal"
	LearningRateInvScaling = "invscaling"
	LearningRateConstant   = "constant"
)

// sgdParallelMinRows is the number of rows from which the sgd solver
// splits each epoch over two goroutines (parameter mixing, see doc.go).
const sgdParallelMinRows = 1 << 17

// sgdGather is the number of rows copied together before their updates.
const sgdGather = 64

// sgdConfig is the sgd solver's settings, as scikit-learn's
// SGDClassifier(loss="log_loss").
type sgdConfig struct {
	alpha, l1Ratio float64 // per-row penalty: λ/n
	schedule       string
	eta0, powerT   float64
	maxIter        int
	tol            float64
	nIterNoChange  int
	shuffle        bool
	seed           int64
	fitIntercept   bool
	parts          int // 0: automatic
}

// sgdWorker is one goroutine's copy of the parameters during an epoch.
type sgdWorker struct {
	w      []float64 // nvec × d, scaled by wscale
	b      []float64 // nvec intercepts
	wscale float64
	q      []float64 // L1 penalty applied so far per coefficient (cumulative penalty)
	u      float64   // L1 penalty that could have been applied so far
	z      []float64 // K margins
	rows   []int32   // this epoch's rows
	buf    []float64 // sgdGather gathered rows
	cls    []int32
	sws    []float64
	t0     float64 // t of this worker's first row
	tStep  float64 // t advances by tStep per row
	loss   float64
}

// fitSGD minimises the penalised log loss by stochastic gradient descent
// from theta (nvec × (d+1), coefficients then intercept per vector),
// which it updates in place.
func fitSGD(ctx context.Context, p *problem, theta []float64, cfg sgdConfig) (FitResult, error) {
	d := p.dim
	nvec := 1
	if p.multinomial {
		nvec = p.k
	}
	stride := d + 1
	if cfg.schedule == LearningRateOptimal && cfg.alpha == 0 {
		return FitResult{}, errors.New(`solver sgd with learning_rate "optimal" needs reg_param > 0`)
	}
	if cfg.schedule != LearningRateOptimal && cfg.eta0 <= 0 {
		return FitResult{}, errors.New(`solver sgd with learning_rate "invscaling" or "constant" needs eta0 > 0`)
	}
	var optimalInit float64
	if cfg.schedule == LearningRateOptimal {
		// scikit-learn's heuristic (Léon Bottou's sgd): the initial rate
		// is typw / max(1, |dloss(-typw, 1)|) = typw for the log loss.
		typw := math.Sqrt(1 / math.Sqrt(cfg.alpha))
		optimalInit = 1 / (typw * cfg.alpha)
	}
	nparts := cfg.parts
	if nparts <= 0 {
		nparts = 1
		if p.n >= sgdParallelMinRows {
			nparts = 2
		}
	}
	nparts = min(nparts, p.n)
	l1 := cfg.l1Ratio > 0 && cfg.alpha > 0
	workers := make([]sgdWorker, nparts)
	for i := range workers {
		wk := &workers[i]
		wk.w = make([]float64, nvec*d)
		wk.b = make([]float64, nvec)
		wk.z = make([]float64, max(p.k, 2))
		if p.sp == nil {
			wk.buf = make([]float64, sgdGather*d)
		}
		wk.cls = make([]int32, sgdGather)
		wk.sws = make([]float64, sgdGather)
		if l1 {
			wk.q = make([]float64, nvec*d)
		}
	}
	// The global parameters between epochs (wscale 1).
	gw := make([]float64, nvec*d)
	gb := make([]float64, nvec)
	var gq []float64
	var gu float64
	if l1 {
		gq = make([]float64, nvec*d)
	}
	for v := range nvec {
		copy(gw[v*d:(v+1)*d], theta[v*stride:v*stride+d])
		gb[v] = theta[v*stride+d]
	}
	order := make([]int32, p.n)
	for i := range order {
		order[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.seed), 0x5eed5eed))
	bestLoss := math.Inf(1)
	noImprove := 0
	t := 1.0
	var res FitResult
	for epoch := 0; epoch < cfg.maxIter; epoch++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if cfg.shuffle {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for i := range workers {
			wk := &workers[i]
			copy(wk.w, gw)
			copy(wk.b, gb)
			wk.wscale = 1
			if l1 {
				copy(wk.q, gq)
				wk.u = gu
			}
			// Rows are dealt round-robin so that worker i takes the
			// positions i, i+nparts, ... of the epoch's order, and its
			// learning rate follows the serial schedule at those
			// positions.
			wk.rows = wk.rows[:0]
			for j := i; j < p.n; j += nparts {
				wk.rows = append(wk.rows, order[j])
			}
			wk.t0 = t + float64(i)
			wk.tStep = float64(nparts)
			wk.loss = 0
		}
		if nparts == 1 {
			p.sgdEpoch(&workers[0], cfg, optimalInit, l1)
		} else {
			var wg sync.WaitGroup
			for i := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p.sgdEpoch(&workers[i], cfg, optimalInit, l1)
				}()
			}
			wg.Wait()
		}
		// Average the workers' parameters (one worker: copy).
		clear(gw)
		clear(gb)
		gu = 0
		clear(gq)
		inv := 1 / float64(nparts)
		var sumloss float64
		for i := range workers {
			wk := &workers[i]
			s := wk.wscale * inv
			for j, v := range wk.w {
				gw[j] += s * v
			}
			for j, v := range wk.b {
				gb[j] += inv * v
			}
			if l1 {
				gu += inv * wk.u
				for j, v := range wk.q {
					gq[j] += inv * v
				}
			}
			sumloss += wk.loss
		}
		t += float64(p.n)
		res.Iter = epoch + 1
		res.Evals = epoch + 1
		res.F = sumloss
		if math.IsNaN(sumloss) || math.IsInf(sumloss, 0) {
			return res, errors.New("sgd diverged (the loss is not finite): lower eta0")
		}
		if sumloss > bestLoss-cfg.tol*float64(p.n) {
			noImprove++
		} else {
			noImprove = 0
		}
		bestLoss = min(bestLoss, sumloss)
		if noImprove >= cfg.nIterNoChange {
			res.Converged = true
			break
		}
	}
	for v := range nvec {
		copy(theta[v*stride:v*stride+d], gw[v*d:(v+1)*d])
		theta[v*stride+d] = gb[v]
	}
	return res, nil
}

// sgdEpoch runs one pass over wk.rows, as scikit-learn's _plain_sgd: per
// row the loss before the update, an L2 shrink through wscale, the
// gradient step and the cumulative L1 penalty (Tsuruoka et al. 2009).
func (p *problem) sgdEpoch(wk *sgdWorker, cfg sgdConfig, optimalInit float64, l1 bool) {
	if p.sp != nil {
		p.sgdEpochSparse(wk, cfg, optimalInit, l1)
		return
	}
	d := p.dim
	nvec := len(wk.b)
	t := wk.t0
	shrinkRate := (1 - cfg.l1Ratio) * cfg.alpha
	l2 := shrinkRate > 0
	sched := 0
	switch cfg.schedule {
	case LearningRateInvScaling:
		sched = 1
	case LearningRateConstant:
		sched = 2
	}
	var loss float64
	// Rows are gathered sgdGather at a time into a contiguous buffer
	// before the updates: the copies of shuffled rows are independent, so
	// their cache misses overlap, where the updates (each depending on the
	// previous one) would wait for one row's misses at a time.
	buf, cls, sws := wk.buf, wk.cls, wk.sws
	for lo := 0; lo < len(wk.rows); lo += sgdGather {
		chunk := wk.rows[lo:min(lo+sgdGather, len(wk.rows))]
		for k, row := range chunk {
			i := int(row)
			copy(buf[k*d:(k+1)*d], p.x[i*d:(i+1)*d])
			cls[k] = p.cls[i]
			sws[k] = weight(p.w, i)
		}
		for k := range chunk {
			var eta float64
			switch sched {
			case 0:
				eta = 1 / (cfg.alpha * (optimalInit + t - 1))
			case 1:
				eta = cfg.eta0 / math.Pow(t, cfg.powerT)
			default:
				eta = cfg.eta0
			}
			t += wk.tStep
			xi := buf[k*d : (k+1)*d]
			sw := sws[k]
			shrink := max(0, 1-shrinkRate*eta)
			if nvec == 1 {
				w := wk.w
				m := dot(xi, w)*wk.wscale + wk.b[0]
				y := -1.0
				if cls[k] == 1 {
					y = 1
				}
				// The loss log(1+exp(-ym)) and the step's factor
				// sigmoid(-ym) from one exponential.
				z := y * m
				e := math.Exp(-math.Abs(z))
				var sig float64
				if z > 0 {
					loss += math.Log1p(e)
					sig = e / (1 + e)
				} else {
					loss += math.Log1p(e) - z
					sig = 1 / (1 + e)
				}
				update := eta * y * sig * sw
				if l2 {
					wk.shrink(shrink)
				}
				if update != 0 {
					axpy(update/wk.wscale, xi, w)
					if cfg.fitIntercept {
						wk.b[0] += update
					}
				}
			} else {
				z := wk.z
				zmax := math.Inf(-1)
				for c := range nvec {
					z[c] = dot(xi, wk.w[c*d:(c+1)*d])*wk.wscale + wk.b[c]
					zmax = max(zmax, z[c])
				}
				y := int(cls[k])
				zy := z[y] - zmax
				var sum float64
				for c := range nvec {
					z[c] = math.Exp(z[c] - zmax)
					sum += z[c]
				}
				loss += math.Log(sum) - zy
				if l2 {
					wk.shrink(shrink)
				}
				for c := range nvec {
					g := z[c] / sum
					if c == y {
						g--
					}
					update := -eta * g * sw
					if update == 0 {
						continue
					}
					axpy(update/wk.wscale, xi, wk.w[c*d:(c+1)*d])
					if cfg.fitIntercept {
						wk.b[c] += update
					}
				}
			}
			if l1 {
				wk.u += cfg.l1Ratio * eta * cfg.alpha
				wk.l1Penalty()
			}
		}
	}
	wk.loss = loss
}

// shrink scales the weights by f through wscale, folding wscale into
// the weights when it gets below 1e-9 (scikit-learn's WeightVector).
func (wk *sgdWorker) shrink(f float64) {
	wk.wscale *= f
	if wk.wscale < 1e-9 {
		for j := range wk.w {
			wk.w[j] *= wk.wscale
		}
		wk.wscale = 1
	}
}

// l1Penalty applies the cumulative L1 penalty to every coefficient (the
// features are dense): each moves toward zero by what it has not been
// penalised yet, without crossing it.
func (wk *sgdWorker) l1Penalty() {
	ws, u := wk.wscale, wk.u
	for j, z := range wk.w {
		switch {
		case ws*z > 0:
			wk.w[j] = max(0, z-(u+wk.q[j])/ws)
		case ws*z < 0:
			wk.w[j] = min(0, z+(u-wk.q[j])/ws)
		default:
			continue
		}
		wk.q[j] += ws * (wk.w[j] - z)
	}
}

// dot is x·w (len(w) >= len(x)) with four accumulators, so that the
// additions do not wait for each other.
func dot(x, w []float64) float64 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		s0 += x[j] * w[j]
		s1 += x[j+1] * w[j+1]
		s2 += x[j+2] * w[j+2]
		s3 += x[j+3] * w[j+3]
	}
	for ; j < len(x); j++ {
		s0 += x[j] * w[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy is w += a*x (len(w) >= len(x)).
func axpy(a float64, x, w []float64) {
	w = w[:len(x)]
	j := 0
	for ; j+4 <= len(x); j += 4 {
		w[j] += a * x[j]
		w[j+1] += a * x[j+1]
		w[j+2] += a * x[j+2]
		w[j+3] += a * x[j+3]
	}
	for ; j < len(x); j++ {
		w[j] += a * x[j]
	}
}
