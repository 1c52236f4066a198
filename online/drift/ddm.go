package drift

import (
	"errors"
	"fmt"
	"math"

	"github.com/eddyml/eddy/online/internal/olearn"
)

// DDMConfig configures DDM. Zero fields take River's defaults.
type DDMConfig struct {
	// MinInstances is the number of values seen before the levels are
	// checked (River's warm_start, default 30): checks start at value
	// MinInstances+1.
	MinInstances int
	// WarningLevel is the number of standard deviations above the best
	// p+s that raises a warning (default 2, about 95% confidence).
	WarningLevel float64
	// DriftLevel is the number of standard deviations above the best p+s
	// that signals a drift (default 3, about 99% confidence).
	DriftLevel float64
}

func (c *DDMConfig) setDefaults() {
	if c.MinInstances == 0 {
		c.MinInstances = 30
	}
	if c.WarningLevel == 0 {
		c.WarningLevel = 2
	}
	if c.DriftLevel == 0 {
		c.DriftLevel = 3
	}
}

// Validate checks the configuration (after defaults).
func (c DDMConfig) Validate() error {
	switch {
	case c.MinInstances < 1:
		return fmt.Errorf("drift: ddm min instances %d, want >= 1", c.MinInstances)
	case !(c.WarningLevel > 0) || math.IsInf(c.WarningLevel, 0):
		return fmt.Errorf("drift: ddm warning level %v, want finite > 0", c.WarningLevel)
	case !(c.DriftLevel >= c.WarningLevel) || math.IsInf(c.DriftLevel, 0):
		return fmt.Errorf("drift: ddm drift level %v, want finite >= warning level %v", c.DriftLevel, c.WarningLevel)
	}
	return nil
}

// DDM is the Drift Detection Method of Gama, Medas, Castillo and
// Rodrigues (2004) for a stream of 0/1 errors: with p_i the error rate
// after i values and s_i = sqrt(p_i(1-p_i)/i), it remembers p_min and
// s_min where p_i + s_i was smallest (once more than MinInstances values
// were seen) and reports a warning when p_i + s_i > p_min + WarningLevel
// s_min, a drift when p_i + s_i > p_min + DriftLevel s_min. After a drift
// the next update starts afresh. It follows River's drift.binary.DDM.
//
// Values other than 0 and 1 are accepted (p is their running mean) but
// the bound assumes Bernoulli errors. Statistic is p_i + s_i.
type DDM struct {
	cfg   DDMConfig
	n     int64
	mean  float64
	pMin  float64
	sMin  float64
	psMin float64
	stat  float64
	state State
}

// NewDDM returns a DDM detector.
func NewDDM(cfg DDMConfig) (*DDM, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &DDM{cfg: cfg}
	d.Reset()
	return d, nil
}

// Name returns "ddm".
func (d *DDM) Name() string { return KindDDM }

// Config returns the configuration with defaults applied.
func (d *DDM) Config() DDMConfig { return d.cfg }

// Reset forgets every value.
func (d *DDM) Reset() {
	d.n, d.mean, d.stat, d.state = 0, 0, 0, Stable
	d.pMin, d.sMin, d.psMin = math.Inf(1), math.Inf(1), math.Inf(1)
}

// State returns Stable, Warning or Drift.
func (d *DDM) State() State { return d.state }

// Statistic returns p_i + s_i.
func (d *DDM) Statistic() float64 { return d.stat }

// Update adds the error indicator x.
func (d *DDM) Update(x float64) bool {
	if d.state == Drift {
		d.Reset()
	}
	d.n++
	d.mean += (x - d.mean) / float64(d.n)
	p := d.mean
	s := math.Sqrt(p * (1 - p) / float64(d.n))
	d.stat = p + s
	if d.n <= int64(d.cfg.MinInstances) {
		return false
	}
	if p+s <= d.psMin {
		d.pMin, d.sMin, d.psMin = p, s, p+s
	}
	switch {
	case p+s > d.pMin+d.cfg.DriftLevel*d.sMin:
		d.state = Drift
	case p+s > d.pMin+d.cfg.WarningLevel*d.sMin:
		d.state = Warning
	default:
		d.state = Stable
	}
	return d.state == Drift
}

const ddmMagic = "EDDYDDM1"

// Snapshot encodes the configuration and state.
func (d *DDM) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(ddmMagic, 1, 96)
	e.I64(int64(d.cfg.MinInstances))
	e.F64(d.cfg.WarningLevel)
	e.F64(d.cfg.DriftLevel)
	e.I64(d.n)
	e.F64(d.mean)
	e.F64(d.pMin)
	e.F64(d.sMin)
	e.F64(d.psMin)
	e.F64(d.stat)
	e.U32(uint32(d.state))
	return e.B, nil
}

// Restore replaces the detector with a snapshot.
func (d *DDM) Restore(b []byte) error {
	dec, v, err := olearn.NewDec(b, ddmMagic)
	if err != nil {
		return fmt.Errorf("drift: ddm restore: %w", err)
	}
	if v != 1 {
		return fmt.Errorf("drift: ddm restore: format version %d, want 1", v)
	}
	n := DDM{cfg: DDMConfig{MinInstances: int(dec.I64()), WarningLevel: dec.F64(), DriftLevel: dec.F64()}}
	n.n, n.mean, n.pMin, n.sMin, n.psMin, n.stat = dec.I64(), dec.F64(), dec.F64(), dec.F64(), dec.F64(), dec.F64()
	st := dec.U32()
	if err := dec.Err(); err != nil {
		return fmt.Errorf("drift: ddm restore: %w", err)
	}
	if err := n.cfg.Validate(); err != nil {
		return fmt.Errorf("drift: ddm restore: %w", err)
	}
	if st > uint32(Drift) || n.n < 0 {
		return errors.New("drift: ddm restore: bad state or count")
	}
	n.state = State(st)
	*d = n
	return nil
}
