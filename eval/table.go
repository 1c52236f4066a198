package eval

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline/table"
)

// Option configures the table evaluators.
type Option func(*options)

type options struct {
	weightCol    string
	margins      bool
	threshold    float64
	hasThreshold bool
	probCol      string
	classes      []float64
}

// WithWeightCol names a numeric column of row weights.
func WithWeightCol(name string) Option { return func(o *options) { o.weightCol = name } }

// WithMargins says the binary score column holds raw margins (threshold
// 0, no log loss) rather than probabilities.
func WithMargins() Option { return func(o *options) { o.margins = true } }

// WithThreshold sets the binary decision threshold.
func WithThreshold(t float64) Option {
	return func(o *options) { o.threshold, o.hasThreshold = t, true }
}

// WithProbabilityCol names the dense vector column of class probabilities
// MulticlassClassification uses for the log loss.
func WithProbabilityCol(name string) Option { return func(o *options) { o.probCol = name } }

// WithLabels gives the label of each element of the probability vectors.
func WithLabels(labels ...float64) Option {
	return func(o *options) { o.classes = append([]float64(nil), labels...) }
}

func collect(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// BinaryClassification reads r to its end and returns the binary metrics
// of scoreCol (probability of class 1, or margins WithMargins; a dense
// vector column gives its last element) against the 0/1 labelCol. r is
// borrowed. For a *table.Table pass t.Reader().
func BinaryClassification(r table.Reader, labelCol, scoreCol string, opts ...Option) (BinaryMetrics, error) {
	o := collect(opts)
	acc := BinaryAccumulator{Margins: o.margins, Threshold: o.threshold, HasThreshold: o.hasThreshold}
	var yb, sb, wb []float64
	err := scan(r, func(rec arrow.Record, start int64) error {
		var err error
		if yb, err = column(rec, labelCol, start, yb); err != nil {
			return err
		}
		if sb, err = scoreColumn(rec, scoreCol, start, sb); err != nil {
			return err
		}
		var w []float64
		if o.weightCol != "" {
			if wb, err = column(rec, o.weightCol, start, wb); err != nil {
				return err
			}
			w = wb
		}
		if err := acc.Add(yb, sb, w); err != nil {
			return rowErr(err, start)
		}
		return nil
	})
	if err != nil {
		return BinaryMetrics{}, fmt.Errorf("binary classification: %w", err)
	}
	return acc.Metrics(), nil
}

// MulticlassClassification reads r to its end and returns the metrics of
// predictionCol against labelCol (and the log loss of the probability
// column given WithProbabilityCol). r is borrowed.
func MulticlassClassification(r table.Reader, labelCol, predictionCol string, opts ...Option) (MulticlassMetrics, error) {
	o := collect(opts)
	acc := MulticlassAccumulator{Classes: o.classes}
	var yb, pb, wb []float64
	err := scan(r, func(rec arrow.Record, start int64) error {
		var err error
		if yb, err = column(rec, labelCol, start, yb); err != nil {
			return err
		}
		if pb, err = column(rec, predictionCol, start, pb); err != nil {
			return err
		}
		var w, probs []float64
		if o.weightCol != "" {
			if wb, err = column(rec, o.weightCol, start, wb); err != nil {
				return err
			}
			w = wb
		}
		if o.probCol != "" {
			if probs, err = vectorColumn(rec, o.probCol); err != nil {
				return err
			}
		}
		if err := acc.Add(yb, pb, probs, w); err != nil {
			return rowErr(err, start)
		}
		return nil
	})
	if err != nil {
		return MulticlassMetrics{}, fmt.Errorf("multiclass classification: %w", err)
	}
	return acc.Metrics(), nil
}

// Regression reads r to its end and returns the metrics of predictionCol
// against labelCol. r is borrowed.
func Regression(r table.Reader, labelCol, predictionCol string, opts ...Option) (RegressionMetrics, error) {
	o := collect(opts)
	var acc RegressionAccumulator
	var yb, pb, wb []float64
	err := scan(r, func(rec arrow.Record, start int64) error {
		var err error
		if yb, err = column(rec, labelCol, start, yb); err != nil {
			return err
		}
		if pb, err = column(rec, predictionCol, start, pb); err != nil {
			return err
		}
		var w []float64
		if o.weightCol != "" {
			if wb, err = column(rec, o.weightCol, start, wb); err != nil {
				return err
			}
			w = wb
		}
		if err := acc.Add(yb, pb, w); err != nil {
			return rowErr(err, start)
		}
		return nil
	})
	if err != nil {
		return RegressionMetrics{}, fmt.Errorf("regression: %w", err)
	}
	return acc.Metrics(), nil
}

func scan(r table.Reader, f func(rec arrow.Record, start int64) error) error {
	var start int64
	for r.Next() {
		rec := r.Record()
		if err := f(rec, start); err != nil {
			return err
		}
		start += rec.NumRows()
	}
	return r.Err()
}

// rowErr notes the batch's first row in err (row numbers in errors from
// the accumulators are relative to the batch).
func rowErr(err error, start int64) error {
	if start == 0 {
		return err
	}
	return fmt.Errorf("batch starting at row %d: %w", start, err)
}

// column returns a numeric column's values as float64 in buf.
func column(rec arrow.Record, name string, start int64, buf []float64) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(i)
	n := arr.Len()
	if arr.NullN() > 0 {
		for j := range n {
			if arr.IsNull(j) {
				return nil, fmt.Errorf("column %q row %d is null", name, start+int64(j))
			}
		}
	}
	buf = append(buf[:0], make([]float64, n)...)
	switch a := arr.(type) {
	case *array.Float64:
		copy(buf, a.Float64Values())
	case *array.Float32:
		conv(buf, a.Float32Values())
	case *array.Int64:
		conv(buf, a.Int64Values())
	case *array.Int32:
		conv(buf, a.Int32Values())
	case *array.Int16:
		conv(buf, a.Int16Values())
	case *array.Int8:
		conv(buf, a.Int8Values())
	case *array.Uint64:
		conv(buf, a.Uint64Values())
	case *array.Uint32:
		conv(buf, a.Uint32Values())
	case *array.Uint16:
		conv(buf, a.Uint16Values())
	case *array.Uint8:
		conv(buf, a.Uint8Values())
	case *array.Boolean:
		for j := range n {
			if a.Value(j) {
				buf[j] = 1
			} else {
				buf[j] = 0
			}
		}
	default:
		return nil, fmt.Errorf("column %q has type %s, want a number", name, arr.DataType())
	}
	return buf, nil
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// scoreColumn reads a numeric column, or the last element of each vector
// of a dense vector column.
func scoreColumn(rec arrow.Record, name string, start int64, buf []float64) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		return nil, err
	}
	if !table.IsDenseVector(rec.Column(i).DataType()) {
		return column(rec, name, start, buf)
	}
	vals, err := vectorColumn(rec, name)
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	dim := len(vals) / max(n, 1)
	buf = append(buf[:0], make([]float64, n)...)
	for j := range n {
		buf[j] = vals[j*dim+dim-1]
	}
	return buf, nil
}

func vectorColumn(rec arrow.Record, name string) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), name)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(i)
	if arr.NullN() > 0 {
		for j := range arr.Len() {
			if arr.IsNull(j) {
				return nil, fmt.Errorf("column %q row %d is null", name, j)
			}
		}
	}
	vals, dim, err := table.DenseVectors(arr)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", name, err)
	}
	if dim == 0 {
		return nil, fmt.Errorf("column %q: vectors of dimension 0", name)
	}
	return vals, nil
}
