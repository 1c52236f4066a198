package modelio_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"
)

// blobModel keeps any records as model data and transforms nothing: it
// checks that save/load keeps model data of every column type exactly.
type blobModel struct {
	params *param.Set
	state  pipeline.ModelState[int]
}

func (b *blobModel) Kind() string                                         { return "blob_model" }
func (b *blobModel) Params() *param.Set                                   { return b.params }
func (b *blobModel) ModelData() []arrow.Record                            { return b.state.ModelData() }
func (b *blobModel) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }
func (b *blobModel) Transform(_ context.Context, rec arrow.Record) (arrow.Record, error) {
	rec.Retain()
	return rec, nil
}
func (b *blobModel) SetModelData(recs ...arrow.Record) error {
	return b.state.Set(recs, func(d []arrow.Record) (int, error) { return len(d), nil })
}

func blobEnv(t *testing.T) *registry.Environment {
	env := testEnv(t)
	err := env.Register(registry.Spec{Kind: "blob_model", Doc: "test", New: func(p map[string]any) (pipeline.Stage, error) {
		b := &blobModel{params: param.NewSet("blob_model")}
		return b, b.params.SetMap(p)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestModelDataTypesRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := []time.Time{time.Unix(0, 0).UTC(), time.Unix(1700000000, 5).UTC(), {}}
	a, err := table.Build(mem,
		table.NullableCol("s", []string{"a", "", "ccc"}, []bool{true, true, false}),
		table.Col("b", []bool{true, false, true}),
		table.Col("i32", []int32{1, -2, 3}),
		table.NullableCol("f", []float64{1.5, 0, -3}, []bool{false, true, true}),
		table.TimestampCol("t", arrow.Nanosecond, "UTC", ts, []bool{true, true, false}),
		table.DenseCol("v", 2, [][]float64{{1, 2}, {3, 4}, {5, 6}}),
		table.SparseCol("sp", []table.SparseVector{{Size: 5, Indices: []int32{1, 3}, Values: []float64{1, 2}}, {Size: 5}, {Size: 5, Indices: []int32{4}, Values: []float64{9}}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	lb.Append(true)
	lb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"x", "y"}, nil)
	lb.AppendNull()
	lb.Append(true)
	list := lb.NewArray()
	lb.Release()
	defer list.Release()
	bs := arrow.NewSchema([]arrow.Field{{Name: "tokens", Type: list.DataType(), Nullable: true}}, nil)
	b := array.NewRecord(bs, []arrow.Array{list}, 3)
	defer b.Release()
	vb := pipeline.WithModelVersion(b, 12)
	defer vb.Release()
	slice := a.NewSlice(1, 3) // offsets must survive
	defer slice.Release()

	env := blobEnv(t)
	m := &blobModel{params: param.NewSet("blob_model")}
	if err := m.SetModelData(a, vb, slice); err != nil {
		t.Fatal(err)
	}
	o := &modelio.Options{Env: env, Allocator: mem}
	for _, name := range []string{"blob", "blob.tar"} {
		path := filepath.Join(t.TempDir(), name)
		if err := modelio.Save(m, path, o); err != nil {
			t.Fatal(err)
		}
		got, err := modelio.Load(path, o)
		if err != nil {
			t.Fatal(err)
		}
		data := got.(pipeline.Model).ModelData()
		for i, want := range []arrow.Record{a, vb, slice} {
			if !array.RecordEqual(data[i], want) || !data[i].Schema().Equal(want.Schema()) {
				t.Errorf("%s: record %d:\n got %v\nwant %v", name, i, data[i], want)
			}
			data[i].Release()
		}
		if v := got.(*blobModel).state.ModelVersion(); v != 12 {
			t.Errorf("%s: version %d, want 12", name, v)
		}
	}
}
