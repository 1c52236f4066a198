package httpapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

// Keys of modelstore.Info.Params that tell the server how to serve a
// version. Both are optional.
const (
	// ParamInputSchema holds the model's input columns as JSON:
	// [{"name":"age","type":"int64"},{"name":"emb","type":"vector[8]"}].
	// Types: float64, float32, int64, int32, bool, string and vector[N]
	// (a dense FixedSizeList<float64> of N). "nullable":true allows null.
	// Without it the server infers column types from each request's first
	// row (numbers as float64, arrays of numbers as vectors) and lets the
	// model's first stage check them.
	ParamInputSchema = "serving.input_schema"
	// ParamOutputCols lists, comma-separated, the columns a prediction
	// returns. Without it a prediction returns every column the model
	// added to its input.
	ParamOutputCols = "serving.output_cols"
)

type schemaField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable,omitempty"`
}

// SetInputSchema stores s, the schema the model was trained on (or any
// schema its first stage accepts), in info.Params under ParamInputSchema.
// Columns of other types than the supported ones give an error naming
// the column. Fields are stored as not nullable, whatever s says
// (training data is usually typed nullable): requests then must give
// every feature, non-null. A model that handles nulls can mark a field
// "nullable":true in the stored JSON.
func SetInputSchema(info *modelstore.Info, s *arrow.Schema) error {
	return setInputSchema(info, s, false)
}

// SetNullableInputSchema is SetInputSchema with every field nullable: a
// request may send null for any feature, and the model's stages decide
// what a null means (feature_hasher skips it, an imputer fills it, others
// reject it with an error naming the column). For models trained on data
// with missing values.
func SetNullableInputSchema(info *modelstore.Info, s *arrow.Schema) error {
	return setInputSchema(info, s, true)
}

func setInputSchema(info *modelstore.Info, s *arrow.Schema, nullable bool) error {
	fields := make([]schemaField, s.NumFields())
	for i, f := range s.Fields() {
		t, err := typeName(f.Type)
		if err != nil {
			return fmt.Errorf("input schema: column %q: %w", f.Name, err)
		}
		fields[i] = schemaField{Name: f.Name, Type: t, Nullable: nullable}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("input schema: %w", err)
	}
	if info.Params == nil {
		info.Params = map[string]string{}
	}
	info.Params[ParamInputSchema] = string(b)
	return nil
}

// SetOutputCols stores the columns predictions return in info.Params
// under ParamOutputCols.
func SetOutputCols(info *modelstore.Info, cols ...string) {
	if info.Params == nil {
		info.Params = map[string]string{}
	}
	info.Params[ParamOutputCols] = strings.Join(cols, ",")
}

// InputSchema reads the schema SetInputSchema stored, or nil when there
// is none.
func InputSchema(info modelstore.Info) (*arrow.Schema, error) {
	raw, ok := info.Params[ParamInputSchema]
	if !ok {
		return nil, nil
	}
	var fields []schemaField
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		return nil, fmt.Errorf("params[%s]: %w", ParamInputSchema, err)
	}
	out := make([]arrow.Field, len(fields))
	for i, f := range fields {
		t, err := parseType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("params[%s]: column %q: %w", ParamInputSchema, f.Name, err)
		}
		out[i] = arrow.Field{Name: f.Name, Type: t, Nullable: f.Nullable}
	}
	return arrow.NewSchema(out, nil), nil
}

func outputCols(info modelstore.Info) []string {
	raw := strings.TrimSpace(info.Params[ParamOutputCols])
	if raw == "" {
		return nil
	}
	cols := strings.Split(raw, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}

func typeName(t arrow.DataType) (string, error) {
	switch t.ID() {
	case arrow.FLOAT64:
		return "float64", nil
	case arrow.FLOAT32:
		return "float32", nil
	case arrow.INT64:
		return "int64", nil
	case arrow.INT32:
		return "int32", nil
	case arrow.BOOL:
		return "bool", nil
	case arrow.STRING:
		return "string", nil
	}
	if table.IsDenseVector(t) {
		return "vector[" + strconv.Itoa(int(t.(*arrow.FixedSizeListType).Len())) + "]", nil
	}
	return "", fmt.Errorf("type %s cannot be served (want float64, float32, int64, int32, bool, string or a dense vector)", t)
}

func parseType(s string) (arrow.DataType, error) {
	switch s {
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	}
	if n, ok := strings.CutPrefix(s, "vector["); ok {
		if n, ok := strings.CutSuffix(n, "]"); ok {
			d, err := strconv.Atoi(n)
			if err == nil && d > 0 {
				return table.DenseVectorType(d), nil
			}
		}
	}
	return nil, fmt.Errorf("unknown type %q (want float64, float32, int64, int32, bool, string or vector[N])", s)
}
