package drift

import (
	"errors"
	"fmt"
	"math"

	"github.com/eddyml/eddy/online/internal/olearn"
)

// PageHinkleyConfig configures Page-Hinkley. Zero fields take River's
// defaults; Alpha 0 means the default 1-1e-4 (use a tiny positive value
// for almost no memory).
type PageHinkleyConfig struct {
	// MinInstances: no drift is reported before this many values
	// (default 30).
	MinInstances int
	// Delta is the magnitude of change tolerated (default 0.005).
	Delta float64
	// Threshold is lambda, the alarm level of the cumulative sum
	// (default 50).
	Threshold float64
	// Alpha is the forgetting factor of the cumulative sum (default
	// 0.9999); 1 is the plain test.
	Alpha float64
}

func (c *PageHinkleyConfig) setDefaults() {
	if c.MinInstances == 0 {
		c.MinInstances = 30
	}
	if c.Delta == 0 {
		c.Delta = 0.005
	}
	if c.Threshold == 0 {
		c.Threshold = 50
	}
	if c.Alpha == 0 {
		c.Alpha = 1 - 0.0001
	}
}

// Validate checks the configuration (after defaults).
func (c PageHinkleyConfig) Validate() error {
	switch {
	case c.MinInstances < 1:
		return fmt.Errorf("drift: page-hinkley min instances %d, want >= 1", c.MinInstances)
	case !(c.Delta >= 0) || math.IsInf(c.Delta, 0):
		return fmt.Errorf("drift: page-hinkley delta %v, want finite >= 0", c.Delta)
	case !(c.Threshold > 0) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("drift: page-hinkley threshold %v, want finite > 0", c.Threshold)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("drift: page-hinkley alpha %v, want in (0, 1]", c.Alpha)
	}
	return nil
}

// PageHinkley is the Page-Hinkley test (Page 1954; Mouss et al. 2004 for
// its use on streams) for an increase of the mean: with x̄_t the running
// mean, the cumulative sum m_t = max(0, alpha m_{t-1} + x_t - x̄_t - delta)
// signals a drift when m_t >= Threshold (once MinInstances values were
// seen). After a drift the next update starts afresh. It follows River's
// drift.PageHinkley (the one-sided form with a forgetting factor), whose
// sample counter starts at 1, so that a drift is possible from value
// MinInstances-1 on. Statistic is m_t.
type PageHinkley struct {
	cfg   PageHinkleyConfig
	count int64 // River's sample_count: 1 + values seen
	mean  float64
	sum   float64
	drift bool
}

// NewPageHinkley returns a Page-Hinkley detector.
func NewPageHinkley(cfg PageHinkleyConfig) (*PageHinkley, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &PageHinkley{cfg: cfg}
	p.Reset()
	return p, nil
}

// Name returns "page_hinkley".
func (p *PageHinkley) Name() string { return KindPageHinkley }

// Config returns the configuration with defaults applied.
func (p *PageHinkley) Config() PageHinkleyConfig { return p.cfg }

// Reset forgets every value.
func (p *PageHinkley) Reset() { p.count, p.mean, p.sum, p.drift = 1, 0, 0, false }

// State returns Drift when the last update detected one, else Stable.
func (p *PageHinkley) State() State {
	if p.drift {
		return Drift
	}
	return Stable
}

// Statistic returns the cumulative sum m_t.
func (p *PageHinkley) Statistic() float64 { return p.sum }

// Mean returns the running mean.
func (p *PageHinkley) Mean() float64 { return p.mean }

// Update adds x.
func (p *PageHinkley) Update(x float64) bool {
	if p.drift {
		p.Reset()
	}
	p.mean += (x - p.mean) / float64(p.count)
	p.sum = max(0, p.cfg.Alpha*p.sum+(x-p.mean-p.cfg.Delta))
	p.count++
	p.drift = p.count >= int64(p.cfg.MinInstances) && p.sum >= p.cfg.Threshold
	return p.drift
}

const phMagic = "EDDYPHK1"

// Snapshot encodes the configuration and state.
func (p *PageHinkley) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(phMagic, 1, 72)
	e.I64(int64(p.cfg.MinInstances))
	e.F64(p.cfg.Delta)
	e.F64(p.cfg.Threshold)
	e.F64(p.cfg.Alpha)
	e.I64(p.count)
	e.F64(p.mean)
	e.F64(p.sum)
	e.Bool(p.drift)
	return e.B, nil
}

// Restore replaces the detector with a snapshot.
func (p *PageHinkley) Restore(b []byte) error {
	d, v, err := olearn.NewDec(b, phMagic)
	if err != nil {
		return fmt.Errorf("drift: page-hinkley restore: %w", err)
	}
	if v != 1 {
		return fmt.Errorf("drift: page-hinkley restore: format version %d, want 1", v)
	}
	n := PageHinkley{cfg: PageHinkleyConfig{MinInstances: int(d.I64()), Delta: d.F64(), Threshold: d.F64(), Alpha: d.F64()}}
	n.count, n.mean, n.sum, n.drift = d.I64(), d.F64(), d.F64(), d.Bool()
	if err := d.Err(); err != nil {
		return fmt.Errorf("drift: page-hinkley restore: %w", err)
	}
	if err := n.cfg.Validate(); err != nil {
		return fmt.Errorf("drift: page-hinkley restore: %w", err)
	}
	if n.count < 1 {
		return errors.New("drift: page-hinkley restore: bad sample count")
	}
	*p = n
	return nil
}
