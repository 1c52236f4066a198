package table

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

func TestSameSchema(t *testing.T) {
	base := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "v", Type: DenseVectorType(3)},
	}, nil)
	for i, tc := range []struct {
		b    *arrow.Schema
		same bool
	}{
		{base, true},
		{arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}, {Name: "v", Type: DenseVectorType(3)}}, nil), true},
		{arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}, {Name: "v", Type: DenseVectorType(4)}}, nil), false},
		{arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: DenseVectorType(3)}}, nil), false},
		{arrow.NewSchema([]arrow.Field{{Name: "y", Type: arrow.PrimitiveTypes.Float64}, {Name: "v", Type: DenseVectorType(3)}}, nil), false},
		{arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, {Name: "v", Type: DenseVectorType(3)}}, nil), false},
		{arrow.NewSchema([]arrow.Field{WithRole(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64}, RoleLabel), {Name: "v", Type: DenseVectorType(3)}}, nil), false},
		{arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil), false},
		{nil, false},
	} {
		if got := SameSchema(base, tc.b); got != tc.same {
			t.Errorf("%d: SameSchema = %v, want %v", i, got, tc.same)
		}
	}
	if !SameSchema(nil, nil) {
		t.Error("nil schemas differ")
	}
}
