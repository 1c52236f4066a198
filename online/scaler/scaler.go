package scaler

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/transformers/standardscaler"
)

// Kind is the learner's kind name.
const Kind = "online_standard_scaler"

// NumFeatures is the vector size param.
var NumFeatures = param.New("num_features", "size of the vectors; 0 takes it from the first batch", 0, param.GtEq(0))

const maxFeatures = 1 << 26

// Scaler is an online standard scaler.
type Scaler struct {
	param.HasInputCol
	param.HasOutputCol
	params *param.Set

	dim      int
	n        float64
	mean, m2 []float64
	row      []float64
}

// New builds an online_standard_scaler (params input_col, output_col,
// with_mean, with_std as the standard_scaler's, and num_features).
func New(values map[string]any) (*Scaler, error) {
	s := &Scaler{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, standardscaler.WithMean, standardscaler.WithStd, NumFeatures)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	if n := NumFeatures.Get(s.params); n > 0 {
		if err := s.init(n); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Scaler) Kind() string       { return Kind }
func (s *Scaler) Params() *param.Set { return s.params }

func (s *Scaler) init(n int) error {
	if n > maxFeatures {
		return fmt.Errorf("learner %q: %d features is too many", Kind, n)
	}
	s.dim, s.mean, s.m2 = n, make([]float64, n), make([]float64, n)
	return nil
}

// Rows returns the number of rows learned.
func (s *Scaler) Rows() int64 { return int64(s.n) }

// Mean returns a copy of the running means.
func (s *Scaler) Mean() []float64 { return append([]float64(nil), s.mean...) }

// Std returns the running population standard deviations.
func (s *Scaler) Std() []float64 {
	out := make([]float64, s.dim)
	for j, v := range s.m2 {
		if s.n > 0 {
			out[j] = math.Sqrt(v / s.n)
		}
	}
	return out
}

func (s *Scaler) learn(x []float64) {
	s.n++
	mean, m2 := s.mean[:len(x)], s.m2[:len(x)]
	for j, v := range x {
		d := v - mean[j]
		mean[j] += d / s.n
		m2[j] += d * (v - mean[j])
	}
}

// UpdateDense learns one row.
func (s *Scaler) UpdateDense(x []float64) error {
	if s.mean == nil {
		if err := s.init(len(x)); err != nil {
			return err
		}
	}
	if len(x) != s.dim {
		return fmt.Errorf("learner %q: vector of size %d, want %d", Kind, len(x), s.dim)
	}
	if err := olearn.CheckFinite(Kind, x); err != nil {
		return err
	}
	s.learn(x)
	return nil
}

// Update learns the rows of rec (borrowed): its input_col vectors.
func (s *Scaler) Update(ctx context.Context, rec arrow.Record) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("learner %q: update panicked: %v", Kind, r)
		}
	}()
	feats, err := olearn.ReadFeatures(rec, s.InputCol(), s.dim, int64(s.n))
	if err != nil {
		return fmt.Errorf("learner %q: %w", Kind, err)
	}
	if feats.N == 0 {
		return nil
	}
	if s.mean == nil {
		if err := s.init(feats.Dim); err != nil {
			return err
		}
	}
	for i := range feats.N {
		if !feats.IsSparse {
			s.learn(feats.Row(i))
			continue
		}
		s.row = olearn.Grow(s.row, s.dim)
		clear(s.row)
		idx, vals := feats.SparseRow(i)
		for k, j := range idx {
			s.row[j] += vals[k]
		}
		s.learn(s.row)
	}
	return nil
}

// ModelData returns standard_scaler_model data stamped with version; the
// caller owns one Release of each record.
func (s *Scaler) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if s.n == 0 {
		return nil, fmt.Errorf("learner %q: no model before the first row", Kind)
	}
	rec, err := standardscaler.ModelDataRecord(mem, s.mean, s.Std())
	return olearn.Stamp(Kind, version, []arrow.Record{rec}, err)
}

// Model returns an independent standard_scaler_model of the current
// statistics with the given version, with the learner's column params.
func (s *Scaler) Model(version int64) (*standardscaler.Model, error) {
	m, err := standardscaler.NewModel(map[string]any{"input_col": s.InputCol(), "output_col": s.OutputCol(),
		"with_mean": standardscaler.WithMean.Get(s.params), "with_std": standardscaler.WithStd.Get(s.params)})
	if err != nil {
		return nil, err
	}
	recs, err := s.ModelData(memory.DefaultAllocator, version)
	if err != nil {
		return nil, err
	}
	defer recs[0].Release()
	return m, m.SetModelData(recs...)
}

// Snapshot encodes the statistics bit for bit.
func (s *Scaler) Snapshot() ([]byte, error) {
	e := olearn.NewEnc("EDDYOSCL", 1, 16*s.dim+48)
	e.F64(s.n)
	e.F64s(s.mean)
	e.F64s(s.m2)
	return e.B, nil
}

// Restore replaces the statistics with a Snapshot; on error the learner is
// unchanged.
func (s *Scaler) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(Kind, b, "EDDYOSCL", 1)
	if err != nil {
		return err
	}
	n := d.F64()
	mean, m2 := d.F64s(maxFeatures), d.F64s(maxFeatures)
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", Kind, err)
	}
	if len(mean) != len(m2) || n < 0 {
		return fmt.Errorf("learner %q: restore: inconsistent snapshot", Kind)
	}
	if k := NumFeatures.Get(s.params); k > 0 && k != len(mean) {
		return fmt.Errorf("learner %q: restore: snapshot has %d features, num_features is %d", Kind, len(mean), k)
	}
	if len(mean) == 0 {
		mean, m2 = nil, nil
	}
	s.n, s.mean, s.m2, s.dim = n, mean, m2, len(mean)
	return nil
}
