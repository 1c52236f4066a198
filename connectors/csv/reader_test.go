package csv

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// cell renders one value for comparisons; null is "∅".
func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "∅"
	}
	switch a := a.(type) {
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.FixedSizeList:
		from, to := a.ValueOffsets(i)
		vals := a.ListValues().(*array.Float64)
		var parts []string
		for k := from; k < to; k++ {
			parts = append(parts, strconv.FormatFloat(vals.Value(int(k)), 'g', -1, 64))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return a.ValueStr(i)
}

// rows renders every row of every batch as "v1|v2|...".
func drain(t *testing.T, r *Reader) (out []string, batches int) {
	t.Helper()
	for r.Next() {
		rec := r.Record()
		batches++
		for i := 0; i < int(rec.NumRows()); i++ {
			var parts []string
			for _, c := range rec.Columns() {
				parts = append(parts, cell(c, i))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	return out, batches
}

func schemaString(s *arrow.Schema) string {
	var parts []string
	for _, f := range s.Fields() {
		parts = append(parts, f.Name+":"+f.Type.String())
	}
	return strings.Join(parts, ",")
}

func newTestReader(t *testing.T, mem memory.Allocator, text string, opts Options) (*Reader, error) {
	t.Helper()
	opts.Allocator = mem
	if opts.Name == "" {
		opts.Name = "t.csv"
	}
	return NewReader(context.Background(), strings.NewReader(text), opts)
}

func TestReadInference(t *testing.T) {
	for i, tc := range []struct {
		in     string
		opts   Options
		schema string
		rows   []string
	}{
		0: {"a,b,c,d\n1,1.5,true,x\n-2,2,False,y\n", Options{},
			"a:int64,b:float64,c:bool,d:utf8", []string{`1|1.5|true|"x"`, `-2|2|false|"y"`}},
		1: {"f\nnan\ninf\n-Inf\n1e3\n2.5E-2\n+7\n", Options{},
			"f:float64", []string{"NaN", "+Inf", "-Inf", "1000", "0.025", "7"}},
		2: {"a,b,c\n,NA,\n1,null,\n2,,x\n", Options{},
			"a:int64,b:utf8,c:utf8", []string{`∅|∅|∅`, `1|∅|∅`, `2|∅|"x"`}},
		3: {"n\n1\n2\n1.5\n", Options{}, "n:float64", []string{"1", "2", "1.5"}},
		4: {"n\n9223372036854775807\n-9223372036854775808\n", Options{}, "n:int64",
			[]string{"9223372036854775807", "-9223372036854775808"}},
		5: {"n\n9223372036854775808\n", Options{}, "n:float64", []string{"9.223372036854776e+18"}},
		6: {"b\ntrue\n1\n", Options{}, "b:utf8", []string{`"true"`, `"1"`}},
		7: {"a,b\n-999,1\n3,2\n", Options{NullValues: []string{"", "-999"}}, "a:int64,b:int64", []string{"∅|1", "3|2"}},
		8: {"a;b\n1;2,5\n", Options{Comma: ';'}, "a:int64,b:utf8", []string{`1|"2,5"`}},
		9: {"a\tb\n1\tx y\n", Options{Comma: '\t'}, "a:int64,b:utf8", []string{`1|"x y"`}},
		// Inference sees only the first row; the explicit schema wins for b.
		10: {"a,b\n1,2\n3,4\n", Options{InferRows: 1, ReadOptions: connectors.ReadOptions{
			Schema: arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)}},
			"a:int64,b:float64", []string{"1|2", "3|4"}},
		11: {"\xEF\xBB\xBFa,,a2\r\n1,2,3\r\n\r\n4,5,6", Options{}, "a:int64,column_2:int64,a2:int64", []string{"1|2|3", "4|5|6"}},
		12: {"a,b\n", Options{}, "a:utf8,b:utf8", nil},
		13: {"v,x\n\"1 2;3\",[4 5 6]\n,\"\"\n", Options{ReadOptions: connectors.ReadOptions{Schema: arrow.NewSchema([]arrow.Field{
			{Name: "v", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float64), Nullable: true},
			{Name: "x", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float64), Nullable: true}}, nil)}},
			"v:fixed_size_list<item: float64, nullable>[3],x:fixed_size_list<item: float64, nullable>[3]", []string{"[1 2 3]|[4 5 6]", "∅|∅"}},
		14: {"a\n-0\n+3\n", Options{}, "a:int64", []string{"0", "3"}},
		15: {"a\n-0.0\n1\n", Options{}, "a:float64", []string{"-0", "1"}},
	} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r, err := newTestReader(t, mem, tc.in, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Release()
			if got := schemaString(r.Schema()); got != tc.schema {
				t.Errorf("schema %s, want %s", got, tc.schema)
			}
			got, _ := drain(t, r)
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.rows, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.rows, "\n"))
			}
		})
	}
}

func TestReadQuoting(t *testing.T) {
	in := "id,text,n\n" +
		"1,\"a,b\",1\n" +
		"2,\"say \"\"hi\"\"\",2\n" +
		"3,\"two\nlines\",3\n" +
		"4,\"\",4\n" +
		"5,,5\n" +
		"6,\"NA\",6\n" +
		"7,NA,\"7\"\n" +
		"8,x\"y,8\n" +
		"9,\"crlf\r\ninside\",9\r\n"
	want := []string{
		`1|"a,b"|1`, `2|"say \"hi\""|2`, `3|"two\nlines"|3`, `4|""|4`, `5|∅|5`,
		`6|"NA"|6`, `7|∅|7`, `8|"x\"y"|8`, `9|"crlf\r\ninside"|9`,
	}
	// Every batch size and a one-byte reader exercise the chunk and buffer
	// boundaries inside quoted fields.
	for _, batch := range []int{1, 2, 3, 100} {
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("batch%d-onebyte%v", batch, oneByte), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				var rd io.Reader = strings.NewReader(in)
				if oneByte {
					rd = iotest.OneByteReader(rd)
				}
				r, err := NewReader(context.Background(), rd, Options{ReadOptions: connectors.ReadOptions{BatchSize: batch, Allocator: mem}})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Release()
				if got := schemaString(r.Schema()); got != "id:int64,text:utf8,n:int64" {
					t.Fatalf("schema %s", got)
				}
				got, batches := drain(t, r)
				if err := r.Err(); err != nil {
					t.Fatal(err)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if wantB := (len(want) + batch - 1) / batch; batches != wantB {
					t.Errorf("%d batches, want %d", batches, wantB)
				}
			})
		}
	}
}

func intSchema(names ...string) *arrow.Schema {
	var fs []arrow.Field
	for _, n := range names {
		fs = append(fs, arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

func TestReadErrors(t *testing.T) {
	for i, tc := range []struct {
		in   string
		opts Options
		rows int // good rows delivered before the error
		err  string
	}{
		0: {"a,b\n1,2\n3\n", Options{}, 1,
			`t.csv:line 3, value "3": wrong number of fields: got 1, want 2`},
		1: {"a,b\n1,2\n3,4,5\n", Options{}, 1,
			`t.csv:line 3, value "3,4,5": wrong number of fields: got 3, want 2`},
		2: {"a,b\n1,2\n3,\"x\n\n", Options{}, 1,
			`t.csv:line 3, column 2 (b), value "x\n\n": unterminated quoted field`},
		3: {"a,b\n1,2\n\"x\"y,4\n", Options{}, 1,
			`t.csv:line 3, column 1 (a), value "x": unexpected text after closing quote`},
		4: {"a,b\n1,2\n3,x\n", Options{ReadOptions: connectors.ReadOptions{Schema: intSchema("b")}}, 1,
			`t.csv:line 3, column 2 (b), value "x": not an int64`},
		5: {"a,b\n1,2\n\"3\nz\",4\n5,1.5\n", Options{InferRows: 2}, 2,
			`t.csv:line 5, column 2 (b), value "1.5": not an int64 (the type was inferred from the first 2 rows: raise InferRows or give the column in Schema)`},
		6: {"a,b\n1,2.5\n3,abc\n", Options{ReadOptions: connectors.ReadOptions{Schema: arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)}}, 1,
			`t.csv:line 3, column 2 (b), value "abc": not a float64`},
		7: {"a,b\n1,2\n3,\n", Options{ReadOptions: connectors.ReadOptions{Schema: arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Int64}}, nil)}}, 1,
			`t.csv:line 3, column 2 (b): null in a non-nullable column`},
		// A bad value in a row with the wrong field count is reported as the count.
		8: {"a,b\n1,x,3\n", Options{ReadOptions: connectors.ReadOptions{Schema: intSchema("a", "b")}}, 0,
			`t.csv:line 2, value "1,x,3": wrong number of fields: got 3, want 2`},
	} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r, err := newTestReader(t, mem, tc.in, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Release()
			got, _ := drain(t, r)
			if len(got) != tc.rows {
				t.Errorf("%d rows before the error, want %d", len(got), tc.rows)
			}
			err = r.Err()
			if err == nil || err.Error() != tc.err {
				t.Fatalf("error\n%v\nwant\n%s", err, tc.err)
			}
			var re *connectors.RowError
			if !errors.As(err, &re) || re.File != "t.csv" {
				t.Errorf("error %T is not a *connectors.RowError for t.csv", err)
			}
			if r.Next() {
				t.Error("Next after an error")
			}
		})
	}
}

func TestReadOpenErrors(t *testing.T) {
	for i, tc := range []struct {
		in   string
		opts Options
		err  string
	}{
		0: {"", Options{}, "csv: t.csv: empty input: no header row"},
		1: {"a,b,a\n", Options{}, `csv: t.csv: line 1: columns 1 and 3 are both named "a"`},
		2: {"a\n1\n", Options{ReadOptions: connectors.ReadOptions{Schema: intSchema("z")}}, `csv: t.csv: schema column "z" is not in the header`},
		3: {"a\n1\n", Options{ReadOptions: connectors.ReadOptions{Schema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int8}}, nil)}},
			`csv: t.csv: column "a": type int8 is not supported (want utf8, int64, float64, bool, timestamp or fixed_size_list<float64>)`},
		4: {"\"a\n", Options{}, `t.csv:line 1, column 1, value "a\n": header: unterminated quoted field`},
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := newTestReader(t, mem, tc.in, tc.opts)
		if err == nil {
			r.Release()
			t.Errorf("%d: no error", i)
		} else if err.Error() != tc.err {
			t.Errorf("%d: error\n%v\nwant\n%s", i, err, tc.err)
		}
		mem.AssertSize(t, 0)
	}
}

func TestReadSkip(t *testing.T) {
	in := "a,b\n1,2\n3\n4,y\n5,6\n7,\"z\"q\n8,\"unterminated\n9,10\n"
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var dead bytes.Buffer
	for _, batch := range []int{1, 2, 100} {
		dead.Reset()
		r, err := newTestReader(t, mem, in, Options{ReadOptions: connectors.ReadOptions{
			BatchSize: batch, OnError: connectors.Skip, DeadLetter: &dead, Schema: intSchema("a", "b")}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := drain(t, r)
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
		want := []string{"1|2", "5|6"}
		if strings.Join(got, ";") != strings.Join(want, ";") {
			t.Errorf("batch %d: rows %q, want %q", batch, got, want)
		}
		wantDead := "3\n4,y\n7,\"z\"q\n8,\"unterminated\n9,10\n"
		if dead.String() != wantDead {
			t.Errorf("batch %d: dead letters %q, want %q", batch, dead.String(), wantDead)
		}
		if r.Skipped() != 4 {
			t.Errorf("batch %d: skipped %d, want 4", batch, r.Skipped())
		}
	}
}

func TestSeek(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("i,s\n")
	for i := 0; i < 50; i++ {
		if i%7 == 3 {
			fmt.Fprintf(&b, "%d,\"multi\nline %d\"\n", i, i)
		} else {
			fmt.Fprintf(&b, "%d,s%d\n", i, i)
		}
		if i == 20 {
			b.WriteString("bad\n")
		}
	}
	path := filepath.Join(dir, "s.csv.gz")
	writeGzip(t, path, b.String())
	for _, policy := range []connectors.ErrorPolicy{connectors.Fail, connectors.Skip} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := Open(context.Background(), path, Options{ReadOptions: connectors.ReadOptions{BatchSize: 8, Allocator: mem, OnError: policy}})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Next() || r.Offset() != 8 {
			t.Fatalf("%v: first batch: offset %d", policy, r.Offset())
		}
		for _, at := range []int64{0, 5, 17, 30, 49, 50, 70} {
			if err := r.SeekRow(at); err != nil {
				t.Fatal(err)
			}
			if r.Offset() != at {
				t.Errorf("%v: offset %d after SeekRow(%d)", policy, r.Offset(), at)
			}
			got, _ := drain(t, r)
			err := r.Err()
			firstWant := at
			switch {
			case policy == connectors.Fail && at <= 20:
				// The bad row after row 20 stops a Fail reader.
				if err == nil || !strings.Contains(err.Error(), "wrong number of fields") {
					t.Errorf("%v: seek %d: error %v", policy, at, err)
				}
				if want := 21 - at; int64(len(got)) != want {
					t.Errorf("%v: seek %d: %d rows, want %d", policy, at, len(got), want)
				}
			case policy == connectors.Fail:
				// Under Fail, SeekRow counts the bad row too: a Fail reader
				// never gets past it, so such an offset never comes from Offset.
				firstWant = at - 1
				if err != nil {
					t.Fatalf("%v: seek %d: %v", policy, at, err)
				}
				if want := max(0, 51-at); int64(len(got)) != want {
					t.Errorf("%v: seek %d: %d rows, want %d", policy, at, len(got), want)
				}
			default:
				if err != nil {
					t.Fatalf("%v: seek %d: %v", policy, at, err)
				}
				if want := max(0, 50-at); int64(len(got)) != want {
					t.Errorf("%v: seek %d: %d rows, want %d", policy, at, len(got), want)
				}
				if r.Offset() != max(50, at) {
					t.Errorf("%v: seek %d: offset %d at the end", policy, at, r.Offset())
				}
			}
			if len(got) > 0 && !strings.HasPrefix(got[0], strconv.FormatInt(firstWant, 10)+"|") {
				t.Errorf("%v: seek %d: first row %q", policy, at, got[0])
			}
		}
		// The bad row is read again after each seek to a row before it (0, 5,
		// 17) and not after the seeks past it.
		if policy == connectors.Skip && r.Skipped() != 3 {
			t.Errorf("skipped %d, want 3", r.Skipped())
		}
		r.Release()
		mem.AssertSize(t, 0)
	}
	// A reader that is not reading a file cannot seek.
	r, err := NewReader(context.Background(), strings.NewReader("a\n1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if err := r.SeekRow(0); err == nil {
		t.Error("SeekRow on a stream: no error")
	}
}

func writeGzip(t *testing.T, path, text string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseEarly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "%d,%d.5\n", i, i)
	}
	r, err := newTestReader(t, mem, b.String(), Options{ReadOptions: connectors.ReadOptions{BatchSize: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	r.Release() // with workers busy and results queued
	r.Release()
	if r.Next() {
		t.Error("Next after Release")
	}
}

func TestContextCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var b strings.Builder
	b.WriteString("x\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := NewReader(ctx, strings.NewReader(b.String()), Options{ReadOptions: connectors.ReadOptions{BatchSize: 10, Allocator: mem}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatal(r.Err())
	}
	cancel()
	for r.Next() {
	}
	if !errors.Is(r.Err(), context.Canceled) {
		t.Errorf("error %v, want context.Canceled", r.Err())
	}
}

func TestRegistered(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.tsv")
	if err := os.WriteFile(path, []byte("a\tb\n1\t2,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := connectors.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	if _, ok := src.(interface{ SeekRow(int64) error }); !ok {
		t.Error("the csv source is not a table.Seeker")
	}
	if !src.Next() {
		t.Fatal(src.Err())
	}
	rec := src.Record()
	if got := cell(rec.Column(0), 0) + "|" + cell(rec.Column(1), 0); got != `1|"2,5"` {
		t.Errorf("row %s", got)
	}
}

func TestFloatValuesExact(t *testing.T) {
	// Values that need the strconv fallback read back exactly.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals := []float64{0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789012345680000, 2.2250738585072014e-308}
	var b strings.Builder
	b.WriteString("x\n")
	for _, v := range vals {
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "\n")
	}
	r, err := newTestReader(t, mem, b.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatal(r.Err())
	}
	got := r.Record().Column(0).(*array.Float64).Float64Values()
	for i, v := range vals {
		if got[i] != v {
			t.Errorf("%d: %v, want %v", i, got[i], v)
		}
	}
}

func TestInferWholeFile(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "w.csv")
	if err := os.WriteFile(path, []byte("n,s\n1,a\n2,b\n1.5,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		infer  int
		schema string
		err    bool
	}{{1, "n:int64,s:utf8", true}, {-1, "n:float64,s:utf8", false}} {
		r, err := Open(context.Background(), path, Options{ReadOptions: connectors.ReadOptions{BatchSize: 1, Allocator: mem}, InferRows: tc.infer})
		if err != nil {
			t.Fatal(err)
		}
		if got := schemaString(r.Schema()); got != tc.schema {
			t.Errorf("InferRows %d: schema %s, want %s", tc.infer, got, tc.schema)
		}
		rows, _ := drain(t, r)
		if (r.Err() != nil) != tc.err {
			t.Errorf("InferRows %d: error %v", tc.infer, r.Err())
		}
		if !tc.err && strings.Join(rows, ";") != `1|"a";2|"b";1.5|"c"` {
			t.Errorf("InferRows %d: rows %q", tc.infer, rows)
		}
		r.Release()
	}
}

func TestProgressReachesFileSize(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(t.TempDir(), "p.csv")
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "%d,%d.5\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), path, Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	for r.Next() {
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	read, total := r.Progress()
	if total != int64(b.Len()) || read != total {
		t.Errorf("progress after the whole file = %d/%d, want %d/%d", read, total, b.Len(), b.Len())
	}
}
