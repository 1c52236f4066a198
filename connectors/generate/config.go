package generate

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Kind is the kind of data a Source generates.
type Kind string

// The kinds of synthetic data.
const (
	// Classification: a hidden logistic model over the features gives a
	// Bernoulli int64 label 0/1.
	Classification Kind = "classification"
	// Regression: a hidden linear model plus Gaussian noise gives a float64
	// label.
	Regression Kind = "regression"
	// Blobs: K Gaussian clusters in NumNumeric dimensions; the label is the
	// true cluster id.
	Blobs Kind = "blobs"
)

// Defaults used by Config for zero fields.
const (
	DefaultBatchSize   = 4096
	DefaultNumNumeric  = 4  // classification and regression, when there are no categorical fields either
	DefaultBlobsDim    = 2  // blobs
	DefaultK           = 3  // blobs
	DefaultCardinality = 10 // every categorical field
	DefaultInterval    = time.Second
)

// DefaultStartTime is the event time of row 0 when Config.StartTime is zero:
// 2024-01-01T00:00:00Z. It is fixed so that output never depends on the
// clock.
var DefaultStartTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Limits checked by Validate.
const (
	MaxBatchSize   = 1 << 24
	MaxColumns     = 1 << 16 // NumNumeric and NumCategorical each
	MaxCardinality = 1 << 31
	MaxK           = 1 << 16
	MaxSkew        = 8
)

// Config describes a synthetic stream. Zero fields take the defaults listed
// on each field; Validate reports the first bad field by its name.
type Config struct {
	// Kind is classification (default), regression or blobs.
	Kind Kind `yaml:"kind"`
	// Seed selects the data set; the same seed and config give the same
	// rows, bit for bit.
	Seed uint64 `yaml:"seed"`
	// Rows is the number of rows; 0 means an endless (unbounded) stream.
	Rows int64 `yaml:"rows"`
	// FirstRow is the index of the first row delivered: the stream is rows
	// FirstRow, FirstRow+1, ... of the seeded data set, so disjoint row
	// ranges of one seed give a training set, a held-out set and a live
	// stream from the same hidden model. Offsets (Offset, SeekRow) count
	// from FirstRow.
	FirstRow int64 `yaml:"first_row"`
	// BatchSize is the number of rows per record batch (DefaultBatchSize).
	// It never changes the values of a row.
	BatchSize int `yaml:"batch_size"`

	// NumNumeric is the number of float64 feature columns x0..x{D-1}; for
	// blobs it is the dimension D. When both NumNumeric and NumCategorical
	// are zero, NumNumeric defaults to DefaultNumNumeric (blobs:
	// DefaultBlobsDim).
	NumNumeric int `yaml:"num_numeric"`
	// NumCategorical is the number of string feature columns c0..c{C-1}
	// with values "c{f}_{v}" (classification and regression only).
	NumCategorical int `yaml:"num_categorical"`
	// Cardinality is the number of distinct values of each categorical
	// field: empty means DefaultCardinality for all, one value applies to
	// all fields, otherwise one value per field.
	Cardinality []int `yaml:"cardinality"`
	// Skew is the integer exponent p in v = floor(card * u^p) that draws a
	// categorical value: 1 (default) is uniform, 2 or 3 give the heavy head
	// of click logs (value 0 most frequent).
	Skew int `yaml:"skew"`

	// Noise is the label noise of classification (the probability, in
	// [0, 1], that a drawn label is flipped) and of regression (the standard
	// deviation of the Gaussian noise added to the target); for blobs it is
	// the standard deviation of each cluster, and 0 there means 1.
	Noise float64 `yaml:"noise"`
	// K is the number of blobs (DefaultK); it must be 0 for other kinds.
	K int `yaml:"k"`

	// Drift is optional concept drift of the hidden model.
	Drift Drift `yaml:"drift"`

	// StartTime is the event time of row 0 (DefaultStartTime).
	StartTime time.Time `yaml:"start_time"`
	// Interval is the event-time step between rows (DefaultInterval).
	Interval time.Duration `yaml:"interval"`
	// MaxLateness, when positive, moves each row's event time back by a
	// random whole number of milliseconds in [0, MaxLateness], so event
	// times are out of order but a watermark of (largest event time seen)
	// minus MaxLateness is never passed by a later row.
	MaxLateness time.Duration `yaml:"max_lateness"`

	// Allocator allocates every batch (memory.DefaultAllocator).
	Allocator memory.Allocator `yaml:"-"`
}

// Drift is concept drift: at chosen rows the hidden model (weights and
// bias, or blob centers) is replaced by an independent new one, either
// abruptly or by moving linearly from the old one to the new one over
// Width rows.
//
// Drift points are At, At+Every, At+2*Every, ... (only At when Every is 0).
// Before the first point the model is concept 0; after drift point i it is
// concept i+1. The zero Drift means no drift.
type Drift struct {
	// At is the row of the first drift point; 0 with Every > 0 means Every.
	At int64 `yaml:"at"`
	// Every is the period between drift points; 0 means a single drift at At.
	Every int64 `yaml:"every"`
	// Width is the length in rows of each transition: 0 is an abrupt change,
	// Width = Every a model that moves all the time. At most Every when
	// Every > 0.
	Width int64 `yaml:"width"`
}

func (d Drift) enabled() bool { return d.At > 0 || d.Every > 0 }

// conceptAt returns the concept k in force at row r and, inside a gradual
// transition from k to k+1, the position a in (0, 1); a is 0 otherwise.
func (d Drift) conceptAt(r int64) (k uint64, a float64) {
	if !d.enabled() || r < d.At {
		return 0, 0
	}
	idx, off := int64(0), r-d.At
	if d.Every > 0 {
		idx, off = off/d.Every, off%d.Every
	}
	if off < d.Width {
		return uint64(idx), float64(off) / float64(d.Width)
	}
	return uint64(idx + 1), 0
}

func (c *Config) setDefaults() {
	if c.Kind == "" {
		c.Kind = Classification
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.NumNumeric == 0 && c.NumCategorical == 0 {
		if c.Kind == Blobs {
			c.NumNumeric = DefaultBlobsDim
		} else {
			c.NumNumeric = DefaultNumNumeric
		}
	}
	if c.NumCategorical > 0 && c.NumCategorical <= MaxColumns {
		switch len(c.Cardinality) {
		case 0:
			c.Cardinality = repeat(DefaultCardinality, c.NumCategorical)
		case 1:
			c.Cardinality = repeat(c.Cardinality[0], c.NumCategorical)
		default:
			c.Cardinality = append([]int(nil), c.Cardinality...)
		}
	}
	if c.Skew == 0 {
		c.Skew = 1
	}
	if c.Kind == Blobs {
		if c.K == 0 {
			c.K = DefaultK
		}
		if c.Noise == 0 {
			c.Noise = 1
		}
	}
	if c.Drift.At == 0 && c.Drift.Every > 0 {
		c.Drift.At = c.Drift.Every
	}
	if c.StartTime.IsZero() {
		c.StartTime = DefaultStartTime
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Allocator == nil {
		c.Allocator = memory.DefaultAllocator
	}
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// Validate reports the first invalid field of c (after defaults), as
// "generate: <field>: <problem>".
func (c Config) Validate() error {
	c.setDefaults()
	return c.validate()
}

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("generate: %s: %s", field, fmt.Sprintf(format, args...))
}

func (c *Config) validate() error {
	switch c.Kind {
	case Classification, Regression, Blobs:
	default:
		return fieldErr("kind", "unknown kind %q (want classification, regression or blobs)", c.Kind)
	}
	if c.Rows < 0 {
		return fieldErr("rows", "%d is negative (0 means unbounded)", c.Rows)
	}
	if c.FirstRow < 0 || c.FirstRow > math.MaxInt64-c.Rows {
		return fieldErr("first_row", "%d is outside [0, %d]", c.FirstRow, int64(math.MaxInt64)-c.Rows)
	}
	if c.BatchSize < 0 || c.BatchSize > MaxBatchSize {
		return fieldErr("batch_size", "%d is outside [1, %d]", c.BatchSize, MaxBatchSize)
	}
	if c.NumNumeric < 0 || c.NumNumeric > MaxColumns {
		return fieldErr("num_numeric", "%d is outside [0, %d]", c.NumNumeric, MaxColumns)
	}
	if c.NumCategorical < 0 || c.NumCategorical > MaxColumns {
		return fieldErr("num_categorical", "%d is outside [0, %d]", c.NumCategorical, MaxColumns)
	}
	if c.Kind == Blobs {
		if c.NumCategorical != 0 {
			return fieldErr("num_categorical", "blobs have no categorical fields (got %d)", c.NumCategorical)
		}
		if c.NumNumeric == 0 {
			return fieldErr("num_numeric", "blobs need at least one dimension")
		}
		if c.K < 1 || c.K > MaxK {
			return fieldErr("k", "%d is outside [1, %d]", c.K, MaxK)
		}
	} else if c.K != 0 {
		return fieldErr("k", "only blobs have k (kind is %s)", c.Kind)
	}
	if c.NumCategorical == 0 && len(c.Cardinality) > 0 {
		return fieldErr("cardinality", "set but num_categorical is 0")
	}
	if len(c.Cardinality) != c.NumCategorical {
		return fieldErr("cardinality", "has %d values for %d categorical fields", len(c.Cardinality), c.NumCategorical)
	}
	for i, v := range c.Cardinality {
		if v < 1 || v > MaxCardinality {
			return fieldErr(fmt.Sprintf("cardinality[%d]", i), "%d is outside [1, %d]", v, MaxCardinality)
		}
	}
	if c.Skew < 1 || c.Skew > MaxSkew {
		return fieldErr("skew", "%d is outside [1, %d]", c.Skew, MaxSkew)
	}
	if math.IsNaN(c.Noise) || math.IsInf(c.Noise, 0) || c.Noise < 0 {
		return fieldErr("noise", "%v is not a finite non-negative number", c.Noise)
	}
	if c.Kind == Classification && c.Noise > 1 {
		return fieldErr("noise", "%v is a flip probability and must be at most 1", c.Noise)
	}
	d := c.Drift
	switch {
	case d.At < 0:
		return fieldErr("drift.at", "%d is negative", d.At)
	case d.Every < 0:
		return fieldErr("drift.every", "%d is negative", d.Every)
	case d.Width < 0:
		return fieldErr("drift.width", "%d is negative", d.Width)
	case d.Width > 0 && !d.enabled():
		return fieldErr("drift.width", "set without drift.at or drift.every")
	case d.Every > 0 && d.Width > d.Every:
		return fieldErr("drift.width", "%d is longer than drift.every %d", d.Width, d.Every)
	}
	if c.Interval < 0 {
		return fieldErr("interval", "%v is negative", c.Interval)
	}
	if c.MaxLateness < 0 {
		return fieldErr("max_lateness", "%v is negative", c.MaxLateness)
	}
	return nil
}
