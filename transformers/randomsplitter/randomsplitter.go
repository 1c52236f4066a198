package randomsplitter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Kind is the stage kind name (not registered: see the package doc).
const Kind = "random_splitter"

// Weights are the relative sizes of the splits.
var Weights = param.New("weights", "relative sizes of the splits (>= 0, positive sum); one output table per weight",
	[]float64{1, 1}, param.Func("at least one weight, each finite and >= 0, with a positive sum", checkWeights))

func checkWeights(w []float64) error {
	if len(w) == 0 {
		return errors.New("must have at least one weight")
	}
	sum := 0.0
	for i, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("weight %d is %v, want a finite value >= 0", i, x)
		}
		sum += x
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return fmt.Errorf("weights sum to %v, want a positive finite sum", sum)
	}
	return nil
}

// Splitter assigns rows to splits, one row after the other, across
// batches. It is not safe for concurrent use.
type Splitter struct {
	bounds []float64
	rng    *rand.Rand
}

// NewSplitter returns a splitter for weights and seed.
func NewSplitter(weights []float64, seed int64) (*Splitter, error) {
	if err := checkWeights(weights); err != nil {
		return nil, &param.Error{Kind: Kind, Param: Weights.Name(), Err: err}
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	bounds := make([]float64, len(weights))
	acc := 0.0
	for i, w := range weights {
		acc += w
		bounds[i] = acc / sum
	}
	bounds[len(bounds)-1] = 1 // no row may fall past the end by rounding
	return &Splitter{bounds: bounds, rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}, nil
}

// NumSplits returns the number of splits.
func (s *Splitter) NumSplits() int { return len(s.bounds) }

// Assign writes the split of each of the next len(dst) rows to dst.
func (s *Splitter) Assign(dst []int) {
	for i := range dst {
		u := s.rng.Float64()
		k := 0
		for u >= s.bounds[k] {
			k++
		}
		dst[i] = k
	}
}

// SplitRecord assigns the rows of rec and returns one record per split,
// each holding its rows in order (possibly none). rec is borrowed; the
// caller owns one Release of each result.
func (s *Splitter) SplitRecord(mem memory.Allocator, rec arrow.Record) ([]arrow.Record, error) {
	n := int(rec.NumRows())
	assign := make([]int, n)
	s.Assign(assign)
	idx := make([][]int, len(s.bounds))
	for i, k := range assign {
		idx[k] = append(idx[k], i)
	}
	out := make([]arrow.Record, 0, len(idx))
	for _, rows := range idx {
		r, err := table.Take(mem, rec, rows)
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Split reads r to its end and returns one table per weight; every row
// goes to exactly one of them (see the package doc). r is borrowed. The
// caller owns one Release of each table.
func Split(ctx context.Context, r table.Reader, weights []float64, seed int64) ([]*table.Table, error) {
	s, err := NewSplitter(weights, seed)
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	parts := make([][]arrow.Record, len(weights))
	release := func() {
		for _, p := range parts {
			for _, rec := range p {
				rec.Release()
			}
		}
	}
	for r.Next() {
		if err := ctx.Err(); err != nil {
			release()
			return nil, err
		}
		recs, err := s.SplitRecord(mem, r.Record())
		if err != nil {
			release()
			return nil, fmt.Errorf("random split: %w", err)
		}
		for k, rec := range recs {
			if rec.NumRows() == 0 {
				rec.Release()
				continue
			}
			parts[k] = append(parts[k], rec)
		}
	}
	if err := r.Err(); err != nil {
		release()
		return nil, fmt.Errorf("random split: %w", err)
	}
	out := make([]*table.Table, len(parts))
	for k, p := range parts {
		t, err := table.New(r.Schema(), p...)
		if err != nil {
			for _, o := range out[:k] {
				o.Release()
			}
			release()
			return nil, fmt.Errorf("random split: %w", err)
		}
		out[k] = t
	}
	release() // the tables retained the records
	return out, nil
}

// RandomSplitter is Split as a stage with params weights and seed.
type RandomSplitter struct {
	param.HasSeed
	params *param.Set
}

var _ pipeline.Stage = (*RandomSplitter)(nil)

// New builds a random_splitter from param values.
func New(values map[string]any) (*RandomSplitter, error) {
	s := &RandomSplitter{}
	s.params = param.NewSet(Kind, Weights, &s.HasSeed)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *RandomSplitter) Kind() string       { return Kind }
func (s *RandomSplitter) Params() *param.Set { return s.params }

// Weights returns the weights.
func (s *RandomSplitter) Weights() []float64 { return Weights.Get(s.params) }

// SetWeights sets the weights.
func (s *RandomSplitter) SetWeights(w ...float64) error { return Weights.Set(s.params, w) }

// Split splits r by the stage's weights and seed (see Split).
func (s *RandomSplitter) Split(ctx context.Context, r table.Reader) ([]*table.Table, error) {
	return Split(ctx, r, s.Weights(), s.Seed())
}
