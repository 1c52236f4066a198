package sqlexpr_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/sqlexpr"
)

// Select with computed, renamed and cast columns, and a WHERE filter that
// drops the row whose predicate is NULL.
func ExampleNewSelect() {
	mem := memory.NewGoAllocator()
	rec, _ := table.Build(mem,
		table.NullableCol("price", []float64{10, 2.5, 0, 8}, []bool{true, true, false, true}),
		table.Col("qty", []int64{3, 4, 1, 0}),
		table.Col("city", []string{"Paris", "lyon", "Nice", "Lille"}))
	defer rec.Release()

	s, err := sqlexpr.NewSelect(map[string]any{
		"select": []string{"upper(city) AS city", "price * qty AS total", "CAST(qty AS STRING) AS q"},
		"where":  "price > 1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := s.Transform(pipeline.WithAllocator(context.Background(), mem), rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(out.Schema().Field(1))
	for i := 0; i < int(out.NumRows()); i++ {
		fmt.Println(out.Column(0).ValueStr(i), out.Column(1).ValueStr(i), out.Column(2).ValueStr(i))
	}

	_, err = sqlexpr.NewFilter(map[string]any{"where": "price > )"})
	fmt.Println(err)
	// Output:
	// total: type=float64, nullable
	// PARIS 30 3
	// LYON 10 4
	// LILLE 0 0
	// stage "sql_filter": param "where": expression "price > )": at column 9: unexpected ")"; want an operand
}
