package bucketizer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind.
const Kind = "bucketizer"

// SplitsArray holds, per input column, its splits as a comma-separated
// list of numbers.
var SplitsArray = param.New("splits_array",
	`splits of each input column as a comma-separated list of at least two strictly increasing numbers ("-inf, 0, 10, inf"); bucket b holds splits[b] <= x < splits[b+1], the last one also its upper split`,
	[]string(nil), param.Func("valid splits", func(v []string) error {
		for k, s := range v {
			if _, err := ParseSplits(s); err != nil {
				return fmt.Errorf("entry %d: %w", k, err)
			}
		}
		return nil
	}))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind, Doc: "Maps numeric columns to bucket indices with given splits (Flink ML Bucketizer).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// ParseSplits parses a comma-separated list of at least two strictly
// increasing numbers (inf and -inf allowed, NaN not).
func ParseSplits(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	out := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("split %q is not a number", strings.TrimSpace(p))
		}
		out[i] = v
	}
	return out, checkSplits(out)
}

func checkSplits(s []float64) error {
	if len(s) < 2 {
		return fmt.Errorf("want at least 2 splits, got %d", len(s))
	}
	for i, v := range s {
		if math.IsNaN(v) {
			return errors.New("split is NaN")
		}
		if i > 0 && v <= s[i-1] {
			return fmt.Errorf("splits must be strictly increasing, got %v after %v", v, s[i-1])
		}
	}
	return nil
}

// FormatSplits formats splits as ParseSplits reads them.
func FormatSplits(s []float64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// Bucketizer is the bucketizer transformer.
type Bucketizer struct {
	param.HasInputCols
	param.HasOutputCols
	param.HasHandleInvalid
	params *param.Set
}

// New builds a bucketizer from param values.
func New(values map[string]any) (*Bucketizer, error) {
	s := &Bucketizer{}
	s.params = param.NewSet(Kind, &s.HasInputCols, &s.HasOutputCols, &s.HasHandleInvalid, SplitsArray)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	if _, err := s.splits(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Bucketizer) Kind() string       { return Kind }
func (s *Bucketizer) Params() *param.Set { return s.params }

// SetSplitsArray sets splits_array from one splits slice per input column.
func (s *Bucketizer) SetSplitsArray(splits ...[]float64) error {
	v := make([]string, len(splits))
	for k, sp := range splits {
		v[k] = FormatSplits(sp)
	}
	return SplitsArray.Set(s.params, v)
}

// splits checks the params together and returns the parsed splits.
func (s *Bucketizer) splits() ([][]float64, error) {
	in, out, sa := s.InputCols(), s.OutputCols(), SplitsArray.Get(s.params)
	if len(out) != len(in) {
		return nil, &param.Error{Kind: Kind, Param: param.OutputCols.Name(),
			Err: fmt.Errorf("has %d columns for %d input_cols", len(out), len(in))}
	}
	if len(sa) != len(in) {
		return nil, &param.Error{Kind: Kind, Param: SplitsArray.Name(),
			Err: fmt.Errorf("has %d entries for %d input_cols", len(sa), len(in))}
	}
	res := make([][]float64, len(sa))
	for k, v := range sa {
		var err error
		if res[k], err = ParseSplits(v); err != nil {
			return nil, &param.Error{Kind: Kind, Param: SplitsArray.Name(), Err: err}
		}
	}
	return res, nil
}

func (s *Bucketizer) schema(in *arrow.Schema) (*arrow.Schema, []int, [][]float64, error) {
	splits, err := s.splits()
	if err != nil {
		return nil, nil, nil, err
	}
	if len(splits) == 0 {
		return nil, nil, nil, &param.Error{Kind: Kind, Param: param.InputCols.Name(), Err: errors.New("is empty")}
	}
	idx := make([]int, len(splits))
	fields := make([]arrow.Field, len(splits))
	for k, name := range s.InputCols() {
		if idx[k], err = vecutil.NumericField(in, name); err != nil {
			return nil, nil, nil, fmt.Errorf("stage %q: %w", Kind, err)
		}
		fields[k] = arrow.Field{Name: s.OutputCols()[k], Type: arrow.PrimitiveTypes.Float64}
	}
	out, err := vecutil.AppendFields(in, fields...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	return out, idx, splits, nil
}

// OutputSchema appends one float64 column per input column.
func (s *Bucketizer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, _, _, err := s.schema(in)
	return out, err
}

// Bucket returns the bucket of x for splits, or -1 when x is NaN or
// outside [splits[0], splits[len-1]].
func Bucket(splits []float64, x float64) int {
	n := len(splits)
	if !(x >= splits[0] && x <= splits[n-1]) {
		return -1
	}
	if x == splits[n-1] {
		return n - 2
	}
	// Smallest i with splits[i] > x; splits[0] <= x so i >= 1.
	lo, hi := 1, n-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if splits[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo - 1
}

// Transform appends the bucket indices. rec is borrowed.
func (s *Bucketizer) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, idx, splits, err := s.schema(rec.Schema())
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	policy := s.HandleInvalid()
	var keep []bool
	outs := make([]arrow.Array, 0, len(idx))
	defer func() {
		for _, a := range outs {
			a.Release()
		}
	}()
	var buf []float64
	for k, c := range idx {
		arr, sp, name := rec.Column(c), splits[k], s.InputCols()[k]
		vals, err := vecutil.Float64Column(buf, arr)
		if err != nil {
			return nil, fmt.Errorf("stage %q: column %q: %w", Kind, name, err)
		}
		if _, ok := arr.(*array.Float64); !ok {
			buf = vals
		}
		b := memory.NewResizableBuffer(mem)
		b.Resize(n * arrow.Float64SizeBytes)
		dst := arrow.Float64Traits.CastFromBytes(b.Bytes())[:n]
		nulls, extra := arr.NullN() > 0, float64(len(sp)-1)
		for i, v := range vals {
			bk := Bucket(sp, v)
			if bk >= 0 && !(nulls && arr.IsNull(i)) {
				dst[i] = float64(bk)
				continue
			}
			switch policy {
			case param.HandleError:
				b.Release()
				var val any = v
				if nulls && arr.IsNull(i) {
					val = nil
				}
				return nil, fmt.Errorf("stage %q: %w", Kind,
					vecutil.RowError(name, i, val, fmt.Sprintf("outside the splits [%v, %v] (handle_invalid=error)", sp[0], sp[len(sp)-1])))
			case param.HandleSkip:
				if keep == nil {
					keep = make([]bool, n)
					for j := range keep {
						keep[j] = true
					}
				}
				keep[i] = false
			}
			dst[i] = extra
		}
		data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, b}, nil, 0, 0)
		b.Release()
		outs = append(outs, array.NewFloat64Data(data))
		data.Release()
	}
	res, err := vecutil.AppendColumns(schema, rec, outs...)
	if err != nil || keep == nil {
		return res, err
	}
	defer res.Release()
	return vecutil.Filter(mem, res, keep)
}
