package indextostring

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Kind is the registry kind name.
const Kind = "index_to_string"

// Labels are the labels in index order.
var Labels = param.New("labels", "the labels in index order: index k maps to labels[k]", []string(nil))

func init() {
	registry.MustRegister(registry.Spec{Kind: Kind,
		Doc: "Maps label indices back to labels (Spark ML IndexToString).",
		New: func(p map[string]any) (pipeline.Stage, error) { return New(p) }})
}

// IndexToString writes labels[input_col] to output_col.
type IndexToString struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasHandleInvalid
	params *param.Set
}

var _ pipeline.Transformer = (*IndexToString)(nil)

// New builds an index_to_string stage from param values.
func New(values map[string]any) (*IndexToString, error) {
	s := &IndexToString{}
	s.params = param.NewSet(Kind, &s.HasInputCol, &s.HasOutputCol, &s.HasHandleInvalid, Labels)
	if err := s.params.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *IndexToString) Kind() string       { return Kind }
func (s *IndexToString) Params() *param.Set { return s.params }

// Labels returns the labels.
func (s *IndexToString) Labels() []string { return Labels.Get(s.params) }

// SetLabels sets the labels.
func (s *IndexToString) SetLabels(labels ...string) error { return Labels.Set(s.params, labels) }

func (s *IndexToString) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	i, err := table.FieldIndex(in, s.InputCol())
	if err != nil {
		return nil, err
	}
	switch dt := in.Field(i).Type; dt.ID() {
	case arrow.FLOAT64, arrow.FLOAT32, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
	default:
		return nil, fmt.Errorf("column %q has type %s, want a numeric index column", s.InputCol(), dt)
	}
	return pipeline.AppendField(in, arrow.Field{Name: s.OutputCol(), Type: arrow.BinaryTypes.String, Nullable: true})
}

func (s *IndexToString) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	col, _ := table.FieldIndex(rec.Schema(), s.InputCol())
	arr := rec.Column(col)
	vals, err := vecutil.Float64Column(nil, arr)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", s.InputCol(), err)
	}
	labels := Labels.Get(s.params)
	policy := s.HandleInvalid()
	mem := pipeline.Allocator(ctx)
	n := len(vals)
	bytes := 0
	for i, v := range vals {
		if k := int(v); float64(k) == v && k >= 0 && k < len(labels) && !arr.IsNull(i) {
			bytes += len(labels[k])
		}
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	b.ReserveData(bytes)
	var keep []bool
	nulls := arr.NullN() > 0
	for i, v := range vals {
		k := int(v)
		if (nulls && arr.IsNull(i)) || float64(k) != v || k < 0 || k >= len(labels) || math.IsNaN(v) {
			switch policy {
			case param.HandleError:
				var val any
				if !arr.IsNull(i) {
					val = v
				}
				return nil, vecutil.RowError(s.InputCol(), i, val,
					fmt.Sprintf("not a label index in [0, %d) (handle_invalid=error)", len(labels)))
			case param.HandleSkip:
				if keep == nil {
					keep = make([]bool, n)
					for j := range keep {
						keep[j] = true
					}
				}
				keep[i] = false
			}
			b.AppendNull()
			continue
		}
		b.Append(labels[k])
	}
	out := b.NewArray()
	defer out.Release()
	res, err := vecutil.AppendColumns(schema, rec, out)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return vecutil.Filter(mem, res, keep)
}
