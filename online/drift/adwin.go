package drift

import (
	"errors"
	"fmt"
	"math"

	"github.com/eddyml/eddy/online/internal/olearn"
)

// ADWINConfig configures ADWIN. Zero fields take River's defaults.
type ADWINConfig struct {
	// Delta is the confidence of the cut test (default 0.002): smaller
	// means fewer false alarms and later detections. In (0, 1).
	Delta float64
	// Clock is how often, in updates, the cuts are checked (default 32).
	Clock int
	// MaxBuckets is M, the number of buckets kept per size of the
	// exponential histogram (default 5).
	MaxBuckets int
	// MinWindowLength is the least number of values on each side of a
	// cut (default 5).
	MinWindowLength int
	// GracePeriod is the least window width before cuts are checked
	// (default 10).
	GracePeriod int
}

func (c *ADWINConfig) setDefaults() {
	if c.Delta == 0 {
		c.Delta = 0.002
	}
	if c.Clock == 0 {
		c.Clock = 32
	}
	if c.MaxBuckets == 0 {
		c.MaxBuckets = 5
	}
	if c.MinWindowLength == 0 {
		c.MinWindowLength = 5
	}
	if c.GracePeriod == 0 {
		c.GracePeriod = 10
	}
}

// maxADWINBuckets bounds MaxBuckets so that snapshots stay small and
// decoding cannot be made to allocate much.
const maxADWINBuckets = 1 << 10

// Validate checks the configuration (after defaults).
func (c ADWINConfig) Validate() error {
	switch {
	case !(c.Delta > 0 && c.Delta < 1):
		return fmt.Errorf("drift: adwin delta %v, want in (0, 1)", c.Delta)
	case c.Clock < 1:
		return fmt.Errorf("drift: adwin clock %d, want >= 1", c.Clock)
	case c.MaxBuckets < 2 || c.MaxBuckets > maxADWINBuckets:
		return fmt.Errorf("drift: adwin max buckets %d, want in [2, %d]", c.MaxBuckets, maxADWINBuckets)
	case c.MinWindowLength < 1:
		return fmt.Errorf("drift: adwin min window length %d, want >= 1", c.MinWindowLength)
	case c.GracePeriod < 0:
		return fmt.Errorf("drift: adwin grace period %d, want >= 0", c.GracePeriod)
	}
	return nil
}

// adwinRow holds the buckets of one size 2^i, oldest first.
type adwinRow struct {
	total, variance []float64 // len MaxBuckets+1, the first n used
	n               int
}

// ADWIN is the ADaptive WINdowing drift detector of Bifet and Gavaldà
// (2007), in its ADWIN2 form: the window is an exponential histogram of
// at most MaxBuckets buckets of each size 1, 2, 4... holding each bucket's
// total and variance, and every Clock updates each bucket boundary is tested
// as a cut W = W0·W1 with the Bernstein-type bound of River's
// implementation; when |mean(W0) - mean(W1)| exceeds it the oldest bucket is
// dropped (repeatedly, while some cut still fires) and a drift is reported.
// It follows River's drift.ADWIN (adwin_c.pyx) step for step, including
// its choice of cuts, so that the same stream gives the same detections.
//
// Statistic is the |mean(W0) - mean(W1)| of the last cut that fired
// during the last update, 0 when none did.
type ADWIN struct {
	cfg       ADWINConfig
	rows      []adwinRow // rows[i] holds buckets of size 2^i
	total     float64
	variance  float64
	width     float64
	tick      int64
	nDetect   int64
	stat      float64
	lastDrift bool
}

// NewADWIN returns an ADWIN detector.
func NewADWIN(cfg ADWINConfig) (*ADWIN, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &ADWIN{cfg: cfg}
	a.Reset()
	return a, nil
}

// Name returns "adwin".
func (a *ADWIN) Name() string { return KindADWIN }

// Config returns the configuration with defaults applied.
func (a *ADWIN) Config() ADWINConfig { return a.cfg }

// Reset empties the window.
func (a *ADWIN) Reset() {
	a.rows = a.rows[:0]
	a.rows = append(a.rows, a.newRow())
	a.total, a.variance, a.width = 0, 0, 0
	a.tick, a.nDetect, a.stat, a.lastDrift = 0, 0, 0, false
}

func (a *ADWIN) newRow() adwinRow {
	m := a.cfg.MaxBuckets + 1
	buf := make([]float64, 2*m)
	return adwinRow{total: buf[:m:m], variance: buf[m:]}
}

// Width is the number of values in the window.
func (a *ADWIN) Width() int64 { return int64(a.width) }

// Mean is the mean of the window (0 when empty).
func (a *ADWIN) Mean() float64 {
	if a.width == 0 {
		return 0
	}
	return a.total / a.width
}

// Variance is the variance of the window's values (sum of squared
// deviations over the width; 0 when empty).
func (a *ADWIN) Variance() float64 {
	if a.width == 0 {
		return 0
	}
	return a.variance / a.width
}

// Detections is the number of drifts detected since the last Reset.
func (a *ADWIN) Detections() int64 { return a.nDetect }

// State returns Drift when the last update detected one, else Stable.
func (a *ADWIN) State() State {
	if a.lastDrift {
		return Drift
	}
	return Stable
}

// Statistic returns the mean difference of the last cut that fired.
func (a *ADWIN) Statistic() float64 { return a.stat }

// bucketSize is 2^row.
func bucketSize(row int) float64 { return math.Ldexp(1, row) }

// Update adds x to the window and tests the cuts every Clock updates.
func (a *ADWIN) Update(x float64) bool {
	a.insert(x)
	a.lastDrift = a.detect()
	return a.lastDrift
}

func (a *ADWIN) insert(x float64) {
	r := &a.rows[0]
	r.total[r.n], r.variance[r.n] = x, 0
	r.n++
	a.width++
	if a.width > 1 {
		d := x - a.total/(a.width-1)
		a.variance += (a.width - 1) * d * d / a.width
	}
	a.total += x
	a.compress()
}

func (a *ADWIN) compress() {
	m := a.cfg.MaxBuckets
	for i := 0; i < len(a.rows); i++ {
		r := &a.rows[i]
		if r.n != m+1 {
			return
		}
		if i+1 == len(a.rows) {
			a.rows = append(a.rows, a.newRow())
			r = &a.rows[i]
		}
		next := &a.rows[i+1]
		n := bucketSize(i)
		mu1, mu2 := r.total[0]/n, r.total[1]/n
		t := n * n * (mu1 - mu2) * (mu1 - mu2) / (n + n)
		next.total[next.n] = r.total[0] + r.total[1]
		next.variance[next.n] = r.variance[0] + r.variance[1] + t
		next.n++
		copy(r.total, r.total[2:r.n])
		copy(r.variance, r.variance[2:r.n])
		r.n -= 2
		if next.n <= m {
			return
		}
	}
}

// deleteOldest drops the oldest bucket and returns its size.
func (a *ADWIN) deleteOldest() float64 {
	last := len(a.rows) - 1
	r := &a.rows[last]
	n := bucketSize(last)
	u, v := r.total[0], r.variance[0]
	mu := u / n
	a.width -= n
	a.total -= u
	muW := a.total / a.width
	a.variance -= v + n*a.width*(mu-muW)*(mu-muW)/(n+a.width)
	copy(r.total, r.total[1:r.n])
	copy(r.variance, r.variance[1:r.n])
	r.n--
	if r.n == 0 && last > 0 {
		a.rows = a.rows[:last]
	}
	return n
}

func (a *ADWIN) detect() bool {
	changed := false
	a.tick++
	a.stat = 0
	if a.tick%int64(a.cfg.Clock) != 0 || a.width <= float64(a.cfg.GracePeriod) {
		return false
	}
	minLen := float64(a.cfg.MinWindowLength)
	for reduce := true; reduce; {
		reduce = false
		n0, n1 := 0.0, a.width
		u0, u1 := 0.0, a.total
		// River's bound, with what is constant during one scan hoisted.
		dd := math.Log(2 * math.Log(a.width) / a.cfg.Delta)
		v := a.variance / a.width
	scan:
		// From the oldest row to the newest; within a row oldest first.
		// As River, the newest bucket of each row is not a cut point.
		for i := len(a.rows) - 1; i >= 0; i-- {
			r := &a.rows[i]
			n2 := bucketSize(i)
			for k := 0; k < r.n-1; k++ {
				u2 := r.total[k]
				n0 += n2
				n1 -= n2
				u0 += u2
				u1 -= u2
				if n1 < minLen || n0 < minLen {
					continue
				}
				dm := u0/n0 - u1/n1
				m := 1/(n0-minLen+1) + 1/(n1-minLen+1)
				if math.Abs(dm) > math.Sqrt(2*m*v*dd)+2.0/3.0*dd*m {
					reduce, changed = true, true
					a.stat = math.Abs(dm)
					if a.width > 0 {
						a.deleteOldest()
						break scan
					}
				}
			}
		}
	}
	if changed {
		a.nDetect++
	}
	return changed
}

const adwinMagic = "EDDYADWN"

// Snapshot encodes the configuration and the window.
func (a *ADWIN) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(adwinMagic, 1, 64+len(a.rows)*16*(a.cfg.MaxBuckets+1))
	e.F64(a.cfg.Delta)
	e.I64(int64(a.cfg.Clock))
	e.I64(int64(a.cfg.MaxBuckets))
	e.I64(int64(a.cfg.MinWindowLength))
	e.I64(int64(a.cfg.GracePeriod))
	e.F64(a.total)
	e.F64(a.variance)
	e.F64(a.width)
	e.I64(a.tick)
	e.I64(a.nDetect)
	e.F64(a.stat)
	e.Bool(a.lastDrift)
	e.U64(uint64(len(a.rows)))
	for _, r := range a.rows {
		e.U64(uint64(r.n))
		for k := range r.n {
			e.F64(r.total[k])
			e.F64(r.variance[k])
		}
	}
	return e.B, nil
}

// maxADWINRows bounds the histogram's rows: 2^62 values is more than any
// window.
const maxADWINRows = 62

// Restore replaces the detector with a snapshot.
func (a *ADWIN) Restore(b []byte) error {
	d, v, err := olearn.NewDec(b, adwinMagic)
	if err != nil {
		return fmt.Errorf("drift: adwin restore: %w", err)
	}
	if v != 1 {
		return fmt.Errorf("drift: adwin restore: format version %d, want 1", v)
	}
	cfg := ADWINConfig{Delta: d.F64(), Clock: int(d.I64()), MaxBuckets: int(d.I64()),
		MinWindowLength: int(d.I64()), GracePeriod: int(d.I64())}
	if d.Failed() {
		return fmt.Errorf("drift: adwin restore: %w", d.Err())
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("drift: adwin restore: %w", err)
	}
	n := ADWIN{cfg: cfg}
	n.total, n.variance, n.width = d.F64(), d.F64(), d.F64()
	n.tick, n.nDetect, n.stat, n.lastDrift = d.I64(), d.I64(), d.F64(), d.Bool()
	nrows := d.U64()
	if d.Failed() {
		return fmt.Errorf("drift: adwin restore: %w", d.Err())
	}
	if nrows < 1 || nrows > maxADWINRows {
		return fmt.Errorf("drift: adwin restore: %d histogram rows, want in [1, %d]", nrows, maxADWINRows)
	}
	width := 0.0
	for i := range int(nrows) {
		r := n.newRow()
		cnt := d.U64()
		if d.Failed() {
			break
		}
		if cnt > uint64(cfg.MaxBuckets) {
			return fmt.Errorf("drift: adwin restore: row %d holds %d buckets, more than max buckets %d", i, cnt, cfg.MaxBuckets)
		}
		r.n = int(cnt)
		for k := range r.n {
			r.total[k], r.variance[k] = d.F64(), d.F64()
		}
		width += float64(r.n) * bucketSize(i)
		n.rows = append(n.rows, r)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("drift: adwin restore: %w", err)
	}
	if width != n.width || n.tick < 0 || n.nDetect < 0 {
		return errors.New("drift: adwin restore: inconsistent window (width, tick or detections)")
	}
	if len(n.rows) > 1 && n.rows[len(n.rows)-1].n == 0 {
		return errors.New("drift: adwin restore: empty oldest histogram row")
	}
	*a = n
	return nil
}
