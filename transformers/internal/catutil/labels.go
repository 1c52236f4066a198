package catutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/param"
)

// Column names of a labels record, the model data of string_indexer_model
// that index_to_string reads too: one row per label, "column" the position
// of its input column (int32), "label" the label (string), rows of a
// column in index order.
const (
	LabelsColumnField = "column"
	LabelsLabelField  = "label"
)

// LabelsRecord returns the labels record of labels[c] for each column c.
// The caller owns one Release.
func LabelsRecord(mem memory.Allocator, labels [][]string) arrow.Record {
	cb := array.NewInt32Builder(mem)
	defer cb.Release()
	lb := array.NewStringBuilder(mem)
	defer lb.Release()
	for c, ls := range labels {
		for _, l := range ls {
			cb.Append(int32(c))
			lb.Append(l)
		}
	}
	cols := []arrow.Array{cb.NewArray(), lb.NewArray()}
	defer cols[0].Release()
	defer cols[1].Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: LabelsColumnField, Type: arrow.PrimitiveTypes.Int32},
		{Name: LabelsLabelField, Type: arrow.BinaryTypes.String},
	}, nil)
	return array.NewRecord(schema, cols, int64(cols[0].Len()))
}

// ParseLabels reads a labels record (see LabelsRecord) of ncols columns.
// The strings are copies.
func ParseLabels(recs []arrow.Record, ncols int) ([][]string, error) {
	if len(recs) != 1 {
		return nil, fmt.Errorf("want one labels record, got %d", len(recs))
	}
	rec := recs[0]
	if rec.NumCols() != 2 || rec.ColumnName(0) != LabelsColumnField || rec.ColumnName(1) != LabelsLabelField {
		return nil, fmt.Errorf("labels record has schema %s, want columns %q (int32) and %q (string)", rec.Schema(), LabelsColumnField, LabelsLabelField)
	}
	cols, ok1 := rec.Column(0).(*array.Int32)
	labs, ok2 := rec.Column(1).(*array.String)
	if !ok1 || !ok2 || cols.NullN() > 0 || labs.NullN() > 0 {
		return nil, errors.New("labels record: want non-null int32 column and string label")
	}
	out := make([][]string, ncols)
	prev := int32(0)
	for i, c := range cols.Int32Values() {
		if c < prev || int(c) >= ncols {
			return nil, fmt.Errorf("labels record row %d: column %d out of order or not in [0, %d)", i, c, ncols)
		}
		prev = c
		out[c] = append(out[c], strings.Clone(labs.Value(i)))
	}
	return out, nil
}

// CheckCols checks that a stage of kind has input columns and as many
// output columns; the error names the stage and the param.
func CheckCols(kind string, in, out []string) error {
	if len(in) == 0 {
		return &param.Error{Kind: kind, Param: param.InputCols.Name(), Err: errors.New("must name at least one column")}
	}
	if len(out) != len(in) {
		return &param.Error{Kind: kind, Param: param.OutputCols.Name(),
			Err: fmt.Errorf("has %d columns for %d input columns", len(out), len(in))}
	}
	return nil
}
