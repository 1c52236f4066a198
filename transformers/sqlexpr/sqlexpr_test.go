package sqlexpr

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

func newCtx(t *testing.T) (*memory.CheckedAllocator, context.Context) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	return mem, pipeline.WithAllocator(context.Background(), mem)
}

// sample has 5 rows:
//
//	a (int32):  1, 2, null, -4, 5
//	b (float64): 0.5, null, 3, 0, -2.5
//	s (string): "Ab", "cD", null, "é!", ""
//	f (bool):   true, false, null, true, false
//	v (dense vector, dim 2)
//	"end" (int64): 10, 20, 30, 40, 50
func sample(t testing.TB, mem memory.Allocator) arrow.Record {
	t.Helper()
	rec, err := table.Build(mem,
		table.NullableCol("a", []int32{1, 2, 0, -4, 5}, []bool{true, true, false, true, true}),
		table.NullableCol("b", []float64{0.5, 0, 3, 0, -2.5}, []bool{true, false, true, true, true}),
		table.NullableCol("s", []string{"Ab", "cD", "", "é!", ""}, []bool{true, true, false, true, true}),
		table.NullableCol("f", []bool{true, false, false, true, false}, []bool{true, true, false, true, true}),
		table.DenseCol("v", 2, [][]float64{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}),
		table.Col("end", []int64{10, 20, 30, 40, 50}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// cells renders a column as strings, "null" for nulls.
func cells(t *testing.T, arr arrow.Array) []string {
	t.Helper()
	out := make([]string, arr.Len())
	for i := range out {
		if arr.IsNull(i) {
			out[i] = "null"
			continue
		}
		out[i] = arr.ValueStr(i)
	}
	return out
}

func evalOne(t *testing.T, src string) (Type, []string) {
	t.Helper()
	mem, _ := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	c, err := Compile(e, rec.Schema())
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	arr := c.Eval(mem, rec)
	defer arr.Release()
	if !arrow.TypeEqual(arr.DataType(), c.Type().Arrow()) {
		t.Fatalf("%q: array type %s, want %s", src, arr.DataType(), c.Type().Arrow())
	}
	return c.Type(), cells(t, arr)
}

func TestEval(t *testing.T) {
	for _, tc := range []struct {
		src  string
		typ  Type
		want string // cells joined by |
	}{
		{"a", Int, "1|2|null|-4|5"},
		{"a + 1", Int, "2|3|null|-3|6"},
		{"a * 2 - 1", Int, "1|3|null|-9|9"},
		{"-a", Int, "-1|-2|null|4|-5"},
		{"a % 3", Int, "1|2|null|-1|2"},
		{"a / 2", Float, "0.5|1|null|-2|2.5"},
		{"a + b", Float, "1.5|null|null|-4|2.5"},
		{"(a + 1) * b", Float, "1|null|null|-0|-15"},
		{"1 + 2 * 3", Int, "7|7|7|7|7"},
		{"(1 + 2) * 3", Int, "9|9|9|9|9"},
		{"10 - 4 - 3", Int, "3|3|3|3|3"},
		{"b / b", Float, "1|null|1|null|1"},
		{"a % 0", Int, "null|null|null|null|null"},
		{"5.5 % b", Float, "0|null|2.5|null|0.5"},
		{"abs(a)", Int, "1|2|null|4|5"},
		{"abs(b)", Float, "0.5|null|3|0|2.5"},
		{"sqrt(a)", Float, "1|1.4142135623730951|null|NaN|2.23606797749979"},
		{"log(b)", Float, "-0.6931471805599453|null|1.0986122886681096|null|null"},
		{"exp(0) + ln(1)", Float, "1|1|1|1|1"},
		{"pow(a, 2)", Float, "1|4|null|16|25"},
		{"log10(100)", Float, "2|2|2|2|2"},
		{"lower(s)", String, "ab|cd|null|é!|"},
		{"upper(s) || '-' || a", String, "AB-1|CD-2|null|É!--4|-5"},
		{"length(s)", Int, "2|2|null|2|0"},
		{"coalesce(b, a, 0)", Float, "0.5|2|3|0|-2.5"},
		{"coalesce(NULL, s)", String, "Ab|cD|null|é!|"},
		{"a > 1", Bool, "false|true|null|false|true"},
		{"a >= b", Bool, "true|null|null|false|true"},
		{"a = 2 OR a = 5", Bool, "false|true|null|false|true"},
		{"a == 2", Bool, "false|true|null|false|false"},
		{"a <> 2", Bool, "true|false|null|true|true"},
		{"s < 'b'", Bool, "true|false|null|false|true"},
		{"f = TRUE", Bool, "true|false|null|true|false"},
		{"NOT f", Bool, "false|true|null|false|true"},
		{"f AND a > 0", Bool, "true|false|null|false|false"},
		{"f OR a > 0", Bool, "true|true|null|true|true"},
		{"a IS NULL", Bool, "false|false|true|false|false"},
		{"b IS NOT NULL", Bool, "true|false|true|true|true"},
		// Three-valued logic: FALSE AND NULL = FALSE, TRUE OR NULL = TRUE.
		{"f AND b > 0", Bool, "true|false|null|false|false"},
		{"f OR b > 0", Bool, "true|null|true|true|false"},
		{"NOT (a > 1) AND b IS NOT NULL", Bool, "true|false|null|true|false"},
		{"CAST(a AS DOUBLE) / 4", Float, "0.25|0.5|null|-1|1.25"},
		{"CAST(b AS BIGINT)", Int, "0|null|3|0|-2"},
		{"CAST(a AS STRING)", String, "1|2|null|-4|5"},
		{"CAST(b AS STRING)", String, "0.5|null|3|0|-2.5"},
		{"CAST(f AS INT)", Int, "1|0|null|1|0"},
		{"CAST(a AS BOOLEAN)", Bool, "true|true|null|true|true"},
		{"CAST(s AS DOUBLE)", Float, "null|null|null|null|null"},
		{"CAST(' 12.5 ' AS DOUBLE) + CAST('7' AS BIGINT)", Float, "19.5|19.5|19.5|19.5|19.5"},
		{"CAST('2.9' AS BIGINT)", Int, "2|2|2|2|2"},
		{"CAST('yes' AS BOOLEAN)", Bool, "true|true|true|true|true"},
		{"CAST(1e30 AS BIGINT)", Int, "null|null|null|null|null"},
		{"CAST(NULL AS DOUBLE)", Float, "null|null|null|null|null"},
		{"CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN 'none' ELSE 'small' END", String, "small|big|none|small|big"},
		{"CASE WHEN b > 0 THEN b END", Float, "0.5|null|3|null|null"},
		{"case when f then a else b end", Float, "1|null|3|-4|-2.5"},
		{"if(a > 1, a, 0)", Int, "0|2|0|0|5"},
		{"if(f, 1, 2.5)", Float, "1|2.5|2.5|1|2.5"},
		{`"end" + 1`, Int, "11|21|31|41|51"},
		{"`end` * -1", Int, "-10|-20|-30|-40|-50"},
		{"'it''s'", String, "it's|it's|it's|it's|it's"},
		{"-9223372036854775808", Int, "-9223372036854775808|-9223372036854775808|-9223372036854775808|-9223372036854775808|-9223372036854775808"},
		{".5e1", Float, "5|5|5|5|5"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			typ, got := evalOne(t, tc.src)
			if typ != tc.typ {
				t.Errorf("type %s, want %s", typ, tc.typ)
			}
			if g := strings.Join(got, "|"); g != tc.want {
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	mem, _ := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	for _, tc := range []struct{ src, want string }{
		{"a + )", `expression "a + )": at column 5: unexpected ")"; want an operand`},
		{"(a + 1", `at column 7: unexpected end of expression; want ")"`},
		{"a b", `at column 3: unexpected "b"; want an operator or the end`},
		{"a + zz", `expression "a + zz": at column 5: column "zz" not found; available: a, b, s, f, v, end`},
		{"a + s", `at column 3: operator + wants numeric operands, got BIGINT and STRING`},
		{"v * 2", `at column 1: column "v" has type fixed_size_list`},
		{"f AND a", `AND wants BOOLEAN operands, got BOOLEAN and BIGINT`},
		{"NOT a", `NOT wants a BOOLEAN operand, got BIGINT`},
		{"s = 1", `at column 3: cannot compare STRING with BIGINT`},
		{"f < TRUE", `operator < does not apply to BOOLEAN operands`},
		{"nope(a)", `at column 1: unknown function nope; known: abs`},
		{"sqrt(a, b)", `function sqrt takes 1 argument(s), got 2`},
		{"sqrt(s)", `at column 6: function sqrt: argument 1 must be numeric, got STRING`},
		{"lower(a)", `function lower: argument 1 must be STRING, got BIGINT`},
		{"coalesce()", `function coalesce takes at least 1 argument(s), got 0`},
		{"coalesce(a, s)", `coalesce: types BIGINT and STRING do not mix`},
		{"CASE WHEN a THEN 1 END", `at column 11: WHEN condition must be BOOLEAN, got BIGINT`},
		{"CASE WHEN f THEN 1 ELSE 'x' END", `CASE branches: types BIGINT and STRING do not mix`},
		{"CASE a END", `unexpected "a"; want WHEN after CASE`},
		{"CAST(a AS DATE)", `at column 11: unexpected "DATE"; want a type`},
		{"CAST(a DOUBLE)", `want AS in CAST`},
		{"'abc", `at column 1: unterminated string`},
		{`"abc`, `unterminated quoted identifier`},
		{`""`, `empty quoted identifier`},
		{"a # b", `at column 3: unexpected character '#'`},
		{"1.5x", `malformed number "1.5x"`},
		{"1e+", `malformed number`},
		{"99999999999999999999", `out of the BIGINT range`},
		{"end + 1", `unexpected "end"; want an operand (quote a column named like a keyword`},
		{"a IS 3", `want NULL or NOT NULL after IS`},
		{"", `at column 1: unexpected end of expression; want an operand`},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), `nested too deeply`},
		{strings.Repeat("-", 300) + "a", `nested too deeply`},
	} {
		t.Run(tc.src, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err == nil {
				_, err = Compile(e, rec.Schema())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSelectItems(t *testing.T) {
	for _, tc := range []struct {
		src, name string
		star      bool
		err       string
	}{
		{src: "*", star: true},
		{src: "a", name: "a"},
		{src: "a AS x", name: "x"},
		{src: "a + 1 as \"x y\"", name: "x y"},
		{src: "  a + 1  ", name: "a + 1"},
		{src: "a AS", err: "want a column name after AS"},
		{src: "a AS end", err: "want a column name after AS"},
		{src: "a AS x y", err: `unexpected "y"`},
		{src: "* + 1", err: `at column 1: unexpected "*"`},
	} {
		it, err := ParseSelectItem(tc.src)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if it.Star != tc.star || !it.Star && it.Name() != tc.name {
			t.Errorf("%q: star %v name %q, want %v %q", tc.src, it.Star, it.Name(), tc.star, tc.name)
		}
	}
}

func TestSelectStage(t *testing.T) {
	mem, ctx := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	s, err := NewSelect(map[string]any{
		"select": []string{"v", "a AS id", "CAST(a AS DOUBLE) * 2 AS a2", "upper(s)", `"end"`},
		"where":  "b IS NULL OR b >= 0",
	})
	if err != nil {
		t.Fatal(err)
	}
	schema, err := s.OutputSchema(rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	wantSchema := "v:fixed_size_list<item: float64, nullable>[2] id:int32 a2:float64 upper(s):utf8 end:int64"
	var got []string
	for _, f := range schema.Fields() {
		got = append(got, f.Name+":"+f.Type.String())
	}
	if g := strings.Join(got, " "); g != wantSchema {
		t.Fatalf("schema %s\nwant %s", g, wantSchema)
	}
	out, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if !out.Schema().Equal(schema) {
		t.Fatalf("transform schema %s differs from %s", out.Schema(), schema)
	}
	// Rows kept: b = 0.5, null, 3, 0 (rows 0-3); row 4 (b = -2.5) dropped.
	want := map[string]string{
		"v":        "[1,2]|[3,4]|[5,6]|[7,8]",
		"id":       "1|2|null|-4",
		"a2":       "2|4|null|-8",
		"upper(s)": "AB|CD|null|É!",
		"end":      "10|20|30|40",
	}
	for i, f := range schema.Fields() {
		if g := strings.Join(cells(t, out.Column(i)), "|"); g != want[f.Name] {
			t.Errorf("column %s: got %s, want %s", f.Name, g, want[f.Name])
		}
	}
	// The passed-through column is shared, not copied, when no row is dropped.
	if err := s.SetWhere(""); err != nil {
		t.Fatal(err)
	}
	all, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Release()
	if all.NumRows() != 5 || all.Column(0) != rec.Column(4) {
		t.Errorf("without where: %d rows; vector column not shared", all.NumRows())
	}
}

func TestFilterStage(t *testing.T) {
	mem, ctx := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	for _, tc := range []struct {
		where string
		end   string // surviving values of "end"
	}{
		{"a > 1", "20|50"},         // null a dropped
		{"NOT (a > 1)", "10|40"},   // NOT NULL is NULL: dropped
		{"f OR b > 0", "10|30|40"}, // TRUE OR NULL kept, NULL dropped
		{"coalesce(a, 0) >= 0", "10|20|30|50"},
		{"TRUE", "10|20|30|40|50"},
		{"FALSE", ""},
	} {
		f, err := NewFilter(map[string]any{"where": tc.where})
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.Transform(ctx, rec)
		if err != nil {
			t.Fatalf("%s: %v", tc.where, err)
		}
		if !out.Schema().Equal(rec.Schema()) {
			t.Errorf("%s: schema changed: %s", tc.where, out.Schema())
		}
		if g := strings.Join(cells(t, out.Column(5)), "|"); g != tc.end {
			t.Errorf("%s: kept %s, want %s", tc.where, g, tc.end)
		}
		out.Release()
	}
}

func TestStageErrors(t *testing.T) {
	mem, _ := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	for _, tc := range []struct {
		kind   string
		params map[string]any
		build  string // error from New
		schema string // error from OutputSchema
	}{
		{kind: KindSelect, params: map[string]any{"select": []string{"a +"}},
			build: `stage "sql_select": param "select"`},
		{kind: KindSelect, params: map[string]any{"select": []string{}}, build: `param "select"`},
		{kind: KindSelect, params: map[string]any{"where": "a >"}, build: `param "where"`},
		{kind: KindSelect, params: map[string]any{"nope": 1}, build: `nope`},
		{kind: KindFilter, params: map[string]any{"where": "(("}, build: `stage "sql_filter": param "where"`},
		{kind: KindSelect, params: map[string]any{"select": []string{"a", "b + zz"}},
			schema: `stage "sql_select": select item 1: expression "b + zz": at column 5: column "zz" not found; available: a, b, s, f, v, end`},
		{kind: KindSelect, params: map[string]any{"select": []string{"a", "b AS a"}},
			schema: `items 0 and 1 both make output column "a"`},
		{kind: KindSelect, params: map[string]any{"select": []string{"*", "a"}},
			schema: `both make output column "a"`},
		{kind: KindSelect, params: map[string]any{"select": []string{"zz AS y"}},
			schema: `select item 0: expression "zz": at column 1: column "zz" not found`},
		{kind: KindSelect, params: map[string]any{"select": []string{"NULL AS n"}},
			schema: `has type NULL`},
		{kind: KindSelect, params: map[string]any{"where": "a + 1"},
			schema: `where: expression "a + 1" has type BIGINT, want BOOLEAN`},
		{kind: KindFilter, params: map[string]any{"where": "s > 1"},
			schema: `stage "sql_filter": where: expression "s > 1": at column 3: cannot compare STRING with BIGINT`},
	} {
		var st pipeline.Transformer
		var err error
		if tc.kind == KindSelect {
			st, err = NewSelect(tc.params)
		} else {
			st, err = NewFilter(tc.params)
		}
		if tc.build != "" {
			if err == nil || !strings.Contains(err.Error(), tc.build) {
				t.Errorf("%v: build error = %v, want %q", tc.params, err, tc.build)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.params, err)
		}
		if _, err := st.OutputSchema(rec.Schema()); err == nil || !strings.Contains(err.Error(), tc.schema) {
			t.Errorf("%v: schema error = %v\nwant %q", tc.params, err, tc.schema)
		}
		if out, err := st.Transform(pipeline.WithAllocator(context.Background(), mem), rec); err == nil {
			out.Release()
			t.Errorf("%v: Transform accepted what OutputSchema rejects", tc.params)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	mem, ctx := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	sel, err := NewSelect(map[string]any{"select": []string{"*", "a * b AS ab", "if(f, 'y', 'n') AS yn"}, "where": "a IS NOT NULL"})
	if err != nil {
		t.Fatal(err)
	}
	fil, err := NewFilter(map[string]any{"where": "b > 0 OR f"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []pipeline.Transformer{sel, fil} {
		want, err := st.Transform(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"dir", "stage.tar"} {
			p := filepath.Join(t.TempDir(), name)
			if err := modelio.Save(st, p, nil); err != nil {
				t.Fatal(err)
			}
			l, err := modelio.Load(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if l.Kind() != st.Kind() {
				t.Fatalf("loaded kind %s, want %s", l.Kind(), st.Kind())
			}
			got, err := l.(pipeline.Transformer).Transform(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			if !array.RecordEqual(got, want) {
				t.Errorf("%s %s: loaded stage gives a different output", st.Kind(), name)
			}
			got.Release()
		}
		want.Release()
	}
}

// TestConcurrentTransform runs one stage from several goroutines on
// batches of different schemas (the plan cache swaps under -race).
func TestConcurrentTransform(t *testing.T) {
	mem, ctx := newCtx(t)
	defer mem.AssertSize(t, 0)
	rec := sample(t, mem)
	defer rec.Release()
	other, err := table.Build(mem, table.Col("a", []float64{1.5, -1}), table.Col("b", []float64{2, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	s, err := NewSelect(map[string]any{"select": []string{"a * b AS ab"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			in := rec
			if g%2 == 1 {
				in = other
			}
			for range 50 {
				out, err := s.Transform(ctx, in)
				if err != nil {
					done <- err
					return
				}
				if out.NumRows() != in.NumRows() {
					out.Release()
					done <- err
					return
				}
				out.Release()
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestLargeBatchMatchesScalarMath(t *testing.T) {
	mem, ctx := newCtx(t)
	defer mem.AssertSize(t, 0)
	n := 1000
	x := make([]float64, n)
	y := make([]int64, n)
	for i := range x {
		x[i] = float64(i)*0.37 - 100
		y[i] = int64(i%17) - 8
	}
	rec, err := table.Build(mem, table.Col("x", x), table.Col("y", y))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	s, err := NewSelect(map[string]any{"select": []string{"sqrt(abs(x)) * y + x / 3 AS z"}, "where": "y % 2 = 0"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Transform(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	z := out.Column(0).(*array.Float64).Float64Values()
	k := 0
	for i := range x {
		if y[i]%2 != 0 {
			continue
		}
		want := math.Sqrt(math.Abs(x[i]))*float64(y[i]) + x[i]/3
		if k >= len(z) || z[k] != want {
			t.Fatalf("row %d: got %v, want %v", i, z[k], want)
		}
		k++
	}
	if k != len(z) {
		t.Fatalf("%d rows, want %d", len(z), k)
	}
}
