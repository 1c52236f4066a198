package connectors

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// ParseSchemaSpec parses a compact schema as given on the command line:
// comma-separated "name:type" pairs, where type is one of bool, int32,
// int64, float32, float64, string, timestamp (milliseconds), or
// vector[N] (a dense FixedSizeList<float64> of N elements). Every column is
// nullable. Errors name the 1-based position of the bad pair.
func ParseSchemaSpec(spec string) (*arrow.Schema, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("empty schema")
	}
	var fields []arrow.Field
	seen := map[string]int{}
	for i, pair := range strings.Split(spec, ",") {
		name, typ, ok := strings.Cut(strings.TrimSpace(pair), ":")
		name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
		if !ok || name == "" || typ == "" {
			return nil, fmt.Errorf("schema column %d: %q is not name:type", i+1, pair)
		}
		if j, dup := seen[name]; dup {
			return nil, fmt.Errorf("schema column %d: %q repeats column %d", i+1, name, j)
		}
		seen[name] = i + 1
		dt, err := parseType(typ)
		if err != nil {
			return nil, fmt.Errorf("schema column %d (%s): %w", i+1, name, err)
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: true})
	}
	return arrow.NewSchema(fields, nil), nil
}

func parseType(s string) (arrow.DataType, error) {
	switch strings.ToLower(s) {
	case "bool", "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "int", "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "float", "float64", "double":
		return arrow.PrimitiveTypes.Float64, nil
	case "string", "str", "utf8":
		return arrow.BinaryTypes.String, nil
	case "timestamp", "timestamp[ms]":
		return arrow.FixedWidthTypes.Timestamp_ms, nil
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "vector["); ok {
		if n, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil && strings.HasSuffix(rest, "]") && n > 0 {
			return arrow.FixedSizeListOf(int32(n), arrow.PrimitiveTypes.Float64), nil
		}
	}
	return nil, fmt.Errorf("unknown type %q (want bool, int32, int64, float32, float64, string, timestamp or vector[N])", s)
}
