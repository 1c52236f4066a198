package httpapi

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// FuzzDecodeInstances: any body either decodes into a record of the
// schema with at most MaxRows rows or gives a catalogued error; never a
// panic or a leak.
func FuzzDecodeInstances(f *testing.F) {
	for _, s := range []string{
		`{"instances":[{"x":1,"n":2,"s":"a","b":true,"v":[1,2]}]}`,
		`{"instances":[{"x":1e3,"n":-2,"s":"\u00e9\n","b":false,"v":[0.5,-1],"extra":{"a":[1,{}]}}],"parameters":{}}`,
		`{"instances":[{"x":null}]}`, `{"instances":[]}`, `[1]`, `{"instances":[{"x":"NaN"}]}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "v", Type: table.DenseVectorType(2)},
	}, nil)
	p, err := newPlan(schema)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, infer bool) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		pl := p
		if infer {
			pl = nil
		}
		rec, e := decodeInstances(body, pl, 5, mem)
		if e != nil {
			if e.Code < 1000 || e.Code >= 6000 || e.Message == "" {
				t.Fatalf("bad error %+v", e)
			}
			return
		}
		defer rec.Release()
		if rec.NumRows() < 1 || rec.NumRows() > 5 {
			t.Fatalf("%d rows", rec.NumRows())
		}
		if !infer && !rec.Schema().Equal(schema) {
			t.Fatalf("schema %v", rec.Schema())
		}
		for _, c := range rec.Columns() {
			if c.Len() != int(rec.NumRows()) {
				t.Fatalf("column of %d rows in a record of %d", c.Len(), rec.NumRows())
			}
		}
	})
}

// FuzzDecodeOIP: any inference body either decodes into tensors whose
// record has the schema, or gives a catalogued error; never a panic or a
// leak.
func FuzzDecodeOIP(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","inputs":[{"name":"x","shape":[2],"datatype":"FP64","data":[1,2]},{"name":"v","shape":[2,2],"datatype":"FP64","data":[[1,2],[3,4]]}]}`,
		`{"inputs":[{"data":[1],"name":"x","shape":[1],"datatype":"FP64"},{"name":"v","shape":[1,2],"datatype":"FP64","data":[1,2]}],"outputs":[{"name":"p"}]}`,
		`{"inputs":[]}`, `{"inputs":[{"name":"x","shape":[-1],"data":[]}]}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "v", Type: table.DenseVectorType(2)},
	}, nil)
	p, err := newPlan(schema)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		req, e := decodeOIP(body)
		if e != nil {
			if e.Code < 1000 || e.Code >= 6000 || e.Message == "" {
				t.Fatalf("bad error %+v", e)
			}
			return
		}
		rec, e := tensorsToRecord(req.Inputs, p, 5, mem)
		if e != nil {
			if e.Code < 1000 || e.Code >= 6000 || e.Message == "" {
				t.Fatalf("bad error %+v", e)
			}
			return
		}
		defer rec.Release()
		if !rec.Schema().Equal(schema) || rec.NumRows() > 5 {
			t.Fatalf("schema %v, %d rows", rec.Schema(), rec.NumRows())
		}
		for _, c := range rec.Columns() {
			if c.Len() != int(rec.NumRows()) {
				t.Fatalf("column of %d rows in a record of %d", c.Len(), rec.NumRows())
			}
		}
	})
}

// FuzzFastNumber: whenever the one-pass number reader accepts input, it
// consumed exactly what the JSON number grammar (numLit) does and gives
// exactly strconv.ParseFloat's value.
func FuzzFastNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "0.0001", "123456789012345678", "1234567890.12345678",
		"9007199254740993", "01", "1.", "-", ".5", "1e5", "0.1,", "  -12.25]", "4503599627370497.5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast := &scanner{b: b}
		v, ok := fast.fastNumber()
		if !ok {
			if fast.i != 0 && fast.i != len(b)-len(bytes.TrimLeft(b, " \t\n\r")) {
				t.Fatalf("rejected but moved to %d", fast.i)
			}
			return
		}
		slow := &scanner{b: b}
		lit, ok := slow.numLit()
		if !ok || slow.i != fast.i {
			t.Fatalf("%q: fast read to %d, numLit %v to %d", b, fast.i, ok, slow.i)
		}
		want, err := strconv.ParseFloat(string(lit), 64)
		if err != nil || math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("%q: fast %v, strconv %v (%v)", lit, v, want, err)
		}
	})
}
